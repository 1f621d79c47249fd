package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// Programs of one script that run on one CPU at the same time must not
// use the same scratch bytes. Which of our programs can run inside which
// follows from how kernel 6.18 runs them (kernel/trace/bpf_trace.c,
// kernel/bpf/trampoline.c, net/bpf/test_run.c, kernel/events/core.c):
//
//   - tracepoint, kprobe and perf event programs (profile, interval,
//     software, hardware) hold the per-CPU bpf_prog_active guard: while
//     one runs, the others are skipped on that CPU. They run with
//     preemption off, but an interrupt can run a raw tracepoint inside
//     them;
//   - raw tracepoint programs check only their own per-program
//     recursion counter (__bpf_trace_run), with preemption off: an irq or
//     NMI can run any other program inside them. So does the kernel
//     running `self` probes (BPF_PROG_TEST_RUN, preemption off);
//   - uprobe, uretprobe and usdt programs, single (__uprobe_perf_func,
//     bpf_prog_run_array_uprobe) or uprobe_multi (uprobe_prog_run), and
//     iterators, run under migrate_disable() only: anything can
//     interrupt them, and on a preemptible kernel another task's run of
//     any uprobe program, the same one included, can preempt them on the
//     CPU. fentry/fexit are alike but for their per-program counter;
//   - BEGIN, END, bench and test probes run when nothing else of the
//     script is attached (runtime: BEGIN before attaching, END after
//     detaching), one after the other.
//
// Preemption makes the nesting non-LIFO (a preempted program may finish
// after one that started later), so a depth counter would not do: each
// level of the scratch buffer has a busy word that a program takes with
// an atomic exchange and gives back with a store.

// nestClass is how a program's runs can overlap others on one CPU.
type nestClass int

const (
	nestIsolated    nestClass = iota // BEGIN, END, bench, test: alone
	nestGuarded                      // holds bpf_prog_active
	nestAtomic                       // no guard, preemption off
	nestPreemptible                  // migrate_disable only
)

func nestClassOf(p probetype.Type) nestClass {
	switch p {
	case probetype.Begin, probetype.End, probetype.Bench, probetype.Test:
		return nestIsolated
	case probetype.Tracepoint, probetype.Kprobe, probetype.Kretprobe,
		probetype.Interval, probetype.Profile, probetype.Software, probetype.Hardware,
		probetype.Watchpoint, probetype.AsyncWatchpoint:
		return nestGuarded
	case probetype.RawTracepoint, probetype.Self:
		return nestAtomic
	}
	// uprobe, uretprobe, usdt, iter, fentry, fexit, and anything new.
	return nestPreemptible
}

// selfNests reports whether one program of class c can run inside
// itself: only those without a per-program recursion counter that can be
// preempted (uprobes, usdt, iterators).
func selfNests(c nestClass, p probetype.Type) bool {
	return c == nestPreemptible && p != probetype.Fentry && p != probetype.Fexit
}

// canNest reports whether two distinct programs can run at once on a CPU.
func canNest(a, b nestClass) bool {
	if a == nestIsolated || b == nestIsolated {
		return false
	}
	return a != nestGuarded || b != nestGuarded
}

// scratchLevels is how many programs at once can hold the scratch buffer
// of a CPU (an uprobe, another task's uprobe preempting it, an irq's
// tracepoint, an NMI's profile). One more is skipped and counted.
const scratchLevels = 4

// progScratch is what the first compilation learned of one program.
type progScratch struct {
	provider    probetype.Type
	uses        bool // the program uses the scratch buffer
	predScratch bool // its predicate does, so the lookup comes first
	keyOff      int  // the frame offset of the lookup's key
	// localOnly: only the paths of long string keys use it, each looking
	// the buffer up itself (aggregateLongStr); a level is then taken on
	// those paths alone, and given back at their end.
	localOnly bool
}

// nestPlan is what the second compilation of a script that needs levels
// follows: those of claim take a level. A level's busy word (u32) is at
// busyOff, after the scratch bytes of every program, so that what the
// programs place in the scratch buffer keeps its offsets.
type nestPlan struct {
	progs   []progScratch
	claim   []bool
	busyOff int
}

// planNesting decides, from the first compilation, which programs must
// take a level: those that use the scratch buffer and can run at once
// with a program that does (itself included). nil when none must: the
// script is built as it was, byte for byte.
func planNesting(progs []progScratch, scratch int) *nestPlan {
	claim := make([]bool, len(progs))
	anyClaim := false
	for i, p := range progs {
		if !p.uses {
			continue
		}
		ci := nestClassOf(p.provider)
		if selfNests(ci, p.provider) {
			claim[i] = true
		}
		for j, q := range progs {
			if j != i && q.uses && canNest(ci, nestClassOf(q.provider)) {
				claim[i] = true
			}
		}
		anyClaim = anyClaim || claim[i]
	}
	if !anyClaim {
		return nil
	}
	return &nestPlan{progs: progs, claim: claim, busyOff: alignUp(scratch, 8)}
}

// nestDropSlot is Plan.NestDrop, allocated on first use.
func (cc *compiler) nestDropSlot() int32 {
	if cc.plan.NestDrop == 0 {
		cc.plan.NestDrop = cc.newDropSlot()
	}
	return int32(cc.plan.NestDrop)
}

// claimScratch looks up this CPU's scratch buffer level by level and
// takes the first whose busy word it finds 0 (an atomic exchange with 1),
// its base then in regScratch. When every level is taken (programs
// nested scratchLevels deep on the CPU) the run is counted in
// Plan.NestDrop and skipped: it jumps to skip. The level is counted in
// the lookup's key on the stack (keyOff, 8-aligned, so that the verifier
// tracks the 4-byte value across the loop), which holds no register:
// a claim can sit where every temporary is taken (aggregateLongStr).
func (g *gen) claimScratch(keyOff int, skip string) {
	busy := int16(g.cc.nest.busyOff)
	// cilium/ebpf v0.22 encodes an atomic operation's kind (the
	// instruction's immediate) from Constant, which its Marshal fills only
	// after reading it: without this, the exchange is loaded as an add.
	xchg := asm.Xchg.Mem(asm.R0, asm.R1, asm.Word, busy)
	xchg.Constant = int64(asm.Xchg >> 8)
	key := int16(keyOff)
	loop, claimed := g.newLabel("nestlevel"), g.newLabel("nestclaimed")
	g.emit(asm.StoreImm(asm.RFP, key, 0, asm.Word))
	g.label(loop)
	g.emit(
		asm.LoadMapPtr(asm.R1, 0).WithReference(scratchName),
		asm.Mov.Reg(asm.R2, asm.RFP), asm.Add.Imm(asm.R2, int32(keyOff)),
		asm.FnMapLookupElem.Call(),
		asm.JEq.Imm(asm.R0, 0, skip),
		asm.Mov.Imm(asm.R1, 1),
		xchg,
		asm.JEq.Imm(asm.R1, 0, claimed),
		// Held: the next level.
		asm.LoadMem(asm.R1, asm.RFP, key, asm.Word),
		asm.Add.Imm(asm.R1, 1),
		asm.StoreMem(asm.RFP, key, asm.R1, asm.Word),
		asm.JLT.Imm(asm.R1, scratchLevels, loop),
	)
	g.countDrop(g.cc.nestDropSlot())
	g.jump(skip)
	g.label(claimed)
	g.emit(asm.Mov.Reg(regScratch, asm.R0))
}

// releaseScratch gives the level claimScratch took back.
func (g *gen) releaseScratch() {
	g.storeImm(loc{base: regScratch, off: g.cc.nest.busyOff}, 0, 4)
}

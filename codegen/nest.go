package codegen

import (
	"slices"
	"strconv"
	"strings"

	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/codegen/ir"
	"github.com/gobpftrace/gobpftrace/lang"

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

// progScratch is what building one program showed of its use of the
// scratch buffer.
type progScratch struct {
	provider probetype.Type
	uses     bool // the program uses the scratch buffer
}

// levelMode is how a program reaches the scratch buffer, decided once
// every program of the script is built (planNesting).
type levelMode int

const (
	levelNone  levelMode = iota // looks level 0 up, takes no level
	levelEager                  // takes a level where the lookup goes, gives it back at its exit
	// levelLazy: only the paths of long string keys use the buffer, each
	// looking it up itself (aggregateLongStr): they take a level, and give
	// it back at their end, so that an event with a short string pays
	// nothing for it.
	levelLazy
)

// planNesting decides, once every program is built, which programs must
// take a level: those that use the scratch buffer and can run at once
// with a program that does (itself included). nil when none must: every
// program looks level 0 up, and the buffer has one level.
func planNesting(progs []progScratch) []bool {
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
	return claim
}

// mayNest reports whether a program for provider, serving n of the
// script's attach points, can run at once with one of the script's
// programs (itself included), whichever they turn out to use: only such
// a program may have to take a level, so only its lowering waits for
// every program to be built (compileProgram).
func (cc *compiler) mayNest(provider probetype.Type, n int) bool {
	c := nestClassOf(provider)
	if selfNests(c, provider) {
		return true
	}
	for k, count := range cc.attachByClass {
		if nestClass(k) == c {
			count -= n
		}
		if count > 0 && canNest(c, nestClass(k)) {
			return true
		}
	}
	return false
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
	busy := int16(g.cc.busyOff)
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
	g.emit(asm.StoreImm(regScratch, int16(g.cc.busyOff), 0, asm.Word))
}

// localLookup is where aggregateLongStr looked the scratch buffer up on
// a path of its own: n instructions at block.Instrs[at:], and the two
// ends of that path (the first class's update, whose jump is at
// fits.Instrs[fitsAt], and the start of done). A program that takes a
// level lazily takes it there instead and gives it back at both ends;
// one that takes it eagerly drops the lookup (it holds its level's base
// already).
type localLookup struct {
	block         *ir.Block
	at, n, keyOff int
	fits          *ir.Block
	fitsAt        int
	done          *ir.Block
	span, endSpan lang.Span // what the lookup and done were emitted for
	skip          string    // the label a run that finds every level held jumps to
	labels        int       // the labels numbered before it (see spliceClaim)
}

// placeScratch completes what program built: the scratch buffer reached
// as mode says, and the context saved from R1. Nothing built is taken
// back but the string paths' own lookups under an eager claim: a plain
// lookup or a claim goes where program left the lookup out, releases
// where a level's use ends.
func (g *gen) placeScratch(mode levelMode) {
	entry, span := g.fn.Entry(), g.span
	switch mode {
	case levelLazy:
		// Last first: an edit only moves what follows it in its block.
		for i := len(g.localLookups) - 1; i >= 0; i-- {
			s := g.localLookups[i]
			g.span = s.endSpan
			insertInstr(s.done, 0, g.releaseInstr())
			g.span = g.spans.Span(s.fits.Instrs[s.fitsAt].Span) // its jump's
			insertInstr(s.fits, s.fitsAt, g.releaseInstr())
			g.span = s.span
			g.spliceClaim(s.block, s.at, s.n, s.keyOff, s.skip, s.labels)
		}
	case levelEager:
		for i := len(g.localLookups) - 1; i >= 0; i-- {
			s := g.localLookups[i]
			s.block.Instrs = slices.Delete(s.block.Instrs, s.at, s.at+s.n)
		}
		// What returns before the claim skips the release: the filters
		// and a predicate that needs no scratch buffer.
		skip := "skip"
		if g.lookupAt != entry {
			for _, b := range g.fn.Blocks {
				if b == g.lookupAt {
					break
				}
				for i, in := range b.Instrs {
					if to, ok := ir.JumpTarget(in.Instruction); ok && to == g.done {
						b.Instrs[i].Instruction = in.Instruction.WithReference(skip)
					}
				}
			}
		}
		g.span = g.lookupSpan
		g.spliceClaim(g.lookupAt, 0, 0, g.keyOff, skip, g.lookupLabels)
		// The way out: the release, then the exit that skip jumps to.
		if g.fn.Blocks[len(g.fn.Blocks)-1] != g.exit {
			failf(g.probe.Span, "internal error: the program's exit is not its last block")
		}
		// Built for what the body's way out was, or, when the claim
		// follows a predicate, for the probe, as the claim.
		out := g.exit.Instrs
		g.exit.Instrs = nil
		g.cur, g.span = g.exit, g.spans.Span(out[0].Span)
		if !g.predScratch {
			g.span = g.probe.Span
			id := g.spans.ID(g.span)
			for i := range out {
				out[i].Span = id
			}
		}
		g.releaseScratch()
		g.label(skip)
		for _, in := range out {
			g.arena.append(g.cur, in)
		}
	default:
		if g.lookupAt != nil {
			g.span = g.probe.Span
			g.lookupAt.PrependInstrs(g.instrs(
				asm.StoreImm(asm.RFP, int16(g.keyOff), 0, asm.Word),
				asm.LoadMapPtr(asm.R1, 0).WithReference(scratchName),
				asm.Mov.Reg(asm.R2, asm.RFP), asm.Add.Imm(asm.R2, int32(g.keyOff)),
				asm.FnMapLookupElem.Call(),
				asm.JEq.Imm(asm.R0, 0, g.done),
				asm.Mov.Reg(regScratch, asm.R0))...)
		}
	}
	if g.usesCtx {
		// The allocator leaves the context in R1 when nothing clobbers R1
		// before its last read, and drops this move.
		g.span = span
		entry.PrependInstrs(g.instr(asm.Mov.Reg(regCtx, asm.R1)))
	}
}

// spliceClaim replaces the drop instructions at b.Instrs[at:] with a
// claim of a level (claimScratch), whose blocks go after b; what followed
// them continues once the level is taken. Its labels take the numbers
// they would have had built in place, after the first labels ones: the
// later ones move up (shiftLabels), so that dumps read as before.
func (g *gen) spliceClaim(b *ir.Block, at, drop, keyOff int, skip string, labels int) {
	pos := slices.Index(g.fn.Blocks, b)
	if pos < 0 {
		failf(g.probe.Span, "internal error: the scratch buffer's lookup is in no block")
	}
	g.shiftLabels(labels, 2)
	rest := g.fn.Blocks[pos+1:]
	tail := b.Instrs[at+drop:]
	// Capacities cut: what is built now goes to arrays of its own.
	b.Instrs = b.Instrs[:at:at]
	g.fn.Blocks = g.fn.Blocks[: pos+1 : pos+1]
	g.cur = b
	next := g.nlabels
	g.nlabels = labels
	g.claimScratch(keyOff, skip)
	if g.nlabels != labels+2 {
		failf(g.probe.Span, "internal error: a claim of the scratch buffer took %d labels", g.nlabels-labels)
	}
	g.nlabels = next
	for _, in := range tail {
		g.arena.append(g.cur, in)
	}
	g.fn.Blocks = append(g.fn.Blocks, rest...)
}

// releaseInstr is releaseScratch's instruction.
func (g *gen) releaseInstr() ir.Instr {
	return g.instr(asm.StoreImm(regScratch, int16(g.cc.busyOff), 0, asm.Word))
}

// insertInstr puts in at b.Instrs[at], in a new array: b's may have room
// that an arena hands out next.
func insertInstr(b *ir.Block, at int, in ir.Instr) {
	out := make([]ir.Instr, 0, len(b.Instrs)+1)
	out = append(append(append(out, b.Instrs[:at]...), in), b.Instrs[at:]...)
	b.Instrs = out
}

// shiftLabels adds by to the number of every label of the program's
// functions that newLabel numbered after labels.
func (g *gen) shiftLabels(labels, by int) {
	rename := func(l string) string {
		i := strings.LastIndexByte(l, '_')
		if i < 0 || l == g.fn.Name {
			return l
		}
		n, err := strconv.Atoi(l[i+1:])
		if err != nil || n <= labels {
			return l
		}
		return l[:i+1] + strconv.Itoa(n+by)
	}
	fns := []*ir.Func{g.fn}
	for i := range g.callbacks {
		g.callbacks[i].name = rename(g.callbacks[i].name)
		fns = append(fns, g.callbacks[i].fn)
	}
	for _, fn := range fns {
		fn.Name = rename(fn.Name)
		for _, b := range fn.Blocks {
			b.Label = rename(b.Label)
			for i, in := range b.Instrs {
				// Jumps, and loads of a callback's address (funcRef).
				_, jump := ir.JumpTarget(in.Instruction)
				if jump || in.OpCode.IsDWordLoad() && in.Src == asm.PseudoFunc {
					if ref := in.Reference(); rename(ref) != ref {
						b.Instrs[i].Instruction = in.Instruction.WithReference(rename(ref))
					}
				}
			}
		}
	}
	g.nlabels += by
}

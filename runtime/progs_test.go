package runtime

import (
	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// Hand-built programs and plans: codegen is written concurrently, so the
// runtime is tested with small programs written directly in asm.

// Names of the test objects start with "gbt" so leak checks can find them.
const (
	ringName  = "gbt_events"
	countName = "gbt_count"
)

func ringSpec() *ebpf.MapSpec {
	return &ebpf.MapSpec{Name: ringName, Type: ebpf.RingBuf, MaxEntries: 1 << 16}
}

// countSpec is a per-CPU hash of u64 counters keyed by a u64.
func countSpec(name string) *ebpf.MapSpec {
	return &ebpf.MapSpec{Name: name, Type: ebpf.PerCPUHash, KeySize: 8, ValueSize: 8, MaxEntries: 16}
}

// countMap describes countSpec as the script map @name, without keys.
func countMap(spec, script string) *codegen.Map {
	return &codegen.Map{Name: spec, ScriptName: script, Value: &lang.Type{Kind: lang.KCount},
		KeySize: 8, ValueSize: 8, PerCPU: true}
}

// onlyPid skips to "out" unless the current process is pid.
func onlyPid(pid int) asm.Instructions {
	return asm.Instructions{
		asm.FnGetCurrentPidTgid.Call(),
		asm.RSh.Imm(asm.R0, 32),
		asm.JNE.Imm(asm.R0, int32(pid), "out"),
	}
}

// countInsns adds 1 to key 0 of map: look up, update in place, insert on a
// miss. Use it once per program (its labels are fixed).
func countInsns(mapName string) asm.Instructions {
	return asm.Instructions{
		asm.Mov.Imm(asm.R1, 0),
		asm.StoreMem(asm.RFP, -8, asm.R1, asm.DWord),
		asm.LoadMapPtr(asm.R1, 0).WithReference(mapName),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, -8),
		asm.FnMapLookupElem.Call(),
		asm.JEq.Imm(asm.R0, 0, "miss"),
		asm.LoadMem(asm.R1, asm.R0, 0, asm.DWord),
		asm.Add.Imm(asm.R1, 1),
		asm.StoreMem(asm.R0, 0, asm.R1, asm.DWord),
		asm.Ja.Label("counted"),
		asm.Mov.Imm(asm.R1, 1).WithSymbol("miss"),
		asm.StoreMem(asm.RFP, -16, asm.R1, asm.DWord),
		asm.LoadMapPtr(asm.R1, 0).WithReference(mapName),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, -8),
		asm.Mov.Reg(asm.R3, asm.RFP),
		asm.Add.Imm(asm.R3, -16),
		asm.Mov.Imm(asm.R4, 0),
		asm.FnMapUpdateElem.Call(),
		asm.Mov.Imm(asm.R0, 0).WithSymbol("counted"),
	}
}

// emitInsns sends an event record: u64 id, then the u64 values given.
func emitInsns(id int, args ...int64) asm.Instructions {
	size := 8 * (1 + len(args))
	insns := asm.Instructions{
		asm.Mov.Imm(asm.R1, int32(id)),
		asm.StoreMem(asm.RFP, int16(-size), asm.R1, asm.DWord),
	}
	for i, a := range args {
		insns = append(insns,
			asm.LoadImm(asm.R1, a, asm.DWord),
			asm.StoreMem(asm.RFP, int16(-size+8*(i+1)), asm.R1, asm.DWord))
	}
	return append(insns,
		asm.LoadMapPtr(asm.R1, 0).WithReference(ringName),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, int32(-size)),
		asm.Mov.Imm(asm.R3, int32(size)),
		asm.Mov.Imm(asm.R4, 0),
		asm.FnRingbufOutput.Call(),
	)
}

func ret() asm.Instructions {
	return asm.Instructions{asm.Mov.Imm(asm.R0, 0).WithSymbol("out"), asm.Return()}
}

func concat(parts ...asm.Instructions) asm.Instructions {
	var all asm.Instructions
	for _, p := range parts {
		all = append(all, p...)
	}
	return all
}

// planBuilder assembles a Plan.
type planBuilder struct {
	plan *codegen.Plan
}

func newPlan() *planBuilder {
	return &planBuilder{plan: &codegen.Plan{Spec: &ebpf.CollectionSpec{
		Maps: map[string]*ebpf.MapSpec{}, Programs: map[string]*ebpf.ProgramSpec{},
	}}}
}

func (b *planBuilder) withRing() *planBuilder {
	b.plan.Spec.Maps[ringName] = ringSpec()
	b.plan.RingBuf = ringName
	return b
}

func (b *planBuilder) withCount(spec, script string) *planBuilder {
	b.plan.Spec.Maps[spec] = countSpec(spec)
	b.plan.Maps = append(b.plan.Maps, countMap(spec, script))
	return b
}

func (b *planBuilder) event(ev *codegen.Event) *planBuilder {
	b.plan.Events = append(b.plan.Events, ev)
	return b
}

// prog adds a program; its type follows the provider as codegen makes it.
func (b *planBuilder) prog(name string, attach *lang.Resolved, insns asm.Instructions) *planBuilder {
	typ := ebpf.TracePoint
	switch attach.Provider {
	case probetype.Begin, probetype.End:
		typ = ebpf.RawTracepoint
	case probetype.Interval, probetype.Profile, probetype.Software:
		typ = ebpf.PerfEvent
	case probetype.Uprobe, probetype.Uretprobe:
		typ = ebpf.Kprobe
	}
	b.plan.Spec.Programs[name] = &ebpf.ProgramSpec{Name: name, Type: typ, License: "GPL", Instructions: insns}
	b.plan.Programs = append(b.plan.Programs, &codegen.Program{Name: name, Attach: attach})
	return b
}

func begin() *lang.Resolved { return &lang.Resolved{Provider: probetype.Begin, Name: "BEGIN"} }
func end() *lang.Resolved   { return &lang.Resolved{Provider: probetype.End, Name: "END"} }

func tracepoint(cat, ev string) *lang.Resolved {
	return &lang.Resolved{Provider: probetype.Tracepoint, Name: "tracepoint:" + cat + ":" + ev, Category: cat, Event: ev}
}

func interval(ms uint64) *lang.Resolved {
	return &lang.Resolved{Provider: probetype.Interval, Name: "interval:ms:" + itoa(ms), PeriodNs: ms * 1e6}
}

func profileHz(hz uint64) *lang.Resolved {
	return &lang.Resolved{Provider: probetype.Profile, Name: "profile:hz:" + itoa(hz), Frequency: hz}
}

func itoa(n uint64) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func printfEvent(format string, nargs int) *codegen.Event {
	ev := &codegen.Event{Kind: codegen.EvPrintf, Format: format, Size: 8 * (1 + nargs)}
	for i := 0; i < nargs; i++ {
		ev.Args = append(ev.Args, &codegen.EventArg{Offset: 8 * (i + 1), Type: lang.TInt64})
	}
	return ev
}

// asmMovR0R2 reads an uninitialized register: the verifier says "R2 !read_ok".
func asmMovR0R2() asm.Instructions {
	return asm.Instructions{asm.Mov.Reg(asm.R0, asm.R2), asm.Return()}
}

func kprobeAttach(fn string) *lang.Resolved {
	return &lang.Resolved{Provider: "kprobe", Name: "kprobe:" + fn}
}

func uprobeAttach(path, fn string) *lang.Resolved {
	return &lang.Resolved{Provider: probetype.Uprobe, Name: "uprobe:" + path + ":" + fn,
		Point: &lang.AttachPoint{Provider: string(probetype.Uprobe), Parts: []string{path, fn}}}
}

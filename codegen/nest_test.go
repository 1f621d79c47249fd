package codegen

import (
	"encoding/binary"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
)

// claims reports, for each program of plan in order, whether it takes a
// level of the scratch buffer (an exchange on the busy word).
func claims(plan *Plan) []bool {
	var out []bool
	for _, p := range plan.Programs {
		took := false
		for _, in := range plan.Spec.Programs[p.Name].Instructions {
			if in.OpCode.Class() == asm.StXClass && in.OpCode.Mode() == asm.AtomicMode && in.Constant == int64(asm.Xchg>>8) {
				took = true
			}
		}
		out = append(out, took)
	}
	return out
}

// TestScratchLevelsByProbeKind: a program takes a level of the scratch
// buffer when it uses it and can run at once, on one CPU, with a program
// of the script that uses it too (itself included); the others are built
// as before, and a script without such a pair has one level.
func TestScratchLevelsByProbeKind(t *testing.T) {
	const big = `@[str(uptr(0), 1024)] = count();`
	cases := []struct {
		src    string
		claims []bool
	}{
		// Under bpf_prog_active (or alone, as BEGIN and END): as before.
		{`tracepoint:syscalls:sys_enter_openat { ` + big + ` } profile:hz:99 { @p[str(uptr(0), 1024)] = count(); }`, []bool{false, false}},
		{`BEGIN { ` + big + ` } END { @e[str(uptr(0), 1024)] = count(); } rawtracepoint:sched_switch { @r[str(uptr(0), 1024)] = count(); }`, []bool{false, false, false}},
		{`rawtracepoint:sched_switch { ` + big + ` }`, []bool{false}},                                        // a raw tracepoint never runs inside itself
		{`rawtracepoint:sched_switch { ` + big + ` } profile:hz:99 { @c = count(); }`, []bool{false, false}}, // the profile uses no scratch
		// A uprobe can be preempted by another task's run of itself.
		{`uprobe:/opt/app:f { ` + big + ` }`, []bool{true}},
		// An irq's program can interrupt a raw tracepoint, and one raw
		// tracepoint another.
		{`rawtracepoint:sched_switch { ` + big + ` } profile:hz:99 { @p[str(uptr(0), 1024)] = count(); }`, []bool{true, true}},
		{`rawtracepoint:sched_switch { ` + big + ` } rawtracepoint:sys_enter { @q[str(uptr(0), 1024)] = count(); }`, []bool{true, true}},
		{`self:signal:SIGUSR1 { ` + big + ` } tracepoint:syscalls:sys_enter_openat { @q[str(uptr(0), 1024)] = count(); }`, []bool{true, true}},
		// BEGIN uses the first level without taking it: nothing else runs then.
		{`BEGIN { ` + big + ` } uprobe:/opt/app:f { @u[str(uptr(0), 1024)] = count(); }`, []bool{false, true}},
	}
	for _, c := range cases {
		plan := compileUser(t, c.src)
		got := claims(plan)
		if len(got) != len(c.claims) {
			t.Errorf("%s: %d programs, want %d", c.src, len(got), len(c.claims))
			continue
		}
		anyClaim := false
		for i := range got {
			if got[i] != c.claims[i] {
				t.Errorf("%s: program %s takes a level: %v, want %v", c.src, plan.Programs[i].Name, got[i], c.claims[i])
			}
			anyClaim = anyClaim || got[i]
		}
		levels := plan.Spec.Maps[scratchName].MaxEntries
		if want := map[bool]uint32{false: 1, true: scratchLevels}[anyClaim]; levels != want {
			t.Errorf("%s: %d levels, want %d", c.src, levels, want)
		}
		if anyClaim != (plan.NestDrop != 0) {
			t.Errorf("%s: NestDrop slot %d", c.src, plan.NestDrop)
		}
	}
}

// TestScratchLevelLayout: the instructions of a claim, and the busy word
// given back on every way out after it (return, a predicate that needs the
// scratch buffer), never before it.
func TestScratchLevelLayout(t *testing.T) {
	plan := compileUser(t, `uprobe:/opt/app:f /str(uptr(0), 1024) != "a"/ { if (pid == 1) { return; } `+
		`@[str(uptr(0), 1024)] = count(); if (pid == 2) { exit(); } }`)
	var b strings.Builder
	plan.Dump(&b)
	dump := b.String()
	for _, want := range []string{
		"StXAtomicXchgW dst: r0 src: r1 off: 1024", // the busy word after the string
		"JLTImm dst: r7 off: -1 imm: 4 <nestlevel_1>",
		"exit:\n\t",
		"StMemW dst: r9 src: r0 off: 1024 imm: 0\nskip:\n",
		"map scratch: PerCPUArray key 4 value 1032 entries 4",
	} {
		if !strings.Contains(dump, want) {
			t.Errorf("no %q in\n%s", want, dump)
		}
	}
	// The claim comes first: the predicate reads the scratch buffer.
	if i, j := strings.Index(dump, "Xchg"), strings.Index(dump, "FnProbeReadUserStr"); i < 0 || i > j {
		t.Errorf("the predicate reads the scratch buffer before the claim:\n%s", dump)
	}
}

// busyWords reads the busy word of every level of every CPU's scratch buffer.
func (l *loaded) busyWords(busyOff int) []uint32 {
	l.t.Helper()
	m := l.coll.Maps[scratchName]
	var out []uint32
	for level := uint32(0); level < m.MaxEntries(); level++ {
		var vals [][]byte
		if err := m.Lookup(level, &vals); err != nil {
			l.t.Fatal(err)
		}
		for _, v := range vals {
			out = append(out, binary.LittleEndian.Uint32(v[busyOff:]))
		}
	}
	return out
}

// TestScratchLevelsInKernel runs a program that takes a level (a self
// probe, which an irq's raw tracepoint can interrupt) by
// BPF_PROG_TEST_RUN through each way out: every run counts its key once
// and gives its level back; with every level held, a run is skipped and
// counted in NestDrop.
func TestScratchLevelsInKernel(t *testing.T) {
	plan := compileScript(t, `self:signal:SIGUSR1 { if (nsecs % 2 == 0) { @s[str(uptr(0), 1024)] = count(); return; } `+
		`@s[str(uptr(0), 1024)] = count(); } rawtracepoint:sys_enter { @q[str(uptr(0), 1024)] = count(); }`)
	if got := claims(plan); !got[0] || !got[1] {
		t.Fatalf("claims %v", got)
	}
	l := load(t, plan)
	prog := l.coll.Programs[plan.Programs[0].Name]
	const runs = 20
	for i := 0; i < runs; i++ {
		if _, err := prog.Run(&ebpf.RunOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	for i, w := range l.busyWords(1024) {
		if w != 0 {
			t.Fatalf("busy word %d is %d after the runs", i, w)
		}
	}
	var total uint64
	for _, v := range l.entries("@s") {
		total += binary.LittleEndian.Uint64(v)
	}
	if total != runs {
		t.Errorf("@s counts %d runs, want %d", total, runs)
	}
	// Hold every level of every CPU: the next run is skipped and counted.
	m := l.coll.Maps[scratchName]
	for level := uint32(0); level < scratchLevels; level++ {
		var vals [][]byte
		if err := m.Lookup(level, &vals); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			binary.LittleEndian.PutUint32(v[1024:], 1)
		}
		if err := m.Put(level, vals); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := prog.Run(&ebpf.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	var drops []byte
	if err := l.coll.Maps[plan.Drops].Lookup(uint32(0), &drops); err != nil {
		t.Fatal(err)
	}
	if n := binary.LittleEndian.Uint64(drops[8*plan.NestDrop:]); n != 1 {
		t.Errorf("NestDrop counts %d, want 1", n)
	}
	total = 0
	for _, v := range l.entries("@s") {
		total += binary.LittleEndian.Uint64(v)
	}
	if total != runs {
		t.Errorf("@s counts %d runs after a skipped one, want %d", total, runs)
	}
}

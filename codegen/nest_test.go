package codegen

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"unsafe"

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
		"StXAtomicXchgW dst: r0 src: r1 off: 1024",    // the busy word after the string
		"JLTImm dst: r1 off: -1 imm: 4 <nestlevel_1>", // the level counted in the lookup's key
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

// TestScratchLevelsLazyForLongStrings: a program whose only use of the
// scratch buffer is the path of string keys too long for the stack key
// takes its level on that path, after the first read, and gives it back
// on both ways out of it (its update, or the first class when the string
// fits on the second read): an event with a short string claims nothing.
func TestScratchLevelsLazyForLongStrings(t *testing.T) {
	plan := compileUser(t, `uprobe:/opt/app:f { @[str(uptr(0))] = sum(pid); }`)
	if got := claims(plan); len(got) != 1 || !got[0] {
		t.Fatalf("claims %v", got)
	}
	var b strings.Builder
	plan.Dump(&b)
	dump := b.String()
	read, xchg := strings.Index(dump, "FnProbeReadUserStr"), strings.Index(dump, "Xchg")
	if read < 0 || xchg < read {
		t.Errorf("the level is taken before the first read of the string:\n%s", dump)
	}
	if n := strings.Count(dump, "StMemW dst: r9 src: r0 off: 2056 imm: 0"); n != 2 {
		t.Errorf("the level is given back %d times, want 2 (the fitting string, the update):\n%s", n, dump)
	}
	if strings.Contains(dump, "\nskip:") {
		t.Errorf("a release at the program's exit:\n%s", dump)
	}
}

// TestScratchLevelsInKernel runs programs that take a level (self probes,
// which an irq's raw tracepoint can interrupt) by BPF_PROG_TEST_RUN
// through each way out: every run counts its keys and gives its level
// back; with every level held, a run that needs the buffer is skipped and
// counted in NestDrop. The first program needs the buffer for its
// predicate (a level from the start), the second only for a string too
// long for the stack key (a level on that path alone: its short string
// is counted even while every level is held).
func TestScratchLevelsInKernel(t *testing.T) {
	long := append(bytes.Repeat([]byte("x"), 300), 0)
	short := []byte("ab\x00")
	addr := func(b []byte) string { return fmt.Sprintf("%#x", uintptr(unsafe.Pointer(&b[0]))) }
	plan := compileScript(t, `self:signal:SIGUSR1 /str(uptr(`+addr(short)+`), 1024) != "a"/ { if (nsecs % 2 == 0) { @s[str(uptr(0), 1024)] = count(); return; } `+
		`@s[str(uptr(0), 1024)] = count(); } `+
		`self:signal:SIGUSR1 { @l[str(uptr(`+addr(short)+`))] = count(); if (nsecs % 2 == 0) { @l[str(uptr(`+addr(long)+`))] = count(); return; } `+
		`@l[str(uptr(`+addr(long)+`))] = count(); } `+
		`rawtracepoint:sys_enter { @q[str(uptr(0), 1024)] = count(); }`)
	if got := claims(plan); !got[0] || !got[1] || !got[2] {
		t.Fatalf("claims %v", got)
	}
	l := load(t, plan)
	busyOff := int(plan.Spec.Maps[scratchName].ValueSize) - 8
	eager, lazy := l.coll.Programs[plan.Programs[0].Name], l.coll.Programs[plan.Programs[1].Name]
	total := func(name string) (n uint64) {
		for _, v := range l.entries(name) {
			n += binary.LittleEndian.Uint64(v)
		}
		return n
	}
	nestDrops := func() uint64 {
		var drops []byte
		if err := l.coll.Maps[plan.Drops].Lookup(uint32(0), &drops); err != nil {
			t.Fatal(err)
		}
		return binary.LittleEndian.Uint64(drops[8*plan.NestDrop:])
	}
	const runs = 20
	for i := 0; i < runs; i++ {
		for _, prog := range []*ebpf.Program{eager, lazy} {
			if _, err := prog.Run(&ebpf.RunOptions{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	runtime.KeepAlive(long)
	runtime.KeepAlive(short)
	for i, w := range l.busyWords(busyOff) {
		if w != 0 {
			t.Fatalf("busy word %d is %d after the runs", i, w)
		}
	}
	if n := total("@s"); n != runs {
		t.Errorf("@s counts %d runs, want %d", n, runs)
	}
	if n, keys := total("@l"), len(l.entries("@l")); n != 2*runs || keys != 2 {
		t.Errorf("@l counts %d in %d keys, want %d in 2", n, keys, 2*runs)
	}
	// Hold every level of every CPU: the next runs are skipped and
	// counted where they need the buffer.
	m := l.coll.Maps[scratchName]
	for level := uint32(0); level < scratchLevels; level++ {
		var vals [][]byte
		if err := m.Lookup(level, &vals); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			binary.LittleEndian.PutUint32(v[busyOff:], 1)
		}
		if err := m.Put(level, vals); err != nil {
			t.Fatal(err)
		}
	}
	for _, prog := range []*ebpf.Program{eager, lazy} {
		if _, err := prog.Run(&ebpf.RunOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	runtime.KeepAlive(long)
	runtime.KeepAlive(short)
	if n := nestDrops(); n != 2 {
		t.Errorf("NestDrop counts %d, want 2", n)
	}
	if n := total("@s"); n != runs {
		t.Errorf("@s counts %d runs after a skipped one, want %d", n, runs)
	}
	if n := total("@l"); n != 2*runs+1 {
		t.Errorf("@l counts %d after a run with every level held, want %d (its short string)", n, 2*runs+1)
	}
}

// TestScratchLevelsPlacedAfterBuilding: the script is built once, and a
// program's level is placed in what was built once every program is. A
// program that takes its level eagerly drops the lookup a long string
// key's path made before anything else used the buffer (it holds its
// level's base). The claim's labels are numbered where it stands, after
// the predicate's, before the body's and its callbacks', every reference
// to a callback renamed with them.
func TestScratchLevelsPlacedAfterBuilding(t *testing.T) {
	plan := compileUser(t, `uprobe:/opt/app:f /comm != "sh"/ { @a[str(uptr(0))] = count(); printf("%s\n", str(uptr(1), 1024)); }`)
	if got := claims(plan); len(got) != 1 || !got[0] {
		t.Fatalf("claims %v", got)
	}
	var b strings.Builder
	plan.Dump(&b)
	dump := b.String()
	if n := strings.Count(dump, "<scratch>"); n != 1 {
		t.Errorf("the scratch buffer is looked up %d times, want once (the claim):\n%s", n, dump)
	}
	if n := strings.Count(dump, "off: 2056 imm: 0\n"); n != 1 {
		t.Errorf("the level is given back %d times, want once (at the exit):\n%s", n, dump)
	}
	if i, j := strings.Index(dump, "Xchg"), strings.Index(dump, "FnProbeReadUserStr"); i < 0 || i > j {
		t.Errorf("the level is taken after the first read of the string:\n%s", dump)
	}

	plan = compileUser(t, `uprobe:/opt/app:f /comm != "sh"/ { @d[1] = 1; for ($kv : @d) { @s[str(uptr($kv.0), 1024)] = count(); } }`)
	b.Reset()
	plan.Dump(&b)
	dump = b.String()
	p := plan.Spec.Programs[plan.Programs[0].Name]
	symbols := map[string]bool{}
	for _, in := range p.Instructions {
		if s := in.Symbol(); s != "" {
			symbols[s] = true
		}
	}
	funcRefs := 0
	for _, in := range p.Instructions {
		if in.OpCode.IsDWordLoad() && in.Src == asm.PseudoFunc {
			funcRefs++
			if !symbols[in.Reference()] {
				t.Errorf("a callback named %s is called, and none is there:\n%s", in.Reference(), dump)
			}
		}
	}
	if funcRefs == 0 {
		t.Errorf("no callback:\n%s", dump)
	}
	// The predicate's jumps, the claim after them, the callback after it.
	for _, want := range []string{"<body>", "JNEImm dst: r1 off: -1 imm: 0 <body>\n\t 10: Ja off: -1 <skip>", "\nnestlevel_3:", "\nnestclaimed_4:", "\nfor_each_5:"} {
		if !strings.Contains(dump, want) {
			t.Errorf("no %q in\n%s", want, dump)
		}
	}
}

// TestScratchLevelBeforeCallbackInKernel runs a level placed after the
// program was built, ahead of a map loop whose callback (renamed with the
// labels after the claim) writes its keys through the level's base: the
// keys are counted, and the level is given back.
func TestScratchLevelBeforeCallbackInKernel(t *testing.T) {
	s := []byte("abc\x00")
	plan := compileScript(t, fmt.Sprintf(`self:signal:SIGUSR1 /comm != "sh"/ { @d[1] = 1; @d[2] = 2; `+
		`for ($kv : @d) { @s[str(uptr(%#x), 1024)] = count(); } } `+
		`rawtracepoint:sys_enter { @q[str(uptr(0), 1024)] = count(); }`, uintptr(unsafe.Pointer(&s[0]))))
	if got := claims(plan); !got[0] || !got[1] {
		t.Fatalf("claims %v", got)
	}
	l := load(t, plan)
	const runs = 3
	for i := 0; i < runs; i++ {
		l.run("self")
	}
	runtime.KeepAlive(s)
	var keys []string
	n := uint64(0)
	for k, v := range l.entries("@s") {
		keys = append(keys, strings.TrimRight(k, "\x00"))
		n += binary.LittleEndian.Uint64(v)
	}
	if len(keys) != 1 || keys[0] != "abc" || n != 2*runs {
		t.Errorf("@s has keys %q counting %d, want [abc] counting %d", keys, n, 2*runs)
	}
	busyOff := int(plan.Spec.Maps[scratchName].ValueSize) - 8
	for i, w := range l.busyWords(busyOff) {
		if w != 0 {
			t.Fatalf("busy word %d is %d after the runs", i, w)
		}
	}
}

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

// Which maps keyed by a string are split into length classes: aggregations
// whose every use is an update keyed by str(pointer), or print, clear or
// zero of the whole map.
func TestStrClassesChosen(t *testing.T) {
	const tp = "tracepoint:syscalls:sys_enter_openat"
	cases := []struct {
		src     string
		classes string // of @m
	}{
		{tp + ` { @m[str(args.filename)] = count(); }`, "[{s64_0_m 64} {s256_0_m 256}]"},
		{tp + ` { @m[str(args.filename)] = sum(args.mode); print(@m); clear(@m); zero(@m); }`, "[{s64_0_m 64} {s256_0_m 256}]"},
		{`config = { max_strlen = 300 } ` + tp + ` { @m[str(args.filename)] = max(args.mode); }`, "[{s64_0_m 64} {s256_0_m 256}]"},
		{`config = { max_strlen = 64 } ` + tp + ` { @m[str(args.filename)] = count(); }`, "[]"},
		{`config = { max_strlen = 65 } ` + tp + ` { @m[str(args.filename)] = count(); }`, "[{s64_0_m 64}]"},
		// Other uses keep the map whole.
		{tp + ` { @m[str(args.filename)] = count(); delete(@m, str(args.filename)); }`, "[]"},
		{tp + ` { @m[str(args.filename)] = count(); @x = @m[str(args.filename)]; }`, "[]"},
		{tp + ` { @m[str(args.filename)] = count(); if (has_key(@m, "a")) { } }`, "[]"},
		{tp + ` { @m[str(args.filename)] = count(); for ($kv : @m) { } }`, "[]"},
		{tp + ` { @m[str(args.filename)] = count(); @m["fixed"] = count(); }`, "[]"},
		{tp + ` { @m[str(args.filename, 10)] = count(); }`, "[]"},
		{tp + ` { @m[comm] = count(); }`, "[]"},
		{tp + ` { @m[str(args.filename)] = hist(args.mode); }`, "[]"},
		{tp + ` { @m[str(args.filename)] = args.mode; }`, "[]"},
		{tp + ` { @m[str(args.filename), 1] = count(); }`, "[]"},
	}
	for _, c := range cases {
		plan, err := tryCompile(c.src)
		if err != nil {
			t.Errorf("%s: %v", c.src, err)
			continue
		}
		var classes []StrClass
		for _, m := range plan.Maps {
			if m.ScriptName == "@m" {
				classes = m.StrClasses
			}
		}
		if got := fmt.Sprint(classes); got != c.classes {
			t.Errorf("%s: classes %s, want %s", c.src, got, c.classes)
		}
		for _, sc := range classes {
			if s := plan.Spec.Maps[sc.Name]; s == nil || int(s.KeySize) != sc.KeySize {
				t.Errorf("%s: class map %s missing or of the wrong key size", c.src, sc.Name)
			}
		}
	}
}

// A string that fits the first class is read into a stack key and never
// needs the scratch buffer: the program looks the buffer up only after a
// read that did not fit. In a probe with a loop (whose callback frames add
// up with the probe's) only when the key leaves room for them; inside a
// loop's callback, and with -k, as before: the buffer first.
func TestStrClassesFirstReadOnStack(t *testing.T) {
	const tp = "tracepoint:syscalls:sys_enter_openat"
	cases := []struct {
		src        string
		stackFirst bool
	}{
		{tp + ` { @m[str(args.filename)] = count(); }`, true},
		{tp + ` { @m[str(args.filename)] = sum(args.mode); @n[str(args.filename)] = max(args.flags); }`, true},
		{`config = { max_strlen = 300 } ` + tp + ` /args.mode != 0/ { @m[str(args.filename)] = count(); }`, true},
		{`config = { on_stack_limit = 32 } ` + tp + ` { @m[str(args.filename)] = count(); }`, false},
		// A probe with a loop, when the key leaves as much again free
		// beside the room kept for the loop's callback: on the stack.
		{tp + ` { @m[str(args.filename)] = count(); $i = 0; while ($i < 3) { $i++; } }`, true},
		// With 41 variables (328 bytes) it does; with 45 (360 bytes) it
		// would not, though the key alone would fit: the buffer first.
		{tp + ` { ` + intVars(40, `@m[str(args.filename)] = count(); $i = 0; while ($i < 3) { $i++; }`) + ` }`, true},
		{tp + ` { ` + intVars(44, `@m[str(args.filename)] = count(); $i = 0; while ($i < 3) { $i++; }`) + ` }`, false},
		// Inside the loop's callback: the buffer first.
		{tp + ` { $i = 0; while ($i < 3) { @m[str(args.filename)] = count(); $i++; } }`, false},
	}
	for _, c := range cases {
		plan, err := tryCompile(c.src)
		if err != nil {
			t.Errorf("%s: %v", c.src, err)
			continue
		}
		for _, p := range plan.Spec.Programs {
			read, scratch := -1, -1
			for i, ins := range p.Instructions {
				if read < 0 && ins.IsBuiltinCall() && asm.BuiltinFunc(ins.Constant) == asm.FnProbeReadUserStr {
					read = i
				}
				if scratch < 0 && ins.Reference() == scratchName {
					scratch = i
				}
			}
			if read < 0 || scratch < 0 {
				t.Errorf("%s: read at %d, scratch buffer at %d", c.src, read, scratch)
			} else if got := read < scratch; got != c.stackFirst {
				t.Errorf("%s: first read before the scratch buffer's lookup: %v, want %v", c.src, got, c.stackFirst)
			}
		}
		if s := plan.Spec.Maps[scratchName]; s == nil || s.ValueSize < 2*(uint32(plan.Maps[0].KeySize)+1) {
			t.Errorf("%s: scratch buffer %v too small for two keys of %d bytes", c.src, s, plan.Maps[0].KeySize)
		}
	}
}

// intVars sets n integer variables ($v1 = pid + 1; ...) before body and
// prints their sum after it.
func intVars(n int, body string) string {
	var set, sum strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&set, "$v%d = pid + %d; ", i, i)
		fmt.Fprintf(&sum, " + $v%d", i)
	}
	return set.String() + body + ` printf("%d", 0` + sum.String() + `);`
}

// In a probe with a loop, the stack key gives the same keys as the
// scratch buffer: user strings around every class boundary, each counted
// once under its own key, in a probe that takes a level of the buffer on
// the long strings' path (a self probe beside a raw tracepoint that uses
// it too) and in one alone.
func TestStrClassesStackKeyBesideLoop(t *testing.T) {
	requireRoot(t)
	lengths := []int{0, 1, 62, 63, 64, 65, 100, 254, 255, 256, 300, 1000}
	strs := make([][]byte, len(lengths))
	var body strings.Builder
	for i, n := range lengths {
		strs[i] = append(bytes.Repeat([]byte{byte('a' + i)}, n), 0)
		fmt.Fprintf(&body, "@s[str(uptr(%#x))] = count(); ", uintptr(unsafe.Pointer(&strs[i][0])))
	}
	probe := `self:signal:SIGUSR1 { ` + body.String() + `$i = 0; while ($i < 2) { $i++; } }`
	for _, src := range []string{probe, probe + ` rawtracepoint:sys_enter { @q[str(uptr(0))] = count(); }`} {
		plan := compileScript(t, src)
		if got := claims(plan); got[0] != strings.Contains(src, "rawtracepoint") {
			t.Fatalf("claims %v", got)
		}
		l := load(t, plan)
		prog := l.coll.Programs[plan.Programs[0].Name]
		for range 3 {
			if _, err := prog.Run(&ebpf.RunOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		runtime.KeepAlive(strs)
		got := l.entries("@s")
		if len(got) != len(lengths) {
			t.Errorf("%d keys, want %d", len(got), len(lengths))
		}
		for i, s := range strs {
			key := string(s[:len(s)-1]) + string(make([]byte, 1024-len(s)+1))
			if v, ok := got[key]; !ok || binary.LittleEndian.Uint64(v) != 3 {
				t.Errorf("the string of %d bytes: %v, want 3", lengths[i], v)
			}
		}
	}
}

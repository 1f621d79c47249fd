package codegen

import (
	"strings"
	"testing"
)

func TestDump(t *testing.T) {
	p := compileScript(t, `tracepoint:raw_syscalls:sys_enter { @[comm] = count(); printf("%s %d\n", comm, args.id); }`)
	var b strings.Builder
	p.Dump(&b)
	out := b.String()
	for _, want := range []string{"p0_sys_enter (tracepoint:raw_syscalls:sys_enter, TracePoint)", "FnGetCurrentComm", "<m0_anon>", "FnRingbufOutput", `event 0: printf "%s %d\n" string[16]@8 int64@24 (32 bytes)`, "map m0_anon: PerCPUHash key 16 value 8"} {
		if !strings.Contains(out, want) {
			t.Errorf("dump lacks %q:\n%s", want, out)
		}
	}
}

// TestCountByCommIsTight pins the size of the most common one-liner: 28
// instructions, and 10 more off the hot path that count an update lost
// to a full map (drops.go).
func TestCountByCommIsTight(t *testing.T) {
	p := compileScript(t, `tracepoint:raw_syscalls:sys_enter { @[comm] = count(); }`)
	n := len(p.Spec.Programs[p.Programs[0].Name].Instructions)
	if n > 38 {
		t.Errorf("@[comm] = count() takes %d instructions, want <= 38", n)
	}
}

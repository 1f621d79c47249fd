package codegen

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang/check"
	"github.com/gobpftrace/gobpftrace/lang/parser"
)

// A plan compiled without KeepIR keeps no IR (lowering changed it in
// place) and prints, for -d ir, what a plan that kept it prints: the same
// functions, callbacks included, compiled again.
func TestDumpIRWithoutKeepIR(t *testing.T) {
	src := `BEGIN { @m[1] = 2; $i = 0; while ($i < 3) { $i++; } for ($kv : @m) { printf("%d\n", $kv.0); } @n = count(); }`
	compile := func(opts Options) *Plan {
		prog, err := parser.Parse("t.bt", src)
		if err != nil {
			t.Fatal(err)
		}
		checked, err := check.Check(prog, "t.bt", src, fakeEnv{}, check.Options{})
		if err != nil {
			t.Fatal(err)
		}
		plan, err := Compile(checked, opts)
		if err != nil {
			t.Fatal(err)
		}
		return plan
	}
	kept, lowered := compile(Options{KeepIR: true}), compile(Options{})
	if n := len(kept.Programs[0].Funcs); n < 2 {
		t.Fatalf("KeepIR: %d functions, want the probe's and its callbacks'", n)
	}
	if fs := lowered.Programs[0].Funcs; fs != nil {
		t.Fatalf("without KeepIR the plan keeps %d functions", len(fs))
	}
	var want, got bytes.Buffer
	kept.DumpIR(&want)
	lowered.DumpIR(&got)
	if got.String() != want.String() {
		t.Fatalf("-d ir without KeepIR:\n%s\nwith it:\n%s", got.String(), want.String())
	}
	if !strings.Contains(want.String(), "2 functions") && !strings.Contains(want.String(), "3 functions") {
		t.Fatalf("unexpected dump:\n%s", want.String())
	}
	var a, b bytes.Buffer
	kept.Dump(&a)
	lowered.Dump(&b)
	if a.String() != b.String() {
		t.Fatalf("the instructions differ with KeepIR:\n%s\nwithout:\n%s", a.String(), b.String())
	}
}

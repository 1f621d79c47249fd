package codegen

import (
	"fmt"
	"strings"
	"testing"
)

// The plain-or-bpf_loop choice of a constant range, made on the AST.
func TestLoopShapeChoice(t *testing.T) {
	for _, c := range []struct {
		body  string
		plain bool
	}{
		{`@x[$i] = $i;`, true},
		{`printf("%d\n", $i);`, true},
		{`$a += $i * 3;`, true},
		{`if ($i > 2) { @x = $i; }`, true},
		{`for ($j : 0..2) { @x = $j; }`, false},                 // an inner loop
		{`$s = comm;`, false},                                   // a string
		{`printf("%s\n", comm);`, false},                        // a string argument
		{`if (comm == "bash") { @x = 1; }`, false},              // a byte-by-byte compare
		{`@x = $i > 1 && $i < 3 && $i != 2 && $i != 5;`, false}, // too many branches
		{`@c[$i] = count(); @d[$i] = count(); @e[$i] = count();`, false},
		{`$a = @m;`, false},         // its value read: a fold over the CPUs, a callback
		{`$a = @n;`, true},          // a plain map read
		{`$a = @c[$i] + 1;`, false}, // a count read
	} {
		src := "BEGIN { $a = 0; @n = 1; @m = max(1); @c[0] = count(); for ($i : 0..4) { " + c.body + " } }"
		plan := compileScript(t, src)
		prog := fmt.Sprint(plan.Spec.Programs[plan.Programs[0].Name].Instructions)
		if got := !strings.Contains(prog, "<loop_"); got != c.plain {
			t.Errorf("%s: plain %v, want %v", c.body, got, c.plain)
		}
	}
}

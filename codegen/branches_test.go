package codegen

import (
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/codegen/ir"
)

// Whole scripts: a big if body and a 50,000-term predicate compile to
// programs whose every encoded jump lands on its label.
func TestBigScriptsJumpTargets(t *testing.T) {
	terms := make([]string, 50000)
	for i := range terms {
		terms[i] = "pid != 7"
	}
	for _, src := range []string{
		`BEGIN { if (pid == 1) { ` + strings.Repeat("@x = 1; ", 4196) + `} printf("after\n"); }`,
		`BEGIN /` + strings.Join(terms, " && ") + `/ { printf("ok\n"); }`,
		`BEGIN { $a = pid == 1 ? (` + strings.Repeat("pid + ", 8000) + `1) : 7; printf("%d\n", $a); }`,
	} {
		plan := compileScript(t, src)
		for _, p := range plan.Spec.Programs {
			if err := ir.VerifyJumps(p.Instructions); err != nil {
				t.Fatal(err)
			}
		}
	}
}

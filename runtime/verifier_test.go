package runtime

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/codegen/ir"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/runtime/load"
)

// A program the verifier rejects, whose instructions carry source spans:
// the error points at the script line, with a hint, not at the log.
func TestVerifierRejectionNamesScriptLine(t *testing.T) {
	requireRoot(t)
	plan := newPlan().prog("gbt_bad", tracepoint("raw_syscalls", "sys_enter"), asmMovR0R2()).plan
	plan.File = "bad.bt"
	plan.Source = "tracepoint:raw_syscalls:sys_enter {\n  $x = 1;\n  @y = $x;\n}\n"
	stmt := lang.Span{Start: lang.Pos{Line: 3, Col: 3}, End: lang.Pos{Line: 3, Col: 10}}
	probe := lang.Span{Start: lang.Pos{Line: 1, Col: 1}, End: lang.Pos{Line: 4, Col: 2}}
	n := len(plan.Spec.Programs["gbt_bad"].Instructions)
	spans := &ir.SpanTable{}
	plan.Programs[0].SpanTable = spans
	plan.Programs[0].Spans = make([]ir.SpanID, n)
	for i := range plan.Programs[0].Spans {
		plan.Programs[0].Spans[i] = spans.ID(probe)
	}
	plan.Programs[0].Spans[0] = spans.ID(stmt) // mov r0, r2 reads an unset register
	err := Run(context.Background(), plan, Options{})
	want := `bad.bt:3:3-10: ERROR: the kernel's verifier rejected the program for tracepoint:raw_syscalls:sys_enter at instruction 0, generated for this code: R2 !read_ok
  @y = $x;
  ~~~~~~~
HINT: this code reads memory the verifier cannot prove safe; this is a gobpftrace bug worth reporting with the script (-v shows the end of the verifier log, -d verifier all of it)`
	if err == nil || err.Error() != want {
		t.Errorf("error:\n%v\nwant:\n%s", err, want)
	}
	checkNoLeaks(t)
}

func TestVerifierLogStage(t *testing.T) {
	requireRoot(t)
	plan := newPlan().prog("gbt_ok", tracepoint("raw_syscalls", "sys_enter"), ret()).plan
	var out bytes.Buffer
	if err := load.VerifierLog(&out, plan); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	if !strings.HasPrefix(s, "; tracepoint:raw_syscalls:sys_enter (gbt_ok)\n") || !strings.Contains(s, "processed 2 insns") {
		t.Errorf("log:\n%s", s)
	}
	checkNoLeaks(t)
}

package main

import (
	"strings"
	"testing"
)

// A tracepoint that a wildcard finds but the kernel refuses to attach
// (irq_vectors:irq_work_exit on these machines: EPERM) is skipped with a
// warning; the run goes on with the others. Named alone, it is an error.
func TestWildcardSkipsRefusedTracepoint(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{args: []string{"-e", `tracepoint:irq_vectors:irq_work_* { @[probe] = count(); } interval:ms:300 { exit(); }`}})
	mustExit(t, res, 0)
	for _, want := range []string{
		"WARNING: could not attach probe tracepoint:irq_vectors:irq_work_exit, skipping it: operation not permitted\n",
		"Attached 2 probes\n",
	} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, res.stderr)
		}
	}
	res = trace(t, traceRun{args: []string{"-e", `tracepoint:irq_vectors:irq_work_exit { @ = count(); }`}, noAttach: true})
	mustExit(t, res, 1)
	if want := "ERROR: Error attaching probe: tracepoint:irq_vectors:irq_work_exit: operation not permitted\n"; res.stderr != want {
		t.Errorf("stderr %q, want %q", res.stderr, want)
	}
}

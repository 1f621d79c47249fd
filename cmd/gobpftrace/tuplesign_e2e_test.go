package main

import (
	"strings"
	"testing"
)

// Tuples with a uint64 field in one store and a signed one in another: the
// field is an int64 in the kernel's map and in the variable, each store
// that may not fit draws the cast warning, and the values read back are
// the ones stored.
func TestTupleSignMixE2E(t *testing.T) {
	requireRoot(t)
	prog := `BEGIN { $t = (1, (uint64)9); $t = (2, (int64)-5); @m[$t.0] = $t; @m[3] = (3, (uint64)7); print($t); exit() }`
	res := trace(t, traceRun{args: []string{"-e", prog}, noAttach: true})
	mustExit(t, res, 0)
	if want := "(2, -5)\n\n\n@m[2]: (2, -5)\n@m[3]: (3, 7)\n"; res.stdout != want {
		t.Errorf("stdout %q, want %q", res.stdout, want)
	}
	const warning = "WARNING: Expression of type: uint64 being cast to type: int64.\nThis may cause unexpected results. Use an explicit cast to suppress this warning.\n"
	want := "stdin:1:18-27: " + warning + prog + "\n                 ~~~~~~~~~\n" +
		"stdin:1:78-87: " + warning + prog + "\n" + strings.Repeat(" ", 77) + "~~~~~~~~~\n"
	if !strings.HasPrefix(res.stderr, want) {
		t.Errorf("stderr:\n%s\nwant it to start with:\n%s", res.stderr, want)
	}
}

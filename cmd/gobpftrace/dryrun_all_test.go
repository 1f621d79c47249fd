package main

import (
	"path/filepath"
	"testing"
)

// Every script under testdata (golden scripts, example tools, bench
// scripts) parses, checks, loads into the kernel's verifier and attaches
// with --dry-run: none of them can reach the verifier and fail there.
func TestDryRunEveryTestdataScript(t *testing.T) {
	requireRoot(t)
	var scripts []string
	for _, dir := range []string{"scripts", "examples", "bench"} {
		m, err := filepath.Glob(filepath.Join("../../testdata", dir, "*.bt"))
		if err != nil {
			t.Fatal(err)
		}
		scripts = append(scripts, m...)
	}
	if len(scripts) < 30 {
		t.Fatalf("only %d scripts under testdata", len(scripts))
	}
	for _, s := range scripts {
		t.Run(filepath.Base(filepath.Dir(s))+"/"+filepath.Base(s), func(t *testing.T) {
			res := trace(t, traceRun{args: []string{"--dry-run", s}, noAttach: true})
			mustExit(t, res, 0)
			if res.stdout != "" {
				t.Errorf("--dry-run printed on stdout:\n%s", res.stdout)
			}
		})
	}
}

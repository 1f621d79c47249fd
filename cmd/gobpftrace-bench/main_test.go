package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBenchTable runs the command with tiny sizes and checks the table's
// shape. It asserts no timing.
func TestBenchTable(t *testing.T) {
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("the bench command needs root")
		}
		t.Skip("needs root")
	}
	bin := filepath.Join(t.TempDir(), "gobpftrace")
	build := exec.Command("go", "build", "-o", bin, "../gobpftrace")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	c := &config{
		gobpftrace: bin, bpftrace: "", scripts: "../../testdata/bench",
		runs: 1, window: 20 * time.Millisecond, calls: 1000, printfEvents: 100, printfRate: 10_000, mapKeys: 100, quick: true,
		sections: map[string]bool{"startup": true, "slowdown": true, "printf": true, "bigmap": true, "scale": true, "metrics": true, "compile": true},
	}
	var out bytes.Buffer
	if err := run(c, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[1], "| section | measure | gobpftrace | bpftrace |") {
		t.Fatalf("no table header:\n%s", out.String())
	}
	want := []string{"BEGIN { exit(); } total", "k events per CPU-second", "consumer stalled", "start to attach line", "peak RSS", "getppid x 1000", "print 100 keys at exit", "tracepoint:syscalls:*", "uprobe:BIN:runtime.*", "--metrics, 10 maps", "parse+check+codegen, 10 statements"}
	for _, w := range want {
		if !strings.Contains(out.String(), w) {
			t.Errorf("no row %q in\n%s", w, out.String())
		}
	}
	for _, l := range append(lines[1:2:2], lines[3:]...) {
		if n := strings.Count(l, " | "); n != 7 {
			t.Errorf("row with %d columns: %s", n+1, l)
		}
	}
}

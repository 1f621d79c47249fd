package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// countLine finds `@[comm]: N` in out and returns N.
func countLine(t *testing.T, out, key string) int {
	t.Helper()
	re := regexp.MustCompile(`(?m)^@\[` + regexp.QuoteMeta(key) + `\]: (\d+)$`)
	m := re.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no line @[%s]: N in output:\n%s", key, out)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// The mission one-liner, in both block forms: every syscall of sysloop is
// counted under its comm, printed on Ctrl-C, and the program detaches.
func TestMissionOneLiner(t *testing.T) {
	requireRoot(t)
	for _, script := range []string{
		`tracepoint:raw_syscalls:sys_enter { @[comm] = count(); }`,
		`tracepoint:raw_syscalls:sys_enter < @[comm]=count(); >`,
	} {
		t.Run(script, func(t *testing.T) {
			const n = 5000
			res := trace(t, traceRun{
				args:    []string{"-e", script},
				trigger: func(t *testing.T) { runSysloop(t, n, "") },
				stop:    syscall.SIGINT,
			})
			mustExit(t, res, 0)
			if res.stderr != "Attached 1 probe\n" {
				t.Errorf("stderr = %q, want %q", res.stderr, "Attached 1 probe\n")
			}
			// n getppid calls plus the few of exec and process start-up.
			got := countLine(t, res.stdout, "sysloop")
			if got < n || got > n+100 {
				t.Errorf("@[sysloop] = %d, want %d..%d", got, n, n+100)
			}
			checkSortedAscending(t, res.stdout)
		})
	}
}

// checkSortedAscending checks that @[key]: N lines come in ascending N.
func checkSortedAscending(t *testing.T, out string) {
	t.Helper()
	re := regexp.MustCompile(`(?m)^@\[.*\]: (\d+)$`)
	prev := -1
	for _, m := range re.FindAllStringSubmatch(out, -1) {
		n, _ := strconv.Atoi(m[1])
		if n < prev {
			t.Fatalf("map not sorted ascending by value:\n%s", out)
		}
		prev = n
	}
}

// An exact count: one tracepoint, a predicate on comm, a known number of calls.
func TestExactCountWithPredicate(t *testing.T) {
	requireRoot(t)
	const n = 1234
	res := trace(t, traceRun{
		args:    []string{"-e", `tracepoint:syscalls:sys_enter_getppid /comm == "sysloop"/ { @[comm] = count(); @calls = count(); }`},
		trigger: func(t *testing.T) { runSysloop(t, n, "") },
		stop:    syscall.SIGTERM,
	})
	mustExit(t, res, 0)
	want := fmt.Sprintf("@[sysloop]: %d\n@calls: %d\n", n, n)
	if !strings.Contains(res.stdout, want) {
		t.Errorf("stdout:\n%s\nwant it to contain:\n%s", res.stdout, want)
	}
}

// TestScripts runs every testdata/scripts/NAME.bt that ends by itself and
// compares its stdout with NAME.out (and stderr with NAME.err when present).
// The expected files were checked against bpftrace's output for the same
// script, differing only where bpftrace v0.26 differs from v0.17
// (runtime/output/differences.go).
func TestScripts(t *testing.T) {
	requireRoot(t)
	scripts, _ := filepath.Glob("../../testdata/scripts/*.bt")
	if len(scripts) == 0 {
		t.Fatal("no scripts found")
	}
	for _, script := range scripts {
		name := strings.TrimSuffix(filepath.Base(script), ".bt")
		t.Run(name, func(t *testing.T) {
			want, err := os.ReadFile(strings.TrimSuffix(script, ".bt") + ".out")
			if err != nil {
				t.Fatal(err)
			}
			res := trace(t, traceRun{args: []string{script}})
			mustExit(t, res, 0)
			if res.stdout != string(want) {
				t.Errorf("stdout differs\n--- got\n%s\n--- want\n%s", res.stdout, want)
			}
			if wantErr, err := os.ReadFile(strings.TrimSuffix(script, ".bt") + ".err"); err == nil && res.stderr != string(wantErr) {
				t.Errorf("stderr differs\n--- got\n%s\n--- want\n%s", res.stderr, wantErr)
			}
		})
	}
}

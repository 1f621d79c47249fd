package main

// End-to-end tests of the probes gobpftrace runs itself: self:signal:SIGUSR1
// and the bench: probes of --mode bench.

import (
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// self:signal:SIGUSR1 probes run, in order, each time gobpftrace gets
// SIGUSR1.
func TestSelfSignal(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{
		args: []string{"-e", `self:signal:SIGUSR1 { printf("first"); } self:signal:SIGUSR1 { printf(" second %s %s\n", probe, probetype); @n++; if (@n == 2) { exit(); } }`},
		attached: func(t *testing.T, pid int) {
			for i := 0; i < 2; i++ {
				syscall.Kill(pid, syscall.SIGUSR1)
				time.Sleep(200 * time.Millisecond)
			}
		}})
	wantOutput(t, res, "first second self:signal:SIGUSR1 special\nfirst second self:signal:SIGUSR1 special\n\n\n@n: 2\n", "Attached 2 probes\n")
}

// --mode bench runs BEGIN, each bench: probe many times, END, and prints
// bpftrace's table of the nanoseconds one run takes, by name; without it
// bench: probes are ignored.
func TestBenchMode(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{args: []string{"--mode", "bench", "-e",
		`BEGIN { printf("begin\n"); } bench:lhist { @a = lhist(rand % 10, 1, 10, 1); printf("not shown\n"); } bench:count { @b = count(); } bench:a_much_longer_name { $a = 0; for ($i : 0..10) { $a++; } } END { printf("end\n"); }`}})
	mustExit(t, res, 0)
	re := regexp.MustCompile(`^begin\nend\n\n\n` +
		`\+--------------------\+-------------\+\n` +
		`\| BENCHMARK          \| NANOSECONDS \|\n` +
		`\+--------------------\+-------------\+\n` +
		`\| a_much_longer_name \| (\d+) +\|\n` +
		`\| count              \| (\d+) +\|\n` +
		`\| lhist              \| (\d+) +\|\n` +
		`\+--------------------\+-------------\+\n$`)
	m := re.FindStringSubmatch(res.stdout)
	if m == nil || res.stderr != "Attached 5 probes\n" {
		t.Fatalf("stdout:\n%s\nstderr:\n%s", res.stdout, res.stderr)
	}
	for _, n := range m[1:] {
		// The kernel's count of a few instructions: more than nothing, far
		// less than a system call.
		if ns, _ := strconv.Atoi(n); ns <= 0 || ns > 100000 {
			t.Errorf("a benchmark took %s ns:\n%s", n, res.stdout)
		}
	}

	res = trace(t, traceRun{args: []string{"-e", `bench:x { printf("bench\n"); } BEGIN { printf("begin\n"); exit(); }`}})
	wantOutput(t, res, "begin\n\n\n", "Attached 1 probe\n")
}

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

	// With -f json, bpftrace's one benchmark_results line (--test-mode is
	// --mode's older name).
	res = trace(t, traceRun{noAttach: true, args: []string{"-q", "-f", "json", "--test-mode", "bench", "-e", `bench:zed { @z++; } bench:alpha { @a++; }`}})
	mustExit(t, res, 0)
	if !regexp.MustCompile(`^\{"type": "benchmark_results", "data": \{"alpha": [1-9]\d*, "zed": [1-9]\d*\}\}\n$`).MatchString(res.stdout) || res.stderr != "" {
		t.Errorf("-f json bench: stdout %q, stderr %q", res.stdout, res.stderr)
	}
}

// --mode test (--test) runs BEGIN, each test: probe once in script order,
// END, and prints bpftrace's gtest-like report: a test fails when it
// returns non-zero, reports an error (errorf, assert) or exits with a
// non-zero code, and only a failed test's output is shown. The exit code
// is 1 when a test failed; without --test, test: probes are ignored.
func TestTestMode(t *testing.T) {
	requireRoot(t)
	script := `BEGIN { @x = 5; printf("begin\n"); }
test:okay { print("suppressed"); }
test:failure { print("shown"); return 1; }
test:asserting { assert(@x == 4, "x is not 4"); }
test:exits { printf("bye\n"); exit(2); }
test:exitzero { printf("quiet\n"); exit(0); }
test:errf { errorf("bad %d", 3); }
END { printf("end\n"); }`
	res := trace(t, traceRun{args: []string{"--test", "-e", script}})
	mustExit(t, res, 1)
	green, red, reset := regexp.QuoteMeta("\033[32m"), regexp.QuoteMeta("\033[31m"), regexp.QuoteMeta("\033[0m")
	ok := func(name string) string {
		return green + `\[ RUN      \]` + reset + " " + name + "\n" + green + `\[       OK \]` + reset + " " + name + ` \(\d+ (ns|μs|ms)\)` + "\n"
	}
	failed := func(name, output string) string {
		return green + `\[ RUN      \]` + reset + " " + name + "\n" + regexp.QuoteMeta(output) + red + `\[  FAILED  \]` + reset + " " + name + ` \(\d+ (ns|μs|ms)\)` + "\n"
	}
	want := "^begin\n" + green + `\[==========\]` + reset + " Running 6 tests.\n" +
		ok("okay") +
		failed("failure", "shown\n") +
		failed("asserting", "stdin:4:18-47: ERROR: assert failed: x is not 4\ntest:asserting { assert(@x == 4, \"x is not 4\"); }\n                 ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n") +
		failed("exits", "bye\n") +
		ok("exitzero") +
		failed("errf", "stdin:7:13-32: ERROR: bad 3\ntest:errf { errorf(\"bad %d\", 3); }\n            ~~~~~~~~~~~~~~~~~~~\n") +
		green + `\[==========\]` + reset + " 6 tests ran.\n" +
		green + `\[  PASSED  \]` + reset + " 2 tests.\n" +
		red + `\[  FAILED  \]` + reset + " 4 tests, listed below:\n" +
		red + `\[  FAILED  \]` + reset + " failure\n" +
		red + `\[  FAILED  \]` + reset + " asserting\n" +
		red + `\[  FAILED  \]` + reset + " exits\n" +
		red + `\[  FAILED  \]` + reset + " errf\n" +
		"end\n$"
	if !regexp.MustCompile(want).MatchString(res.stdout) || res.stderr != "Attached 8 probes\n" {
		t.Errorf("stdout:\n%q\nwant:\n%s\nstderr:\n%s", res.stdout, want, res.stderr)
	}

	// Every test passes: exit code 0; JSON gives one test_result a test.
	res = trace(t, traceRun{args: []string{"--mode", "test", "-f", "json", "-e", `test:a { print(1); } test:b { return 0; }`}, noAttach: true})
	mustExit(t, res, 0)
	jsonWant := `^\{"type": "attached_probes", "count": 2, "data": \{"probes": 2\}\}
\{"type": "test_result", "data": \{"a": \{"duration": \d+, "passed": true, "output": "\{\\"type\\": \\"value\\", \\"data\\": 1\}\\n"\}\}\}
\{"type": "test_result", "data": \{"b": \{"duration": \d+, "passed": true, "output": ""\}\}\}
$`
	if !regexp.MustCompile(jsonWant).MatchString(res.stdout) {
		t.Errorf("json stdout:\n%s", res.stdout)
	}

	// Without --test the test: probes do not run.
	res = trace(t, traceRun{args: []string{"-e", `test:x { printf("test\n"); } BEGIN { printf("begin\n"); exit(); }`}})
	wantOutput(t, res, "begin\n\n\n", "Attached 1 probe\n")

	// A script without test: probes has nothing to test.
	res = trace(t, traceRun{args: []string{"--test", "-e", `BEGIN { exit(); }`}, noAttach: true})
	mustExit(t, res, 1)
	if res.stderr != "ERROR: --mode test runs the script's test: probes, and it has none (write test:NAME { ... })\n" {
		t.Errorf("stderr: %q", res.stderr)
	}
}

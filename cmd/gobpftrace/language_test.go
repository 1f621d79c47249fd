package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// The language end to end: positional parameters as strings, run-time
// division by zero, truncated strings.

func TestPositionalStringAndDivideByZero(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{args: []string{"-e", `BEGIN { printf("[%s] [%s] [%s]\n", str($1), str($1, 2), $1); $z = 0; printf("%d\n", 7 / $z); }`, "abc"}})
	mustExit(t, res, 0)
	if want := "[abc] [ab] [abc]\n1\n\n\n"; res.stdout != want {
		t.Errorf("stdout %q, want %q", res.stdout, want)
	}
	want := "Attached 1 probe\n" +
		"stdin:1:85-91: WARNING: Divide or modulo by 0 detected. This can lead to unexpected results. 1 is being used as the result.\n" +
		`BEGIN { printf("[%s] [%s] [%s]\n", str($1), str($1, 2), $1); $z = 0; printf("%d\n", 7 / $z); }` + "\n" +
		"                                                                                    ~~~~~~\n"
	if res.stderr != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", res.stderr, want)
	}
}

// count(), sum(), min(), max() and avg() maps read in the program fold
// every CPU's copy: END, which runs on one CPU, sees the events of both
// (1,000 with value 5 on CPU 0, 1,500 with value 15 on CPU 1), and so
// does `for` over a map of them.
func TestAggregationReadAcrossCPUs(t *testing.T) {
	requireRoot(t)
	if runtime.NumCPU() < 2 {
		t.Fatalf("this test needs two CPUs, the machine has %d", runtime.NumCPU())
	}
	path := filepath.Join(filepath.Dir(sysloopPath), "aggread")
	data, err := os.ReadFile(sysloopPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o755); err != nil {
		t.Fatal(err)
	}
	pinned := func(t *testing.T, cpu, n int) {
		out, err := exec.Command("taskset", "-c", strconv.Itoa(cpu), path, strconv.Itoa(n)).CombinedOutput()
		if err != nil {
			t.Fatalf("taskset: %v\n%s", err, out)
		}
	}
	res := trace(t, traceRun{
		args: []string{"-e", `tracepoint:syscalls:sys_enter_getppid /comm == "aggread"/ { @c = count(); @s = sum(3); @k[cpu] = count(); $v = cpu * 10 + 5; @mn = min($v); @mx = max($v); @a = avg($v); @n[comm] = sum(2); }
END { for ($kv : @n) { printf("for %s %d\n", $kv.0, $kv.1); } printf("kernel %d %d %d %d\n", @c, @s, @k[0], @k[1]); if (@c == @k[0] + @k[1]) { printf("sum of keys\n"); } printf("min %d max %d avg %d\n", @mn, @mx, @a); }`},
		trigger: func(t *testing.T) {
			pinned(t, 0, 1000)
			pinned(t, 1, 1500)
			time.Sleep(100 * time.Millisecond)
		},
		stop: os.Interrupt,
	})
	mustExit(t, res, 0)
	want := "for aggread 5000\nkernel 2500 7500 1000 1500\nsum of keys\nmin 5 max 15 avg 11\n\n\n@a: 11\n@c: 2500\n@k[0]: 1000\n@k[1]: 1500\n@mn: 5\n@mx: 15\n@n[aggread]: 5000\n@s: 7500\n"
	if res.stdout != want {
		t.Errorf("stdout %q, want %q", res.stdout, want)
	}
}

// for ($kv : @m) over maps of count, sum, avg, max and min: the value is
// folded over the CPUs' copies, as printing folds it (bpftrace v0.26).
func TestForOverAggregations(t *testing.T) {
	requireRoot(t)
	script := `config = { print_maps_on_exit = false } BEGIN { @c[1] = count(); @c[1] = count(); @s[2] = sum(5); @s[2] = sum(7);
@a[3] = avg(4); @a[3] = avg(8); @mx[4] = max(9); @mn[5] = min(-3);
for ($kv : @c) { printf("count %d %d\n", $kv.0, $kv.1); } for ($kv : @s) { printf("sum %d %d\n", $kv.0, $kv.1); }
for ($kv : @a) { printf("avg %d %d\n", $kv.0, $kv.1); } for ($kv : @mx) { printf("max %d %d\n", $kv.0, $kv.1); }
for ($kv : @mn) { printf("min %d %d\n", $kv.0, $kv.1); } exit(); }`
	res := trace(t, traceRun{args: []string{"-e", script}})
	wantOutput(t, res, "count 1 2\nsum 2 12\navg 3 6\nmax 4 9\nmin 5 -3\n\n\n", "Attached 1 probe\n")
}

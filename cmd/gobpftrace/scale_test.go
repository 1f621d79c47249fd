package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Hundreds of tracepoints attach and detach in seconds. The slow part of
// a tracepoint's teardown (the kernel waits for RCU grace periods, one
// perf event after the other) happens in a background process after
// gobpftrace has exited (runtime/closer.go); the test waits for it too, so
// the tests that follow do not queue behind it in the kernel.
func TestScaleManyTracepoints(t *testing.T) {
	requireRoot(t)
	loop := uniqueLoop(t)
	start := time.Now()
	var attached, stopped time.Time
	res := trace(t, traceRun{
		args: []string{"-e", `tracepoint:syscalls:sys_enter_* { @[probe] = count(); }`},
		trigger: func(t *testing.T) {
			attached = time.Now()
			runLoop(t, loop, 100)
			stopped = time.Now()
		},
		stop: syscall.SIGINT,
	})
	exited := time.Now()
	mustExit(t, res, 0)
	n := 0
	fmt.Sscanf(res.stderr, "Attached %d probes", &n)
	if n < 300 {
		t.Fatalf("stderr %q: want hundreds of probes", res.stderr)
	}
	if !strings.Contains(res.stdout, "@[tracepoint:syscalls:sys_enter_getppid]: ") {
		t.Errorf("no getppid count in:\n%s", res.stdout)
	}
	released := waitReleased(t, 60*time.Second)
	t.Logf("%d tracepoints: attached in %v, stop to exit %v (less the leak check), released by the kernel %v after exit",
		n, attached.Sub(start).Round(time.Millisecond), exited.Sub(stopped).Round(time.Millisecond), released.Round(time.Millisecond))
	if d := exited.Sub(stopped); d > 10*time.Second {
		t.Errorf("stopping took %v", d)
	}
}

// waitReleased waits for the background processes that close perf events
// (argv[0] gobpftrace-release) to finish, and returns how long it waited.
func waitReleased(t *testing.T, limit time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < limit {
		busy := false
		cmdlines, _ := filepath.Glob("/proc/[0-9]*/cmdline")
		for _, f := range cmdlines {
			if b, err := os.ReadFile(f); err == nil && strings.HasPrefix(string(b), "gobpftrace-release\x00") {
				busy = true
				break
			}
		}
		if !busy {
			return time.Since(start)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("background release still running after %v", limit)
	return 0
}

// Two gobpftrace runs at once, on the same tracepoint: each counts every
// event, and each releases only what it loaded.
func TestScaleTwoInstances(t *testing.T) {
	requireRoot(t)
	const n = 500
	comm := uniqueLoop(t)
	var both sync.WaitGroup
	both.Add(2)
	var once sync.Once
	done := make(chan struct{})
	trigger := func(t *testing.T) {
		both.Done()
		both.Wait()
		once.Do(func() {
			runLoop(t, comm, n)
			close(done)
		})
		<-done
	}
	for _, name := range []string{"a", "b"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res := trace(t, traceRun{
				args: []string{"-e", fmt.Sprintf(`tracepoint:syscalls:sys_enter_getppid /comm == "%s"/ { @%s = count(); }
					END { printf("end %s\n"); }`, filepath.Base(comm), name, name)},
				trigger: trigger,
				stop:    syscall.SIGINT,
			})
			mustExit(t, res, 0)
			if want := fmt.Sprintf("end %s\n\n\n@%s: %d\n", name, name, n); res.stdout != want {
				t.Errorf("stdout %q, want %q", res.stdout, want)
			}
		})
	}
}

// uniqueLoop copies the sysloop helper under a name no other test (of this
// or another checkout running at the same time) uses, so that a predicate
// on comm counts only this test's calls. It returns the copy's path.
func uniqueLoop(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(sysloopPath)
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "gbt")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, fmt.Sprintf("loop%d", os.Getpid()%1000000))
	if err := os.WriteFile(path, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// runLoop runs a copy of sysloop made by uniqueLoop: n getppid calls.
func runLoop(t *testing.T, path string, n int) {
	t.Helper()
	if out, err := exec.Command(path, fmt.Sprint(n)).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v: %s", path, err, out)
	}
	time.Sleep(100 * time.Millisecond)
}

// The tracepoints of a probe that does not use args share one program,
// each attached with its own cookie: `probe` still names the one that
// fired, in printf and as a map key, and the program is loaded once.
func TestScaleSharedTracepointProgram(t *testing.T) {
	requireRoot(t)
	loop := uniqueLoop(t)
	var progs map[uint32]bool
	res := trace(t, traceRun{
		args: []string{"-e", fmt.Sprintf(`tracepoint:syscalls:sys_*_getppid, tracepoint:syscalls:sys_enter_getpgid /comm == "%s"/ {
			if (@c[probe] == 0) { printf("first %%s\n", probe); }
			@c[probe] = count();
			@[probe] = sum(probe == "tracepoint:syscalls:sys_exit_getppid" ? 2 : 1);
		}
		END { clear(@c); }`, filepath.Base(loop))},
		attached: func(t *testing.T, pid int) {
			progs = map[uint32]bool{}
			for _, id := range heldObjects(pid).progs {
				progs[id] = true
			}
		},
		trigger: func(t *testing.T) { runLoop(t, loop, 50) },
		stop:    syscall.SIGINT,
	})
	wantOutput(t, res, "first tracepoint:syscalls:sys_enter_getppid\nfirst tracepoint:syscalls:sys_exit_getppid\n\n\n"+
		"@[tracepoint:syscalls:sys_enter_getppid]: 50\n@[tracepoint:syscalls:sys_exit_getppid]: 100\n", "Attached 4 probes\n")
	if len(progs) != 2 {
		t.Errorf("%d programs loaded for 3 tracepoints of one probe and END, want 2", len(progs))
	}
}

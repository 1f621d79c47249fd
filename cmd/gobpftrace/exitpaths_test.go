package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// exitScript counts the getppid calls of the process named comm and
// prints a line in END.
func exitScript(comm string) string {
	return `tracepoint:syscalls:sys_enter_getppid /comm == "` + filepath.Base(comm) + `"/ { @calls = count(); }
END { printf("end\n"); }`
}

// Every way a run ends: END runs once, the maps print once, and nothing
// the run loaded stays in the kernel (trace checks that).
func TestExitPaths(t *testing.T) {
	requireRoot(t)
	loop := uniqueLoop(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			res := trace(t, traceRun{
				args:    []string{"-e", exitScript(loop)},
				trigger: func(t *testing.T) { runLoop(t, loop, 10) },
				stop:    sig,
			})
			mustExit(t, res, 0)
			if want := "end\n\n\n@calls: 10\n"; res.stdout != want {
				t.Errorf("stdout %q, want %q", res.stdout, want)
			}
			if res.stderr != "Attached 2 probes\n" {
				t.Errorf("stderr %q", res.stderr)
			}
		})
	}
}

// exit() from a probe: END once, maps once, exit code 0.
func TestExitPathExitCall(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{
		args: []string{"-e", `tracepoint:syscalls:sys_enter_getppid /comm == "sysloop"/ { @calls = count(); exit(); }
			END { printf("end\n"); }`},
		trigger: func(t *testing.T) { runSysloop(t, 100, "") },
	})
	mustExit(t, res, 0)
	if strings.Count(res.stdout, "end\n") != 1 || strings.Count(res.stdout, "@calls: ") != 1 {
		t.Errorf("END or the map printed more or less than once:\n%s", res.stdout)
	}
}

// A script with only END has no probe to wait for: it ends by itself and
// runs END once.
func TestExitPathEndOnly(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{args: []string{"-e", `END { @n = 1; printf("end\n"); }`}, noAttach: true})
	mustExit(t, res, 0)
	if want := "end\n\n\n@n: 1\n"; res.stdout != want {
		t.Errorf("stdout %q, want %q", res.stdout, want)
	}
}

// A Go panic in the runtime, injected in the event loop or while the maps
// print: it is recovered, END still runs once, the maps print once (when
// the panic is not in their printing), everything is released, and the
// user gets one error line and exit code 1, never a stack trace.
func TestExitPathPanic(t *testing.T) {
	requireRoot(t)
	loop := uniqueLoop(t)
	script := `tracepoint:syscalls:sys_enter_getppid /comm == "` + filepath.Base(loop) + `"/ { @calls = count(); printf("event\n"); }
		END { printf("end\n"); }`
	for _, tc := range []struct{ where, stdout, errLine string }{
		// The first event panics and the run stops as after exit(): how
		// many of the 10 calls were counted by then varies.
		{"event", `^end\n\n\n@calls: ([1-9]|10)\n$`, "ERROR: internal error while handling an event: injected by GOBPFTRACE_TEST_PANIC\n"},
		{"maps", `^end\n$`, "ERROR: internal error: injected by GOBPFTRACE_TEST_PANIC\n"},
	} {
		t.Run(tc.where, func(t *testing.T) {
			res := trace(t, traceRun{
				args:    []string{"-e", script},
				env:     []string{"GOBPFTRACE_TEST_PANIC=" + tc.where},
				trigger: func(t *testing.T) { runLoop(t, loop, 10) },
				stop:    syscall.SIGINT,
			})
			mustExit(t, res, 1)
			out := strings.ReplaceAll(res.stdout, "event\n", "")
			if !regexp.MustCompile(tc.stdout).MatchString(out) {
				t.Errorf("stdout without event lines %q, want %s\nfull stdout:\n%s", out, tc.stdout, res.stdout)
			}
			if want := "Attached 2 probes\n" + tc.errLine; res.stderr != want {
				t.Errorf("stderr %q, want %q", res.stderr, want)
			}
		})
	}
}

// SIGKILL: nothing runs, and nothing stays in the kernel: the programs,
// maps and links die with the process's file descriptors (trace checks
// every one it saw).
func TestExitPathSIGKILL(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{
		args:    []string{"-e", `tracepoint:syscalls:sys_enter_get* { @[probe] = count(); } interval:ms:50 { printf("tick\n"); }`},
		trigger: func(t *testing.T) { runSysloop(t, 10, "") },
		stop:    os.Kill,
	})
	if res.code != -1 {
		t.Errorf("exit code %d, want death by signal", res.code)
	}
}

// A full map: the updates it refuses are counted in the kernel and
// reported once at exit.
func TestMapFullReported(t *testing.T) {
	requireRoot(t)
	loop := uniqueLoop(t)
	res := trace(t, traceRun{
		args: []string{"-e", `config = { max_map_keys = 5 }
			tracepoint:syscalls:sys_enter_getppid /comm == "` + filepath.Base(loop) + `"/ { @x[nsecs] = 1; @c[nsecs] = count(); }`},
		trigger: func(t *testing.T) { runLoop(t, loop, 100) },
		stop:    syscall.SIGINT,
	})
	mustExit(t, res, 0)
	want := "Attached 1 probe\nWARNING: 190 map updates failed because a map was full (max_map_keys is 5)\n"
	if res.stderr != want {
		t.Errorf("stderr %q, want %q", res.stderr, want)
	}
	if n := strings.Count(res.stdout, "@x["); n != 5 {
		t.Errorf("%d @x entries, want 5:\n%s", n, res.stdout)
	}
}

package main

// Robustness of the command itself (issue 15): bounded reads of the
// script, -p and -c checked the way they are used, the internal re-exec
// out of the user's reach, and the privilege message saying what is
// checked.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A script file or stdin that never ends (/dev/zero) is read up to 1 MiB,
// then refused with one line, in bounded time and memory.
func TestScriptReadBounded(t *testing.T) {
	requireRoot(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"/dev/zero"}, "ERROR: the script /dev/zero is larger than 1048576 bytes (1 MiB), the most gobpftrace reads\n"},
		{[]string{"-"}, "ERROR: the script on stdin is larger than 1048576 bytes (1 MiB), the most gobpftrace reads\n"},
	} {
		cmd := exec.Command(binPath, c.args...)
		zero, err := os.Open("/dev/zero")
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stdin = zero
		start := time.Now()
		out, err := cmd.CombinedOutput()
		zero.Close()
		elapsed := time.Since(start)
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || string(out) != c.want {
			t.Errorf("%q: %v, output %q, want %q", c.args, err, out, c.want)
			continue
		}
		// Generous: reading 1 MiB takes milliseconds; an unbounded read
		// ran until the machine's memory was gone.
		if rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss; rss > 256<<10 || elapsed > 20*time.Second {
			t.Errorf("%q: max RSS %d KiB, %v", c.args, rss, elapsed)
		}
	}
}

// -p: a number no process id can be is refused as such (4294967297 once
// wrapped to pid 1), one that no process has as not existing; one line,
// before anything else, for every mode that takes -p.
func TestTargetPIDChecked(t *testing.T) {
	requireRoot(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-p", "4294967297", "-e", "BEGIN { exit(); }"}, "ERROR: Pid out of range: 4294967297\nHINT: process ids go up to 4194304\n"},
		{[]string{"-p", "99999999999999999999999", "-e", "BEGIN { exit(); }"}, "ERROR: Pid out of range: 99999999999999999999999\nHINT: process ids go up to 4194304\n"},
		{[]string{"-p", "4194305", "-l", "tracepoint:sched:*"}, "ERROR: Pid out of range: 4194305\nHINT: process ids go up to 4194304\n"},
		{[]string{"-p", "4000000", "-l", "tracepoint:sched:*"}, "ERROR: pid '4000000' does not exist\n"},
		{[]string{"-p", "4000000", "-d", "ast", "-e", "BEGIN { }"}, "ERROR: pid '4000000' does not exist\n"},
	} {
		res := trace(t, traceRun{args: c.args, noAttach: true})
		if res.code != 1 || res.stderr != c.want || res.stdout != "" {
			t.Errorf("%q: exit %d, stderr %q, stdout %q; want %q", c.args, res.code, res.stderr, res.stdout, c.want)
		}
	}
}

// -c with a name found in the current directory (bpftrace looks there as
// well as in $PATH): the check and the run agree, and the command runs.
func TestChildCommandInCurrentDir(t *testing.T) {
	requireRoot(t)
	dir := t.TempDir()
	data, err := os.ReadFile(sysloopPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "mytool"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	res := trace(t, traceRun{dir: dir, args: []string{"-c", "mytool 5", "-e", `tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @[comm] = count(); }`}})
	mustExit(t, res, 0)
	if res.stdout != "\n\n@[mytool]: 5\n" {
		t.Errorf("stdout %q, stderr %q", res.stdout, res.stderr)
	}
}

// GOBPFTRACE_PERF_HOLDER in the user's environment changes nothing: the
// internal child is recognised by a per-run token on its socket, not by
// the variable alone. (It once made every invocation exit 0 silently.)
func TestPerfHolderEnvIgnored(t *testing.T) {
	requireRoot(t)
	for _, v := range []string{"1", "0123456789abcdef0123456789abcdef"} {
		env := []string{"GOBPFTRACE_PERF_HOLDER=" + v}
		cmd := exec.Command(binPath, "-V")
		cmd.Env = append(os.Environ(), env...)
		if out, err := cmd.Output(); err != nil || string(out) != versionLine+"\n" {
			t.Errorf("-V with %s: %v, %q", env[0], err, out)
		}
		// A run with enough tracepoints to start the real holder.
		res := trace(t, traceRun{env: env, args: []string{"-e", `tracepoint:syscalls:sys_enter_get* { @ = count(); } tracepoint:syscalls:sys_enter_getppid /comm == "sysloop"/ { printf("seen\n"); exit(); }`},
			trigger: func(t *testing.T) { runSysloop(t, 1, "") }})
		mustExit(t, res, 0)
		if !strings.HasPrefix(res.stdout, "seen\n") || !strings.Contains(res.stderr, "Attached ") {
			t.Errorf("with %s: stdout %q, stderr %q", env[0], res.stdout, res.stderr)
		}
	}
}

// The privilege check accepts exactly what its message says: root, or
// CAP_SYS_ADMIN, or both CAP_BPF and CAP_PERFMON; anything less gets that
// message.
func TestPrivilegeMessageMatchesCheck(t *testing.T) {
	requireRoot(t)
	const (
		capSysAdmin = 21
		capPerfmon  = 38
		capBPF      = 39
	)
	msg := "ERROR: gobpftrace must be run as root (user id 0), or with the capability CAP_SYS_ADMIN, or with both CAP_BPF and CAP_PERFMON\n"
	for _, c := range []struct {
		name string
		caps []uintptr
		ok   bool
	}{
		{"none", nil, false},
		{"CAP_BPF", []uintptr{capBPF}, false},
		{"CAP_PERFMON", []uintptr{capPerfmon}, false},
		{"CAP_SYS_ADMIN", []uintptr{capSysAdmin}, true},
		{"CAP_BPF+CAP_PERFMON", []uintptr{capBPF, capPerfmon}, true},
	} {
		cmd := exec.Command(binPath, "-e", `BEGIN { printf("ran\n"); exit(); }`)
		cmd.SysProcAttr = &syscall.SysProcAttr{
			Credential:  &syscall.Credential{Uid: 65534, Gid: 65534},
			AmbientCaps: c.caps,
		}
		out, err := cmd.CombinedOutput()
		if c.ok {
			if err != nil || !strings.Contains(string(out), "ran\n") {
				t.Errorf("%s: %v, output %q", c.name, err, out)
			}
			continue
		}
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || string(out) != msg {
			t.Errorf("%s: %v, output %q, want %q", c.name, err, out, msg)
		}
	}
}

// cat() of a FIFO nobody writes to waits, as bpftrace's does, but SIGINT
// and SIGTERM still end the run: the wait ends, END runs and the maps
// print. (It once ignored both: the only way out was SIGKILL.)
func TestCatFIFOInterruptible(t *testing.T) {
	requireRoot(t)
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	script := `BEGIN { @b = 1; printf("before\n"); cat("` + fifo + `"); printf("after\n"); } END { printf("end\n"); }`
	for _, sig := range []os.Signal{syscall.SIGINT, syscall.SIGTERM} {
		start := time.Now()
		res := trace(t, traceRun{args: []string{"-e", script}, trigger: func(*testing.T) { time.Sleep(300 * time.Millisecond) }, stop: sig})
		mustExit(t, res, 0)
		if res.stdout != "before\nafter\nend\n\n\n@b: 1\n" || time.Since(start) > 15*time.Second {
			t.Errorf("%v: stdout %q after %v; stderr %q", sig, res.stdout, time.Since(start), res.stderr)
		}
	}
}

// The same wait in END (the run is already ending): a second signal ends
// it, and the maps still print.
func TestCatFIFOInEndInterruptible(t *testing.T) {
	requireRoot(t)
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binPath, "-e", `BEGIN { @b = 1; } tracepoint:syscalls:sys_enter_getppid /pid == 1/ { } END { cat("`+fifo+`"); printf("end\n"); }`)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	time.Sleep(time.Second)
	cmd.Process.Signal(syscall.SIGINT)
	select {
	case err := <-done:
		t.Fatalf("exited before the second signal (%v): stdout %q stderr %q", err, stdout.String(), stderr.String())
	case <-time.After(time.Second): // END waits on the FIFO
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-done:
		if err != nil || stdout.String() != "end\n\n\n@b: 1\n" {
			t.Errorf("%v: stdout %q stderr %q", err, stdout.String(), stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("still waiting in END 15s after the second signal; stdout %q", stdout.String())
	}
}

// system() waits for its command, but a signal ends the wait and kills the
// command's process group: nothing of it is left running.
func TestSystemInterruptible(t *testing.T) {
	requireRoot(t)
	marker := fmt.Sprintf("%d.%d", 1000+os.Getpid()%1000, time.Now().UnixNano()%1000)
	res := trace(t, traceRun{args: []string{"--unsafe", "-e", `BEGIN { system("sleep ` + marker + ` & sleep ` + marker + `"); printf("after\n"); }`},
		trigger: func(*testing.T) { time.Sleep(500 * time.Millisecond) }, stop: syscall.SIGTERM})
	mustExit(t, res, 0)
	if res.stdout != "after\n\n\n" {
		t.Errorf("stdout %q, stderr %q", res.stdout, res.stderr)
	}
	time.Sleep(200 * time.Millisecond)
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		if b, err := os.ReadFile(p); err == nil && strings.Contains(string(b), marker) {
			t.Errorf("still running after gobpftrace exited: %s %q", p, b)
		}
	}
}

// ftrace's internal events (ftrace:print, ftrace:function...) have format
// files but cannot be attached: listing and wildcards leave them out alike,
// and naming one says why.
func TestFtraceEventsNotAttachable(t *testing.T) {
	requireRoot(t)
	listed := trace(t, traceRun{args: []string{"-l", "tracepoint:*:*"}, noAttach: true})
	expanded := trace(t, traceRun{args: []string{"-l", "-e", "config = { max_probes = 100000 } tracepoint:*:* { }"}, noAttach: true})
	mustExit(t, listed, 0)
	mustExit(t, expanded, 0)
	// The same set (-l sorts whole names, the expansion by category).
	sorted := func(s string) string { l := strings.Split(s, "\n"); sort.Strings(l); return strings.Join(l, "\n") }
	if strings.Contains(listed.stdout, ":ftrace:") || sorted(listed.stdout) != sorted(expanded.stdout) || strings.Count(listed.stdout, "\n") < 100 {
		t.Errorf("-l lists %d tracepoints, the wildcard expands to %d (ftrace in either: %v %v)",
			strings.Count(listed.stdout, "\n"), strings.Count(expanded.stdout, "\n"),
			strings.Contains(listed.stdout, ":ftrace:"), strings.Contains(expanded.stdout, ":ftrace:"))
	}
	res := trace(t, traceRun{args: []string{"-l", "tracepoint:ftrace:*"}, noAttach: true})
	if res.code != 0 || res.stdout != "" {
		t.Errorf("-l tracepoint:ftrace:*: exit %d, stdout %q", res.code, res.stdout)
	}
	// The wildcard matches no tracepoint: the probe is dropped and the
	// script, left without any, stops as bpftrace's does.
	res = trace(t, traceRun{args: []string{"-e", "tracepoint:ftrace:* { }"}, noAttach: true})
	if res.code != 1 || res.stdout != "No probes to attach\n" || res.stderr != "" {
		t.Errorf("tracepoint:ftrace:*: exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
	}
	for script, want := range map[string]string{
		"tracepoint:ftrace:print { }": "stdin:1:1-24: ERROR: tracepoint:ftrace:print is one of ftrace's internal events, which cannot be attached (they are not tracepoints)\n",
	} {
		res := trace(t, traceRun{args: []string{"-e", script}, noAttach: true})
		if res.code != 1 || !strings.HasPrefix(res.stderr, want) {
			t.Errorf("%s: exit %d, stderr %q, want first line %q", script, res.code, res.stderr, want)
		}
	}
}

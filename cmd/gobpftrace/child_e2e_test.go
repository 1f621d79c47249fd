package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// -c as in bpftrace v0.26: the child exists before the probes attach and
// execs the command only once they are, so the command's own execve is
// traced, with its argv, made by cpid. A trailing blank adds no argument.
func TestChildCommandExecveTraced(t *testing.T) {
	requireRoot(t)
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep on $PATH")
	}
	sleep, _ = filepath.Abs(sleep)
	res := trace(t, traceRun{args: []string{"-c", "sleep 5 ", "-e", `BEGIN { printf("cpid %d\n", cpid); }
tracepoint:syscalls:sys_enter_execve /pid == cpid/ { printf("execve %d %s\n", pid, str(args.filename)); join(args.argv, "|"); exit(); }`}})
	mustExit(t, res, 0)
	var cpid int
	if _, err := fmt.Sscanf(res.stdout, "cpid %d\n", &cpid); err != nil || cpid <= 0 {
		t.Fatalf("stdout %q", res.stdout)
	}
	if want := fmt.Sprintf("cpid %d\nexecve %d %s\nsleep|5\n\n\n", cpid, cpid, sleep); res.stdout != want {
		t.Errorf("stdout %q, want %q", res.stdout, want)
	}
	// exit() ended the run first: the command was terminated and reaped.
	if _, err := os.Stat(fmt.Sprintf("/proc/%d", cpid)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the command (pid %d) still exists after gobpftrace exited (%v)", cpid, err)
	}
}

// A file -c accepts (an ELF shared object) that the kernel will not exec:
// one error once the probes are attached, and nothing is left behind.
func TestChildCommandExecFails(t *testing.T) {
	requireRoot(t)
	data, err := os.ReadFile(sysloopPath)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "notexecutable")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	res := trace(t, traceRun{args: []string{"-c", path, "-e", `tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @ = count(); }`}})
	mustExit(t, res, 1)
	if want := "Attached 1 probe\nERROR: Failed to exec child: " + path + ": permission denied\n"; res.stderr != want || res.stdout != "" {
		t.Errorf("stdout %q, stderr %q; want stderr %q", res.stdout, res.stderr, want)
	}
}

// stubOf returns the pid of gobpftrace's child while it still waits to
// exec the command (it runs gobpftrace itself then), or 0.
func stubOf(parent int) int {
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		status, err := os.ReadFile(filepath.Join(d, "status"))
		if err != nil || !bytes.Contains(status, []byte(fmt.Sprintf("\nPPid:\t%d\n", parent))) {
			continue
		}
		if cmdline, err := os.ReadFile(filepath.Join(d, "cmdline")); err == nil && bytes.HasPrefix(cmdline, []byte("gobpftrace-child\x00")) {
			pid, _ := strconv.Atoi(filepath.Base(d))
			return pid
		}
	}
	return 0
}

// Ctrl-C or SIGTERM while the probes are being attached, the child still
// waiting: the child is killed before it runs the command, gobpftrace
// exits, and neither the child nor anything in the kernel is left; a
// gobpftrace killed (SIGKILL) leaves no child either. Many tracepoints make
// attaching long enough to signal in between; a run whose signal came too
// late (the probes were attached) is tried again.
func TestChildCommandSignalBeforeExec(t *testing.T) {
	requireRoot(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGKILL} {
		t.Run(sig.String(), func(t *testing.T) {
			for try := 0; ; try++ {
				if try == 5 {
					t.Fatal("the signal never came while the child waited: attaching was always done first")
				}
				if signalBeforeExec(t, sig) {
					return
				}
			}
		})
	}
}

// signalBeforeExec runs one such attempt; false: the signal came too late.
func signalBeforeExec(t *testing.T, sig syscall.Signal) bool {
	t.Helper()
	mark := filepath.Join(t.TempDir(), "ran")
	cmd := exec.Command(binPath, "-c", "touch "+mark, "-e", `tracepoint:syscalls:sys_enter_* { @[probe] = count(); }`)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stub := 0
	deadline := time.Now().Add(30 * time.Second)
	for stub == 0 && time.Now().Before(deadline) {
		select {
		case err := <-exited:
			t.Fatalf("gobpftrace exited (%v) before its child was seen\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
		default:
		}
		stub = stubOf(cmd.Process.Pid)
	}
	if stub == 0 {
		cmd.Process.Kill()
		<-exited
		t.Fatal("no child waiting to exec within 30s")
	}
	held := heldObjects(cmd.Process.Pid)
	cmd.Process.Signal(sig)
	var err error
	select {
	case err = <-exited:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-exited
		t.Fatalf("gobpftrace did not exit within 30s of %v", sig)
	}
	if left := held.stillLoaded(); left != "" {
		t.Errorf("after gobpftrace exited, still in the kernel: %s", left)
	}
	// Killed, gobpftrace could not reap its child: init does, at once.
	var gone error
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if _, gone = os.Stat(fmt.Sprintf("/proc/%d", stub)); gone != nil {
			break
		}
	}
	if !errors.Is(gone, fs.ErrNotExist) {
		t.Errorf("the child (pid %d) still exists after gobpftrace exited (%v)", stub, gone)
	}
	if strings.Contains(stderr.String(), "Attached ") {
		return false // too late: the command may have run
	}
	if err != nil && sig != syscall.SIGKILL {
		t.Errorf("gobpftrace exited with %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	if _, err := os.Stat(mark); err == nil {
		t.Error("the command ran although gobpftrace was stopped before the probes were attached")
	}
	sc := bufio.NewScanner(&stderr)
	for sc.Scan() {
		t.Logf("stderr: %s", sc.Text())
	}
	return true
}

// processesWith returns the processes whose command line holds arg.
func processesWith(arg string) []string {
	var found []string
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		cmdline, err := os.ReadFile(filepath.Join(d, "cmdline"))
		if err == nil && bytes.Contains(cmdline, []byte(arg)) {
			found = append(found, filepath.Base(d)+": "+strings.ReplaceAll(string(cmdline), "\x00", " "))
		}
	}
	return found
}

// A probe that fails to attach ends the run before the child execs: the
// command never runs and the child is gone.
func TestChildCommandAttachFails(t *testing.T) {
	requireRoot(t)
	mark := filepath.Join(t.TempDir(), "ran")
	res := trace(t, traceRun{noAttach: true, args: []string{"-c", "touch " + mark, "-e", `tracepoint:irq_vectors:irq_work_exit { @ = count(); }`}})
	mustExit(t, res, 1)
	if want := "ERROR: Error attaching probe: tracepoint:irq_vectors:irq_work_exit: operation not permitted\n"; res.stderr != want {
		t.Fatalf("stderr %q, want %q (irq_work_exit is refused on this kernel: see wildcard_attach_test.go)", res.stderr, want)
	}
	if _, err := os.Stat(mark); err == nil {
		t.Error("the command ran although attaching failed")
	}
	if left := processesWith(mark); len(left) > 0 {
		t.Errorf("left running: %q", left)
	}
}

// Once the probes are attached, the waiting child makes no system call but
// the execve of the command (bpftrace's fork closes its pipe, then execs):
// it waits stopped, and only its main thread, named as gobpftrace, goes
// on; the Go runtime's threads end, still stopped, at the execve. (Go
// restores the limit of open files it raised, when it did: prlimit64.)
func TestChildCommandCallsBeforeExec(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{args: []string{"-c", "/bin/true", "-e", `tracepoint:raw_syscalls:sys_enter /pid == cpid && comm != "true"/ { @[comm, tid == cpid, args.id] = count(); }`}})
	mustExit(t, res, 0)
	comm := filepath.Base(binPath)
	execve := fmt.Sprintf("@[%s, true, %d]: 1", comm, syscall.SYS_EXECVE)
	prlimit := fmt.Sprintf("@[%s, true, %d]: 1", comm, unix.SYS_PRLIMIT64)
	seen := false
	for _, line := range strings.Split(strings.TrimSpace(res.stdout), "\n") {
		switch line {
		case execve:
			seen = true
		case prlimit:
		default:
			t.Errorf("unexpected call of the child before its exec: %q", line)
		}
	}
	if !seen {
		t.Errorf("no %q in %q", execve, res.stdout)
	}
}

// With usdt probes, bpftrace v0.26 execs the command before attaching
// (stopped right after its exec, so its files are mapped) and lets it run
// once they are: the probes fire, and its execve is not seen.
func TestChildCommandUSDTExecsFirst(t *testing.T) {
	requireRoot(t)
	u := usdtMultiPath(t)
	res := trace(t, traceRun{dir: filepath.Dir(u), args: []string{"-c", "./usdtmulti 2", "-e",
		`usdt:./usdtmulti:tracetest:testprobe2 { @usdt = count(); } tracepoint:syscalls:sys_enter_execve /pid == cpid/ { @execve = count(); }`}})
	wantOutput(t, res, "\n\n@usdt: 2\n", "Attached 2 probes\n")
}

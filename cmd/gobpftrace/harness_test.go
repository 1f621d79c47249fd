package main

// The end-to-end harness: it builds the real binary and a helper that makes
// a known number of syscalls, runs scripts against live probes, and checks
// that nothing the run loaded stays in the kernel.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cilium/ebpf"
)

var (
	binPath     string // the built gobpftrace
	sysloopPath string // testdata/helpers/sysloop.c, built; its comm is "sysloop"
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gobpftrace-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// Readable by all: one test runs the binary as an unprivileged user.
	if err := os.Chmod(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "gobpftrace")
	sysloopPath = filepath.Join(dir, "sysloop")
	build := [][]string{
		{"go", "build", "-o", binPath, "."},
		{"gcc", "-O2", "-o", sysloopPath, "../../testdata/helpers/sysloop.c"},
	}
	for _, args := range build {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintf(os.Stderr, "building %v: %v\n", args, err)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// requireRoot skips a privileged test when not root, except in CI, where a
// skipped privileged test is a failure.
func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatal("privileged test needs root in CI")
	}
	t.Skip("needs root")
}

type result struct {
	stdout, stderr string
	code           int
}

// traceRun describes one run of the binary.
type traceRun struct {
	args []string
	// trigger runs once the probes are attached.
	trigger func(t *testing.T)
	// stop is sent after trigger; nil waits for the program to exit by itself.
	stop os.Signal
	// noAttach is set for runs that never print "Attached" (errors, BEGIN-only
	// scripts that exit at once).
	noAttach bool
	// wrap, when set, is a command that runs the binary: wrap..., binary, args...
	wrap []string
}

// trace runs gobpftrace and returns its output. It fails the test if any
// BPF program that appeared while it ran is still loaded after it exited.
func trace(t *testing.T, r traceRun) result {
	t.Helper()
	before := progIDs(t)
	argv := append(append(append([]string{}, r.wrap...), binPath), r.args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	stderrPipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stderrDone := make(chan string, 1)
	attached := make(chan struct{})
	go func() {
		var all strings.Builder
		sc := bufio.NewScanner(stderrPipe)
		seen := false
		for sc.Scan() {
			all.WriteString(sc.Text() + "\n")
			if !seen && strings.HasPrefix(sc.Text(), "Attached ") {
				seen = true
				close(attached)
			}
		}
		io.Copy(io.Discard, stderrPipe)
		stderrDone <- all.String()
	}()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	var during map[ebpf.ProgramID]bool
	var waitErr error
	var errText string
	done := false // the process has exited and its stderr was read
	if !r.noAttach {
		select {
		case <-attached:
		case waitErr = <-exited:
			// A script that ends by itself may exit before the reader saw
			// its "Attached" line.
			errText, done = <-stderrDone, true
			if !strings.Contains(errText, "Attached ") {
				t.Fatalf("gobpftrace exited before attaching (%v)\nstdout:\n%s\nstderr:\n%s", waitErr, stdout.String(), errText)
			}
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("gobpftrace did not attach within 30s")
		}
		if !done {
			during = progIDs(t)
			if r.trigger != nil {
				r.trigger(t)
			}
			if r.stop != nil {
				cmd.Process.Signal(r.stop)
			}
		}
	}
	if !done {
		select {
		case waitErr = <-exited:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-exited
			t.Fatalf("gobpftrace did not exit within 30s\nstdout:\n%s", stdout.String())
		}
		errText = <-stderrDone
	}
	res := result{stdout: stdout.String(), stderr: errText}
	var exitErr *exec.ExitError
	if errors.As(waitErr, &exitErr) {
		res.code = exitErr.ExitCode()
	} else if waitErr != nil {
		t.Fatal(waitErr)
	}
	after := progIDs(t)
	for id := range during {
		if !before[id] && after[id] {
			t.Errorf("BPF program %d is still loaded after gobpftrace exited", id)
		}
	}
	return res
}

// progIDs lists the BPF programs loaded in the kernel.
func progIDs(t *testing.T) map[ebpf.ProgramID]bool {
	t.Helper()
	ids := map[ebpf.ProgramID]bool{}
	var id ebpf.ProgramID
	for {
		next, err := ebpf.ProgramGetNextID(id)
		if err != nil {
			break
		}
		ids[next] = true
		id = next
	}
	return ids
}

// runSysloop runs the helper: n getppid calls, then an open of path if set.
// It returns the helper's pid.
func runSysloop(t *testing.T, n int, path string) int {
	t.Helper()
	args := []string{fmt.Sprint(n)}
	if path != "" {
		args = append(args, path)
	}
	cmd := exec.Command(sysloopPath, args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("sysloop: %v: %s", err, out)
	}
	// Let the ring buffer and per-CPU maps settle before the stop signal.
	time.Sleep(100 * time.Millisecond)
	return cmd.Process.Pid
}

// mustExit checks the exit code.
func mustExit(t *testing.T, res result, code int) {
	t.Helper()
	if res.code != code {
		t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", res.code, code, res.stdout, res.stderr)
	}
}

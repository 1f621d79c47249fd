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
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
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
	// dir is the working directory (default: the test's).
	dir string
	// env is added to the test's environment (KEY=VALUE).
	env []string
	// attached, when set, runs once the probes are attached (before
	// trigger) with the pid of gobpftrace, to look at what it holds.
	attached func(t *testing.T, pid int)
}

// trace runs gobpftrace and returns its output. While it runs, the test
// reads the ids of the BPF programs, maps and links the process holds (its
// /proc fdinfo); after it exits, every one of them must be gone from the
// kernel. Other processes' objects (tests running in parallel) never count.
func trace(t *testing.T, r traceRun) result {
	t.Helper()
	argv := append(append(append([]string{}, r.wrap...), binPath), r.args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = r.dir
	if len(r.env) > 0 {
		cmd.Env = append(os.Environ(), r.env...)
	}
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
	stderrEOF := make(chan struct{})
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
		close(stderrEOF)
		stderrDone <- all.String()
	}()
	exited := make(chan error, 1)
	// Wait closes the stderr pipe: only call it once stderr was read to
	// the end, or a short run's last lines can be lost.
	go func() { <-stderrEOF; exited <- cmd.Wait() }()

	var held kernelObjects
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
			held = heldObjects(cmd.Process.Pid)
			if len(held.progs) == 0 {
				// A script that ends by itself may already have released
				// everything when its descriptors are read: then it exits.
				select {
				case waitErr = <-exited:
					errText, done = <-stderrDone, true
				case <-time.After(5 * time.Second):
				}
				if !done || r.trigger != nil || r.stop != nil {
					t.Errorf("no BPF programs held by the process after it attached")
				}
			}
		}
		if !done {
			if r.attached != nil {
				r.attached(t, cmd.Process.Pid)
			}
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
	if left := held.stillLoaded(); left != "" {
		t.Errorf("after gobpftrace exited, still in the kernel: %s", left)
	}
	return res
}

// kernelObjects are the BPF object ids a process holds.
type kernelObjects struct {
	progs, maps, links []uint32
}

// heldObjects reads the ids of the BPF programs, maps and links behind the
// file descriptors of process pid.
func heldObjects(pid int) kernelObjects {
	var k kernelObjects
	files, _ := filepath.Glob(fmt.Sprintf("/proc/%d/fdinfo/*", pid))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n") {
			name, value, ok := strings.Cut(line, ":")
			if !ok {
				continue
			}
			id, err := strconv.ParseUint(strings.TrimSpace(value), 10, 32)
			if err != nil {
				continue
			}
			switch name {
			case "prog_id":
				k.progs = append(k.progs, uint32(id))
			case "map_id":
				k.maps = append(k.maps, uint32(id))
			case "link_id":
				k.links = append(k.links, uint32(id))
			}
		}
	}
	return k
}

// stillLoaded describes the objects that still exist. The kernel frees maps
// from a work queue after the last reference goes, so it waits a little.
func (k kernelObjects) stillLoaded() string {
	var left []string
	for try := 0; try < 30; try++ {
		left = left[:0]
		for _, id := range k.progs {
			if p, err := ebpf.NewProgramFromID(ebpf.ProgramID(id)); err == nil {
				p.Close()
				left = append(left, fmt.Sprintf("program %d", id))
			}
		}
		for _, id := range k.maps {
			if m, err := ebpf.NewMapFromID(ebpf.MapID(id)); err == nil {
				m.Close()
				left = append(left, fmt.Sprintf("map %d", id))
			}
		}
		for _, id := range k.links {
			if l, err := link.NewFromID(link.ID(id)); err == nil {
				l.Close()
				left = append(left, fmt.Sprintf("link %d", id))
			}
		}
		if len(left) == 0 {
			return ""
		}
		time.Sleep(100 * time.Millisecond)
	}
	return strings.Join(left, ", ")
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

package target

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/runtime/host"
)

// The traced process of -p PID and -c CMD: the run ends when it exits.

// Child is the command of -c: a process created before the probes are
// attached that execs the command only once they are (stub.go), so the
// probes see the command from its execve on, and cpid is its pid.
//
// When the kernel lets us, the parent also traces the stub (PTRACE_SEIZE):
// the stub then waits stopped, every thread of it, and only its main
// thread is let go, into the execve (parkStopped, stub.go's stopAndExec),
// so the probes see no call of the Go runtime's; and the command is
// stopped once more right after its exec, when its program and loader are
// mapped but nothing has run: onExec reads its mappings there, so its user
// stacks resolve even if it exits before the maps print. If gobpftrace
// dies, the traced child is killed (PTRACE_O_EXITKILL); untraced, its pipe
// closes and it exits. Ptrace requests must come from the thread that
// traced it, so one locked goroutine does everything with the child.
type Child struct {
	pid    int
	cmd    *exec.Cmd
	onExec func(pid int)
	// execFirst: the command is exec'd (and stopped right after) before
	// the probes are attached (see StartChild).
	execFirst bool
	release   chan bool // true: let it run; false: kill it
	// released is set once Start or Stop sent on release (both run on
	// Run's goroutine).
	released bool
	started  chan error // StartChild's answer
	ran      chan error // Start's answer: nil once the command runs
	exited   chan struct{}
}

// StartChild creates the process of argv, waiting before its exec; onExec
// (may be nil) is called with its pid when it is stopped right after the
// exec, if it could be traced. With execFirst, as bpftrace v0.26 does when
// a script has usdt probes, the command is exec'd at once and kept stopped
// right after its exec until Start (so its files are mapped when the
// probes attach, and its execve is not traced).
func StartChild(argv []string, stdout, stderr any, onExec func(pid int), execFirst bool) (*Child, error) {
	c := &Child{onExec: onExec, execFirst: execFirst, release: make(chan bool, 1), started: make(chan error, 1), ran: make(chan error, 1), exited: make(chan struct{})}
	go c.run(argv, stdout, stderr)
	if err := <-c.started; err != nil {
		return nil, err
	}
	return c, nil
}

// Pid is the child's process id.
func (c *Child) Pid() int { return c.pid }

// Exited is closed once the child has exited.
func (c *Child) Exited() <-chan struct{} { return c.exited }

func (c *Child) run(argv []string, stdout, stderr any) {
	goruntime.LockOSThread()
	// Unlocked (not ended) when done: the thread that forked the child is
	// the one whose death sends it Pdeathsig.
	defer goruntime.UnlockOSThread()
	defer close(c.exited)
	path, err := CommandBinary(argv[0])
	if err != nil {
		c.started <- fmt.Errorf("Failed to fork child: %v", err)
		return
	}
	if mode := buildMode(); mode != "" && mode != "exe" && mode != "pie" {
		c.started <- fmt.Errorf("Failed to fork child: -c needs the program to be an executable (this one is built with -buildmode=%s)", mode)
		return
	}
	token, err := newToken()
	if err != nil {
		c.started <- fmt.Errorf("Failed to fork child: %v", err)
		return
	}
	goR, goW, err := os.Pipe()
	if err != nil {
		c.started <- fmt.Errorf("Failed to fork child: %v", err)
		return
	}
	defer goW.Close()
	if _, err := goW.WriteString(token); err != nil {
		goR.Close()
		c.started <- fmt.Errorf("Failed to fork child: %v", err)
		return
	}
	statusR, statusW, err := os.Pipe()
	if err != nil {
		goR.Close()
		c.started <- fmt.Errorf("Failed to fork child: %v", err)
		return
	}
	defer statusR.Close()
	cmd := &exec.Cmd{
		Path:       "/proc/self/exe",
		Args:       append([]string{stubName, ownComm(), path}, argv...),
		Env:        append(os.Environ(), stubEnv+"="+token),
		Stdin:      os.Stdin,
		Stdout:     writerOf(stdout),
		Stderr:     writerOf(stderr),
		ExtraFiles: []*os.File{goR, statusW}, // stubGoFD, stubStatusFD
		// As bpftrace's child: told when gobpftrace dies.
		SysProcAttr: &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM},
	}
	err = cmd.Start()
	goR.Close()
	statusW.Close()
	if err != nil {
		c.started <- fmt.Errorf("Failed to fork child: %s: %v", argv[0], unwrapExecError(err))
		return
	}
	c.cmd, c.pid = cmd, cmd.Process.Pid
	var b [1]byte
	if n, _ := statusR.Read(b[:]); n != 1 || b[0] != stubReady {
		cmd.Process.Kill()
		cmd.Wait()
		c.started <- fmt.Errorf("Failed to fork child: %s did not start", argv[0])
		return
	}
	// Best effort: without ptrace (a sandbox may forbid it) the command
	// still starts after the probes are attached, only not primed (nor
	// run first), and the stub waits in read, not stopped.
	traced := c.onExec != nil && seize(c.pid) == nil
	if traced {
		goW.Write([]byte{stubStop})
		if !parkStopped(c.pid) {
			cmd.Process.Kill()
			waitTraced(c.pid, nil, false)
			cmd.Wait()
			c.started <- fmt.Errorf("Failed to fork child: %s did not start", argv[0])
			return
		}
	} else {
		settle(c.pid)
	}
	execed := false
	if c.execFirst && traced {
		if err := c.exec(goW, statusR, path, true, true); err != nil {
			cmd.Wait()
			c.started <- err
			return
		}
		execed = true
	}
	c.started <- nil

	if run := <-c.release; !run {
		cmd.Process.Kill()
		if traced {
			waitTraced(c.pid, nil, false)
		}
		cmd.Wait()
		return
	}
	if execed {
		unix.PtraceDetach(c.pid)
		c.ran <- nil
	} else {
		c.ran <- c.exec(goW, statusR, path, traced, false)
	}
	cmd.Wait()
}

// exec lets the stub exec the command; traced, it calls onExec at the stop
// right after the exec and leaves the command stopped there if stay is
// set. The error says why the exec failed (the child has then exited).
func (c *Child) exec(goW, statusR *os.File, path string, traced, stay bool) error {
	if traced {
		// Stopped (parkStopped): its main thread alone goes on.
		unix.PtraceCont(c.pid, 0)
		waitTraced(c.pid, c.onExec, stay)
	} else {
		goW.Write([]byte{stubGo})
	}
	goW.Close()
	// The status pipe closes at a successful exec; an errno means it failed.
	var msg [4]byte
	if n, _ := io.ReadFull(statusR, msg[:]); n == 4 {
		errno := syscall.Errno(binary.LittleEndian.Uint32(msg[:]))
		return fmt.Errorf("Failed to exec child: %s: %s", path, host.ErrnoText(errno))
	}
	return nil
}

// settle waits (a quarter of a second at most: a stub that never settles
// still works) until every thread of the stub pid sleeps: the main one in
// read, waiting for the parent, the Go runtime's in futex or epoll_pwait. The probes, attached next, then see of the waiting child only
// what bpftrace's fork does before the command: it closes the pipe and
// execs. (Not waiting, a monitor thread still polling shows as a few
// nanosleep calls of cpid.)
func settle(pid int) {
	for end := time.Now().Add(250 * time.Millisecond); time.Now().Before(end); time.Sleep(time.Millisecond) {
		if asleep(pid) {
			return
		}
	}
}

// asleep reports whether every thread of pid is in read (the main one) or
// futex or epoll_pwait (the others), as /proc/PID/task/TID/syscall says.
func asleep(pid int) bool {
	return everyThread(pid, "syscall", func(tid, data string) bool {
		nr, _, _ := strings.Cut(strings.TrimSpace(data), " ")
		n, err := strconv.Atoi(nr) // "running" while it runs
		if err != nil {
			return false
		}
		if tid == strconv.Itoa(pid) {
			return n == unix.SYS_READ
		}
		return n == unix.SYS_FUTEX || n == unix.SYS_EPOLL_PWAIT
	})
}

// everyThread reports whether ok holds for the file /proc/PID/task/TID/FILE
// of every thread of pid (false if one cannot be read).
func everyThread(pid int, file string, ok func(tid, data string) bool) bool {
	dir := fmt.Sprintf("/proc/%d/task", pid)
	tids, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, t := range tids {
		data, err := os.ReadFile(filepath.Join(dir, t.Name(), file))
		if err != nil || !ok(t.Name(), string(data)) {
			return false
		}
	}
	return true
}

// parkStopped waits until the stub pid, told to stop, is stopped: its main
// thread reports the group stop (after a signal-delivery stop for SIGSTOP,
// passed on), and the Go runtime's threads are stopped too. False: it
// exited instead.
func parkStopped(pid int) bool {
	for {
		ws, ok := nextStop(pid)
		if !ok {
			return false
		}
		if int(ws>>16) == unix.PTRACE_EVENT_STOP {
			break
		}
		unix.PtraceCont(pid, int(ws.StopSignal()))
	}
	for end := time.Now().Add(250 * time.Millisecond); time.Now().Before(end) && !allStopped(pid); time.Sleep(time.Millisecond) {
	}
	return true
}

// nextStop waits for the traced pid's next stop; false once it has ended
// (or cannot be waited for).
func nextStop(pid int) (unix.WaitStatus, bool) {
	for {
		var ws unix.WaitStatus
		_, err := unix.Wait4(pid, &ws, unix.WALL, nil)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil || ws.Exited() || ws.Signaled() {
			return ws, false
		}
		if ws.Stopped() {
			return ws, true
		}
	}
}

// allStopped reports whether every thread of pid is stopped (state T or
// t in /proc/PID/task/TID/stat).
func allStopped(pid int) bool {
	return everyThread(pid, "stat", func(_, data string) bool {
		_, rest, ok := strings.Cut(data, ") ")
		return ok && (strings.HasPrefix(rest, "T") || strings.HasPrefix(rest, "t"))
	})
}

// seize traces pid without stopping it, to be stopped after its next exec
// (and killed if gobpftrace dies while it is traced).
func seize(pid int) error {
	_, _, e := unix.Syscall6(unix.SYS_PTRACE, unix.PTRACE_SEIZE, uintptr(pid), 0, unix.PTRACE_O_TRACEEXEC|unix.PTRACE_O_EXITKILL, 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

// waitTraced follows the traced child until its exec stop (where onExec
// runs, then the child is let go unless stay is set) or its end. The
// stub's signals stop it on their way in: they are passed on.
func waitTraced(pid int, onExec func(pid int), stay bool) {
	for {
		ws, ok := nextStop(pid)
		if !ok {
			return
		}
		switch {
		case ws.TrapCause() == unix.PTRACE_EVENT_EXEC:
			if onExec != nil {
				onExec(pid)
			}
			// The stop of parkStopped would hold again once detached:
			// SIGCONT ends it (the command, just started, ignores it).
			unix.Kill(pid, unix.SIGCONT)
			if !stay {
				unix.PtraceDetach(pid)
			}
			return
		case int(ws>>16) == unix.PTRACE_EVENT_STOP:
			// A group stop: go on (it is ended at the exec).
			unix.PtraceCont(pid, 0)
		default:
			unix.PtraceCont(pid, int(ws.StopSignal()))
		}
	}
}

// Start lets the child exec the command, and returns once it did (or
// could not: the error says why, and the child has exited).
func (c *Child) Start() error {
	c.released = true
	c.release <- true
	return <-c.ran
}

// Stop kills a child that was never released, sends SIGTERM to one that
// still runs (as bpftrace does when it stops first), and waits for it.
func (c *Child) Stop() {
	if !c.released {
		c.released = true
		c.release <- false
	} else {
		select {
		case <-c.exited:
		default:
			c.cmd.Process.Signal(syscall.SIGTERM)
		}
	}
	<-c.exited
}

// writerOf is w as exec.Cmd takes it (an *os.File is passed as is).
func writerOf(w any) io.Writer {
	switch w := w.(type) {
	case *os.File:
		return w
	case io.Writer:
		return w
	}
	return nil
}

// ownComm is this process's name (the stub takes it).
func ownComm() string {
	b, err := os.ReadFile("/proc/self/comm")
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(b), "\n")
}

// buildMode is how this program was built ("" if unknown): the stub is
// this program run again, so it must be an executable.
func buildMode() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, s := range bi.Settings {
		if s.Key == "-buildmode" {
			return s.Value
		}
	}
	return ""
}

func unwrapExecError(err error) error {
	var ee *exec.Error
	if errors.As(err, &ee) {
		return ee.Err
	}
	return err
}

// WatchPID cancels the returned context when process pid exits.
func WatchPID(ctx context.Context, pid int) (context.Context, func(), error) {
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		if errors.Is(err, unix.ESRCH) {
			return nil, nil, fmt.Errorf("pid '%d' does not exist", pid)
		}
		return nil, nil, fmt.Errorf("could not watch pid %d: %s", pid, host.ErrnoText(err))
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		for ctx.Err() == nil {
			n, err := unix.Poll(fds, 200)
			if err != nil && !errors.Is(err, unix.EINTR) {
				return
			}
			if n > 0 {
				cancel()
				return
			}
		}
	}()
	return ctx, func() { cancel(); <-done; unix.Close(fd) }, nil
}

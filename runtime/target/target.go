package target

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	goruntime "runtime"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/runtime/host"
)

// The traced process of -p PID and -c CMD: the run ends when it exits.

// Child is the command of -c, started stopped (traced, stopped at its
// exec) so that no probe misses its start, and released once every probe
// is attached. Ptrace requests must come from the thread that traced it,
// so one locked goroutine does everything with the child.
type Child struct {
	pid     int
	release chan bool // true: let it run; false: kill it
	// released is set once start or stop sent on release (both run on
	// Run's goroutine).
	released bool
	started  chan error
	exited   chan struct{}
}

// StartChild starts argv stopped at its first instruction.
func StartChild(argv []string, stdout, stderr any) (*Child, error) {
	c := &Child{release: make(chan bool, 1), started: make(chan error, 1), exited: make(chan struct{})}
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
	defer goruntime.UnlockOSThread()
	defer close(c.exited)
	path, err := CommandBinary(argv[0])
	if err != nil {
		c.started <- fmt.Errorf("Failed to fork child: %v", err)
		return
	}
	cmd := exec.Command(path, argv[1:]...)
	cmd.Args[0] = argv[0]
	cmd.Stdin = os.Stdin
	if f, ok := stdout.(*os.File); ok {
		cmd.Stdout = f
	} else if w, ok := stdout.(interface{ Write([]byte) (int, error) }); ok {
		cmd.Stdout = w
	}
	if f, ok := stderr.(*os.File); ok {
		cmd.Stderr = f
	} else if w, ok := stderr.(interface{ Write([]byte) (int, error) }); ok {
		cmd.Stderr = w
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Ptrace: true}
	if err := cmd.Start(); err != nil {
		c.started <- fmt.Errorf("Failed to fork child: %s: %v", argv[0], unwrapExecError(err))
		return
	}
	c.pid = cmd.Process.Pid
	// The exec stops the traced child with SIGTRAP.
	var ws unix.WaitStatus
	if _, err := unix.Wait4(c.pid, &ws, 0, nil); err != nil || !ws.Stopped() {
		cmd.Process.Kill()
		cmd.Wait()
		c.started <- fmt.Errorf("Failed to fork child: %s did not start", argv[0])
		return
	}
	c.started <- nil
	run := <-c.release
	if !run {
		unix.Kill(c.pid, unix.SIGKILL)
	}
	unix.PtraceDetach(c.pid)
	cmd.Wait()
}

// Start lets the child run.
func (c *Child) Start() {
	c.released = true
	c.release <- true
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
			unix.Kill(c.pid, unix.SIGTERM)
		}
	}
	<-c.exited
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

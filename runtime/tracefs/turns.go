package tracefs

import (
	"errors"
	"time"

	"golang.org/x/sys/unix"
)

// Taking turns at the kernel's event mutex. Reading a tracepoint's format
// file and opening its perf event take that mutex, and closing the last
// perf event of a tracepoint holds it across RCU grace periods (20-30 ms
// here). The gobpftrace-release child of a run that has just ended closes
// its hundreds of perf events one after the other for many seconds
// (runtime/attach/closer.go), and a run starting meanwhile waited for a
// grace period again and again: 0.5-1 s more to attach 720 tracepoints.
//
// So a process about to open tracepoints holds a shared flock on the
// tracefs root directory while it does (Busy), and a release child waits
// before each close until no one holds it (WaitIdle): a close that no
// program depends on any more can wait a second. The root directory of
// tracefs is one inode for every mount of it, so processes of other
// mount namespaces see the lock too, and nothing is created for it.

// Busy marks this process as opening tracepoints of the tracefs mounted
// at dir until release is called.
func Busy(dir string) (release func()) {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return func() {}
	}
	// WaitIdle holds the exclusive lock for an instant only.
	for {
		if err := unix.Flock(fd, unix.LOCK_SH); !errors.Is(err, unix.EINTR) {
			break
		}
	}
	return func() { unix.Close(fd) }
}

// Idle is a release child's side of Busy: Wait waits until no process is
// Busy. Without tracefs it waits for nothing.
type Idle struct {
	fd     int
	budget time.Duration
}

// NewIdle opens the lock that Busy holds, without mounting tracefs.
// budget bounds the time all of its waits may take together, so that a
// process that stays Busy (stopped, stuck) delays the closes only that
// long.
func NewIdle(budget time.Duration) *Idle {
	dir := mountedTracefs("/proc/self/mounts")
	if dir == "" {
		return &Idle{fd: -1}
	}
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &Idle{fd: -1}
	}
	return &Idle{fd: fd, budget: budget}
}

// idlePoll is how often Wait looks again while a process is Busy.
const idlePoll = 5 * time.Millisecond

// Wait returns once no process is Busy, or the budget is spent.
func (w *Idle) Wait() {
	for w.fd >= 0 && w.budget > 0 {
		err := unix.Flock(w.fd, unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			unix.Flock(w.fd, unix.LOCK_UN)
			return
		}
		if !errors.Is(err, unix.EWOULDBLOCK) && !errors.Is(err, unix.EINTR) {
			return
		}
		time.Sleep(idlePoll)
		w.budget -= idlePoll
	}
}

// Close releases the lock's descriptor.
func (w *Idle) Close() {
	if w.fd >= 0 {
		unix.Close(w.fd)
		w.fd = -1
	}
}

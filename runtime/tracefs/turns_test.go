package tracefs

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// idleOn is NewIdle for the lock of dir (any directory: flock works on
// every file system).
func idleOn(t *testing.T, dir string, budget time.Duration) *Idle {
	t.Helper()
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	w := &Idle{fd: fd, budget: budget}
	t.Cleanup(w.Close)
	return w
}

// waitDone runs w.Wait and closes the channel it returns when it returns.
func waitDone(w *Idle) <-chan struct{} {
	done := make(chan struct{})
	go func() { w.Wait(); close(done) }()
	return done
}

// A release child's Wait waits while another process opens tracepoints
// (Busy), and returns once none does.
func TestIdleWaitsWhileBusy(t *testing.T) {
	dir := t.TempDir()
	w := idleOn(t, dir, time.Minute)
	select {
	case <-waitDone(w):
	case <-time.After(10 * time.Second):
		t.Fatal("Wait waited with no one Busy")
	}
	release := Busy(dir)
	second := Busy(dir) // a second run opening tracepoints at once
	done := waitDone(w)
	select {
	case <-done:
		t.Fatal("Wait returned while two runs were Busy")
	case <-time.After(300 * time.Millisecond):
	}
	release()
	select {
	case <-done:
		t.Fatal("Wait returned while one run was still Busy")
	case <-time.After(300 * time.Millisecond):
	}
	second()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Wait still waiting 10 s after the last Busy ended")
	}
}

// A run that stays Busy (stopped, stuck) delays a release child's closes
// by its budget only, for all of its waits together.
func TestIdleBudget(t *testing.T) {
	dir := t.TempDir()
	defer Busy(dir)()
	w := idleOn(t, dir, 50*time.Millisecond)
	for i := 0; i < 2; i++ {
		select {
		case <-waitDone(w):
		case <-time.After(10 * time.Second):
			t.Fatalf("wait %d: still waiting 10 s after a budget of 50 ms", i)
		}
	}
	if w.budget > 0 {
		t.Errorf("budget %v left after waiting it out", w.budget)
	}
}

// Without tracefs there is no one to wait for.
func TestIdleWithoutTracefs(t *testing.T) {
	w := &Idle{fd: -1, budget: time.Minute}
	select {
	case <-waitDone(w):
	case <-time.After(10 * time.Second):
		t.Fatal("Wait waited without a lock")
	}
	w.Close()
}

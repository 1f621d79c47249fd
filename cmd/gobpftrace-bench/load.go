package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// loadComm is the thread name of the workload, which predicates select.
const loadComm = "gbtload"

// onLoadThread runs f on a locked OS thread named loadComm.
func onLoadThread(f func()) {
	done := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		// The thread is not unlocked: it exits with its name.
		unix.Prctl(unix.PR_SET_NAME, uintptr(unsafe.Pointer(unsafePtr(loadComm))), 0, 0, 0)
		f()
		close(done)
	}()
	<-done
}

func unsafePtr(s string) *byte {
	b, _ := unix.BytePtrFromString(s)
	return b
}

// getppidLoop makes n getppid calls and returns the wall time.
func getppidLoop(n int) time.Duration {
	var d time.Duration
	onLoadThread(func() {
		t0 := time.Now()
		for i := 0; i < n; i++ {
			unix.Getppid()
		}
		d = time.Since(t0)
	})
	return d
}

// pacedGetppid makes n getppid calls at about rate calls a second: each
// millisecond it catches up with the calls due by then, then sleeps.
func pacedGetppid(n, rate int) {
	if rate <= 0 {
		getppidLoop(n)
		return
	}
	onLoadThread(func() {
		t0 := time.Now()
		for done := 0; done < n; {
			due := min(n, int(time.Since(t0).Seconds()*float64(rate)))
			for ; done < due; done++ {
				unix.Getppid()
			}
			time.Sleep(time.Millisecond)
		}
	})
}

// cpuTime is the CPU time (user and system) of every thread of process
// pid so far, in nanoseconds from schedstat: the ticks of /proc/PID/stat
// are 10 ms, too coarse for a run of a second.
func cpuTime(pid int) time.Duration {
	dir := fmt.Sprintf("/proc/%d/task", pid)
	tasks, _ := os.ReadDir(dir)
	var sum time.Duration
	for _, task := range tasks {
		b, err := os.ReadFile(filepath.Join(dir, task.Name(), "schedstat"))
		if err != nil {
			continue
		}
		var ns int64
		if _, err := fmt.Sscan(string(b), &ns); err == nil {
			sum += time.Duration(ns)
		}
	}
	return sum
}

// workFor runs a workload of the given kind for d: "getppid" (a tight
// loop of getppid) or "openat" (opening and closing /dev/null).
func workFor(kind string, d time.Duration) {
	onLoadThread(func() {
		end := time.Now().Add(d)
		for time.Now().Before(end) {
			for i := 0; i < 200; i++ {
				if kind == "openat" {
					if fd, err := unix.Open("/dev/null", unix.O_RDONLY, 0); err == nil {
						unix.Close(fd)
					}
				} else {
					unix.Getppid()
				}
			}
		}
	})
}

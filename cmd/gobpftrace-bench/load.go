package main

import (
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

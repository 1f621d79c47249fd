package runtime

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// Releasing many tracepoints. The last close of a tracepoint's perf event
// waits for RCU grace periods under a kernel-wide mutex: about 35ms each
// here, one after the other whatever the number of threads, so 25s for the
// 720 events of tracepoint:syscalls:*. Their programs are detached long
// before (closing a BPF link is quick, and detaches run in parallel), and
// END and the maps have printed. So when there are many, the perf events
// are handed to a child process that closes them after gobpftrace has
// exited: the user gets the prompt back at once, and the kernel finishes
// tearing down in the background. The perf events hold no program, map or
// link by then.

// backgroundCloseMin is the number of perf events from which closing them
// in the foreground would take more than about half a second.
const backgroundCloseMin = 16

// closerEnv tells a child started by closeInBackground how many inherited
// file descriptors, from 3 on, it must close.
const closerEnv = "GOBPFTRACE_CLOSE_FDS"

func init() {
	n, err := strconv.Atoi(os.Getenv(closerEnv))
	if err != nil || n <= 0 {
		return
	}
	for fd := 3; fd < 3+n; fd++ {
		unix.Close(fd)
	}
	os.Exit(0)
}

// releaseAll closes every attachment; see above for tracepoint perf events.
func releaseAll(cs []io.Closer) {
	var perf []*os.File
	var rest []io.Closer
	for _, c := range cs {
		if a, ok := c.(*tracepointAttachment); ok && a.perf != nil {
			a.Detach()
			perf = append(perf, a.perf)
			a.perf = nil
			continue
		}
		rest = append(rest, c)
	}
	closeAll(rest)
	if len(perf) >= backgroundCloseMin && closeInBackground(perf) {
		return
	}
	inParallel(perf, func(f *os.File) { f.Close() })
}

// closeInBackground starts a child that inherits files and closes them,
// then closes this process's handles (which is quick: the child's keep the
// perf events alive). It reports false if the child could not start.
func closeInBackground(files []*os.File) bool {
	cmd := exec.Command("/proc/self/exe")
	cmd.Args = []string{"gobpftrace-release"} // what ps shows
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d", closerEnv, len(files)))
	cmd.ExtraFiles = files
	// Its own session: a Ctrl-C meant for the terminal's foreground group
	// must not kill it half way (it would only stop early, harmlessly).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return false
	}
	go cmd.Wait() // reaped if this process lives on (REPL, tests)
	for _, f := range files {
		f.Close()
	}
	return true
}

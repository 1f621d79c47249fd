package target

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"os"
	goruntime "runtime"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The stub: the process of -c before it runs the command.
//
// bpftrace forks, and the child waits on a pipe before it execs the
// command, so the probes see the command's own execve (with its argv) and
// cpid is the pid that runs it. Go cannot fork without exec, so the child
// execs this very program again (/proc/self/exe: the file that is running,
// even if it was replaced or deleted since) as a stub; the init below sees
// it before main, waits for the parent's byte and execs the command
// itself. The pid stays the same through both execs.
//
// It is recognised by what a user's environment cannot produce by
// accident (a GOBPFTRACE_CHILD_STUB set by hand changes nothing): argv[0]
// is stubName, stubEnv holds a random token, and the same token is already
// waiting in the pipe on stubGoFD when it starts. Its argv then holds the
// parent's comm (the stub takes that name, so the execve is made by a
// process named as the parent, as bpftrace's forked child is), the path to
// exec and the command's argv.
//
// The protocol, on the descriptors the parent passes:
//   - stubGoFD: after the token, the parent writes stubGo once every probe
//     is attached, or, if it could trace the stub, stubStop at once: the
//     stub then stops itself (SIGSTOP) and execs when the parent lets it
//     go on; end of file (the parent died, or gave up) makes the stub exit
//     instead.
//   - stubStatusFD: the stub writes stubReady once it waits, and, if the
//     exec fails, the errno (4 bytes, little endian). Both descriptors are
//     close-on-exec: a successful exec closes it, and the command inherits
//     neither.

const (
	stubName     = "gobpftrace-child"
	stubEnv      = "GOBPFTRACE_CHILD_STUB"
	stubGoFD     = 3
	stubStatusFD = 4
	stubGo       = 'g'
	stubStop     = 's'
	stubReady    = 'r'
	tokenBytes   = 16
	// stubCancelled is the stub's exit status when it is let go without
	// running the command; stubExecFailed when the exec failed.
	stubCancelled  = 125
	stubExecFailed = 127
)

func init() {
	if isStub(os.Args, os.Getenv(stubEnv), stubGoFD) {
		runStub(os.Args[1], os.Args[2], os.Args[3:])
	}
}

// isStub reports whether this process is a child started by StartChild;
// it reads the token from fd only when everything else says so, and only
// if it is there already.
func isStub(args []string, token string, fd int) bool {
	if len(token) != 2*tokenBytes || len(args) < 4 || args[0] != stubName {
		return false
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFIFO {
		return false
	}
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	if n, err := unix.Poll(fds, 0); err != nil || n != 1 || fds[0].Revents&unix.POLLIN == 0 {
		return false
	}
	buf := make([]byte, len(token))
	n, err := io.ReadFull(fdReader(fd), buf)
	return err == nil && n == len(buf) && subtle.ConstantTimeCompare(buf, []byte(token)) == 1
}

type fdReader int

func (f fdReader) Read(p []byte) (int, error) {
	for {
		n, err := unix.Read(int(f), p)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if n <= 0 && err == nil {
			return 0, io.EOF
		}
		if n < 0 {
			n = 0
		}
		return n, err
	}
}

// runStub waits for the parent and execs the command; it never returns.
func runStub(comm, path string, argv []string) {
	// The exec must come from the main thread, the one the parent traces
	// (init runs on it; this keeps it there).
	goruntime.LockOSThread()
	// Untraced, the stub waits in read: with one P, the Go runtime's
	// monitor thread takes it from the blocked thread at once and goes to
	// sleep, so no more calls show until the parent's byte comes (the
	// parent waits for that sleep: settle). Then the runtime wakes its
	// monitor (a futex call), which polls a few times (nanosleep) until
	// the execve ends it. Traced, the stub stops instead (see below).
	goruntime.GOMAXPROCS(1)
	pid := os.Getpid()
	unix.CloseOnExec(stubGoFD)
	unix.CloseOnExec(stubStatusFD)
	if p, err := unix.BytePtrFromString(comm); err == nil && comm != "" {
		unix.Prctl(unix.PR_SET_NAME, uintptr(unsafe.Pointer(p)), 0, 0, 0)
		// The Go runtime's threads too: they show in traces of cpid.
		tasks, _ := os.ReadDir("/proc/self/task")
		for _, t := range tasks {
			os.WriteFile("/proc/self/task/"+t.Name()+"/comm", []byte(comm), 0)
		}
	}
	if _, err := unix.Write(stubStatusFD, []byte{stubReady}); err != nil {
		os.Exit(stubCancelled)
	}
	env := stubEnviron()
	var b [1]byte
	if n, _ := fdReader(stubGoFD).Read(b[:]); n != 1 {
		os.Exit(stubCancelled)
	}
	switch b[0] {
	case stubGo:
		unix.Close(stubGoFD)
	case stubStop:
		// The parent traces this thread: the whole process stops here,
		// and the parent lets this thread alone go on, into the execve,
		// which ends the Go runtime's threads while they are still
		// stopped. So after the probes are attached the child makes no
		// call but the execve (bpftrace's fork closes its pipe, then
		// execs). A stopped thread may hold a lock of the Go runtime:
		// from the stop on, stopAndExec makes raw system calls only.
		pathp, err1 := syscall.BytePtrFromString(path)
		argvp, err2 := syscall.SlicePtrFromStrings(argv)
		envp, err3 := syscall.SlicePtrFromStrings(env)
		if err1 != nil || err2 != nil || err3 != nil {
			os.Exit(stubCancelled)
		}
		// syscall.Exec puts back the limit of open files Go raised at
		// start, which the command must not inherit; an exec that cannot
		// succeed (an empty path) does just that, before the stop.
		syscall.Exec("", []string{""}, nil)
		stopAndExec(pid, pathp, argvp, envp)
	default:
		os.Exit(stubCancelled)
	}
	err := unix.Exec(path, argv, env)
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		errno = unix.EINVAL
	}
	var msg [4]byte
	binary.LittleEndian.PutUint32(msg[:], uint32(errno))
	unix.Write(stubStatusFD, msg[:])
	os.Exit(stubExecFailed)
}

// stopAndExec stops the process, then (let go by the parent) execs the
// command; if the exec fails it reports the errno and exits. Raw calls
// only, no race instrumentation: the other threads are stopped wherever
// they were, maybe holding the runtime's locks.
//
//go:norace
func stopAndExec(pid int, path *byte, argv, env []*byte) {
	unix.RawSyscall(unix.SYS_TGKILL, uintptr(pid), uintptr(pid), uintptr(unix.SIGSTOP))
	_, _, errno := unix.RawSyscall(unix.SYS_EXECVE, uintptr(unsafe.Pointer(path)), uintptr(unsafe.Pointer(&argv[0])), uintptr(unsafe.Pointer(&env[0])))
	msg := [4]byte{byte(errno), byte(errno >> 8), byte(errno >> 16), byte(errno >> 24)}
	unix.RawSyscall(unix.SYS_WRITE, stubStatusFD, uintptr(unsafe.Pointer(&msg[0])), uintptr(len(msg)))
	unix.RawSyscall(unix.SYS_EXIT_GROUP, stubExecFailed, 0, 0)
}

// newToken returns a random hex token for one child.
func newToken() (string, error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// stubEnviron is the environment the command gets: the parent's.
func stubEnviron() []string {
	env := os.Environ()
	out := env[:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, stubEnv+"=") {
			out = append(out, kv)
		}
	}
	return out
}

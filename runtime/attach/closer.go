package attach

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/runtime/tracefs"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// Releasing many tracepoints. Closing a tracepoint's (or a uprobe's) BPF
// link waits for an RCU tasks-trace grace period, and the last close of its
// perf event waits for more grace periods under a kernel-wide mutex: about
// 35ms each here. Concurrent link closes share their grace periods; perf
// event closes cannot, they run one after the other: 25s for the 720
// events of tracepoint:syscalls:*. A process that dies (SIGKILL) closes
// its descriptors one after the other, so its programs kept running and
// stayed loaded for those 25s.
//
// So when there are many, a child process (argv[0] gobpftrace-release) is
// started before attaching, and each link and perf event is handed to it
// (a second reference, over a socket) as soon as it is attached. When
// gobpftrace detaches, or dies whichever way (even SIGKILL), the socket
// closes: the child closes the links concurrently (the programs are
// detached and freed within a fraction of a second), says so, and then
// closes the perf events, which run no program any more, in the background.

// HolderMin is the number of perf events from which closing them in the
// foreground would take more than about half a second.
const HolderMin = 16

// The child is recognised by three things a user's environment cannot
// produce by accident: argv[0] is holderName, fd 3 is a Unix SEQPACKET
// socket whose peer is the parent process, and the first message on it is
// the random token the parent also put in holderEnv. A GOBPFTRACE_PERF_HOLDER
// set by hand (or inherited) without the rest changes nothing.
const (
	holderName = "gobpftrace-release"
	holderEnv  = "GOBPFTRACE_PERF_HOLDER"
	holderFD   = 3
	tokenBytes = 16
)

func init() {
	if isPerfHolder(os.Args, os.Getenv(holderEnv), holderFD) {
		holdUntilClosed(holderFD)
		os.Exit(0)
	}
}

// isPerfHolder reports whether this process is a child started by
// startPerfHolder; it reads the token message from fd only when
// everything else says so.
func isPerfHolder(args []string, token string, fd int) bool {
	if token == "" || len(args) != 1 || args[0] != holderName || len(token) != 2*tokenBytes {
		return false
	}
	if typ, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TYPE); err != nil || typ != unix.SOCK_SEQPACKET {
		return false
	}
	if dom, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_DOMAIN); err != nil || dom != unix.AF_UNIX {
		return false
	}
	cred, err := unix.GetsockoptUcred(fd, unix.SOL_SOCKET, unix.SO_PEERCRED)
	if err != nil || int(cred.Pid) != os.Getppid() {
		return false
	}
	buf := make([]byte, 2*tokenBytes+1)
	for {
		n, _, err := unix.Recvfrom(fd, buf, unix.MSG_DONTWAIT)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		return err == nil && subtle.ConstantTimeCompare(buf[:n], []byte(token)) == 1
	}
}

// newToken returns a random hex token for one perf holder.
func newToken() (string, error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// holdUntilClosed receives pairs of descriptors (a link, its perf event)
// on sock until the other end shuts down or goes away; then it closes the
// links concurrently, writes one byte back, and closes the perf events.
func holdUntilClosed(sock int) {
	var links, perf []int
	buf := make([]byte, 1)
	oob := make([]byte, unix.CmsgSpace(4*2))
	for {
		n, oobn, _, _, err := unix.Recvmsg(sock, buf, oob, unix.MSG_CMSG_CLOEXEC)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil || n == 0 {
			break // shut down or gone: every message has one byte
		}
		msgs, _ := unix.ParseSocketControlMessage(oob[:oobn])
		for i := range msgs {
			fds, _ := unix.ParseUnixRights(&msgs[i])
			if len(fds) == 2 {
				links = append(links, fds[0])
				perf = append(perf, fds[1])
			} else {
				perf = append(perf, fds...)
			}
		}
	}
	inParallel(links, func(fd int) { unix.Close(fd) })
	unix.Sendmsg(sock, []byte{1}, nil, nil, unix.MSG_NOSIGNAL)
	// No program runs on these perf events any more: each close waits
	// while another run opens tracepoints (tracefs.Busy), which would
	// otherwise wait for this close's grace periods at every open.
	idle := tracefs.NewIdle(idleBudget)
	defer idle.Close()
	for _, fd := range perf {
		idle.Wait()
		unix.Close(fd)
	}
}

// idleBudget bounds how long a release child's closes wait, in all, for
// other runs to open their tracepoints.
const idleBudget = 30 * time.Second

// PerfHolder is the parent's side of a gobpftrace-release child.
type PerfHolder struct {
	sock     int
	cmd      *exec.Cmd
	detached bool
}

// SlowToClose counts the perf events attaching probes will create whose
// last close waits on the kernel: one per tracepoint and per single uprobe
// (a uprobe_multi link has no perf event).
func SlowToClose(probes []*codegen.Program) int {
	n := 0
	for _, p := range probes {
		switch Provider(p) {
		case probetype.Tracepoint:
			n++
		case probetype.Uprobe, probetype.Uretprobe, probetype.USDT:
			if len(p.Group) <= 1 {
				n++
			}
		}
	}
	return n
}

// StartPerfHolder starts the child; nil if it could not start (the perf
// events are then closed in the foreground).
func StartPerfHolder() *PerfHolder {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil
	}
	theirs := os.NewFile(uintptr(fds[1]), "perf-holder")
	defer theirs.Close()
	token, err := newToken()
	if err == nil {
		// Queued before the child starts: its first message.
		err = unix.Sendmsg(fds[0], []byte(token), nil, nil, 0)
	}
	if err != nil {
		unix.Close(fds[0])
		return nil
	}
	cmd := exec.Command("/proc/self/exe")
	cmd.Args = []string{holderName} // what ps shows
	cmd.Env = append(os.Environ(), holderEnv+"="+token)
	cmd.ExtraFiles = []*os.File{theirs}
	// Its own session: a Ctrl-C meant for the terminal's foreground group
	// must not kill it (it would only close the perf events early, in its
	// own exit).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		unix.Close(fds[0])
		return nil
	}
	return &PerfHolder{sock: fds[0], cmd: cmd}
}

// take gives the child a reference to the link and the perf event of a,
// and closes this process's extra handle on the perf event.
func (h *PerfHolder) take(a *tracepointAttachment) {
	raw, ok := a.link.(interface{ FD() int })
	if h == nil || a.perf == nil || !ok {
		return
	}
	for {
		err := unix.Sendmsg(h.sock, []byte{1}, unix.UnixRights(raw.FD(), int(a.perf.Fd())), nil, 0)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err == nil {
			a.perf.Close()
			a.perf = nil
		}
		return
	}
}

// HandOver gives the links and perf events of newly attached probes to the
// child.
func (h *PerfHolder) HandOver(cs []io.Closer) {
	if h == nil {
		return
	}
	for _, c := range cs {
		if a, ok := c.(*tracepointAttachment); ok {
			h.take(a)
		}
	}
}

// Detach asks the child to close the links it holds, and waits until it
// has: the programs no longer run. Call it after closing this process's
// own links, so that the child's closes are the last ones.
func (h *PerfHolder) Detach() {
	if h == nil || h.detached {
		return
	}
	h.detached = true
	unix.Shutdown(h.sock, unix.SHUT_WR)
	buf := make([]byte, 1)
	for {
		// One byte, or the end if the child died (its exit closed them).
		if _, err := unix.Read(h.sock, buf); !errors.Is(err, unix.EINTR) {
			return
		}
	}
}

// Release detaches if that was not done, and lets the child close the perf
// events in the background.
func (h *PerfHolder) Release() {
	if h == nil || h.sock < 0 {
		return
	}
	h.Detach()
	unix.Close(h.sock)
	h.sock = -1
	go h.cmd.Wait() // reaped if this process lives on (REPL, tests)
}

// ReleaseAll closes every attachment. Perf events still held here (no
// holder, or too few to need one) close after their links, in parallel.
func ReleaseAll(cs []io.Closer) {
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
	inParallel(perf, func(f *os.File) { f.Close() })
}

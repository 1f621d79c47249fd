package runtime

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/runtime/output"
)

// formatted acts on the events whose printf-style text names something:
// cat's file, system's command, errorf's and warnf's message.
func (d *dispatcher) formatted(ev *codegen.Event, text string) {
	switch ev.Kind {
	case codegen.EvCat:
		d.cat(text)
	case codegen.EvSystem:
		d.system(text)
	case codegen.EvErrorf, codegen.EvWarnf:
		sev := lang.SevError
		if ev.Kind == codegen.EvWarnf {
			if d.noWarnings {
				return
			}
			sev = lang.SevWarning
		}
		if sev == lang.SevError {
			d.out.ScriptError(ev.Span, text)
		} else {
			d.out.ScriptWarning(ev.Span, text)
		}
	}
}

// cat prints up to max_cat_bytes of a file.
func (d *dispatcher) cat(name string) {
	limit := d.plan.Config.MaxCatBytes
	if limit <= 0 {
		limit = 10240
	}
	// The checker bounds max_cat_bytes; a plan built otherwise is held to
	// the same bound.
	limit = min(limit, maxCatBytes)
	data, err := readInterruptibly(name, limit, d.stop)
	if err != nil {
		// bpftrace's words for cat(), which put the reason in parentheses.
		d.out.Error(fmt.Sprintf("failed to open file '%s' (%s)", name, output.StrerrorText(errnoOf(err))))
		if data == nil {
			return
		}
	}
	d.out.Cat(data)
}

// maxCatBytes is the largest max_cat_bytes (lang/check's configMax).
const maxCatBytes = 1 << 24

// interruptSignals are the signals that end a run (SignalContext); one
// arriving while a builtin waits on a file or a command ends the wait.
var interruptSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP}

// readInterruptibly reads at most limit bytes of the file name. A file
// that makes the reader wait (a FIFO with no writer yet, a slow pipe, a
// device) is waited on with poll, and the wait ends, with what was read
// so far, when stop is closed or SIGINT, SIGTERM or SIGHUP arrives: a
// script's cat() must not make gobpftrace deaf to Ctrl-C.
func readInterruptibly(name string, limit int, stop <-chan struct{}) ([]byte, error) {
	// O_NONBLOCK: opening a FIFO does not wait for a writer (poll does,
	// below, interruptibly); O_NOCTTY: a terminal named by the script
	// does not become ours.
	fd, err := unix.Open(name, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	fifo := unix.Fstat(fd, &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFIFO
	var sig chan os.Signal
	defer func() {
		if sig != nil {
			signal.Stop(sig)
		}
	}()
	// wait polls fd until it is readable; false when interrupted.
	wait := func() bool {
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		for timeout := 0; ; timeout = 100 {
			if n, err := unix.Poll(fds, timeout); n > 0 || err != nil && !errors.Is(err, unix.EINTR) {
				return true
			}
			if sig == nil {
				// Only a read that waits listens for signals.
				sig = make(chan os.Signal, 1)
				signal.Notify(sig, interruptSignals...)
			}
			select {
			case <-stop:
				return false
			case <-sig:
				return false
			default:
			}
		}
	}
	data := make([]byte, 0, min(limit, 64<<10))
	for len(data) < limit {
		// A FIFO with no writer reads as at its end: wait for one first
		// (as a blocking open would).
		if fifo && !wait() {
			return data, nil
		}
		if len(data) == cap(data) {
			data = append(data, make([]byte, min(cap(data), limit-len(data)))...)[:len(data)]
		}
		n, err := unix.Read(fd, data[len(data):cap(data)])
		switch {
		case n > 0:
			data = data[:len(data)+n]
		case err == nil:
			return data, nil // the end
		case errors.Is(err, unix.EAGAIN):
			if !wait() {
				return data, nil
			}
		case errors.Is(err, unix.EINTR):
		default:
			return data, err
		}
		fifo = false
	}
	return data, nil
}

// errnoOf is the errno inside err (EIO when there is none).
func errnoOf(err error) int64 {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return int64(errno)
	}
	return int64(syscall.EIO)
}

// system runs a command through the shell and prints what it writes to
// stdout; tracing waits while it runs, as in bpftrace. The command runs in
// a process group of its own, which SIGINT, SIGTERM or SIGHUP to
// gobpftrace (or the run ending) kills: the wait cannot outlive them. At
// most maxSystemOutput bytes of its output are kept.
func (d *dispatcher) system(command string) {
	d.out.Flush()
	cmd := exec.Command("/bin/sh", "-c", command)
	stdout := &boundedBuffer{limit: maxSystemOutput}
	cmd.Stdout = stdout
	cmd.Stderr = d.stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// Killed, the shell's children may keep its stdout open: stop copying
	// from it a second later.
	cmd.WaitDelay = time.Second
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, interruptSignals...)
	defer signal.Stop(sig)
	err := cmd.Start()
	if err == nil {
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err = <-done:
		case <-d.stop:
			unix.Kill(-cmd.Process.Pid, unix.SIGKILL)
			err = <-done
		case <-sig:
			unix.Kill(-cmd.Process.Pid, unix.SIGKILL)
			err = <-done
		}
	}
	if err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) && !errors.Is(err, exec.ErrWaitDelay) {
			d.out.Error(fmt.Sprintf("system(\"%s\") failed: %v", command, err))
		}
	}
	if stdout.dropped > 0 {
		d.warn("system(\"%s\"): output past %d bytes dropped (%d bytes)", command, maxSystemOutput, stdout.dropped)
	}
	d.out.System(stdout.String())
}

// maxSystemOutput bounds what one system() call keeps of its command's
// output (as max_cat_bytes' ceiling bounds a cat()).
const maxSystemOutput = 1 << 24

// boundedBuffer keeps the first limit bytes written to it and counts the
// rest, which it accepts (so the writer is never blocked) and drops.
type boundedBuffer struct {
	bytes.Buffer
	limit   int
	dropped int
}

func (b *boundedBuffer) Write(p []byte) (int, error) {
	keep := min(len(p), b.limit-b.Len())
	b.Buffer.Write(p[:keep])
	b.dropped += len(p) - keep
	return len(p), nil
}

// join prints the strings of a join() record with the separator.
func (d *dispatcher) join(ev *codegen.Event, rec []byte) {
	if len(rec) < 16 || ev.JoinSlot <= 0 {
		d.warn("join: record too short")
		return
	}
	n := int(binary.LittleEndian.Uint64(rec[8:]))
	var parts []string
	for i := 0; i < n && i < codegen.JoinArgs; i++ {
		off := 16 + i*ev.JoinSlot
		if off+ev.JoinSlot > len(rec) {
			break
		}
		s := rec[off : off+ev.JoinSlot]
		if z := bytes.IndexByte(s, 0); z >= 0 {
			s = s[:z]
		}
		if len(s) == 0 {
			// bpftrace stops at the first empty string.
			break
		}
		parts = append(parts, string(s))
	}
	d.out.Join(strings.Join(parts, ev.Format))
}

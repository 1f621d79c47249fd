package attach

import (
	"errors"
	"fmt"
	"io"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/runtime/host"
)

// perfAttachment is a BPF program attached to one perf event. Closing it
// detaches the program and closes the event.
type perfAttachment struct {
	link link.Link // nil when attached with the ioctl fallback
	fd   int
}

func (p *perfAttachment) Close() error {
	var err error
	if p.link != nil {
		err = p.link.Close()
	} else {
		_ = unix.IoctlSetInt(p.fd, unix.PERF_EVENT_IOC_DISABLE, 0)
	}
	if cerr := unix.Close(p.fd); err == nil {
		err = cerr
	}
	return err
}

// attachPerfEvent opens the perf event on cpu and attaches prog with a BPF
// link, falling back to PERF_EVENT_IOC_SET_BPF. pid 0 counts every process;
// another pid counts that process and, as bpftrace does (inherit), the
// threads and children it creates once the event is open.
func attachPerfEvent(prog *ebpf.Program, attr unix.PerfEventAttr, cpu, pid int) (*perfAttachment, error) {
	target := -1
	if pid > 0 {
		target = pid
		attr.Bits |= unix.PerfBitInherit
	}
	fd, err := unix.PerfEventOpen(&attr, target, cpu, -1, unix.PERF_FLAG_FD_CLOEXEC)
	if err != nil {
		return nil, err
	}
	l, err := link.AttachRawLink(link.RawLinkOptions{Target: fd, Program: prog, Attach: ebpf.AttachPerfEvent})
	if err == nil {
		return &perfAttachment{link: l, fd: fd}, nil
	}
	if !errors.Is(err, ebpf.ErrNotSupported) && !errors.Is(err, unix.EINVAL) {
		unix.Close(fd)
		return nil, err
	}
	if err := unix.IoctlSetInt(fd, unix.PERF_EVENT_IOC_SET_BPF, prog.FD()); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("setting the perf event's program: %w", err)
	}
	if err := unix.IoctlSetInt(fd, unix.PERF_EVENT_IOC_ENABLE, 0); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("enabling the perf event: %w", err)
	}
	return &perfAttachment{fd: fd}, nil
}

// attachEveryCPU attaches prog to the perf event on each online CPU, of
// process pid only when pid is not 0.
func attachEveryCPU(p *codegen.Program, prog *ebpf.Program, attr unix.PerfEventAttr, pid int) ([]io.Closer, error) {
	cpus, err := host.OnlineCPUs()
	if err != nil {
		return nil, err
	}
	var closers []io.Closer
	for _, cpu := range cpus {
		pa, err := attachPerfEvent(prog, attr, cpu, pid)
		if err != nil {
			closeAll(closers)
			return nil, attachError(p, err)
		}
		closers = append(closers, pa)
	}
	return closers, nil
}

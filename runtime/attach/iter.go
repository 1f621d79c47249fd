package attach

import (
	"fmt"
	"io"
	"unsafe"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/codegen"
)

// attachIter attaches an iter probe's program to its iterator. Most
// iterators need nothing more; iter:cgroup needs an order, and walks the
// whole cgroup hierarchy from the root, parents before children.
func attachIter(p *codegen.Program, prog *ebpf.Program) ([]io.Closer, error) {
	if p.Attach == nil || p.Attach.Func != "cgroup" {
		l, err := link.AttachIter(link.IterOptions{Program: prog})
		if err != nil {
			return nil, attachError(p, err)
		}
		if p.Attach != nil && p.Attach.Pin != "" {
			return []io.Closer{&PinnedIter{Iter: l, Path: p.Attach.Pin}}, nil
		}
		return []io.Closer{l}, nil
	}
	// union bpf_iter_link_info's cgroup member: order, cgroup_fd (0: the
	// root), cgroup_id.
	var info [16]byte
	*(*uint32)(unsafe.Pointer(&info[0])) = bpfCgroupIterDescendantsPre
	l, err := linkCreateIter(prog, info[:])
	if err != nil {
		return nil, attachError(p, err)
	}
	if p.Attach.Pin != "" {
		return []io.Closer{&PinnedIter{Iter: l, Path: p.Attach.Pin}}, nil
	}
	return []io.Closer{l}, nil
}

// bpfCgroupIterDescendantsPre is BPF_CGROUP_ITER_DESCENDANTS_PRE: a
// cgroup, then its descendants.
const bpfCgroupIterDescendantsPre = 2

// linkCreateIter is BPF_LINK_CREATE of an iterator with link info, which
// cilium/ebpf's AttachIter only fills for map iterators.
func linkCreateIter(prog *ebpf.Program, info []byte) (*link.Iter, error) {
	// union bpf_attr's link_create: prog_fd, target_fd, attach_type,
	// flags, then iter_info (a pointer) and iter_info_len.
	var attr struct {
		progFD, targetFD, attachType, flags uint32
		iterInfo                            uint64
		iterInfoLen                         uint32
		_                                   [28]byte
	}
	attr.progFD = uint32(prog.FD())
	attr.attachType = uint32(ebpf.AttachTraceIter)
	attr.iterInfo = uint64(uintptr(unsafe.Pointer(&info[0])))
	attr.iterInfoLen = uint32(len(info))
	fd, _, errno := unix.Syscall(unix.SYS_BPF, unix.BPF_LINK_CREATE, uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr))
	if errno != 0 {
		return nil, fmt.Errorf("can't link iterator: %w", errno)
	}
	l, err := link.NewFromFD(int(fd))
	if err != nil {
		unix.Close(int(fd))
		return nil, err
	}
	it, ok := l.(*link.Iter)
	if !ok {
		l.Close()
		return nil, fmt.Errorf("the kernel made a link of type %T, not an iterator", l)
	}
	return it, nil
}

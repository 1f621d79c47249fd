package runtime

import (
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/codegen"
)

const (
	provUprobe    = "uprobe"
	provUretprobe = "uretprobe"
	provUSDT      = "usdt"
)

// uprobeTarget says where a uprobe, uretprobe or usdt program attaches:
// the file, and a symbol (plus offset) or a file offset in opts.Address.
// The checker resolves the target into the Resolved fields; a plan built
// by hand may give only the attach point as written
// (uprobe:<path>:<symbol>[+offset] or uprobe:<path>:<address>).
func uprobeTarget(p *codegen.Program, pid int) (path, symbol string, opts *link.UprobeOptions, err error) {
	a := p.Attach
	opts = &link.UprobeOptions{PID: pid}
	if a.Binary != "" {
		switch {
		case provider(p) == provUSDT:
			opts.Address = a.FileOffset
			opts.RefCtrOffset = a.USDTSemaphore
			if a.FileOffset == 0 {
				return "", "", nil, fmt.Errorf("%s: the probe has no location", probeName(p))
			}
		case a.Symbol == "":
			opts.Address = a.FileOffset
			if a.FileOffset == 0 {
				return "", "", nil, fmt.Errorf("%s: address 0 can not be probed", probeName(p))
			}
		default:
			symbol, opts.Offset = a.Symbol, a.Offset
		}
		return a.Binary, symbol, opts, nil
	}
	if provider(p) == provUSDT {
		return "", "", nil, fmt.Errorf("%s: the USDT probe was not resolved to a location", probeName(p))
	}
	var parts []string
	if a.Point != nil {
		parts = a.Point.Parts
	}
	if len(parts) != 2 || parts[0] == "" || parts[1] == "" {
		return "", "", nil, fmt.Errorf("%s: expected %s:path:function", probeName(p), provider(p))
	}
	path = parts[0]
	if !strings.Contains(path, "/") {
		if found, err := exec.LookPath(path); err == nil {
			path = found
		}
	}
	target := parts[1]
	if addr, err := strconv.ParseUint(target, 0, 64); err == nil {
		opts.Address = addr
		return path, "", opts, nil
	}
	if sym, off, ok := strings.Cut(target, "+"); ok {
		n, err := strconv.ParseUint(off, 0, 64)
		if err != nil {
			return "", "", nil, fmt.Errorf("%s: bad offset %q", probeName(p), off)
		}
		target, opts.Offset = sym, n
	}
	return path, target, opts, nil
}

// attachUprobe attaches a uprobe, uretprobe or usdt program; pid, when not
// 0, limits it to that process.
func attachUprobe(p *codegen.Program, prog *ebpf.Program, pid int) ([]io.Closer, error) {
	if len(p.Group) > 1 {
		return attachUprobeMulti(p, prog, pid)
	}
	path, symbol, opts, err := uprobeTarget(p, pid)
	if err != nil {
		return nil, err
	}
	ex, err := link.OpenExecutable(path)
	if err != nil {
		return nil, fmt.Errorf("%s: could not open %s: %s", probeName(p), path, errnoText(err))
	}
	var l link.Link
	if provider(p) == provUretprobe {
		l, err = ex.Uretprobe(symbol, prog, opts)
	} else {
		l, err = ex.Uprobe(symbol, prog, opts)
	}
	if errors.Is(err, link.ErrNoSymbol) {
		return nil, fmt.Errorf("%s: could not find function %s in %s", probeName(p), symbol, path)
	}
	if err != nil {
		return nil, uprobeError(p, err)
	}
	return []io.Closer{l}, nil
}

// attachUprobeMulti attaches the matches of a wildcard with one
// uprobe_multi link; the cookie of match i is i.
func attachUprobeMulti(p *codegen.Program, prog *ebpf.Program, pid int) ([]io.Closer, error) {
	path := p.Attach.Binary
	symbols := make([]string, len(p.Group))
	opts := &link.UprobeMultiOptions{PID: uint32(pid), Cookies: make([]uint64, len(p.Group))}
	for i, r := range p.Group {
		symbols[i] = r.Symbol
		opts.Cookies[i] = uint64(i)
	}
	ex, err := link.OpenExecutable(path)
	if err != nil {
		return nil, fmt.Errorf("%s: could not open %s: %s", probeName(p), path, errnoText(err))
	}
	var l link.Link
	if provider(p) == provUretprobe {
		l, err = ex.UretprobeMulti(symbols, prog, opts)
	} else {
		l, err = ex.UprobeMulti(symbols, prog, opts)
	}
	if errors.Is(err, link.ErrNoSymbol) {
		return nil, fmt.Errorf("%s: %v", probeName(p), err)
	}
	if err != nil {
		return nil, uprobeError(p, err)
	}
	return []io.Closer{l}, nil
}

// errENOTSUPP is the kernel's ENOTSUPP (524), which has no name in libc:
// the uprobe cannot be placed on the instruction at that address.
const errENOTSUPP = unix.Errno(524)

func uprobeError(p *codegen.Program, err error) error {
	if errors.Is(err, errENOTSUPP) {
		if len(p.Group) > 1 {
			return fmt.Errorf("Error attaching probe: %s: the kernel cannot place a uprobe on the first instruction of one of the %d functions matched", probeName(p), len(p.Group))
		}
		return fmt.Errorf("Error attaching probe: %s: the kernel cannot place a uprobe on that instruction", probeName(p))
	}
	return attachError(p, err)
}

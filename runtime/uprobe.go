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

	"github.com/gobpftrace/gobpftrace/codegen"
)

const (
	provUprobe    = "uprobe"
	provUretprobe = "uretprobe"
)

// uprobeTarget reads uprobe:<path>:<symbol>[+offset] or
// uprobe:<path>:<address> from the attach point as written (the checker
// resolves no extra fields for uprobes yet). A path without '/' is looked
// up in $PATH.
func uprobeTarget(p *codegen.Program) (path, symbol string, opts *link.UprobeOptions, err error) {
	var parts []string
	if p.Attach.Point != nil {
		parts = p.Attach.Point.Parts
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
	opts = &link.UprobeOptions{}
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

// attachUprobe attaches a uprobe or uretprobe program.
func attachUprobe(p *codegen.Program, prog *ebpf.Program) ([]io.Closer, error) {
	path, symbol, opts, err := uprobeTarget(p)
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
		return nil, attachError(p, err)
	}
	return []io.Closer{l}, nil
}

package attach

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/runtime/probes"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// attachRequest is what attaching a kernel function or raw tracepoint
// program asks of the kernel, built without touching it so that tests can
// check it on kernels that lack the feature.
type attachRequest struct {
	// Kind is kprobe, kretprobe, fentry or fexit (both attached as tracing
	// links: the target is in the program, attach type and BTF id fixed at
	// load) or rawtracepoint.
	Kind probetype.Type
	// Symbol is the kernel function (kprobes) or raw tracepoint name.
	Symbol string
	// Module is the kernel module of the function ("" for vmlinux).
	Module string
	// Offset is kprobe:func+offset's offset.
	Offset uint64
}

// kernelAttachRequest builds the attach request of a kprobe, kretprobe,
// fentry, fexit or rawtracepoint program.
func kernelAttachRequest(p *codegen.Program) (attachRequest, error) {
	a := p.Attach
	switch Provider(p) {
	case probetype.Kprobe, probetype.Kretprobe:
		if a.Func == "" {
			return attachRequest{}, fmt.Errorf("%s: no function to probe", ProbeName(p))
		}
		return attachRequest{Kind: Provider(p), Symbol: a.Func, Module: a.Module, Offset: a.Offset}, nil
	case probetype.Fentry, probetype.Fexit:
		return attachRequest{Kind: Provider(p), Symbol: a.Func, Module: a.Module}, nil
	case probetype.RawTracepoint:
		if a.Event == "" {
			return attachRequest{}, fmt.Errorf("%s: no raw tracepoint to attach", ProbeName(p))
		}
		return attachRequest{Kind: probetype.RawTracepoint, Symbol: a.Event, Module: a.Module}, nil
	}
	return attachRequest{}, fmt.Errorf("%s: %s probes are not kernel function probes", ProbeName(p), Provider(p))
}

// attachKernel attaches a kprobe, kretprobe, fentry, fexit or
// rawtracepoint program.
func attachKernel(p *codegen.Program, prog *ebpf.Program) ([]io.Closer, error) {
	req, err := kernelAttachRequest(p)
	if err != nil {
		return nil, err
	}
	var l link.Link
	switch req.Kind {
	case probetype.Kprobe:
		l, err = link.Kprobe(req.Symbol, prog, &link.KprobeOptions{Offset: req.Offset})
	case probetype.Kretprobe:
		l, err = link.Kretprobe(req.Symbol, prog, nil)
	case probetype.Fentry, probetype.Fexit:
		l, err = link.AttachTracing(link.TracingOptions{Program: prog})
	case probetype.RawTracepoint:
		// The kernel finds a raw tracepoint by its name alone: the module
		// of rawtracepoint:module:event is checked against its BTF, as
		// bpftrace checks it.
		if req.Module != "" && req.Module != "vmlinux" && !probes.RawTracepointInModule(req.Module, req.Symbol) {
			return nil, fmt.Errorf("No BTF found for %s:%s.", req.Module, req.Symbol)
		}
		l, err = link.AttachRawTracepoint(link.RawTracepointOptions{Name: req.Symbol, Program: prog})
	}
	if err != nil {
		switch {
		case errors.Is(err, os.ErrNotExist) && req.Kind == probetype.RawTracepoint:
			return nil, fmt.Errorf("%s: raw tracepoint %s does not exist", ProbeName(p), req.Symbol)
		case errors.Is(err, os.ErrNotExist):
			return nil, fmt.Errorf("%s: function %s does not exist or cannot be traced", ProbeName(p), req.Symbol)
		}
		return nil, attachError(p, err)
	}
	return []io.Closer{l}, nil
}

// FentryUnavailable is the one line for an fentry/fexit program that the
// kernel refuses to load while we are privileged.
func FentryUnavailable(p *codegen.Program) error {
	return errors.New(withAlternative(ProbeName(p)+": fentry/fexit probes are not available: this kernel does not permit BPF tracing programs (BPF_PROG_TYPE_TRACING load failed with EPERM)", p))
}

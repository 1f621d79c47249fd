package attach

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/runtime/host"
	"github.com/gobpftrace/gobpftrace/runtime/tracefs"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// ProbeName is the probe a program runs for, as messages name it.
func ProbeName(p *codegen.Program) string {
	if p.Attach != nil && p.Attach.Name != "" {
		return p.Attach.Name
	}
	return p.Name
}

// Provider is the provider of the probe a program runs for.
func Provider(p *codegen.Program) probetype.Type {
	if p.Attach == nil {
		return ""
	}
	return p.Attach.Provider
}

// CheckSupported refuses providers the runtime cannot attach, before
// anything is loaded, with one line saying why.
func CheckSupported(plan *codegen.Plan) error {
	for _, p := range plan.Programs {
		if err := checkProgramSupported(p); err != nil {
			return errors.New(withAlternative(err.Error(), p))
		}
	}
	return nil
}

// SkipUnsupported applies config missing_probes = warn or ignore to the
// programs this kernel cannot run: they are left out of a copy of the
// plan (with a warning for warn).
func SkipUnsupported(plan *codegen.Plan, stderr io.Writer) *codegen.Plan {
	mode := plan.Config.MissingProbes
	if mode != "warn" && mode != "ignore" {
		return plan
	}
	var keep []*codegen.Program
	var dropped []string
	for _, p := range plan.Programs {
		if err := checkProgramSupported(p); err != nil && p.Attach != nil && !p.Attach.Provider.Special() {
			if mode == "warn" {
				fmt.Fprintf(stderr, "WARNING: %v (skipped: missing_probes = warn)\n", err)
			}
			dropped = append(dropped, p.Name)
			continue
		}
		keep = append(keep, p)
	}
	if len(dropped) == 0 {
		return plan
	}
	cp := *plan
	cp.Spec = plan.Spec.Copy()
	for _, name := range dropped {
		delete(cp.Spec.Programs, name)
	}
	cp.Programs = keep
	return &cp
}

func checkProgramSupported(p *codegen.Program) error {
	{
		switch prov := Provider(p); prov {
		case probetype.Begin, probetype.End, probetype.Self, probetype.Bench, probetype.Test, probetype.Iter, probetype.Tracepoint, probetype.Interval, probetype.Profile, probetype.Software, probetype.Uprobe, probetype.Uretprobe, probetype.USDT:
		case probetype.Kprobe, probetype.Kretprobe:
			if !tracefs.HasKprobes() {
				return fmt.Errorf("%s: kprobes are not available: this kernel was built without CONFIG_KPROBES", ProbeName(p))
			}
		case probetype.Hardware:
			if !host.HasPMU() {
				return fmt.Errorf("%s: hardware events are not available: this machine has no hardware performance counters (no PMU)", ProbeName(p))
			}
		case probetype.RawTracepoint, probetype.Fentry, probetype.Fexit:
		case "":
			return fmt.Errorf("internal error: program %s has no attach point", p.Name)
		default:
			return fmt.Errorf("%s: %s probes are not supported yet", ProbeName(p), prov)
		}
	}
	return nil
}

// Env is what attaching needs besides the program.
type Env struct {
	// PID, when not 0, limits the probes that are opened per process
	// (uprobes, uretprobes, usdt, profile, software and hardware events)
	// to that process.
	PID int
	// Running: the process of PID ran before gobpftrace (-p), so the
	// files it maps are known (a -c command stopped at its first
	// instruction has not mapped its libraries yet).
	Running bool
	// Unsafe is --unsafe: a uretprobe on a Go function whose return
	// instructions are not found is then placed as a return probe anyway
	// (with a warning) instead of being refused.
	Unsafe bool
	// Skip receives a warning for each match of a wildcard that is
	// skipped (the "Attached" line does not count it).
	Skip func(string)
	// Warn receives the other warnings of attaching; Verbose the details
	// -v shows (how a probe was placed). Either may be nil.
	Warn, Verbose func(string)
}

func (e Env) warn(msg string) {
	if e.Warn != nil {
		e.Warn(msg)
	}
}

func (e Env) verbose(msg string) {
	if e.Verbose != nil {
		e.Verbose(msg)
	}
}

func (e Env) skip(msg string) {
	if e.Skip != nil {
		e.Skip(msg)
	}
}

// Attach attaches one non-BEGIN/END program; the closers detach it. Each
// provider has its own file: tracepoint.go, timers.go (interval,
// profile), software.go (software, hardware), uprobe.go (uprobe,
// uretprobe, usdt), kernelprobes.go (kprobe, kretprobe, fentry, fexit,
// rawtracepoint), iter.go.
func Attach(p *codegen.Program, prog *ebpf.Program, env Env) ([]io.Closer, error) {
	switch Provider(p) {
	case probetype.Tracepoint:
		return attachTracepoint(p, prog, env)
	case probetype.Interval:
		return attachInterval(p, prog)
	case probetype.Profile:
		return attachProfile(p, prog, env.PID)
	case probetype.Uprobe, probetype.Uretprobe, probetype.USDT:
		return attachUprobe(p, prog, env)
	case probetype.Software, probetype.Hardware:
		return attachSoftware(p, prog, env.PID)
	case probetype.Kprobe, probetype.Kretprobe, probetype.Fentry, probetype.Fexit, probetype.RawTracepoint:
		return attachKernel(p, prog)
	case probetype.Iter:
		return attachIter(p, prog)
	}
	return nil, fmt.Errorf("%s: %s probes are not supported yet", ProbeName(p), Provider(p))
}

// RunIterators runs the iterators among the attached links (iter
// probes), each once to its end: reading an iterator runs its program on
// every object in turn. What the programs print comes through the ring
// buffer. It reports whether there was any.
func RunIterators(attached []io.Closer) (bool, error) {
	found := false
	for _, c := range attached {
		it, ok := c.(*link.Iter)
		if !ok {
			continue
		}
		found = true
		rd, err := it.Open()
		if err != nil {
			return true, fmt.Errorf("could not start the iterator: %s", host.ErrnoText(err))
		}
		_, err = io.Copy(io.Discard, rd)
		rd.Close()
		if err != nil {
			return true, fmt.Errorf("the iterator failed: %s", host.ErrnoText(err))
		}
	}
	return found, nil
}

// isWildcard reports whether an attach point was written with * or ?.
func isWildcard(pt *lang.AttachPoint) bool {
	return pt != nil && strings.ContainsAny(pt.Raw, "*?")
}

func attachError(p *codegen.Program, err error) error {
	switch {
	case host.IsPermission(err) && !host.Privileged():
		return host.PrivilegeError()
	case errors.Is(err, os.ErrNotExist) && Provider(p) == probetype.Tracepoint:
		return fmt.Errorf("tracepoint not found: %s:%s", p.Attach.Category, p.Attach.Event)
	case errors.Is(err, ebpf.ErrNotSupported):
		return fmt.Errorf("Error attaching probe: %s: this kernel does not support it", ProbeName(p))
	}
	return fmt.Errorf("Error attaching probe: %s: %s", ProbeName(p), host.ErrnoText(err))
}

package load

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/runtime/attach"
	"github.com/gobpftrace/gobpftrace/runtime/host"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// Loaded holds the kernel objects of a plan.
type Loaded struct {
	Maps  map[string]*ebpf.Map     // by Spec name
	Progs map[string]*ebpf.Program // by Spec name
}

// Options are what loading needs of a run's options.
type Options struct {
	// Verbose writes the whole verifier log of a rejected program.
	Verbose bool
	// Stderr receives it (os.Stderr when nil).
	Stderr io.Writer
}

func (o Options) stderr() io.Writer {
	if o.Stderr == nil {
		return os.Stderr
	}
	return o.Stderr
}

// Close unloads every program and map.
func (l *Loaded) Close() {
	for _, p := range l.Progs {
		p.Close()
	}
	for _, m := range l.Maps {
		m.Close()
	}
}

// Load creates every map of the plan, then loads its programs one by one
// so that a rejection names the probe it came from. On error nothing stays
// loaded.
func Load(plan *codegen.Plan, opts Options) (*Loaded, error) {
	return loadWith(plan, opts, ebpf.ProgramOptions{}, nil)
}

// loadWith is load with program options; each loaded program's verifier
// log (when progOpts asks for one) is passed to logf.
func loadWith(plan *codegen.Plan, opts Options, progOpts ebpf.ProgramOptions, logf func(p *codegen.Program, log string)) (*Loaded, error) {
	l := &Loaded{Maps: map[string]*ebpf.Map{}, Progs: map[string]*ebpf.Program{}}
	ok := false
	defer func() {
		if !ok {
			l.Close()
		}
	}()
	for name, spec := range plan.Spec.Maps {
		m, err := ebpf.NewMap(spec)
		if err != nil {
			return nil, mapLoadError(plan, name, err)
		}
		l.Maps[name] = m
	}
	for _, p := range plan.Programs {
		if _, done := l.Progs[p.Name]; done {
			continue
		}
		spec := plan.Spec.Programs[p.Name]
		if spec == nil {
			return nil, fmt.Errorf("internal error: program %s of %s is missing from the plan", p.Name, attach.ProbeName(p))
		}
		spec = spec.Copy()
		if err := l.resolveMaps(spec); err != nil {
			return nil, fmt.Errorf("internal error: %s: %v", attach.ProbeName(p), err)
		}
		prog, err := ebpf.NewProgramWithOptions(spec, progOpts)
		if err != nil {
			return nil, programLoadError(plan, p, err, opts)
		}
		if logf != nil {
			logf(p, prog.VerifierLog)
		}
		l.Progs[p.Name] = prog
	}
	ok = true
	return l, nil
}

// resolveMaps points the program's map loads at the created maps, as
// ebpf.NewCollection would.
func (l *Loaded) resolveMaps(spec *ebpf.ProgramSpec) error {
	for i := range spec.Instructions {
		ins := &spec.Instructions[i]
		if !ins.IsLoadFromMap() || ins.Reference() == "" {
			continue
		}
		m := l.Maps[ins.Reference()]
		if m == nil {
			return fmt.Errorf("program %s uses unknown map %s", spec.Name, ins.Reference())
		}
		if err := ins.AssociateMap(m); err != nil {
			return fmt.Errorf("map %s: %v", ins.Reference(), err)
		}
	}
	return nil
}

// probeName names a program the way users wrote its probe.
func mapLoadError(plan *codegen.Plan, name string, err error) error {
	if host.IsPermission(err) && !host.Privileged() {
		return host.PrivilegeError()
	}
	display := name
	for _, m := range plan.Maps {
		if m.Name == name {
			display = m.ScriptName
		}
	}
	return fmt.Errorf("could not create map %s: %s", display, host.ErrnoText(err))
}

func programLoadError(plan *codegen.Plan, p *codegen.Program, err error, opts Options) error {
	if prov := attach.Provider(p); (prov == probetype.Fentry || prov == probetype.Fexit) && host.IsPermission(err) && host.Privileged() {
		return attach.FentryUnavailable(p)
	}
	var verr *ebpf.VerifierError
	if errors.As(err, &verr) {
		if host.IsPermission(verr.Cause) && !host.Privileged() {
			return host.PrivilegeError()
		}
		if opts.Verbose && len(verr.Log) > 0 {
			writeVerifierLog(opts.stderr(), verr.Log)
		}
		summary := verifierSummary(verr)
		msg := fmt.Sprintf("Error loading BPF program for %s: the kernel's verifier rejected it (%s)",
			attach.ProbeName(p), summary)
		if d := rejectedAt(plan, p, verr.Log, summary, opts.Verbose); d != nil {
			return errors.New(strings.TrimSuffix(lang.Format(plan.File, plan.Source, d), "\n"))
		}
		if !opts.Verbose && len(verr.Log) > 0 {
			msg += "; run with -v to see the verifier log"
		}
		return errors.New(msg)
	}
	if host.IsPermission(err) && !host.Privileged() {
		return host.PrivilegeError()
	}
	if errors.Is(err, ebpf.ErrNotSupported) {
		return fmt.Errorf("Error loading BPF program for %s: this kernel does not support it", attach.ProbeName(p))
	}
	return fmt.Errorf("Error loading BPF program for %s: %s", attach.ProbeName(p), host.ErrnoText(err))
}

// verifierSummary is the verifier's own reason: the last log line that is
// not statistics, or the errno in words.
func verifierSummary(verr *ebpf.VerifierError) string {
	if errors.Is(verr.Cause, unix.ENOMEM) {
		// The log stops mid-walk: the verifier could not grow its record
		// of the stack accesses since the last branch.
		return "the verifier ran out of memory on a long stretch of code without branches (too large)"
	}
	for i := len(verr.Log) - 1; i >= 0; i-- {
		line := strings.TrimSpace(verr.Log[i])
		if line == "" || strings.HasPrefix(line, "processed ") || strings.HasPrefix(line, "verification time") ||
			strings.HasPrefix(line, "stack depth") || strings.HasPrefix(line, "mark_precise") ||
			// State dumps that follow the reason (e.g. after "infinite loop detected").
			strings.HasPrefix(line, "cur state:") || strings.HasPrefix(line, "old state:") {
			continue
		}
		return line
	}
	return host.ErrnoText(verr.Cause)
}

// verifierLogTail is how many lines of the verifier log -v shows.
const verifierLogTail = 40

func writeVerifierLog(w io.Writer, log []string) {
	start := max(0, len(log)-verifierLogTail)
	fmt.Fprintln(w, "Verifier log (last lines):")
	for _, line := range log[start:] {
		fmt.Fprintln(w, line)
	}
}

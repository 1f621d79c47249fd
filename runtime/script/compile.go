package script

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/check"
	"github.com/gobpftrace/gobpftrace/lang/parser"
	"github.com/gobpftrace/gobpftrace/runtime/probes"
)

// Options are how a script is compiled and run.
type Options struct {
	// File names the script in diagnostics ("stdin" when empty, as for
	// gobpftrace -e).
	File string
	// Params are the positional parameters $1, $2... (and getopt's
	// --name=value arguments).
	Params []string
	// Config holds settings that take precedence over the script's config
	// block, as bpftrace's BPFTRACE_* environment variables do:
	// {"max_strlen": "128"} or {"BPFTRACE_MAX_STRLEN": "128"}. The
	// environment itself is not read.
	Config map[string]string
	// Format is the output format of RunOptions.Output: "text" (or "")
	// prints as bpftrace does, "json" one JSON object per line (-f json).
	Format string
	// PID is -p: probes that can be limited to a process fire for it only,
	// uprobes resolve libraries among its mappings, and the session ends
	// when it exits. 0: none.
	PID int
	// Command is -c, split into its arguments: the session starts it once
	// every probe is attached, `cpid` is its pid, and the session ends
	// when it exits. Empty: none.
	Command []string
	// Unsafe allows the functions that change the traced system (system,
	// signal, override), as --unsafe does, and a kernel return probe on a
	// Go function whose return instructions are not found.
	Unsafe bool
	// HelperErrors reports failing BPF helper calls at run time (-k).
	HelperErrors bool
	// HistSums keeps the sum of the values of every hist() and lhist()
	// key (Histogram.Sum), at the cost of a second map update per event;
	// --metrics sets it for the histograms' _sum.
	HistSums bool
	// IncludeDirs are searched for the C headers the script includes
	// (-I DIR); Includes are included before the script's own #include
	// lines (--include FILE). See includes.go.
	IncludeDirs []string
	Includes    []string
	// NoUprobeMulti attaches the matches of a uprobe wildcard one uprobe
	// each, not together with one uprobe_multi link (--no-feature
	// uprobe_multi).
	NoUprobeMulti bool
	// ProbeFilter, when set, keeps only the attach points whose name as
	// written it matches (--probe-filter); a probe left without any is
	// dropped.
	ProbeFilter *regexp.Regexp
}

// Script is a compiled script, ready to start. It may be started any
// number of times, also at once.
type Script struct {
	opts     Options
	file     string
	source   string
	plan     *codegen.Plan
	checked  *lang.Checked
	warnings []Diagnostic
}

// Severity tells an error from a warning.
type Severity int

const (
	Error Severity = iota
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Diagnostic is one message about a place in the script. Line and Col are
// 1-based; EndLine and EndCol give the end of the range (EndCol excluded).
// Line is 0 for a message about the script as a whole.
type Diagnostic struct {
	Severity        Severity
	File            string
	Line, Col       int
	EndLine, EndCol int
	Message         string
	// Hint suggests a fix ("" when there is none).
	Hint string
	// Text is the message as gobpftrace prints it: the place, the script
	// line with the range underlined, and the hint.
	Text string
}

// CompileError is the error of a script that does not compile: every
// diagnostic found. Its Error text is the diagnostics' Text, one after the
// other, as gobpftrace prints them.
type CompileError struct {
	Diagnostics []Diagnostic
	diags       *lang.Diagnostics
}

func (e *CompileError) Error() string { return e.diags.Error() }

// Unwrap returns the compiler's own diagnostics (*lang.Diagnostics).
func (e *CompileError) Unwrap() error { return e.diags }

// Compile parses, checks and compiles source. A script that does not
// compile returns a *CompileError listing its diagnostics. Compiling needs
// no privileges, but reads the system's tracefs and BTF when the script
// names tracepoints or kernel types.
func Compile(source string, opts Options) (*Script, error) {
	env, err := probes.NewEnv()
	if err != nil {
		return nil, err
	}
	return CompileIn(env, source, opts)
}

// CompileIn is Compile in env, which describes the system the script runs
// on to the checker (tracepoints, types, probes): gobpftrace's interactive
// session shares one between its entries. Tests may pass a fixed one.
func CompileIn(env lang.Env, source string, opts Options) (*Script, error) {
	file := opts.File
	if file == "" {
		file = "stdin"
	}
	prog, err := parser.Parse(file, source)
	if err != nil {
		return nil, compileError(err)
	}
	if err := resolveIncludes(prog, file, source, opts.IncludeDirs, opts.Includes); err != nil {
		return nil, err
	}
	if opts.ProbeFilter != nil {
		if err := filterProbes(prog, opts.ProbeFilter); err != nil {
			return nil, err
		}
	}
	copts := check.Options{Params: opts.Params, Env: opts.Config, TargetPID: opts.PID, Command: len(opts.Command) > 0, Unsafe: opts.Unsafe}
	checked, err := check.Check(prog, file, source, env, copts)
	if err != nil {
		return nil, compileError(err)
	}
	plan, err := codegen.Compile(checked, codegen.Options{HelperErrors: opts.HelperErrors, HistSums: opts.HistSums, NoUprobeMulti: opts.NoUprobeMulti})
	if err != nil {
		var ds *lang.Diagnostics
		if errors.As(err, &ds) && len(checked.Warnings) > 0 {
			// The checker's warnings follow the errors, as they do when
			// the checker itself refuses the script.
			err = &lang.Diagnostics{File: ds.File, Source: ds.Source, List: check.WithWarnings(ds.List, checked.Warnings)}
		}
		return nil, compileError(err)
	}
	s := &Script{opts: opts, file: file, source: source, plan: plan, checked: checked}
	for _, w := range checked.Warnings {
		s.warnings = append(s.warnings, diagnostic(file, source, w))
	}
	return s, nil
}

// filterProbes keeps the attach points re matches (by their text as
// written, as in "tracepoint:syscalls:sys_enter_read" or "BEGIN").
func filterProbes(prog *lang.Program, re *regexp.Regexp) error {
	var kept []*lang.Probe
	for _, p := range prog.Probes {
		var aps []*lang.AttachPoint
		for _, ap := range p.AttachPoints {
			if re.MatchString(ap.Raw) {
				aps = append(aps, ap)
			}
		}
		if len(aps) > 0 {
			p.AttachPoints = aps
			p.Index = len(kept)
			kept = append(kept, p)
		}
	}
	if len(kept) == 0 {
		return fmt.Errorf("no probe of the script matches --probe-filter %q", re)
	}
	prog.Probes = kept
	return nil
}

// compileError makes a *CompileError of the compiler's diagnostics; other
// errors pass unchanged.
func compileError(err error) error {
	var ds *lang.Diagnostics
	if !errors.As(err, &ds) {
		return err
	}
	ce := &CompileError{diags: ds}
	for _, d := range ds.List {
		ce.Diagnostics = append(ce.Diagnostics, diagnostic(ds.File, ds.Source, d))
	}
	return ce
}

func diagnostic(file, source string, d *lang.Diagnostic) Diagnostic {
	out := Diagnostic{
		Severity: Error, File: file,
		Line: d.Span.Start.Line, Col: d.Span.Start.Col,
		EndLine: d.Span.End.Line, EndCol: d.Span.End.Col,
		Message: d.Msg, Hint: d.Hint,
		Text: lang.Format(file, source, d),
	}
	if d.Severity == lang.SevWarning {
		out.Severity = Warning
	}
	if d.Global {
		out.File = ""
	}
	return out
}

// Warnings are the compiler's warnings about the script, in source order.
func (s *Script) Warnings() []Diagnostic { return s.warnings }

// Options returns the options the script was compiled with.
func (s *Script) Options() Options { return s.opts }

// Maps names the script's maps ("@calls", "@"), in order of first use.
func (s *Script) Maps() []string {
	names := make([]string, len(s.plan.Maps))
	for n, m := range s.plan.Maps {
		names[n] = m.ScriptName
	}
	return names
}

// Probes names the attach points the script's probes expand to
// (wildcards resolved), as gobpftrace -l -e prints them.
func (s *Script) Probes() []string {
	var names []string
	for _, cp := range s.checked.Probes {
		for _, r := range cp.Attach {
			names = append(names, r.Name)
		}
	}
	return names
}

// Plan and Checked are the compiler's results, for tools that show them
// (gobpftrace -d). Unlike the rest of this package, their types follow
// the compiler's changes.
func (s *Script) Plan() *codegen.Plan    { return s.plan }
func (s *Script) Checked() *lang.Checked { return s.checked }

// mapNamed finds a map by its script name, with or without its '@'.
func (s *Script) mapNamed(name string) *codegen.Map {
	if !strings.HasPrefix(name, "@") {
		name = "@" + name
	}
	for _, m := range s.plan.Maps {
		if m.ScriptName == name {
			return m
		}
	}
	return nil
}

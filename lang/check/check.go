package check

import (
	"fmt"
	"slices"

	"github.com/gobpftrace/gobpftrace/lang"
)

// Options are the inputs of a check besides the script.
type Options struct {
	// Params are the positional parameters $1..$N.
	Params []string
	// Env holds settings from the environment (BPFTRACE_MAX_STRLEN=...,
	// also accepted as max_strlen=...); they take precedence over the
	// script's config block.
	Env map[string]string
	// TargetPID is -p PID (0: none): library names of uprobes resolve
	// among the libraries that process has mapped first.
	TargetPID int
	// Command is set when the run starts a child (-c CMD): only then is
	// `cpid` valid.
	Command bool
	// Unsafe allows the functions that change the traced system (system,
	// signal, override), as bpftrace's --unsafe does.
	Unsafe bool

	// named holds getopt's named arguments, split from Params.
	named map[string]string
}

// Check checks prog (parsed from src) and returns it annotated. On failure
// the error is a *lang.Diagnostics listing every error found.
func Check(prog *lang.Program, file, src string, env lang.Env, opts Options) (out *lang.Checked, err error) {
	defer func() {
		if r := recover(); r != nil {
			out = nil
			err = &lang.Diagnostics{File: file, Source: src, List: []*lang.Diagnostic{
				{Severity: lang.SevError, Msg: fmt.Sprintf("internal error in the checker: %v", r)},
			}}
		}
	}()
	if prog == nil {
		return nil, &lang.Diagnostics{File: file, Source: src, List: []*lang.Diagnostic{{Msg: "no program"}}}
	}
	if errs := expandMacros(prog); len(errs) > 0 {
		return nil, &lang.Diagnostics{File: file, Source: src, List: errs}
	}
	normalizeBuiltins(prog)
	wildcards := expandWildcardDeletes(prog)
	// Macros may have deepened the tree past what the parser allowed.
	if n := lang.TooDeep(prog, lang.MaxDepth); n != nil {
		return nil, &lang.Diagnostics{File: file, Source: src, List: []*lang.Diagnostic{lang.DepthError(n)}}
	}
	env = newCachedEnv(env)
	opts.Params, opts.named = SplitNamedArgs(opts.Params)
	foldPositionalStrings(prog, opts.Params)
	// Before checking, which may turn getopt() calls into their values.
	declared, optErrs := declaredOptions(prog)
	// Pass one learns map types from every assignment, wherever it is, so
	// that a probe may read a map that a later probe writes.
	first := newChecker(prog, file, src, env, opts, nil)
	first.wildcards = wildcards
	first.run()
	c := newChecker(prog, file, src, env, opts, first)
	c.wildcards = wildcards
	c.run()
	c.out.Options = declared
	c.errs = append(c.errs, optErrs...)
	if len(c.errs) == 0 {
		if d := unexpectedOptions(opts.named, c.out.Options); d != nil {
			c.errs = append(c.errs, d)
		}
	}
	unmangleMessages(prog, c.errs)
	unmangleMessages(prog, c.out.Warnings)
	if len(c.errs) > 0 {
		return nil, &lang.Diagnostics{File: file, Source: src, List: WithWarnings(c.errs, c.out.Warnings)}
	}
	return c.out, nil
}

// WithWarnings is the list of a script that does not compile: its errors,
// then its warnings, as bpftrace v0.26 prints them (every error, then every
// warning, each in the order found). A warning without a place (an unstable
// feature's, which bpftrace logs as soon as it sees the feature) comes
// first; a warning already among the errors (a missing tracepoint's, which
// says where before "Unable to attach") is not repeated.
func WithWarnings(errs, warnings []*lang.Diagnostic) []*lang.Diagnostic {
	var out []*lang.Diagnostic
	for _, w := range warnings {
		if w.Global {
			out = append(out, w)
		}
	}
	out = append(out, errs...)
	for _, w := range warnings {
		if !w.Global && !slices.Contains(errs, w) {
			out = append(out, w)
		}
	}
	return out
}

type checker struct {
	prog *lang.Program
	env  lang.Env
	opts Options
	out  *lang.Checked

	errs []*lang.Diagnostic
	// tpArgs holds the args struct made of each tracepoint's format, which
	// every probe of that tracepoint shares (see tracepointArgs).
	tpArgs map[tpArgsKey]*lang.Type
	// namedProbes are the bench: and test: probes seen so far, by
	// provider and name, to refuse a name used twice.
	namedProbes map[string]*lang.AttachPoint
	// goArgsWarned are the argN already warned about in uprobes on Go
	// functions (goArgWarning).
	goArgsWarned map[string]bool
	// argsFieldDepth counts the args.field accesses being checked: args
	// alone is a value (a uprobe's record of parameters) only outside them.
	argsFieldDepth int
	// dead counts the branches being checked that a condition known at
	// compile time rules out: fail() and static_assert() say nothing there.
	dead int
	// errAt dedups errors reported twice at the same place.
	errAt map[string]bool
	// poisonedVars and poisonedMaps were assigned a value whose check
	// failed: their uses report nothing more, so one mistake gives one error.
	poisonedVars map[*lang.VarSym]bool
	poisonedMaps map[string]bool
	// assigning is the map whose `=` assignment is being checked: a read
	// of it on the right (`@n = @n + 1`) sees a new map's 0 as an int64.
	assigning string

	maps  map[string]*lang.MapSym
	known map[string]*lang.MapSym // types learnt by the first pass
	// knownKeyed names the maps whose keyedness the first pass fixed.
	knownKeyed map[string]bool
	mapUses    []*lang.MapExpr
	// mapPrints are the print(@m, ...) calls with arguments after the
	// map, checked once every map's type is known (printArgs).
	mapPrints []mapPrint
	// lenCalls are the len(@m) calls, checked once every map's keys are
	// known (printArgs).
	lenCalls []mapPrint
	nextVar  int
	// scalarKnown marks maps whose keyedness a use has fixed.
	scalarKnown map[*lang.MapSym]bool
	// wildcards are the loops that delete()s with * keys became.
	wildcards map[*lang.ForMapStmt]wildcardUse

	// Per probe.
	// ctypes are the script's C definitions.
	ctypes *cTypes

	probe  *lang.Probe
	attach []*lang.Resolved
	// missingAttach are the current probe's attach points this system
	// lacks (checkMissingProbes).
	missingAttach []missingAttach
	scope         *scope
	// declared marks variables whose type was written (`let $x: uint8`).
	declared map[*lang.VarSym]bool
	varUses  []*lang.Var
	// varAddrs are the probe's &$x, typed again at its end (fixVarAddrs).
	varAddrs []*lang.Unary
	// unstableWarned: the unstable features warned about (unstable).
	unstableWarned map[*unstableFeature]bool
	// externalArgs counts the external function calls whose arguments
	// are being checked: &@m is allowed only there.
	externalArgs int
	loops        int
	probeStr     *lang.Type

	// stores are the integer values stored in variables and maps, checked
	// against the final types at the end (castWarnings).
	stores []intStore
}

func newChecker(prog *lang.Program, file, src string, env lang.Env, opts Options, prev *checker) *checker {
	c := &checker{
		prog:  prog,
		env:   env,
		opts:  opts,
		out:   &lang.Checked{Prog: prog, File: file, Source: src, Params: opts.Params, PIDFilter: pidFilter(opts.TargetPID)},
		errAt: map[string]bool{},
		maps:  map[string]*lang.MapSym{},

		scalarKnown:  map[*lang.MapSym]bool{},
		declared:     map[*lang.VarSym]bool{},
		poisonedVars: map[*lang.VarSym]bool{},
		poisonedMaps: map[string]bool{},
	}
	if prev != nil {
		c.poisonedMaps = prev.poisonedMaps
		c.known = prev.maps
		c.knownKeyed = map[string]bool{}
		for m := range prev.scalarKnown {
			c.knownKeyed[m.Name] = true
		}
	}
	return c
}

func (c *checker) run() {
	c.checkConfig()
	c.checkPreamble()
	for _, p := range c.prog.Probes {
		if p == nil {
			continue
		}
		c.checkProbe(p)
	}
	c.checkProbeCount()
	c.checkIterAlone()
	c.checkMapDecls()
	c.printArgs()
	c.castWarnings()
	// Maps may widen after a use was typed; every use shows the final type.
	for _, m := range c.mapUses {
		if m.Sym != nil && m.Sym.Value != nil && m.Type() != nil && m.Type().Kind != lang.KNone {
			if m.Sym.Value.IsAggregation() && !m.Type().IsAggregation() {
				continue // a count, sum, min, max or avg read as an integer
			}
			m.SetType(m.Sym.Value)
		}
	}
}

// errorf reports an error at span.
func (c *checker) errorf(span lang.Span, format string, args ...any) {
	d := lang.Errorf(span, format, args...)
	key := fmt.Sprintf("%d:%d:%s", span.Start.Offset, span.End.Offset, d.Msg)
	if c.errAt[key] {
		return
	}
	c.errAt[key] = true
	c.errs = append(c.errs, d)
}

// hintf adds a hint to the last error.
func (c *checker) hintf(format string, args ...any) {
	if len(c.errs) > 0 {
		c.errs[len(c.errs)-1].Hint = fmt.Sprintf(format, args...)
	}
}

// warnf records a warning at span.
func (c *checker) warnf(span lang.Span, format string, args ...any) {
	d := lang.Errorf(span, format, args...)
	d.Severity = lang.SevWarning
	c.out.Warnings = append(c.out.Warnings, d)
}

// pidFilter is Checked.PIDFilter for -p PID (0 or a bad pid: none).
func pidFilter(pid int) uint32 {
	if pid <= 0 || pid > 1<<31-1 {
		return 0
	}
	return uint32(pid)
}

package check

import (
	"errors"
	"fmt"
	"math"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/parser"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// resolveAttach expands one attach point into concrete ones, canonicalising
// its provider name in place.
func (c *checker) resolveAttach(ap *lang.AttachPoint) []*lang.Resolved {
	if !c.substituteParams(ap) {
		return nil
	}
	if hasWildcard(ap.Provider) {
		return c.resolveAnyProvider(ap)
	}
	prov := probetype.Lookup(ap.Provider)
	if prov == nil {
		c.errorf(ap.Span, "Invalid probe type: %s", ap.Provider)
		if s := suggest(ap.Provider, probetype.Names()); s != "" {
			c.hintf("did you mean %s?", s)
		} else {
			c.hintf("valid types are %s", strings.Join(probetype.Names(), ", "))
		}
		return nil
	}
	written := ap.Provider
	ap.Provider = string(prov.Name)
	parts, ok := c.expandParts(ap)
	if !ok {
		return nil
	}
	if !prov.Supported {
		c.errorf(ap.Span, "%s probes are not supported yet", prov.Name)
		return nil
	}
	switch prov.Name {
	case probetype.Begin, probetype.End:
		if len(parts) != 0 {
			c.errorf(ap.Span, "%s probe type requires 0 arguments", prov.Name)
			return nil
		}
		// probe prints begin/end as written: bpftrace v0.26's own
		// spelling is lower case, BEGIN/END its older one.
		// (ap.Raw: the first of the checker's two passes already wrote
		// the canonical provider into ap.Provider.)
		name := string(prov.Name)
		if probetype.Bare(ap.Raw) {
			name = ap.Raw
		}
		return []*lang.Resolved{{Point: ap, Provider: prov.Name, Name: name}}
	case probetype.Self:
		return c.resolveSelf(ap, parts)
	case probetype.Bench, probetype.Test:
		return c.resolveNamed(ap, prov.Name, written, parts)
	case probetype.Iter:
		return c.resolveIter(ap, parts)
	case probetype.Tracepoint:
		return c.resolveTracepoint(ap, parts)
	case probetype.Interval, probetype.Profile:
		return c.resolveInterval(ap, parts)
	case probetype.Software, probetype.Hardware:
		return c.resolvePerfEvent(ap, parts)
	case probetype.Kprobe, probetype.Kretprobe:
		return c.resolveKprobe(ap, parts)
	case probetype.Fentry, probetype.Fexit:
		return c.resolveFentry(ap, parts)
	case probetype.RawTracepoint:
		return c.resolveRawTracepoint(ap, parts)
	case probetype.Uprobe, probetype.Uretprobe:
		return c.resolveUprobe(ap, parts)
	case probetype.USDT:
		return c.resolveUSDT(ap, parts)
	}
	c.errorf(ap.Span, "%s probes are not supported yet", prov.Name)
	return nil
}

func hasWildcard(s string) bool { return strings.ContainsAny(s, "*?") }

// userSpaceTypes are the probe types a wildcard type stands for in user
// space, those bpftrace lists there (return probes left out).
var userSpaceTypes = []probetype.Type{probetype.Uprobe, probetype.USDT}

// resolveAnyProvider expands a probe type with a wildcard, as bpftrace
// does in user space: when the binary is a path (it has a '/') or with -p,
// "*:./app:*" is each of uprobe and usdt whose name the pattern matches,
// with the rest of the attach point. An expansion that does not fit its
// type (too many parts) or matches nothing is passed over, with its
// errors; when none attaches, all their errors are reported.
func (c *checker) resolveAnyProvider(ap *lang.AttachPoint) []*lang.Resolved {
	userSpace := c.opts.TargetPID > 0 || len(ap.Parts) > 0 && strings.Contains(ap.Parts[0], "/")
	if !userSpace {
		c.errorf(ap.Span, "No probe type matched for %s", ap.Provider)
		c.hintf("a wildcard probe type stands for the user-space types (uprobe, usdt) when the binary is a path (has a '/') or with -p PID; kernel probe types are named in full")
		return nil
	}
	type attempt struct {
		errs     []*lang.Diagnostic
		warnings []*lang.Diagnostic
		res      []*lang.Resolved
	}
	var tries []attempt
	for _, t := range userSpaceTypes {
		if !globMatch(ap.Provider, string(t)) {
			continue
		}
		cp := *ap
		cp.Provider = string(t)
		cp.Raw = string(t) + strings.TrimPrefix(ap.Raw, ap.Provider)
		errs, warns := len(c.errs), len(c.out.Warnings)
		res := c.resolveAttach(&cp)
		tries = append(tries, attempt{slices.Clone(c.errs[errs:]), slices.Clone(c.out.Warnings[warns:]), res})
		c.errs, c.out.Warnings = c.errs[:errs], c.out.Warnings[:warns]
	}
	if len(tries) == 0 {
		c.errorf(ap.Span, "No probe type matched for %s", ap.Provider)
		return nil
	}
	attached := slices.ContainsFunc(tries, func(a attempt) bool { return len(a.res) > 0 })
	var out []*lang.Resolved
	for _, a := range tries {
		if attached && len(a.res) == 0 {
			continue
		}
		c.errs = append(c.errs, a.errs...)
		c.out.Warnings = append(c.out.Warnings, a.warnings...)
		out = append(out, a.res...)
	}
	return out
}

func (c *checker) resolveTracepoint(ap *lang.AttachPoint, parts []string) []*lang.Resolved {
	if len(parts) != 2 || parts[0] == "" || parts[1] == "" {
		c.errorf(ap.Span, "tracepoint probe type requires 2 arguments")
		c.hintf("write tracepoint:category:event, e.g. tracepoint:syscalls:sys_enter_openat")
		return nil
	}
	if c.env == nil {
		c.errorf(ap.Span, "tracepoints are unknown here (no system information)")
		return nil
	}
	cat, ev := parts[0], parts[1]
	pairs := [][2]string{{cat, ev}}
	if hasWildcard(cat) || hasWildcard(ev) {
		var err error
		pairs, err = c.env.MatchTracepoints(cat, ev)
		if err != nil {
			c.errorf(ap.Span, "%v", err)
			return nil
		}
		if len(pairs) == 0 {
			// A wildcard that matches nothing is dropped without a word,
			// as bpftrace v0.26 drops it: the probe's other attach points
			// still attach, and a script left without any stops with
			// "No probes to attach".
			return nil
		}
	}
	var out []*lang.Resolved
	for _, p := range pairs {
		// The format file is read only if the probe uses args
		// (tracepointTypes): each read waits for the kernel's event mutex.
		if err := c.checkTracepoint(p[0], p[1]); err != nil {
			if errors.Is(err, lang.ErrTracepointNotFound) {
				c.missingTracepoint(ap, p[0], p[1])
				continue
			}
			// The system's own words: why it could not tell (no
			// permission, no tracefs).
			c.errorf(ap.Span, "%v", err)
			continue
		}
		out = append(out, &lang.Resolved{
			Point:    ap,
			Provider: probetype.Tracepoint,
			Name:     "tracepoint:" + p[0] + ":" + p[1],
			Category: p[0],
			Event:    p[1],
		})
	}
	return out
}

// checkTracepoint reports whether category:event exists, without reading
// its format file when the Env can tell.
func (c *checker) checkTracepoint(cat, ev string) error {
	if ce, ok := c.env.(lang.TracepointCheckEnv); ok {
		return ce.CheckTracepoint(cat, ev)
	}
	t, err := c.env.Tracepoint(cat, ev)
	return tracepointFound(cat, ev, t, err)
}

// tracepointTypes reads the argument struct of a tracepoint attach point
// the first time its probe uses args. It reports false after an error,
// which it reports at the attach point unless quiet.
func (c *checker) tracepointTypes(r *lang.Resolved, quiet bool) bool {
	if r.Args != nil || r.Provider != probetype.Tracepoint || c.env == nil {
		return true
	}
	args, err := c.env.Tracepoint(r.Category, r.Event)
	if err = tracepointFound(r.Category, r.Event, args, err); err != nil {
		if !quiet {
			c.errorf(r.Point.Span, "%v", err)
		}
		return false
	}
	r.Args = c.tracepointArgs(r.Category, r.Event, args)
	return true
}

// tracepointArgs adapts a format file's struct to the language: char[N]
// fields (signed 1-byte elements; u8[N] stays an array, as in bpftrace) read
// as string[N], and pointers of syscall tracepoints point to user memory.
// The probes of one tracepoint share the struct, made once.
func (c *checker) tracepointArgs(cat, ev string, st *lang.Type) *lang.Type {
	key := tpArgsKey{cat, ev, st}
	if t, ok := c.tpArgs[key]; ok {
		return t
	}
	t := tracepointArgs(cat, ev, st)
	if c.tpArgs == nil {
		c.tpArgs = map[tpArgsKey]*lang.Type{}
	}
	c.tpArgs[key] = t
	return t
}

type tpArgsKey struct {
	cat, ev string
	st      *lang.Type
}

func tracepointArgs(cat, ev string, st *lang.Type) *lang.Type {
	out := *st
	if out.Name == "" {
		out.Name = "struct _tracepoint_" + cat + "_" + ev
	}
	out.Fields = make([]*lang.Field, len(st.Fields))
	for i, f := range st.Fields {
		nf := *f
		t := f.Type
		switch {
		case t == nil:
		case t.Kind == lang.KArray && t.Elem != nil && t.Elem.Kind == lang.KInt && t.Elem.Size == 1 && t.Elem.Signed:
			t = lang.StringType(t.Len)
			t.CharArray = true
		case t.Kind == lang.KPtr && cat == "syscalls" && !f.DataLoc:
			u := *t
			u.UserSpace = true
			t = &u
		}
		nf.Type = t
		out.Fields[i] = &nf
	}
	return &out
}

var timeUnits = map[string]uint64{"s": 1e9, "ms": 1e6, "us": 1e3, "ns": 1}

func (c *checker) resolveInterval(ap *lang.AttachPoint, parts []string) []*lang.Resolved {
	prov := probetype.Type(ap.Provider)
	r := &lang.Resolved{Point: ap, Provider: prov, Name: string(prov) + ":" + strings.Join(parts, ":")}
	var unit, count string
	switch len(parts) {
	case 2:
		unit, count = parts[0], parts[1]
	case 1:
		// interval:1s, interval:100ms
		p := parts[0]
		i := 0
		for i < len(p) && (p[i] >= '0' && p[i] <= '9' || p[i] == '_') {
			i++
		}
		count, unit = p[:i], p[i:]
		if unit == "" {
			c.errorf(ap.Span, "%s probe needs a unit of time: %s", prov, ap.Raw)
			c.hintf("write e.g. %s:s:1, %s:ms:100, %s:1s or %s:hz:99", prov, prov, prov, prov)
			return nil
		}
	default:
		c.errorf(ap.Span, "%s probe type requires 1 or 2 arguments", prov)
		c.hintf("write e.g. %s:s:1, %s:ms:100, %s:1s or %s:hz:99", prov, prov, prov, prov)
		return nil
	}
	if count == "" {
		c.errorf(ap.Span, "%s probe needs a count: %s", prov, ap.Raw)
		c.hintf("write e.g. %s:s:1, %s:ms:100, %s:1s or %s:hz:99", prov, prov, prov, prov)
		return nil
	}
	n, ok := attachCount(count)
	if !ok || n == 0 {
		c.errorf(ap.Span, "%s probe needs a positive integer count, not '%s'", prov, count)
		return nil
	}
	if unit == "hz" {
		if n > 1e9 {
			c.errorf(ap.Span, "%s frequency %d hz is too high", prov, n)
			return nil
		}
		r.Frequency = n
		if prov == probetype.Interval {
			// One CPU, so a period serves as well as a frequency.
			r.PeriodNs = uint64(1e9) / n
		}
		return []*lang.Resolved{r}
	}
	mult, ok := timeUnits[unit]
	if !ok {
		c.errorf(ap.Span, "%s is not an accepted unit of time", unit)
		c.hintf("accepted units are s, ms, us, ns and hz")
		return nil
	}
	if n > ^uint64(0)/mult {
		c.errorf(ap.Span, "%s period is too long", prov)
		return nil
	}
	r.PeriodNs = n * mult
	return []*lang.Resolved{r}
}

// attachCount reads the count of an interval, profile or perf event
// probe: digits, with '_' separators, or an integer in scientific
// notation (1e6), as bpftrace accepts.
func attachCount(s string) (uint64, bool) {
	s = strings.ReplaceAll(s, "_", "")
	mant, exp, sci := strings.Cut(s, "e")
	n, err := strconv.ParseUint(mant, 10, 64)
	if err != nil {
		return 0, false
	}
	if !sci {
		return n, true
	}
	e, err := strconv.ParseUint(exp, 10, 8)
	if err != nil {
		return 0, false
	}
	for range e {
		if n > math.MaxUint64/10 {
			return 0, false
		}
		n *= 10
	}
	return n, true
}

// substituteParams replaces the positional parameters written inside an
// attach point ($1 { }, BEG$1, i:ms:$1) by their text, as bpftrace does,
// and splits the result again.
func (c *checker) substituteParams(ap *lang.AttachPoint) bool {
	if !strings.Contains(ap.Raw, "$") {
		return true
	}
	var out strings.Builder
	raw := ap.Raw
	for i := 0; i < len(raw); i++ {
		j := i + 1
		for j < len(raw) && raw[j] >= '0' && raw[j] <= '9' {
			j++
		}
		if raw[i] != '$' || j == i+1 {
			out.WriteByte(raw[i])
			continue
		}
		n, _ := strconv.Atoi(raw[i+1 : j])
		if n < 1 || n > len(c.opts.Params) {
			c.errorf(ap.Span, "Positional parameter %s used in %s is not given", raw[i:j], ap.Raw)
			return false
		}
		out.WriteString(c.opts.Params[n-1])
		i = j - 1
	}
	parts := parser.SplitAttach(out.String())
	ap.Raw, ap.Provider, ap.Parts = out.String(), parts[0], parts[1:]
	if len(ap.Parts) == 0 {
		if !probetype.Bare(ap.Provider) {
			c.errorf(ap.Span, "invalid attach point %q: expected provider:target", ap.Raw)
			return false
		}
	}
	return true
}

// expandParts substitutes positional parameters ($1, $2, ...) written as
// whole attach point fields.
func (c *checker) expandParts(ap *lang.AttachPoint) ([]string, bool) {
	out := make([]string, len(ap.Parts))
	for i, p := range ap.Parts {
		out[i] = p
		if len(p) < 2 || p[0] != '$' {
			continue
		}
		n, err := strconv.Atoi(p[1:])
		if err != nil || n < 1 {
			continue
		}
		if n > len(c.opts.Params) {
			c.errorf(ap.Span, "Positional parameter %s used in %s is not given", p, ap.Raw)
			return nil, false
		}
		out[i] = c.opts.Params[n-1]
	}
	return out, true
}

// missingTracepoint handles a tracepoint this kernel does not have, as
// bpftrace v0.26 does: a warning at the attach point (unless
// missing_probes = ignore), the attach point left out; a probe left with
// no attach point is then an error unless missing_probes is warn or
// ignore (checkMissingProbes).
func (c *checker) missingTracepoint(ap *lang.AttachPoint, cat, ev string) {
	d := lang.Errorf(ap.Span, "tracepoint not found: %s:%s", cat, ev)
	d.Severity = lang.SevWarning
	d.Hint = c.tracepointHint(cat, ev)
	c.missingAttach = append(c.missingAttach, missingAttach{name: "tracepoint:" + cat + ":" + ev, warning: d})
	if c.out.Config.MissingProbes != "ignore" {
		c.out.Warnings = append(c.out.Warnings, d)
	}
}

// missingAttach is an attach point of the current probe that this system
// lacks, and the warning said about it.
type missingAttach struct {
	name    string
	warning *lang.Diagnostic
}

// checkMissingProbes refuses a probe whose every attach point is missing
// (bpftrace's words, unless missing_probes is warn or ignore); the
// warnings come first, saying where.
func (c *checker) checkMissingProbes(cp *lang.CheckedProbe) {
	missing := c.missingAttach
	c.missingAttach = nil
	if len(cp.Attach) > 0 || len(missing) == 0 {
		return
	}
	if mode := c.out.Config.MissingProbes; mode == "warn" || mode == "ignore" {
		return
	}
	for _, m := range missing {
		c.errs = append(c.errs, m.warning)
		d := lang.Errorf(lang.Span{}, "Unable to attach probe: %s. If this is expected, set the 'missing_probes' config variable to 'warn'.", m.name)
		d.Global = true
		c.errs = append(c.errs, d)
	}
}

// tracepointHint suggests the tracepoint closest to category:event, an
// event of the same category or else a category, when one is close ("" when
// none is).
func (c *checker) tracepointHint(cat, ev string) string {
	all, err := c.env.MatchTracepoints("*", "*")
	if err != nil {
		return ""
	}
	var events, cats []string
	seen := map[string]bool{}
	for _, tp := range all {
		if tp[0] == cat {
			events = append(events, tp[1])
		}
		if !seen[tp[0]] {
			seen[tp[0]] = true
			cats = append(cats, tp[0])
		}
	}
	if len(events) > 0 {
		if s := suggest(ev, events); s != "" {
			return fmt.Sprintf("did you mean tracepoint:%s:%s?", cat, s)
		}
		return fmt.Sprintf("-l 'tracepoint:%s:*' lists the events of %s", cat, cat)
	}
	if s := suggest(cat, cats); s != "" {
		return fmt.Sprintf("did you mean tracepoint:%s:%s? (no category %s)", s, ev, cat)
	}
	return ""
}

// selfTriggers are the events self probes may name, and selfSignals the
// signals of self:signal, as in bpftrace v0.26: SIGUSR1 alone.
var (
	selfTriggers = []string{"signal"}
	selfSignals  = []string{"SIGUSR1"}
)

// resolveSelf checks self:signal:SIGNAL, run by the runtime each time
// gobpftrace receives the signal.
func (c *checker) resolveSelf(ap *lang.AttachPoint, parts []string) []*lang.Resolved {
	if len(parts) != 2 || parts[0] == "" || parts[1] == "" {
		c.errorf(ap.Span, "self probe type requires 2 arguments")
		c.hintf("write self:signal:SIGUSR1")
		return nil
	}
	if !slices.Contains(selfTriggers, parts[0]) {
		c.errorf(ap.Span, "%s is not a supported trigger", parts[0])
		c.hintf("self probes have one trigger: signal (self:signal:SIGUSR1)")
		return nil
	}
	if !slices.Contains(selfSignals, parts[1]) {
		c.errorf(ap.Span, "%s is not a supported signal", parts[1])
		c.hintf("self:signal supports %s", strings.Join(selfSignals, ", "))
		return nil
	}
	return []*lang.Resolved{{Point: ap, Provider: probetype.Self, Name: "self:signal:" + parts[1]}}
}

// resolveNamed checks bench:NAME (a micro benchmark of --mode bench) and
// test:NAME (a test of --mode test), with bpftrace's messages: the name
// is required and unique among the probes of its kind.
func (c *checker) resolveNamed(ap *lang.AttachPoint, prov probetype.Type, written string, parts []string) []*lang.Resolved {
	if len(parts) != 1 || parts[0] == "" {
		c.errorf(ap.Span, "%s probes must have a name", prov)
		c.hintf("write %s:NAME", prov)
		return nil
	}
	if hasWildcard(parts[0]) {
		c.errorf(ap.Span, "%s probes can not have wildcards", prov)
		return nil
	}
	key := string(prov) + ":" + parts[0]
	if other := c.namedProbes[key]; other != nil {
		c.errorf(ap.Span, "%q was used as the name for more than one %s probe", parts[0], strings.ToUpper(written))
		c.errorf(other.Span, "this is the other instance")
		return nil
	}
	if c.namedProbes == nil {
		c.namedProbes = map[string]*lang.AttachPoint{}
	}
	c.namedProbes[key] = ap
	return []*lang.Resolved{{Point: ap, Provider: prov, Name: string(prov) + ":" + parts[0]}}
}

// resolveIter checks iter:NAME and iter:NAME:PIN. A pin is a file in
// bpffs, absolute or relative to /sys/fs/bpf as in bpftrace: the runtime
// pins the iterator there instead of running it, and each read of the
// file runs it (see Resolved.Pin).
func (c *checker) resolveIter(ap *lang.AttachPoint, parts []string) []*lang.Resolved {
	if len(parts) == 0 || parts[0] == "" || len(parts) > 2 {
		c.errorf(ap.Span, "iter probe type takes 2 arguments (1 optional)")
		c.hintf("write iter:NAME or iter:NAME:PIN, NAME one of %s", strings.Join(probetype.IterTargets, ", "))
		return nil
	}
	if hasWildcard(parts[0]) || (len(parts) == 2 && hasWildcard(parts[1])) {
		c.errorf(ap.Span, "iter probe type does not support wildcards")
		return nil
	}
	if slices.Contains(probetype.IterMapTargets, parts[0]) {
		c.errorf(ap.Span, "iter:%s iterates over the elements of one map, which an iter probe cannot name", parts[0])
		c.hintf("iter:bpf_map lists the maps; read a script's own maps with print() or for loops")
		return nil
	}
	if !c.iterAvailable(parts[0]) {
		c.errorf(ap.Span, "iter %s not available for your kernel version.", parts[0])
		c.hintf("gobpftrace -l 'iter:*' lists the iterators of this kernel")
		return nil
	}
	r := &lang.Resolved{Point: ap, Provider: probetype.Iter, Name: "iter:" + parts[0], Func: parts[0]}
	if len(parts) == 2 {
		pin, ok := c.iterPin(ap, parts[1])
		if !ok {
			return nil
		}
		r.Pin = pin
	}
	return []*lang.Resolved{r}
}

// bpffsRoot is where bpffs is mounted by convention, and where a
// relative pin goes.
const bpffsRoot = "/sys/fs/bpf"

// iterPin checks the pin of iter:NAME:PIN and makes it absolute.
func (c *checker) iterPin(ap *lang.AttachPoint, pin string) (string, bool) {
	if pin == "" || strings.HasSuffix(pin, "/") {
		c.errorf(ap.Span, "iter probe pin must name a file")
		c.hintf("write iter:NAME:PIN, a file under %s (iter:task:tasks) or an absolute path in bpffs", bpffsRoot)
		return "", false
	}
	if !strings.HasPrefix(pin, "/") {
		pin = bpffsRoot + "/" + pin
	}
	pin = path.Clean(pin)
	// The kernel refuses a name with a dot in bpffs (reserved there).
	if base := path.Base(pin); strings.Contains(base, ".") {
		c.errorf(ap.Span, "iter probe pin %s: a file in bpffs may not have a '.' in its name", pin)
		c.hintf("name it e.g. %s", path.Join(path.Dir(pin), strings.ReplaceAll(base, ".", "_")))
		return "", false
	}
	return pin, true
}

// checkIterAlone refuses, as bpftrace does, an iter probe next to any
// other probe but BEGIN and END: the run ends when the iteration does.
func (c *checker) checkIterAlone() {
	var iter *lang.Resolved
	others := 0
	for _, p := range c.out.Probes {
		for _, r := range p.Attach {
			switch r.Provider {
			case probetype.Iter:
				if iter != nil {
					c.errorf(r.Point.Span, "Only single iter attach point is allowed.")
					return
				}
				iter = r
			case probetype.Begin, probetype.End:
			default:
				others++
			}
		}
	}
	if iter != nil && others > 0 {
		c.errorf(iter.Point.Span, "Iterator probe can't be mixed with other probes")
		c.hintf("an iter probe runs once per object and then the script ends; trace other events in another run")
	}
}

// iterAvailable reports whether the kernel has the iterator name: a
// bpf_iter_NAME target function and its context, struct bpf_iter__NAME.
// Without kernel types (no BTF in the environment) the well-known
// iterators are taken on trust; attaching then tells.
func (c *checker) iterAvailable(name string) bool {
	fe, fok := c.env.(lang.FuncEnv)
	te := c.typeEnv()
	if !fok || te == nil {
		return slices.Contains(probetype.IterTargets, name)
	}
	if _, _, err := fe.KernelFunc("", "bpf_iter_"+name); err != nil {
		return errors.Is(err, errNoSystemInfo) && slices.Contains(probetype.IterTargets, name)
	}
	_, found, err := te.KernelType("struct bpf_iter__" + name)
	return found && err == nil
}

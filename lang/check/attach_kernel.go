package check

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/stdlib"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// resolvePerfEvent reads software:event[:count] and hardware:event[:count].
// PeriodNs keeps the count as written (0: none); PerfCount is the count to
// use (the event's default when none is given).
func (c *checker) resolvePerfEvent(ap *lang.AttachPoint, parts []string) []*lang.Resolved {
	prov := probetype.Type(ap.Provider)
	if len(parts) < 1 || len(parts) > 2 || parts[0] == "" {
		c.errorf(ap.Span, "%s probe type requires 1 or 2 arguments", prov)
		if prov == probetype.Software {
			c.hintf("write e.g. software:page-faults:100")
		} else {
			c.hintf("write e.g. hardware:cache-misses:1000000")
		}
		return nil
	}
	ev := stdlib.LookupPerfEvent(prov, parts[0])
	if ev == nil {
		c.errorf(ap.Span, "%s:%s is not a %s event", prov, parts[0], prov)
		var names []string
		list := stdlib.SoftwareEvents
		if prov == probetype.Hardware {
			list = stdlib.HardwareEvents
		}
		for _, e := range list {
			names = append(names, e.Name)
		}
		if s := suggest(parts[0], names); s != "" {
			c.hintf("did you mean %s?", s)
		} else {
			c.hintf("%s events are %s", prov, strings.Join(names, ", "))
		}
		return nil
	}
	r := &lang.Resolved{Point: ap, Provider: prov, Name: string(prov) + ":" + strings.Join(parts, ":"),
		PerfConfig: ev.Config, PerfCount: ev.DefaultCount}
	if len(parts) == 2 && parts[1] != "" {
		n, ok := attachCount(parts[1])
		if !ok || n == 0 {
			c.errorf(ap.Span, "%s probe needs a positive integer count, not '%s'", prov, parts[1])
			return nil
		}
		r.PeriodNs, r.PerfCount = n, n
	}
	return []*lang.Resolved{r}
}

// validFuncName reports whether s can name a kernel function or event.
func validFuncName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if !(b == '_' || b == '.' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9') {
			return false
		}
	}
	return true
}

// resolveKprobe reads kprobe:func, kprobe:func+offset, kprobe:module:func
// and the same for kretprobe (without an offset).
func (c *checker) resolveKprobe(ap *lang.AttachPoint, parts []string) []*lang.Resolved {
	prov := probetype.Type(ap.Provider)
	var module, fn string
	switch len(parts) {
	case 1:
		fn = parts[0]
	case 2:
		module, fn = parts[0], parts[1]
	default:
		c.errorf(ap.Span, "%s probe type requires 1 or 2 arguments", prov)
		c.hintf("write %s:function, %s:module:function or kprobe:function+offset", prov, prov)
		return nil
	}
	r := &lang.Resolved{Point: ap, Provider: prov, Name: string(prov) + ":" + strings.Join(parts, ":"), Module: module}
	if name, off, ok := strings.Cut(fn, "+"); ok {
		if prov == probetype.Kretprobe {
			c.errorf(ap.Span, "kretprobe probes can not have an offset: %s", ap.Raw)
			return nil
		}
		n, err := strconv.ParseUint(off, 0, 64)
		if err != nil {
			c.errorf(ap.Span, "invalid offset '%s' in %s", off, ap.Raw)
			return nil
		}
		fn, r.Offset = name, n
	}
	if hasWildcard(fn) || hasWildcard(module) {
		if r.Offset != 0 {
			c.errorf(ap.Span, "a %s with an offset can not have wildcards: %s", prov, ap.Raw)
			return nil
		}
		return c.expandKernel(ap, lang.KernelFunc, module, fn, func(module, name string) *lang.Resolved {
			x := *r
			x.Func, x.Module = name, module
			x.Name = string(prov) + ":" + joinModule(module, name)
			return &x
		})
	}
	if !validFuncName(fn) || (module != "" && !validFuncName(module)) {
		c.errorf(ap.Span, "invalid function name in %s", ap.Raw)
		return nil
	}
	r.Func = fn
	return []*lang.Resolved{r}
}

func joinModule(module, name string) string {
	if module == "" {
		return name
	}
	return module + ":" + name
}

// expandKernel expands a wildcard kernel function or raw tracepoint name,
// and a wildcard module, through the Env (kernel BTF): mk makes the attach
// point of one match.
func (c *checker) expandKernel(ap *lang.AttachPoint, kind lang.KernelSymbolKind, module, pattern string, mk func(module, name string) *lang.Resolved) []*lang.Resolved {
	var me lang.KernelMatchEnv
	if c.env != nil {
		me, _ = c.env.(lang.KernelMatchEnv)
	}
	modules := []string{module}
	var err error
	if me != nil && hasWildcard(module) {
		if mm, ok := c.env.(lang.KernelModuleEnv); ok {
			modules, err = mm.MatchKernelModules(module)
		} else {
			err = errNoSystemInfo
		}
	}
	var out []*lang.Resolved
	for _, mod := range modules {
		if me == nil || err != nil {
			break
		}
		var names []string
		names, err = me.MatchKernel(kind, mod, pattern)
		for _, n := range names {
			out = append(out, mk(mod, n))
		}
	}
	if me == nil || errors.Is(err, errNoSystemInfo) {
		c.errorf(ap.Span, "%s: wildcards need kernel BTF, which is unknown here", ap.Raw)
		return nil
	}
	if err != nil {
		c.errorf(ap.Span, "%v", err)
		return nil
	}
	// An expansion that matches nothing is dropped, as bpftrace drops it:
	// a script left without probes stops with "No probes to attach".
	return out
}

// kernelMatching reports whether the Env can expand kernel names (it
// knows kernel BTF).
func (c *checker) kernelMatching() bool {
	env := c.env
	if ce, ok := env.(*cachedEnv); ok {
		env = ce.env
	}
	if env == nil {
		return false
	}
	_, me := env.(lang.KernelMatchEnv)
	_, mm := env.(lang.KernelModuleEnv)
	return me && mm
}

// resolveFentry reads fentry:func and fentry:module:func (and fexit).
// When the Env knows BTF, args and retval are typed from the prototype.
func (c *checker) resolveFentry(ap *lang.AttachPoint, parts []string) []*lang.Resolved {
	prov := probetype.Type(ap.Provider)
	var module, fn string
	switch len(parts) {
	case 1:
		fn = parts[0]
	case 2:
		module, fn = parts[0], parts[1]
	default:
		c.errorf(ap.Span, "%s probe type requires 1 or 2 arguments", prov)
		c.hintf("write %s:function or %s:module:function", prov, prov)
		return nil
	}
	if hasWildcard(fn) || hasWildcard(module) {
		return c.expandKernel(ap, lang.KernelFunc, module, fn, func(module, name string) *lang.Resolved {
			return &lang.Resolved{Point: ap, Provider: prov, Name: string(prov) + ":" + joinModule(module, name), Func: name, Module: module}
		})
	}
	if !validFuncName(fn) || (module != "" && !validFuncName(module)) {
		c.errorf(ap.Span, "invalid function name in %s", ap.Raw)
		return nil
	}
	r := &lang.Resolved{Point: ap, Provider: prov, Name: string(prov) + ":" + strings.Join(parts, ":"), Func: fn, Module: module}
	return []*lang.Resolved{r}
}

// funcTypes types an fentry/fexit attach point from BTF the first time the
// probe uses args or retval (loading kernel BTF costs tens of milliseconds
// and many megabytes, so scripts that do not need it never pay), and a
// tracepoint from its format file. It reports false after an error.
func (c *checker) funcTypes(span lang.Span, r *lang.Resolved) bool {
	if r.Args != nil || c.env == nil {
		return true
	}
	if r.Provider == probetype.Tracepoint {
		return c.tracepointTypes(r, false)
	}
	if r.Provider == probetype.RawTracepoint {
		re, ok := c.env.(lang.RawTracepointEnv)
		if !ok {
			return true
		}
		args, err := re.RawTracepointArgs(r.Module, r.Event)
		switch {
		case errors.Is(err, errNoSystemInfo):
		case err != nil:
			c.errorf(span, "%v", err)
			return false
		default:
			r.Args = args
		}
		return true
	}
	if r.Provider != probetype.Fentry && r.Provider != probetype.Fexit && r.Provider != probetype.Iter {
		return true
	}
	fe, ok := c.env.(lang.FuncEnv)
	if !ok {
		return true
	}
	fn := r.Func
	if r.Provider == probetype.Iter {
		fn = "bpf_iter_" + r.Func
	}
	args, ret, err := fe.KernelFunc(r.Module, fn)
	switch {
	case errors.Is(err, errNoSystemInfo):
	case err != nil:
		c.errorf(span, "%v", err)
		return false
	default:
		if args != nil && r.Provider == probetype.Iter {
			// ctx is the iterator's context struct, as bpftrace names it.
			named := *args
			named.Name = "struct bpf_iter__" + r.Func
			args = &named
		}
		r.Args, r.Ret = args, ret
		if args != nil {
			r.NumArgs = len(args.Fields)
		}
	}
	return true
}

// resolveRawTracepoint reads rawtracepoint:event and
// rawtracepoint:module:event.
func (c *checker) resolveRawTracepoint(ap *lang.AttachPoint, parts []string) []*lang.Resolved {
	var module, ev string
	switch len(parts) {
	case 1:
		ev = parts[0]
	case 2:
		module, ev = parts[0], parts[1]
	default:
		c.errorf(ap.Span, "rawtracepoint probe type requires 1 or 2 arguments")
		c.hintf("write rawtracepoint:event, e.g. rawtracepoint:sys_enter")
		return nil
	}
	if !hasWildcard(ev) && !validFuncName(ev) {
		c.errorf(ap.Span, "invalid event name in %s", ap.Raw)
		return nil
	}
	if module == "" && c.kernelMatching() {
		// As in bpftrace, rawtracepoint:EVENT is rawtracepoint:*:EVENT:
		// the event in vmlinux or in any loaded module with BTF.
		module = "*"
	}
	if hasWildcard(ev) || hasWildcard(module) {
		return c.expandKernel(ap, lang.KernelRawTracepoint, module, ev, func(module, name string) *lang.Resolved {
			return &lang.Resolved{Point: ap, Provider: probetype.RawTracepoint, Name: "rawtracepoint:" + joinModule(module, name), Event: name, Module: module}
		})
	}
	if !validFuncName(ev) || (module != "" && !validFuncName(module)) {
		c.errorf(ap.Span, "invalid event name in %s", ap.Raw)
		return nil
	}
	return []*lang.Resolved{{Point: ap, Provider: probetype.RawTracepoint, Name: "rawtracepoint:" + strings.Join(parts, ":"), Event: ev, Module: module}}
}

package check

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// Functions answered at compile time: the type predicates (is_integer(x)
// ...), strcap() of a string or array, static_assert() and fail(); and
// assert(), which the program checks at run time.

// typePredicates are the is_* functions: each tells something of its
// argument's type (or, for is_literal, of its syntax) without evaluating it.
var typePredicates = map[string]func(lang.Expr, *lang.Type) bool{
	"is_array":            func(_ lang.Expr, t *lang.Type) bool { return t.Kind == lang.KArray },
	"is_integer":          func(_ lang.Expr, t *lang.Type) bool { return t.Kind == lang.KInt },
	"is_unsigned_integer": func(_ lang.Expr, t *lang.Type) bool { return t.Kind == lang.KInt && !t.Signed },
	"is_ptr":              func(_ lang.Expr, t *lang.Type) bool { return t.Kind == lang.KPtr },
	"is_str":              func(_ lang.Expr, t *lang.Type) bool { return t.Kind == lang.KString },
	"is_literal":          func(e lang.Expr, _ *lang.Type) bool { return isLiteral(e) },
}

// isLiteral reports whether e is written as a literal: 1, -1, true, "hi",
// or arithmetic on integer literals, which folds to one (`1 + 2`).
func isLiteral(e lang.Expr) bool {
	switch e := e.(type) {
	case *lang.IntLit, *lang.StrLit, *lang.BoolLit:
		return true
	case *lang.Positional:
		// A parameter given text is the string literal of that text (an
		// integer one, the integer literal below).
		if e.Type() != nil && e.Type().Kind == lang.KString {
			return true
		}
	}
	return isBareLiteral(e)
}

// IsTypePredicate reports whether name is one of the is_* functions.
func IsTypePredicate(name string) bool { return typePredicates[name] != nil }

// TypePredicate answers the checked call is_NAME(x) (see IsTypePredicate).
func TypePredicate(call *lang.Call) bool {
	p := typePredicates[call.Name]
	if p == nil || len(call.Args) != 1 || call.Args[0].Type() == nil {
		return false
	}
	return p(call.Args[0], call.Args[0].Type())
}

// StrCap is strcap(x) of a checked string or array: the bytes it can hold
// (a string's size, NUL included; an array's element count). ok is false
// for a pointer, whose capacity is the length of the string it points to.
func StrCap(call *lang.Call) (n int64, ok bool) {
	if len(call.Args) != 1 || call.Args[0].Type() == nil {
		return 0, false
	}
	switch t := call.Args[0].Type(); t.Kind {
	case lang.KString:
		return int64(t.Size), true
	case lang.KArray:
		return int64(t.Len), true
	}
	return 0, false
}

// compileTimeCall checks the functions of this file; ok is false for any
// other name.
func (c *checker) compileTimeCall(call *lang.Call) (t *lang.Type, ok bool) {
	args := call.Args
	switch {
	case IsTypePredicate(call.Name):
		if !known(c.expr(args[0])) {
			return tNone, true
		}
		return lang.TBool, true
	}
	switch call.Name {
	case "strcap":
		at := c.expr(args[0])
		if !known(at) {
			return tNone, true
		}
		switch {
		case at.Kind == lang.KString, at.Kind == lang.KArray && at.Elem.Kind == lang.KInt && at.Elem.Size == 1,
			at.Kind == lang.KPtr && at.Elem != nil && at.Elem.Kind == lang.KInt && at.Elem.Size == 1:
			return lang.TInt64, true
		}
		c.errorf(call.Span, "strcap() expects a string, a char array or a char pointer (%s provided)", at)
		return tNone, true
	case "static_assert":
		c.staticAssert(call)
		return lang.TVoid, true
	case "assert_str":
		c.assertStr(call)
		return lang.TVoid, true
	case "fail":
		c.fail(call)
		return lang.TVoid, true
	case "debugf":
		c.debugf(call)
		return lang.TVoid, true
	case "kfunc_allowed":
		c.expr(args[0])
		lit, ok := args[0].(*lang.StrLit)
		if !ok {
			c.errorf(args[0].Pos(), "kfunc_allowed() expects a string literal")
			return tNone, true
		}
		c.kfuncAllowed(call, lit.Value)
		return lang.TBool, true
	case "kfunc_exist":
		c.expr(args[0])
		lit, ok := args[0].(*lang.StrLit)
		if !ok {
			c.errorf(args[0].Pos(), "kfunc_exist() expects a string literal")
			return tNone, true
		}
		c.kfuncExist(lit.Value)
		return lang.TBool, true
	case "assert":
		c.cond(args[0], "assert()")
		if mt := c.expr(args[1]); known(mt) && mt.Kind != lang.KString {
			c.errorf(args[1].Pos(), "assert() expects a string as its message (%s provided)", mt)
		}
		return lang.TVoid, true
	}
	return nil, false
}

// staticAssert checks static_assert(cond, "message"): cond must be known
// at compile time, and the script is refused with the message when it is
// false in code that runs.
func (c *checker) staticAssert(call *lang.Call) {
	t := c.expr(call.Args[0])
	msg, isLit := call.Args[1].(*lang.StrLit)
	c.expr(call.Args[1])
	if !isLit {
		c.errorf(call.Args[1].Pos(), "static_assert() expects a string literal as its message")
		return
	}
	if !known(t) {
		return
	}
	v, ok := c.constInt(call.Args[0])
	if !ok {
		c.errorf(call.Args[0].Pos(), "static_assert() expects a condition known at compile time")
		c.hintf("use assert() to check a condition when the program runs")
		return
	}
	if v == 0 && c.dead == 0 {
		c.errorf(call.Span, "static_assert failed: %s", msg.Value)
	}
}

// assertStr checks assert_str(x): x must be string-like, as the string
// functions take it (bpftrace v0.26's words): a string, an array of int8
// or a pointer to int8. x is not evaluated.
func (c *checker) assertStr(call *lang.Call) {
	t := c.expr(call.Args[0])
	if !known(t) || c.dead > 0 {
		return
	}
	isChar := func(e *lang.Type) bool { return e != nil && e.Kind == lang.KInt && e.Size == 1 && e.Signed }
	switch t.Kind {
	case lang.KString:
	case lang.KArray:
		if !isChar(t.Elem) {
			c.errorf(call.Span, "string-like arrays must contain a char-like type")
			c.hintf("the argument is an array of %s; a string-like array holds int8 (char)", t.Elem)
		}
	case lang.KPtr:
		if !isChar(t.Elem) {
			c.errorf(call.Span, "string-like pointers must point to a char-like type")
			c.hintf("the argument points to %s; cast it to (int8 *) to read it as a string", t.Elem)
		}
	default:
		c.errorf(call.Span, "string-like values must be either strings, arrays or pointers")
		c.hintf("the argument is of type %s", t)
	}
}

// fail checks fail("format", literals...): in code that runs, it stops the
// compilation with the formatted message; in a branch that a condition
// known at compile time rules out, it says nothing.
func (c *checker) fail(call *lang.Call) {
	c.exprs(call.Args)
	format, ok := call.Args[0].(*lang.StrLit)
	if !ok {
		c.errorf(call.Args[0].Pos(), "fail() expects a string literal as its format")
		return
	}
	var vals []any
	for _, a := range call.Args[1:] {
		if s, ok := a.(*lang.StrLit); ok {
			vals = append(vals, s.Value)
			continue
		}
		v, ok := c.constInt(a)
		if !ok {
			c.errorf(a.Pos(), "fail() arguments must be known at compile time (literals or positional parameters)")
			return
		}
		vals = append(vals, v)
	}
	if c.dead == 0 {
		c.errorf(call.Span, "%s", compileTimeFormat(format.Value, vals))
	}
}

// compileTimeFormat formats a printf format with integer and string
// values, as fail() prints it: length modifiers are dropped and %u and %i
// read as %d.
func compileTimeFormat(format string, vals []any) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			b.WriteByte(format[i])
			continue
		}
		j := i + 1
		for j < len(format) && strings.IndexByte("-+ #0123456789.", format[j]) >= 0 {
			j++
		}
		spec := format[i:j]
		for j < len(format) && strings.IndexByte("hljzt", format[j]) >= 0 {
			j++
		}
		if j >= len(format) {
			b.WriteString(format[i:])
			break
		}
		verb := format[j]
		switch verb {
		case 'u', 'i':
			verb = 'd'
		}
		if verb == '%' {
			b.WriteByte('%')
		} else if len(vals) > 0 {
			fmt.Fprintf(&b, spec+string(verb), vals[0])
			vals = vals[1:]
		}
		i = j
	}
	return b.String()
}

// maxDebugfArgs is what bpf_trace_printk takes after its format.
const maxDebugfArgs = 3

// debugf checks debugf("format", args...): a printf of up to three
// integers, formatted by the kernel (bpf_trace_printk) into the trace
// buffer.
func (c *checker) debugf(call *lang.Call) {
	c.exprs(call.Args)
	lit, ok := call.Args[0].(*lang.StrLit)
	if !ok {
		c.errorf(call.Args[0].Pos(), "debugf() expects a string literal as its format")
		return
	}
	args := call.Args[1:]
	if len(args) > maxDebugfArgs {
		c.errorf(call.Span, "debugf() takes at most %d arguments after the format (%d provided)", maxDebugfArgs, len(args))
		c.hintf("the kernel's bpf_trace_printk formats at most three values; use printf() for more")
		return
	}
	_, verbs, msg := TracePrintkFormat(lit.Value, len(args))
	if msg != "" {
		c.errorf(call.Span, "debugf: %s", msg)
		return
	}
	for i, a := range args {
		t := a.Type()
		if !known(t) {
			continue
		}
		if verbs[i] == 's' {
			if t.Kind != lang.KString {
				c.errorf(a.Pos(), "debugf(): %%s prints a string (%s provided)", t)
			}
		} else if !t.IsInt() && t.Kind != lang.KPtr {
			c.errorf(a.Pos(), "debugf() prints integers and pointers, and strings with %%s (%s provided)", t)
			c.hintf("use printf() for other values")
		}
	}
}

// tracePrintkSyntax is what debugf()'s format may have between '%' and
// the letter: flags, width and precision in any order, then a length
// modifier.
var tracePrintkSyntax = lang.KernelFormatSyntax{Flags: []string{"-+ #0123456789."}, Length: "hljzt"}

// TracePrintkFormat rewrites a debugf() format for bpf_trace_printk, which
// reads each value as 64 bits only with an ll length modifier: %d becomes
// %lld, %x %llx... It wants n conversions, each of d i u x X c p s; it
// returns the kernel's format and the conversions' letters, one per
// value, or a message.
func TracePrintkFormat(format string, n int) (string, []byte, string) {
	var b strings.Builder
	var verbs []byte
	for _, p := range lang.ScanKernelFormat(format, tracePrintkSyntax) {
		if !p.Conv {
			b.WriteString(p.Text)
			continue
		}
		if p.Verb == 0 {
			return "", nil, "the format ends inside a conversion"
		}
		flags := "%" + p.Flags
		verbs = append(verbs, p.Verb)
		switch verb := p.Verb; verb {
		case 'd', 'i', 'u', 'x', 'X':
			b.WriteString(flags + "ll" + string(verb))
		case 'c', 'p', 's':
			b.WriteString(flags + string(verb))
		default:
			return "", nil, fmt.Sprintf("%%%c is not supported by the kernel's bpf_trace_printk (use %%d %%i %%u %%x %%X %%c %%p or %%s)", verb)
		}
	}
	if len(verbs) != n {
		return "", nil, fmt.Sprintf("the format has %d conversions for %d arguments", len(verbs), n)
	}
	return b.String(), verbs, ""
}

// kfuncExist looks name up in kernel BTF for kfunc_exist(); the answer
// goes to the program as a constant.
func (c *checker) kfuncExist(name string) {
	fe, ok := c.env.(lang.FuncEnv)
	if c.env == nil || !ok {
		return
	}
	_, _, err := fe.KernelFunc("", name)
	if errors.Is(err, errNoSystemInfo) {
		return
	}
	if c.out.Kfuncs == nil {
		c.out.Kfuncs = map[string]bool{}
	}
	c.out.Kfuncs[name] = err == nil
}

// kfuncAllowed asks the kernel, for each probe type of the probe, whether
// its programs may call the kfunc name; the answer goes to the program
// as a constant.
func (c *checker) kfuncAllowed(call *lang.Call, name string) {
	env := c.env
	if ce, ok := env.(*cachedEnv); ok {
		env = ce.env
	}
	ke, ok := env.(lang.KfuncAllowedEnv)
	if !ok {
		return
	}
	for _, r := range c.attach {
		iter := ""
		if r.Provider == probetype.Iter {
			iter = r.Func
		}
		key := lang.KfuncAllowedKey(string(r.Provider), iter, name)
		if _, done := c.out.KfuncsAllowed[key]; done {
			continue
		}
		allowed, err := ke.KfuncAllowed(string(r.Provider), iter, name)
		if errors.Is(err, errNoSystemInfo) {
			return
		}
		if err != nil {
			c.errorf(call.Span, "kfunc_allowed(\"%s\"): %v", name, err)
			return
		}
		if c.out.KfuncsAllowed == nil {
			c.out.KfuncsAllowed = map[string]bool{}
		}
		c.out.KfuncsAllowed[key] = allowed
	}
}

// ConfigField reports whether e is config().NAME and returns the
// setting's value as the script runs with it: an int64, a string or a
// bool.
func ConfigField(e lang.Expr, cfg *lang.Config) (any, bool) {
	f, ok := e.(*lang.FieldAccess)
	if !ok {
		return nil, false
	}
	call, ok := f.X.(*lang.Call)
	if !ok || call.Name != "config" || len(call.Args) != 0 {
		return nil, false
	}
	switch f.Field {
	case "max_strlen":
		return int64(cfg.MaxStrlen), true
	case "max_map_keys":
		return int64(cfg.MaxMapKeys), true
	case "max_probes":
		return int64(cfg.MaxProbes), true
	case "max_cat_bytes":
		return int64(cfg.MaxCatBytes), true
	case "perf_rb_pages":
		return int64(cfg.PerfRbPages), true
	case "log_size":
		return int64(cfg.LogSize), true
	case "on_stack_limit":
		return int64(cfg.OnStackLimit), true
	case "str_trunc_trailer":
		return cfg.StrTruncTrailer, true
	case "stack_mode":
		if cfg.StackMode == "" {
			return "bpftrace", true
		}
		return cfg.StackMode, true
	case "missing_probes":
		if cfg.MissingProbes == "" {
			return "error", true
		}
		return cfg.MissingProbes, true
	case "license":
		if cfg.License == "" {
			return "GPL", true
		}
		return cfg.License, true
	case "print_maps_on_exit":
		return !cfg.NoPrintMapsOnExit, true
	case "cpp_demangle":
		return !cfg.NoCppDemangle, true
	case "show_debug_info":
		return cfg.ShowDebugInfo, true
	}
	return nil, false
}

// configField types config().NAME; ok is false when f is no such access.
func (c *checker) configField(f *lang.FieldAccess) (*lang.Type, bool) {
	call, ok := f.X.(*lang.Call)
	if !ok || call.Name != "config" {
		return nil, false
	}
	if len(call.Args) != 0 {
		c.exprs(call.Args)
		c.errorf(call.Span, "config() takes no arguments (%d provided)", len(call.Args))
		return tNone, true
	}
	call.SetType(tNone)
	v, ok := ConfigField(f, &c.out.Config)
	if !ok {
		c.errorf(f.Span, "config() has no setting %s that a script can read", f.Field)
		c.hintf("config() gives max_strlen, max_map_keys, max_probes, max_cat_bytes, perf_rb_pages, log_size, on_stack_limit, str_trunc_trailer, stack_mode, missing_probes, license, print_maps_on_exit, cpp_demangle and show_debug_info")
		return tNone, true
	}
	switch v := v.(type) {
	case int64:
		return lang.TInt64, true
	case string:
		return lang.StringType(len(v) + 1), true
	}
	return lang.TBool, true
}

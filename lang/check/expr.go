package check

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/stdlib"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
	"github.com/gobpftrace/gobpftrace/stdlib/ptregs"
)

// expr types e and its children, sets the type on e and returns it. An
// expression whose error was already reported gets the KNone type, which
// silences follow-on errors.
func (c *checker) expr(e lang.Expr) *lang.Type {
	if e == nil {
		return tNone
	}
	t := c.exprType(e)
	if t == nil {
		t = tNone
	}
	e.SetType(t)
	return t
}

func (c *checker) exprType(e lang.Expr) *lang.Type {
	switch e := e.(type) {
	case *lang.IntLit:
		return litType(e.Value)
	case *lang.StrLit:
		return lang.StringType(len(e.Value) + 1)
	case *lang.BoolLit:
		return lang.TBool
	case *lang.Ident:
		return c.ident(e)
	case *lang.Positional:
		return c.positional(e)
	case *lang.Var:
		return c.varUse(e)
	case *lang.MapExpr:
		return c.mapRead(e)
	case *lang.Call:
		return c.call(e)
	case *lang.Unary:
		return c.unary(e)
	case *lang.Binary:
		return c.binary(e)
	case *lang.Ternary:
		return c.ternary(e)
	case *lang.FieldAccess:
		return c.field(e)
	case *lang.Index:
		return c.index(e)
	case *lang.Cast:
		return c.cast(e)
	case *lang.Tuple:
		return c.tuple(e)
	case *lang.Sizeof:
		return c.sizeof(e)
	case *lang.Offsetof:
		return c.offsetof(e)
	case *lang.TypeExpr:
		c.errorf(e.Span, "%s is a type, not a value", e.Spec.Text())
		c.hintf("a macro's type argument goes where a type is written: (T)x, sizeof(T), offsetof(T, f), let $v: T, typeof(T)")
		return tNone
	case *lang.Wildcard:
		c.errorf(e.Span, "The * wildcard can only be used in a key of a map given to a delete() statement")
		c.hintf("delete(@m[10, *]) deletes every key of @m whose first field is 10")
		return tNone
	case *lang.BlockExpr:
		// Macro expansion replaces every block expression it can.
		c.errorf(e.Span, "A block cannot be used as a value here")
		return tNone
	}
	c.errorf(e.Pos(), "unknown expression")
	return tNone
}

// positional types $N and $#. As bpftrace v0.26 puts the literal in its
// place, a parameter that is an integer (decimal, 0x hex, 0 octal) is
// typed as that literal is (`5` an int8, `-300` an int16, sign-flexible,
// `0xffffffffffffffff` a uint64) and folds with other literals (`$1 + 1`);
// any other text is a string literal; a missing one is the literal 0 (or
// "" where a string is needed, foldPositionalStrings), and `$#` an
// unsigned literal (a uint8).
func (c *checker) positional(p *lang.Positional) *lang.Type {
	if p.Count {
		p.Fold = lang.Fold{Folded: true, Value: uint64(len(c.opts.Params)), Unsigned: true}
		return foldType(p.Fold)
	}
	if p.N < 1 {
		c.errorf(p.Span, "Invalid positional parameter $%d", p.N)
		return tNone
	}
	if p.N > len(c.opts.Params) {
		p.Fold = lang.Fold{Folded: true}
		return foldType(p.Fold)
	}
	v := c.opts.Params[p.N-1]
	if n, err := strconv.ParseInt(v, 0, 64); err == nil {
		p.Fold = lang.Fold{Folded: true, Value: uint64(n), Negative: n < 0}
		return foldType(p.Fold)
	}
	if n, err := strconv.ParseUint(v, 0, 64); err == nil {
		// Beyond int64: 0xffffffffffffffff is the uint64 literal.
		p.Fold = lang.Fold{Folded: true, Value: n, Unsigned: true}
		return foldType(p.Fold)
	}
	// Any other text is the string literal of that text.
	return lang.StringType(len(v) + 1)
}

// PositionalInt reads a positional parameter as an integer: decimal, 0x
// hex or 0 octal, up to 64 bits (a uint64 above int64's range keeps its
// bits).
func PositionalInt(v string) (int64, bool) {
	if n, err := strconv.ParseInt(v, 0, 64); err == nil {
		return n, true
	}
	n, err := strconv.ParseUint(v, 0, 64)
	return int64(n), err == nil
}

func (c *checker) varUse(v *lang.Var) *lang.Type {
	sym := c.lookupVar(v.Name)
	if sym == nil {
		c.errorf(v.Span, "Undefined or undeclared variable: %s", v.Name)
		return tNone
	}
	v.Sym = sym
	c.varUses = append(c.varUses, v)
	if sym.Type.Kind == lang.KNone {
		if !c.poisonedVars[sym] {
			c.errorf(v.Span, "Variable used before it was assigned: %s", v.Name)
		}
		return tNone
	}
	return sym.Type
}

// mapRead types a map used as a value.
func (c *checker) mapRead(m *lang.MapExpr) *lang.Type {
	return c.mapValue(m, c.mapSym(m))
}

// mapValue is the type a read of map m (bound to sym) has.
func (c *checker) mapValue(m *lang.MapExpr, sym *lang.MapSym) *lang.Type {
	if sym.Value.Kind == lang.KNone && m.Name == c.assigning {
		return lang.TInt64
	}
	if sym.Value.Kind == lang.KNone {
		c.undefinedMap(m)
		return tNone
	}
	if t, ok := sym.Value.FoldedRead(); ok {
		return t
	}
	if sym.Value.IsAggregation() {
		c.unsupported(m.Span, featAggRead)
		c.hintf("count(), sum(), min(), max() and avg() maps can be read; print(%s) prints this one", m.Name)
		return tNone
	}
	return sym.Value
}

func (c *checker) ident(id *lang.Ident) *lang.Type {
	v := stdlib.LookupVar(id.Name)
	if v == nil {
		if t, ok := c.enumIdent(id); ok {
			return t
		}
		if stdlib.LookupFunc(id.Name) != nil {
			c.errorf(id.Span, "%s() is a function: call it with ()", id.Name)
			return tNone
		}
		c.errorf(id.Span, "Unknown identifier: '%s'", id.Name)
		if c.typeNameArg(id) != nil {
			// `(pid_t)-1` reads as (pid_t) minus 1.
			c.hintf("%s is a type: to cast a negative number, write (%s)(-1)", id.Name, id.Name)
		} else if s := suggest(id.Name, stdlib.VarNames()); s != "" {
			c.hintf("did you mean %s?", s)
		} else if s := c.enumSuggestion(id.Name); s != "" {
			c.hintf("did you mean %s?", s)
		}
		return tNone
	}
	if !c.builtinAllowed(id, v) {
		return tNone
	}
	if !v.Supported {
		c.errorf(id.Span, "The %s builtin is not supported yet", id.Name)
		return tNone
	}
	switch id.Name {
	case "args":
		return c.argsType(id)
	case "ctx":
		if c.iterProbe() {
			// An iterator's context is its target function's arguments
			// (bpf_iter_task(meta, task)...), read as args are.
			return c.argsType(id)
		}
		// Elsewhere the address of the program's context, to cast.
		return lang.TUint64
	case "probe":
		return c.probeType()
	case "kstack", "ustack":
		return c.bareStack(id)
	case "retval":
		return c.retvalType(id)
	case "func":
		return c.funcType()
	case "username":
		return &lang.Type{Kind: lang.KUsername, Size: 8}
	case "probetype":
		return lang.StringType(ProbeTypeSize)
	case "curtask":
		return c.curtaskType(id)
	case "pcomm", "ppid", "leader_tid", "leader_comm":
		return c.taskBuiltin(id)
	case "has_cpid":
		// Whether -c started a child is known now.
		lit := &lang.BoolLit{Span: id.Span, Value: c.opts.Command}
		lit.SetType(lang.TBool)
		id.Expand = lit
		return lang.TBool
	case "cpid":
		if !c.opts.Command {
			c.errorf(id.Span, "cpid cannot be used without child command")
			c.hintf("start the command to trace with -c 'CMD'")
			return tNone
		}
	}
	if n, ok := stdlib.ArgIndex(id.Name); ok {
		if !c.argInRegisters(id, n) {
			return tNone
		}
		c.usdtArgCheck(id, n)
		c.goArgWarning(id, n)
	}
	if v.Type == nil {
		c.errorf(id.Span, "The %s builtin is not supported yet", id.Name)
		return tNone
	}
	return v.Type
}

// builtinAllowed checks that every attach point of the probe allows v.
func (c *checker) builtinAllowed(id *lang.Ident, v *stdlib.Var) bool {
	if v.Providers == nil {
		return true
	}
	for _, p := range c.providers() {
		if slices.Contains(v.Providers, p) {
			continue
		}
		shown := string(p)
		if p == probetype.Begin || p == probetype.End || p == probetype.Self {
			shown = "special"
		}
		switch v.Name {
		case "args":
			c.errorf(id.Span, "The args builtin can only be used with tracepoint/fentry/uprobe probes (%s used here)", shown)
		case "argN":
			c.errorf(id.Span, "The %s builtin can only be used with 'kprobes', 'uprobes' and 'usdt' probes", id.Name)
			c.argNHint(id.Name)
		case "retval":
			c.errorf(id.Span, "The retval builtin can only be used with 'kretprobe' and 'uretprobe' and 'fexit' probes")
		default:
			c.errorf(id.Span, "The %s builtin can not be used with '%s' probes", id.Name, shown)
		}
		return false
	}
	return true
}

// probeType is a string large enough for every attach point's name.
func (c *checker) probeType() *lang.Type {
	n := 1
	for _, r := range c.attach {
		n = max(n, len(r.Name)+1)
	}
	return lang.StringType(n)
}

// goFunction returns the function of the first uprobe or uretprobe of the
// probe that is Go code ("" if none).
func (c *checker) goFunction() string {
	ge, ok := c.userEnv().(lang.GoEnv)
	if !ok {
		return ""
	}
	for _, r := range c.attach {
		if r.Provider != probetype.Uprobe && r.Provider != probetype.Uretprobe || r.Binary == "" {
			continue
		}
		fn := r.Symbol
		if fn == "" {
			fn = r.Func
		}
		if fn != "" && ge.GoFunction(r.Binary, fn) {
			return fn
		}
	}
	return ""
}

// goRegCalls spells the reg() calls of the first n Go argument registers.
func goRegCalls(n int) string {
	calls := make([]string, n)
	for i := range calls {
		calls[i] = fmt.Sprintf("reg(%q)", ptregs.GoArgNames[i])
	}
	return strings.Join(calls, ", ") + ", ..."
}

// goArgWarning warns, once per argN, that argN of a uprobe on a Go
// function reads C's argument register, as in bpftrace, not Go's.
func (c *checker) goArgWarning(id *lang.Ident, n int) {
	if c.goArgsWarned[id.Name] || n >= len(ptregs.ArgNames) || n >= len(ptregs.GoArgNames) {
		return
	}
	for _, p := range c.providers() {
		if p != probetype.Uprobe {
			return
		}
	}
	fn := c.goFunction()
	if fn == "" {
		return
	}
	if c.goArgsWarned == nil {
		c.goArgsWarned = map[string]bool{}
	}
	c.goArgsWarned[id.Name] = true
	c.warnf(id.Span, "%s reads register %s, where the C calling convention passes argument %d (as in bpftrace); %s is Go code, which passes it in %s: use reg(%q)", id.Name, ptregs.ArgNames[n], n+1, fn, ptregs.GoArgNames[n], ptregs.GoArgNames[n])
}

// argInRegisters refuses, in bpftrace's words, an argN beyond the
// registers (arg5 on x86-64) in a probe that reads its arguments from
// them: only a USDT probe's note can describe more.
func (c *checker) argInRegisters(id *lang.Ident, n int) bool {
	if n <= stdlib.MaxArgN {
		return true
	}
	for _, p := range c.providers() {
		if p != probetype.USDT {
			c.errorf(id.Span, "x86_64 doesn't support %s", id.Name)
			if p == probetype.Uprobe || p == probetype.Kprobe {
				c.hintf("arg0 to arg%d are the arguments passed in registers; at the function's entry the seventh is on the stack: *(uint64 *)(reg(\"sp\") + 8)", stdlib.MaxArgN)
			}
			return false
		}
	}
	return true
}

// usdtArgCheck reports argN beyond what a USDT probe passes.
func (c *checker) usdtArgCheck(id *lang.Ident, n int) {
	for _, r := range c.attach {
		if r.Provider == probetype.USDT && n >= len(r.USDTArgs) {
			c.errorf(id.Span, "%s has %s, so %s does not exist", r.Name, plural(len(r.USDTArgs), "argument", "arguments"), id.Name)
			return
		}
	}
}

// argsType is the tracepoint struct of the probe (the first match's for a
// wildcard probe; fields are checked against every match in field()).
func (c *checker) argsType(id *lang.Ident) *lang.Type {
	for _, r := range c.attach {
		if !c.funcTypes(id.Span, r) || !c.uprobeArgTypes(id.Span, r) {
			return tNone
		}
	}
	if t, ok := c.uprobeArgsRecord(id); ok {
		return t
	}
	for _, r := range c.attach {
		if r.Args != nil {
			return r.Args
		}
	}
	for _, r := range c.attach {
		switch r.Provider {
		case probetype.Fentry, probetype.Fexit:
			c.errorf(id.Span, "args of %s are unknown: no BTF type information for %s", r.Name, r.Func)
			return tNone
		case probetype.RawTracepoint:
			c.errorf(id.Span, "args of %s are unknown: no BTF type information for raw tracepoint %s", r.Name, r.Event)
			return tNone
		case probetype.Uprobe, probetype.Uretprobe:
			c.errorf(id.Span, "args of %s needs the function's DWARF debug information, which is not supported yet", r.Name)
			if fn := c.goFunction(); fn != "" {
				c.hintf("%s is Go code, which passes integer arguments in registers %s (a string as two, a slice as three): read them with %s; arg0, arg1, ... read C's registers (see docs/userspace.md)", fn, strings.Join(ptregs.GoArgNames, ", "), goRegCalls(3))
			} else {
				c.hintf("use arg0, arg1, ... (the integer arguments in registers)")
			}
			return tNone
		}
	}
	return tNone
}

// retvalType is the traced function's return type where BTF gives it
// (fexit), uint64 elsewhere.
func (c *checker) retvalType(id *lang.Ident) *lang.Type {
	var t *lang.Type
	for _, r := range c.attach {
		if !c.funcTypes(id.Span, r) {
			return tNone
		}
		if r.Provider != probetype.Fexit || r.Ret == nil || !(r.Ret.IsInt() || r.Ret.Kind == lang.KPtr) {
			return lang.TUint64
		}
		if t != nil && !t.Equal(r.Ret) {
			return lang.TUint64
		}
		t = r.Ret
	}
	if t == nil {
		return lang.TUint64
	}
	return t
}

// funcType is a string that holds the name of every traced function.
func (c *checker) funcType() *lang.Type {
	n := 1
	for _, r := range c.attach {
		n = max(n, len(r.FuncName())+1)
	}
	return lang.StringType(n)
}

func (c *checker) cast(x *lang.Cast) *lang.Type {
	xt := c.expr(x.X)
	to := c.typeSpec(x.To)
	if !known(xt) || !known(to) {
		return tNone
	}
	if to.Kind == lang.KString {
		// A string casts to a string type at least as large: (string[1024])"hi".
		if xt.Kind == lang.KString && x.To.ArrayLen > 0 {
			if xt.Size > to.Size {
				c.errorf(x.Span, "Cannot cast from \"%s\" to \"%s\": the string does not fit", xt, to)
				return tNone
			}
			return to
		}
		c.errorf(x.Span, "Cannot cast to \"%s\"", x.To.Text())
		return tNone
	}
	if to.Kind == lang.KStruct {
		c.errorf(x.Span, "Cannot cast to \"%s\"", x.To.Text())
		c.hintf("cast to a pointer instead: (%s *)", x.To.Text())
		return tNone
	}
	if to.Kind == lang.KPtr {
		if !xt.IsInt() && xt.Kind != lang.KPtr {
			c.errorf(x.Span, "Cannot cast from \"%s\" to \"%s\"", xt, to)
			return tNone
		}
		// A pointer keeps its address space; an integer's is the probe's.
		user := xt.UserSpace || c.userProbe()
		if xt.Kind == lang.KPtr {
			user = xt.UserSpace
		}
		return ptrTo(to.Elem, user)
	}
	// Integer/array casts reinterpret the bytes of an integer.
	if to.Kind == lang.KArray {
		if !xt.IsInt() || (to.Size != 1 && to.Size != 2 && to.Size != 4 && to.Size != 8) {
			c.errorf(x.Span, "Cannot cast from \"%s\" to \"%s\": an integer casts to an array of 1, 2, 4 or 8 bytes", xt, to)
			return tNone
		}
		return to
	}
	if xt.Kind == lang.KArray {
		if !to.IsInt() || xt.Elem == nil || !xt.Elem.IsInt() || xt.Size != to.Size {
			c.errorf(x.Span, "Cannot cast from \"%s\" to \"%s\": an array of integers casts to an integer of its size", xt, to)
			return tNone
		}
		return to
	}
	if xt.Kind == lang.KString && to.Kind == lang.KBool {
		// A string is true when it is not empty.
		return to
	}
	if !(xt.IsInt() || xt.Kind == lang.KPtr) {
		c.errorf(x.Span, "Casts are not supported for type: \"%s\"", xt)
		return tNone
	}
	if sameScalar(xt, to) && !isBareLiteral(x.X) {
		// bpftrace v0.26 warns of a cast that changes nothing (a literal's
		// cast is how it is given a type, so it draws none).
		c.warnf(x.Span, "Unnecessary cast: the expression is already of type '%s'", to)
	}
	return to
}

// sameScalar reports integers of the same width and sign (not enums, whose
// cast names their values) or two bools.
func sameScalar(x, to *lang.Type) bool {
	switch {
	case x.Kind == lang.KBool && to.Kind == lang.KBool:
		return true
	case x.Kind == lang.KInt && to.Kind == lang.KInt:
		return x.Size == to.Size && x.Signed == to.Signed && x.Enum == nil && to.Enum == nil
	}
	return false
}

func (c *checker) tuple(t *lang.Tuple) *lang.Type {
	elems := make([]*lang.Type, len(t.Elems))
	ok := true
	for i, e := range t.Elems {
		elems[i] = c.expr(e)
		if !known(elems[i]) {
			ok = false
		} else if elems[i].Kind == lang.KVoid || elems[i].IsAggregation() {
			c.errorf(e.Pos(), "Invalid value in a tuple: %s", elems[i])
			ok = false
		}
	}
	if !ok {
		return tNone
	}
	return tupleType(elems, t.Names)
}

func (c *checker) sizeof(s *lang.Sizeof) *lang.Type {
	if ts := c.typeNameArg(s.X); ts != nil {
		s.TypeArg, s.X = ts, nil
	}
	if te, ok := s.X.(*lang.TypeExpr); ok {
		// sizeof(T) with a macro's type argument.
		s.TypeArg, s.X = te.Spec, nil
	}
	if call, ok := s.X.(*lang.Call); ok && call.Name == "typeof" && len(call.Args) == 1 {
		// sizeof(typeof(expr)), as a macro's type argument gives it.
		s.TypeArg, s.X = &lang.TypeSpec{Span: call.Span, Name: "typeof", Of: call.Args[0]}, nil
	}
	var t *lang.Type
	if s.TypeArg != nil {
		t = c.typeSpec(s.TypeArg)
	} else {
		t = c.expr(s.X)
	}
	if !known(t) {
		return tNone
	}
	return c.sizeLiteralType(s.Span, t)
}

// sizeLiteralType is the type of sizeof(t), a literal of its value in
// bpftrace v0.26 (sizeof(1) is an int8). Where the size is not known
// exactly here (code generation computes it), the type is an int64, so
// that a variable holding it is never too narrow.
func (c *checker) sizeLiteralType(span lang.Span, t *lang.Type) *lang.Type {
	n := 0
	switch t.Kind {
	case lang.KInt, lang.KBool, lang.KString:
		n = lang.SizeOf(t)
	case lang.KPtr:
		n = 8
	case lang.KStruct:
		if full := c.fullStruct(span, t); full != nil {
			n = full.Size
		}
	}
	if n <= 0 {
		return lang.TInt64
	}
	return litType(uint64(n))
}

// undefinedMap reports a map that no statement assigns (second pass only).
func (c *checker) undefinedMap(m *lang.MapExpr) {
	if c.known == nil || c.poisonedMaps[m.Name] {
		return
	}
	c.errorf(m.Span, "Undefined map: %s", m.Name)
	var names []string
	for n, k := range c.known {
		if k.Value != nil && k.Value.Kind != lang.KNone {
			names = append(names, n)
		}
	}
	if s := suggest(m.Name, names); s != "" {
		c.hintf("did you mean %s?", s)
	}
}

// ProbeTypeSize is the size of the probetype string: the longest provider
// name ("asyncwatchpoint") and its NUL.
const ProbeTypeSize = 16

// argNHint points argN in a tracepoint (or fentry/rawtracepoint with
// typed args) to the named field it stands for.
func (c *checker) argNHint(name string) {
	n, ok := stdlib.ArgIndex(name)
	if !ok {
		return
	}
	for _, r := range c.attach {
		if r.Provider != probetype.Tracepoint || !c.tracepointTypes(r, true) {
			continue
		}
		names := argsFieldNames(r.Args)
		switch names = slices.DeleteFunc(names, func(s string) bool { return s == "__syscall_nr" }); {
		case n < len(names):
			c.hintf("tracepoint arguments are named fields: use args.%s (the fields of %s: %s)", names[n], r.Name, strings.Join(names, ", "))
		case len(names) == 0:
			c.hintf("%s has no arguments (tracepoint arguments are named fields, read as args.NAME)", r.Name)
		default:
			c.hintf("tracepoint arguments are named fields, read as args.NAME (the fields of %s: %s)", r.Name, strings.Join(names, ", "))
		}
		return
	}
}

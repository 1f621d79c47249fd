package check

import (
	"slices"
	"strconv"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/stdlib"
)

func (c *checker) call(call *lang.Call) *lang.Type {
	f := stdlib.LookupFunc(call.Name)
	if f == nil && call.Name == "config" {
		c.exprs(call.Args)
		c.errorf(call.Span, "config() is read one setting at a time: config().max_strlen")
		return tNone
	}
	if f == nil {
		c.errorf(call.Span, "Unknown function: %s", call.Name)
		if stdlib.LookupVar(call.Name) != nil {
			c.hintf("%s is a builtin variable: write %s or %s(), without arguments", call.Name, call.Name, call.Name)
		} else if inner := strings.TrimPrefix(call.Name, "__"); inner != call.Name && stdlib.LookupFunc(inner) != nil && !strings.HasPrefix(inner, "builtin_") {
			// bpftrace's __memcmp, __strerror...: its standard library's
			// own C functions, which scripts reach through the function.
			c.hintf("%s is internal to bpftrace's standard library: call %s()", call.Name, inner)
		} else if s := suggest(call.Name, stdlib.FuncNames()); s != "" {
			c.hintf("did you mean %s()?", s)
		}
		c.exprs(call.Args)
		return tNone
	}
	if f.External() {
		return c.externalCall(call, f)
	}
	if f.Aggregation {
		c.errorf(call.Span, "%s() should be directly assigned to a map", call.Name)
		return tNone
	}
	if unsafeFuncs[call.Name] && !c.opts.Unsafe {
		c.exprs(call.Args)
		c.errorf(call.Span, "%s() is an unsafe function being used in safe mode", call.Name)
		c.hintf("run with --unsafe to allow it")
		return tNone
	}
	if !c.arity(call, f) || !c.funcAllowed(call, f) || !c.pinnedAllows(call) {
		return tNone
	}
	if !f.Supported {
		c.exprs(call.Args)
		c.errorf(call.Span, "%s() is not supported yet", call.Name)
		if h := unsupportedFuncHints[call.Name]; h != "" {
			c.hintf("%s", h)
		}
		return tNone
	}
	if t, ok := c.compileTimeCall(call); ok {
		return t
	}
	switch call.Name {
	case "printf":
		c.printf(call)
		return lang.TVoid
	case "print":
		c.print(call)
		return lang.TVoid
	case "exit":
		if len(call.Args) == 1 {
			c.wantInt(call, call.Args[0], "exit()")
		}
		return lang.TVoid
	case "time":
		if len(call.Args) == 1 {
			c.expr(call.Args[0])
			if _, ok := call.Args[0].(*lang.StrLit); !ok {
				c.errorf(call.Args[0].Pos(), "time() expects a string literal as the format")
			}
		}
		return lang.TVoid
	case "delete":
		c.delete(call)
		return lang.TBool
	case "clear", "zero":
		c.mapArg(call, call.Args[0])
		return lang.TVoid
	case "str":
		return c.str(call)
	}
	return c.moreCall(call)
}

// unsafeFuncs change the traced system; they need Options.Unsafe.
var unsafeFuncs = map[string]bool{"system": true, "signal": true, "override": true, "write_user": true}

func (c *checker) exprs(list []lang.Expr) {
	for _, e := range list {
		c.expr(e)
	}
}

func plural(n int, one, many string) string {
	switch n {
	case 0:
		return "no " + many
	case 1:
		return "one " + one
	}
	return itoa(n) + " " + many
}

func itoa(n int) string {
	if n < 0 {
		return "-" + itoa(-n)
	}
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// arity checks the argument count of call.
func (c *checker) arity(call *lang.Call, f *stdlib.Func) bool {
	n := len(call.Args)
	switch {
	case f.MinArgs == f.MaxArgs && n != f.MinArgs:
		c.errorf(call.Span, "%s() requires %s (%d provided)", f.Name, plural(f.MinArgs, "argument", "arguments"), n)
	case n < f.MinArgs:
		c.errorf(call.Span, "%s() requires at least %s (%d provided)", f.Name, plural(f.MinArgs, "argument", "arguments"), n)
	case f.MaxArgs != stdlib.Variadic && n > f.MaxArgs:
		c.errorf(call.Span, "%s() takes at most %s (%d provided)", f.Name, plural(f.MaxArgs, "argument", "arguments"), n)
	default:
		return true
	}
	return false
}

// funcAllowed checks f's provider restriction against the probe.
func (c *checker) funcAllowed(call *lang.Call, f *stdlib.Func) bool {
	if f.Providers == nil {
		return true
	}
	for _, p := range c.providers() {
		if !slices.Contains(f.Providers, p) {
			c.errorf(call.Span, "%s() can not be used with \"%s\" probes", f.Name, p)
			return false
		}
	}
	return true
}

// wantInt checks that e is an integer argument of what.
func (c *checker) wantInt(call *lang.Call, e lang.Expr, what string) *lang.Type {
	t := c.expr(e)
	if known(t) && !t.IsInt() {
		c.errorf(call.Span, "%s only supports integer arguments (%s provided)", what, kindName(t))
		return tNone
	}
	return t
}

// wantConst evaluates an integer constant argument.
func (c *checker) wantConst(call *lang.Call, e lang.Expr, what string) (int64, bool) {
	t := c.expr(e)
	if !known(t) {
		return 0, false
	}
	v, ok := c.constInt(e)
	if !ok || !t.IsInt() {
		c.errorf(e.Pos(), "%s() %s must be an integer constant", call.Name, what)
		return 0, false
	}
	// A getopt() value is fixed at compile time: code generation, which
	// takes these arguments as literals, gets it as one.
	if opt, isCall := e.(*lang.Call); isCall && opt.Name == "getopt" && v >= 0 {
		for i, a := range call.Args {
			if a == e {
				lit := &lang.IntLit{Span: e.Pos(), Value: uint64(v), Raw: strconv.FormatInt(v, 10)}
				lit.SetType(t)
				call.Args[i] = lit
			}
		}
	}
	return v, true
}

// mapArg checks an argument that must name a whole map (@x, no keys).
func (c *checker) mapArg(call *lang.Call, e lang.Expr) *lang.MapSym {
	m, ok := e.(*lang.MapExpr)
	if !ok {
		c.expr(e)
		c.errorf(call.Span, "%s() expects a map to be provided", call.Name)
		return nil
	}
	if len(m.Keys) > 0 {
		c.exprs(m.Keys)
		c.errorf(m.Span, "The map passed to %s() should not be indexed by a key", call.Name)
		return nil
	}
	sym := c.bindMap(m)
	if sym.Value.Kind == lang.KNone {
		c.undefinedMap(m)
		m.SetType(tNone)
		return nil
	}
	m.SetType(sym.Value)
	return sym
}

func (c *checker) print(call *lang.Call) {
	if m, ok := call.Args[0].(*lang.MapExpr); ok && len(m.Keys) == 0 {
		sym := c.mapArg(call, m)
		p := mapPrint{call: call, sym: sym}
		for i, a := range call.Args[1:] {
			v, ok := c.wantConst(call, a, [...]string{"top", "div"}[i])
			p.args = append(p.args, v)
			p.ok = append(p.ok, ok)
		}
		if len(p.args) > 0 {
			c.mapPrints = append(c.mapPrints, p)
		}
		return
	}
	t := c.expr(call.Args[0])
	if len(call.Args) > 1 {
		c.exprs(call.Args[1:])
		c.errorf(call.Span, "Non-map print() only takes 1 argument, %d found", len(call.Args))
		return
	}
	if known(t) && t.Kind == lang.KVoid {
		c.errorf(call.Args[0].Pos(), "print() can not print a value of type void")
	}
}

func (c *checker) delete(call *lang.Call) {
	m, ok := call.Args[0].(*lang.MapExpr)
	if !ok {
		c.exprs(call.Args)
		c.errorf(call.Span, "delete() expects a map to be provided")
		return
	}
	if len(m.Keys) > 0 {
		// Old form: delete(@m[key]).
		if len(call.Args) > 1 {
			c.exprs(call.Args[1:])
			c.errorf(call.Span, "delete() takes a map and a key: delete(@m, key)")
			return
		}
		c.deleteKey(m, nil)
		return
	}
	var key lang.Expr
	if len(call.Args) == 2 {
		key = call.Args[1]
	}
	c.deleteKey(m, key)
}

// deleteKey checks the map and the key of a delete.
func (c *checker) deleteKey(m *lang.MapExpr, key lang.Expr) {
	sym := c.bindMap(m)
	var kt *lang.Type
	var ok bool
	if key != nil {
		kt = c.expr(key)
		ok = known(kt)
		if ok {
			ok = c.checkStorable(key, kt)
			kt = storedType(key, kt)
		}
	} else {
		kt, ok = c.keyTypeOf(m)
	}
	if sym.Value.Kind == lang.KNone {
		c.undefinedMap(m)
		m.SetType(tNone)
		return
	}
	m.SetType(sym.Value)
	if !ok {
		return
	}
	at := lang.Node(m)
	if key != nil {
		at = key
	}
	if kt == nil && sym.Key != nil {
		c.errorf(m.Span, "delete() of %s needs a key: the map has keys of type '%s'", m.Name, keyText(sym.Key))
		return
	}
	c.mergeKey(at, sym, kt)
}

func (c *checker) str(call *lang.Call) *lang.Type {
	at := c.expr(call.Args[0])
	size := c.out.Config.MaxStrlen
	if len(call.Args) == 2 {
		lt := c.wantInt(call, call.Args[1], "str() length")
		if !known(lt) {
			return tNone
		}
		if n, ok := c.constInt(call.Args[1]); ok {
			if n < 1 {
				c.errorf(call.Args[1].Pos(), "str() length must be positive (%d provided)", n)
				return tNone
			}
			// n characters are read, then a NUL ends the string.
			size = int(min(n+1, int64(size)))
		}
	}
	if !known(at) {
		return tNone
	}
	switch at.Kind {
	case lang.KString:
		t := lang.StringType(min(at.Size, size))
		// str() of a whole char array keeps all its bytes when no NUL
		// ends it, as bpftrace prints it.
		t.CharArray = at.CharArray && t.Size == at.Size
		return t
	case lang.KPtr, lang.KInt:
		t := lang.StringType(size)
		t.UserSpace = at.UserSpace
		return t
	}
	c.errorf(call.Span, "str() expects a pointer or an integer address (%s provided)", at)
	return tNone
}

// mapPrint is a print(@m, a[, b]) call and its constant arguments.
type mapPrint struct {
	call *lang.Call
	sym  *lang.MapSym
	args []int64
	ok   []bool
}

// printArgs checks, once every map's type is known, that len()'s map has
// keys, and print()'s arguments after the map: top and div for most
// maps, the chart's min and max (both) for a tseries map, as bpftrace
// words them.
func (c *checker) printArgs() {
	for _, l := range c.lenCalls {
		if k := l.sym.Key; l.sym.Value != nil && (k == nil || k.Kind == lang.KNone || k.Kind == lang.KVoid) {
			c.errorf(l.call.Span, "call to len() expects a map with explicit keys (non-scalar map)")
			c.hintf("len(%s) is 1 once %s is set: a map without keys holds one value", l.sym.Name, l.sym.Name)
		}
	}
	for _, p := range c.mapPrints {
		if p.sym != nil && p.sym.Value != nil && p.sym.Value.Kind == lang.KTseries {
			if len(p.args) == 1 {
				c.errorf(p.call.Span, "print() must provide both min and max arguments when used on tseries() maps.")
				continue
			}
			if !p.ok[0] || !p.ok[1] {
				continue
			}
			lo, hi := p.args[0], p.args[1]
			if !p.sym.Value.Signed {
				// Unsigned series: a negative bound is 0.
				lo, hi = max(lo, 0), max(hi, 0)
				setConstArg(p.call, 1, lo)
				setConstArg(p.call, 2, hi)
			}
			if lo > hi {
				c.errorf(p.call.Span, "print()'s min argument cannot be greater than its max argument.")
			}
			continue
		}
		for i, v := range p.args {
			if p.ok[i] && v < 0 {
				c.errorf(p.call.Args[i+1].Pos(), "print() %s must be non-negative (%d provided)", [...]string{"top", "div"}[i], v)
			}
		}
	}
}

// setConstArg replaces argument i of call by the integer literal v.
func setConstArg(call *lang.Call, i int, v int64) {
	lit := &lang.IntLit{Span: call.Args[i].Pos(), Value: uint64(v), Raw: strconv.FormatInt(v, 10)}
	lit.SetType(lang.TInt64)
	call.Args[i] = lit
}

// unsupportedFuncHints say what to do instead of a builtin that bpftrace
// has and gobpftrace does not.
var unsupportedFuncHints = map[string]string{}

package check

import (
	"strconv"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/stdlib"
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
		c.unsupported(e.Span, featOffsetof)
		return tNone
	}
	c.errorf(e.Pos(), "unknown expression")
	return tNone
}

func (c *checker) positional(p *lang.Positional) *lang.Type {
	if p.Count {
		return lang.TUint64
	}
	if p.N < 1 {
		c.errorf(p.Span, "Invalid positional parameter $%d", p.N)
		return tNone
	}
	if p.N > len(c.opts.Params) {
		// Missing parameters read as zero (or "" where a string is needed).
		return lang.TInt64
	}
	v := c.opts.Params[p.N-1]
	if _, err := strconv.ParseInt(v, 0, 64); err == nil {
		return lang.TInt64
	}
	return lang.StringType(len(v) + 1)
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
		c.errorf(v.Span, "Variable used before it was assigned: %s", v.Name)
		return tNone
	}
	return sym.Type
}

// mapRead types a map used as a value.
func (c *checker) mapRead(m *lang.MapExpr) *lang.Type {
	sym := c.mapSym(m)
	if sym.Value.Kind == lang.KNone {
		c.undefinedMap(m)
		return tNone
	}
	if sym.Value.IsAggregation() {
		c.unsupported(m.Span, featAggRead)
		c.hintf("print(%s) prints an aggregation", m.Name)
		return tNone
	}
	return sym.Value
}

func (c *checker) ident(id *lang.Ident) *lang.Type {
	v := stdlib.LookupVar(id.Name)
	if v == nil {
		if stdlib.LookupFunc(id.Name) != nil {
			c.errorf(id.Span, "%s() is a function: call it with ()", id.Name)
			return tNone
		}
		c.errorf(id.Span, "Unknown identifier: '%s'", id.Name)
		if s := suggest(id.Name, stdlib.VarNames()); s != "" {
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
	case "probe":
		return c.probeType()
	case "kstack", "ustack":
		return c.stackType(id.Name, "", 0)
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
		if contains(v.Providers, p) {
			continue
		}
		shown := p
		if p == "BEGIN" || p == "END" {
			shown = "special"
		}
		switch v.Name {
		case "args":
			c.errorf(id.Span, "The args builtin can only be used with tracepoint/fentry/uprobe probes (%s used here)", shown)
		case "argN":
			c.errorf(id.Span, "The %s builtin can only be used with 'kprobes', 'uprobes' and 'usdt' probes", id.Name)
		case "retval":
			c.errorf(id.Span, "The retval builtin can only be used with 'kretprobe' and 'uretprobe' and 'fexit' probes")
		default:
			c.errorf(id.Span, "The %s builtin can not be used with '%s' probes", id.Name, shown)
		}
		return false
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// probeType is a string large enough for every attach point's name.
func (c *checker) probeType() *lang.Type {
	n := 1
	for _, r := range c.attach {
		n = max(n, len(r.Name)+1)
	}
	return lang.StringType(n)
}

// argsType is the tracepoint struct of the probe (the first match's for a
// wildcard probe; fields are checked against every match in field()).
func (c *checker) argsType(id *lang.Ident) *lang.Type {
	for _, r := range c.attach {
		if r.Args != nil {
			return r.Args
		}
	}
	return tNone
}

// isArgs reports whether e is the `args` builtin.
func isArgs(e lang.Expr) bool {
	id, ok := e.(*lang.Ident)
	return ok && id.Name == "args"
}

func (c *checker) field(f *lang.FieldAccess) *lang.Type {
	xt := c.expr(f.X)
	if !known(xt) {
		return tNone
	}
	if isArgs(f.X) {
		return c.argsField(f)
	}
	st := xt
	if st.Kind == lang.KPtr && st.Elem != nil && st.Elem.Kind == lang.KStruct {
		c.unsupported(f.Span, featDeref)
		return tNone
	}
	switch st.Kind {
	case lang.KTuple:
		if st.Names != nil {
			for i, n := range st.Names {
				if n == f.Field {
					return st.Elems[i]
				}
			}
			c.errorf(f.Span, "Record %s does not contain a field named '%s'", st, f.Field)
			return tNone
		}
		i, err := strconv.Atoi(f.Field)
		if err != nil || i < 0 || i >= len(st.Elems) {
			c.errorf(f.Span, "Invalid tuple index: %s. Found %d elements in tuple.", f.Field, len(st.Elems))
			return tNone
		}
		return st.Elems[i]
	case lang.KStruct:
		if fl := findField(st, f.Field); fl != nil {
			return fl.Type
		}
		c.errorf(f.Span, "Struct/union of type '%s' does not contain a field named '%s'", st.Name, f.Field)
		return tNone
	}
	c.errorf(f.Span, "Can not access field '%s' on expression of type '%s'", f.Field, xt)
	return tNone
}

func findField(st *lang.Type, name string) *lang.Field {
	for _, fl := range st.Fields {
		if fl.Name == name {
			return fl
		}
	}
	return nil
}

// argsField types args.field, requiring the same type in every match of a
// wildcard probe.
func (c *checker) argsField(f *lang.FieldAccess) *lang.Type {
	var t *lang.Type
	var first *lang.Resolved
	for _, r := range c.attach {
		if r.Args == nil {
			continue
		}
		fl := findField(r.Args, f.Field)
		if fl == nil {
			c.errorf(f.Span, "Struct/union of type '%s' does not contain a field named '%s'", r.Args.Name, f.Field)
			if len(c.attach) > 1 {
				c.hintf("%s has no field %s", r.Name, f.Field)
			}
			return tNone
		}
		if t == nil {
			t, first = fl.Type, r
			continue
		}
		if !fl.Type.Equal(t) {
			c.errorf(f.Span, "args.%s has different types in the probes this block attaches to: '%s' in %s, '%s' in %s", f.Field, t, first.Name, fl.Type, r.Name)
			return tNone
		}
	}
	if t == nil {
		return tNone
	}
	return t
}

func (c *checker) index(ix *lang.Index) *lang.Type {
	xt := c.expr(ix.X)
	it := c.expr(ix.Index)
	if !known(xt) || !known(it) {
		return tNone
	}
	if !it.IsInt() {
		c.errorf(ix.Index.Pos(), "The array index operator [] requires an integer index, found %s", it)
		return tNone
	}
	switch xt.Kind {
	case lang.KArray:
		if n, ok := c.constInt(ix.Index); ok && (n < 0 || n >= int64(xt.Len)) {
			c.errorf(ix.Index.Pos(), "the index %d is out of bounds for array of size %d", n, xt.Len)
			return tNone
		}
		return xt.Elem
	case lang.KPtr:
		c.unsupported(ix.Span, featDeref)
		return tNone
	}
	c.errorf(ix.X.Pos(), "The array index operator [] can only be used on arrays and pointers, found %s", xt)
	return tNone
}

func (c *checker) cast(x *lang.Cast) *lang.Type {
	xt := c.expr(x.X)
	to := c.typeSpec(x.To)
	if !known(xt) || !known(to) {
		return tNone
	}
	if to.Kind == lang.KString {
		c.errorf(x.Span, "Cannot cast to \"%s\"", x.To.Text())
		return tNone
	}
	if !(xt.IsInt() || xt.Kind == lang.KPtr) {
		c.errorf(x.Span, "Cannot cast from \"%s\" to \"%s\"", xt, to)
		return tNone
	}
	return to
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
	var t *lang.Type
	if s.TypeArg != nil {
		t = c.typeSpec(s.TypeArg)
	} else {
		t = c.expr(s.X)
	}
	if !known(t) {
		return tNone
	}
	return lang.TUint64
}

// constInt evaluates e when it is an integer constant.
func (c *checker) constInt(e lang.Expr) (int64, bool) {
	switch e := e.(type) {
	case *lang.IntLit:
		return int64(e.Value), true
	case *lang.BoolLit:
		if e.Value {
			return 1, true
		}
		return 0, true
	case *lang.Unary:
		v, ok := c.constInt(e.X)
		if !ok {
			return 0, false
		}
		switch e.Op {
		case "-":
			return -v, true
		case "~":
			return ^v, true
		}
	case *lang.Cast:
		return c.constInt(e.X)
	case *lang.Positional:
		if e.Count {
			return int64(len(c.opts.Params)), true
		}
		if e.N < 1 || e.N > len(c.opts.Params) {
			return 0, true
		}
		v, err := strconv.ParseInt(c.opts.Params[e.N-1], 0, 64)
		return v, err == nil
	case *lang.Binary:
		x, ok1 := c.constInt(e.X)
		y, ok2 := c.constInt(e.Y)
		if !ok1 || !ok2 {
			return 0, false
		}
		switch e.Op {
		case "+":
			return x + y, true
		case "-":
			return x - y, true
		case "*":
			return x * y, true
		case "/":
			if y != 0 {
				return x / y, true
			}
		case "%":
			if y != 0 {
				return x % y, true
			}
		case "<<":
			return x << uint(y&63), true
		case ">>":
			return x >> uint(y&63), true
		case "&":
			return x & y, true
		case "|":
			return x | y, true
		case "^":
			return x ^ y, true
		}
	}
	return 0, false
}

// undefinedMap reports a map that no statement assigns (second pass only).
func (c *checker) undefinedMap(m *lang.MapExpr) {
	if c.known == nil {
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

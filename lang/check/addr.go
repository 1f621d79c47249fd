package check

import (
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/stdlib"
)

// The address of a scratch variable (&$x) and of a whole map (&@m) are
// bpftrace v0.26's unstable address-of operator: they exist to hand a
// variable or a map to one of its external functions (__has_key). Config
// unstable_addr decides: warn (the default: allowed, with one warning
// for the script), enable (allowed) or error (refused where it is used).

// unstableAddr applies config unstable_addr to a use of & at span; it
// reports whether the use is allowed.
func (c *checker) unstableAddr(span lang.Span) bool {
	return c.unstable(unstableAddr, span)
}

// varAddr types &$x: a pointer to the variable's value, which lives in
// the probe's stack frame (or its scratch buffer).
func (c *checker) varAddr(u *lang.Unary, v *lang.Var) *lang.Type {
	sym := c.lookupVar(v.Name)
	if sym == nil || sym.Type == nil || !known(sym.Type) {
		if sym != nil && c.poisonedVars[sym] {
			return tNone
		}
		c.errorf(u.Span, "No type available for variable %s", v.Name)
		if sym == nil {
			c.hintf("assign %s before taking its address, or declare it with its type: let %s: int64;", v.Name, v.Name)
		} else {
			c.hintf("give %s a type before taking its address (let %s: int64) or assign it first", v.Name, v.Name)
		}
		return tNone
	}
	if !c.unstableAddr(u.Span) {
		return tNone
	}
	v.Sym = sym
	v.SetType(sym.Type)
	c.varUses = append(c.varUses, v)
	c.varAddrs = append(c.varAddrs, u)
	return ptrTo(sym.Type, false)
}

// mapAddr types &@m: the address of the whole map, a void * that only
// the map functions of bpftrace's standard library (__has_key) take, so
// it may only appear in their arguments.
func (c *checker) mapAddr(u *lang.Unary, m *lang.MapExpr) *lang.Type {
	if len(m.Keys) > 0 {
		c.exprs(m.Keys)
		c.errorf(u.Span, "The & operator takes the address of a whole map, not of one of its elements")
		c.hintf("&%s is the map itself, for functions such as __has_key((void *)&%s, (void *)&$key); %s[...] is a value, which has no address", m.Name, m.Name, m.Name)
		return tNone
	}
	sym := c.bindMap(m)
	if sym.Value.Kind == lang.KNone {
		c.undefinedMap(m)
		m.SetType(tNone)
		return tNone
	}
	if c.externalArgs == 0 {
		// The verifier lets only helpers use a map's address: stored,
		// printed or computed with, it is refused when the program loads.
		c.errorf(u.Span, "The address of a map can only be passed to an external function: __has_key((void *)&%s, (void *)&$key)", m.Name)
		c.hintf("the kernel lets only its helpers use a map's address; it cannot be stored, printed or computed with")
		return tNone
	}
	if !c.unstableAddr(u.Span) {
		return tNone
	}
	m.SetType(sym.Value)
	return ptrTo(lang.TVoid, false)
}

// fixVarAddrs gives each &$x of the probe the final type of $x, which may
// have widened after the & was typed.
func (c *checker) fixVarAddrs() {
	for _, u := range c.varAddrs {
		if v, ok := u.X.(*lang.Var); ok && v.Sym != nil && known(v.Sym.Type) {
			u.SetType(ptrTo(v.Sym.Type, false))
		}
	}
	c.varAddrs = nil
}

// AddrTarget strips the casts around e and returns the variable or map
// whose address e is (&$x, (void *)&@m), or nil.
func AddrTarget(e lang.Expr) lang.Expr {
	for {
		switch x := e.(type) {
		case *lang.Cast:
			e = x.X
			continue
		case *lang.Unary:
			if x.Op != "&" {
				return nil
			}
			switch t := x.X.(type) {
			case *lang.Var:
				return t
			case *lang.MapExpr:
				if len(t.Keys) == 0 {
					return t
				}
			}
		}
		return nil
	}
}

// externalCall checks a call of an external function f (stdlib.Func
// Params): bpftrace's words for a wrong count or type of arguments, every
// one of which must be a void *. The map functions of bpftrace's standard
// library are lowered to the map operation they do on the map (and the
// variable) their arguments name: __has_key to has_key(@m, $k), __delete
// to delete(@m, $k) with the helper's result, __elem_count to len(@m). So
// their arguments must show which (a key read from anywhere else would
// reach the kernel's verifier as a number, which it refuses), and $k must
// be a key @m can hold.
func (c *checker) externalCall(call *lang.Call, f *stdlib.Func) *lang.Type {
	types := make([]*lang.Type, len(call.Args))
	c.externalArgs++
	for i, a := range call.Args {
		types[i] = c.expr(a)
	}
	c.externalArgs--
	if len(call.Args) != len(f.Params) {
		c.errorf(call.Span, "Function `%s` requires %d arguments, got only %d", f.Name, len(f.Params), len(call.Args))
		c.hintf("%s", externalProto(f))
		return tNone
	}
	ok := true
	for i, t := range types {
		if !known(t) {
			ok = false
			continue
		}
		if !isVoidPtr(t) {
			c.errorf(call.Args[i].Pos(), "Expected void * for argument `%s` got %s", f.Params[i], t)
			ok = false
		}
	}
	if !ok {
		for _, t := range types {
			if !known(t) {
				return tNone // the argument's own error says it
			}
		}
		c.errorf(call.Span, "Function `%s` requires arguments (%s)", f.Name, strings.TrimSuffix(strings.Repeat("void *, ", len(f.Params)), ", "))
		c.hintf("cast each argument to void *: %s", externalProto(f))
		return tNone
	}
	what := map[string]string{"__has_key": "looks the key up in", "__delete": "deletes the key from", "__elem_count": "counts the elements of"}[f.Name]
	m, isMap := AddrTarget(call.Args[0]).(*lang.MapExpr)
	if !isMap {
		c.errorf(call.Args[0].Pos(), "%s() %s the map its first argument names: write it as (void *)&@map", f.Name, what)
		op := map[string]string{"__has_key": "a lookup in", "__delete": "a deletion from", "__elem_count": "a count of the elements of"}[f.Name]
		c.hintf("gobpftrace lowers %s() to %s that map, which it must know when the script is compiled", f.Name, op)
		return tNone
	}
	result := lang.TInt64 // a C long: the helper's return code, or the count
	if f.Name == "__has_key" {
		result = lang.TBool
	}
	var v *lang.Var
	if len(call.Args) > 1 {
		var isVar bool
		v, isVar = AddrTarget(call.Args[1]).(*lang.Var)
		if !isVar {
			c.errorf(call.Args[1].Pos(), "%s() reads the key from the variable its second argument names: write it as (void *)&$key", f.Name)
			c.hintf("assign the key to a variable first: $key = ...; %s((void *)&%s, (void *)&$key)", f.Name, m.Name)
			return tNone
		}
	}
	if m.Sym == nil || !known(m.Sym.Value) || (v != nil && !known(v.Type())) {
		return tNone
	}
	if m.Sym.Key == nil {
		verb := "looks up a key"
		switch f.Name {
		case "__delete":
			verb = "deletes a key"
		case "__elem_count":
			verb = "counts keys"
		}
		c.errorf(call.Args[0].Pos(), "%s has no explicit keys (scalar map): %s() %s", m.Name, f.Name, verb)
		return tNone
	}
	if v == nil {
		return result
	}
	// The key is $k's value as a key of @m, as has_key(@m, $k) takes it:
	// bpftrace keeps integer keys in 64 bits, so the bytes of $k are its
	// value there, where gobpftrace keeps a key as narrow as its values.
	before := len(c.errs)
	c.mergeKey(call.Args[1], m.Sym, storedType(v, v.Type()))
	if len(c.errs) > before {
		return tNone
	}
	return result
}

// externalProto shows how external function f is called.
func externalProto(f *stdlib.Func) string {
	args := make([]string, len(f.Params))
	for i, p := range f.Params {
		switch p {
		case "map":
			args[i] = "(void *)&@map"
		default:
			args[i] = "(void *)&$" + p
		}
	}
	return f.Name + "(" + strings.Join(args, ", ") + ")"
}

func isVoidPtr(t *lang.Type) bool {
	return t != nil && t.Kind == lang.KPtr && t.Elem != nil && t.Elem.Kind == lang.KVoid
}

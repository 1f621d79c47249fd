package check

import (
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/stdlib"
)

func (c *checker) assign(s *lang.AssignStmt) {
	switch t := s.Target.(type) {
	case *lang.Var:
		c.assignVar(s, t)
	case *lang.MapExpr:
		c.assignMap(s, t)
	default:
		if s.Target != nil {
			c.expr(s.Target)
			c.errorf(s.Target.Pos(), "Can only assign to a map or a scratch variable")
		}
		c.expr(s.Value)
	}
}

// aggregationCall returns value as a call to an aggregation function.
func aggregationCall(e lang.Expr) (*lang.Call, *stdlib.Func) {
	call, ok := e.(*lang.Call)
	if !ok {
		return nil, nil
	}
	f := stdlib.LookupFunc(call.Name)
	if f == nil || !f.Aggregation {
		return nil, nil
	}
	return call, f
}

func (c *checker) assignVar(s *lang.AssignStmt, v *lang.Var) {
	if call, _ := aggregationCall(s.Value); call != nil && s.Op == "=" {
		c.expr(s.Value)
		c.declareIfNew(v, tNone)
		return
	}
	vt := c.expr(s.Value)
	sym := c.lookupVar(v.Name)
	if s.Op != "=" {
		if sym == nil {
			c.errorf(v.Span, "Undefined or undeclared variable: %s", v.Name)
			return
		}
		v.Sym = sym
		c.varUses = append(c.varUses, v)
		if sym.Type.Kind == lang.KNone {
			if !c.poisonedVars[sym] {
				c.errorf(v.Span, "Variable used before it was assigned: %s", v.Name)
			}
			return
		}
		if !known(vt) {
			return
		}
		switch {
		case sym.Type.Kind == lang.KPtr && vt.IsInt() && (s.Op == "+=" || s.Op == "-="):
			// `$p += n` moves the pointer by n elements, as `$p + n`.
			vt = sym.Type
		case sym.Type.Kind != lang.KInt || !vt.IsInt():
			c.errorf(s.Span, "Type mismatch for '%s': %s '%s' %s '%s'", s.Op[:len(s.Op)-1], opVerb(s.Op[:len(s.Op)-1]), sym.Type, opJoin(s.Op[:len(s.Op)-1]), vt)
			return
		default:
			_, vt = adaptSigns(v, sym.Type, s.Value, vt)
			vt = opResult(s.Op[:len(s.Op)-1], sym.Type, vt)
		}
	}
	if !known(vt) || !c.checkStorable(s.Value, vt) {
		c.declareIfNew(v, tNone)
		if v.Sym != nil && v.Sym.Type.Kind == lang.KNone && len(c.errs) > 0 {
			c.poisonedVars[v.Sym] = true
		}
		return
	}
	if sym == nil {
		c.declareIfNew(v, varType(s.Value, vt))
		v.Sym.Literal = s.Op == "=" && isPlainLiteral(s.Value)
		nv := v.Sym
		c.noteStore(s.Value, vt, func() *lang.Type { return nv.Type })
		return
	}
	v.Sym = sym
	c.varUses = append(c.varUses, v)
	if c.declared[sym] {
		c.checkDeclared(s.Span, s.Value, sym, vt, s.Op != "=")
		return
	}
	if sym.Type.Kind == lang.KNone {
		sym.Literal = s.Op == "=" && isPlainLiteral(s.Value)
	}
	wt := vt
	if s.Op == "=" && !(isBareLiteral(s.Value) && sym.Type.Kind == lang.KInt) {
		wt = varType(s.Value, vt)
	}
	if s.Op == "=" && isBareLiteral(s.Value) && sym.Type.Kind == lang.KInt {
		// A literal that fits the variable keeps its type (bpftrace v0.26:
		// `$x = (int8)1; $x = 5` stays an int8).
		if n, ok := c.constInt(s.Value); ok && fits(n, sym.Type) && !(literalValue(s.Value) > 1<<63-1) {
			wt = sym.Type
		}
	}
	st := sym.Type
	if s.Op == "=" && st.Kind == lang.KInt && wt.Kind == lang.KInt {
		// A variable that holds only non-negative literals takes the sign
		// of an unsigned value stored in it (`$i = 0; $i = pid` is a
		// uint32), and a literal stored in an unsigned variable takes its
		// sign (`$x = pid; $x = 5000000000` is a uint64), as bpftrace
		// v0.26's sign-flexible literal types do.
		switch {
		case sym.Literal && st.Signed && !wt.Signed && !isPlainLiteral(s.Value):
			st = lang.IntType(st.Size, false)
		case isPlainLiteral(s.Value) && !st.Signed && wt.Signed:
			wt = lang.IntType(wt.Size, false)
		}
	}
	merged, ok := assignable(st, wt)
	if !ok && sym.Type.Kind == lang.KInt && vt.Kind == lang.KInt {
		// No integer type holds both (uint64 and a signed value): the
		// variable becomes an int64 and the values that do not fit it are
		// converted, with a warning (castWarnings).
		merged, ok = lang.TInt64, true
	}
	if !ok && st.Kind == lang.KTuple && wt.Kind == lang.KTuple {
		// The same for a tuple's integer fields.
		merged, ok = mergeTuples(st, wt, mergeConverting)
	}
	if ok && !(s.Op == "=" && isPlainLiteral(s.Value)) {
		sym.Literal = false
	}
	if ok && s.Op == "=" {
		c.noteStore(s.Value, vt, func() *lang.Type { return sym.Type })
	}
	if !ok {
		c.errorf(s.Span, "Type mismatch for %s: trying to assign value of type '%s' when variable already has a type '%s'", v.Name, vt, sym.Type)
		return
	}
	sym.Type = merged
}

// declareIfNew binds v, declaring it in the probe's scope when new.
func (c *checker) declareIfNew(v *lang.Var, t *lang.Type) {
	sym := c.lookupVar(v.Name)
	if sym == nil {
		sym = c.declare(c.probeScope(), v.Name, t)
	}
	v.Sym = sym
	v.SetType(sym.Type)
	c.varUses = append(c.varUses, v)
}

func (c *checker) assignMap(s *lang.AssignStmt, m *lang.MapExpr) {
	sym := c.mapSym(m)
	if call, _ := aggregationCall(s.Value); call != nil {
		if s.Op != "=" {
			c.errorf(s.Span, "%s() should be directly assigned to a map", call.Name)
			return
		}
		at := c.aggregation(call)
		if known(at) {
			c.mergeValue(call, sym, at)
		} else if len(c.errs) > 0 {
			// An argument whose check failed (or that reads a variable
			// poisoned by one): the map's reads say nothing more.
			c.poisonedMaps[m.Name] = true
		}
		m.SetType(sym.Value)
		return
	}
	prev := c.assigning
	c.assigning = m.Name
	vt := c.expr(s.Value)
	c.assigning = prev
	if s.Op != "=" {
		// Compound assignment: a new map starts at 0 as an int64.
		if sym.Value.Kind == lang.KNone {
			sym.Value = lang.TInt64
		}
		m.SetType(sym.Value)
		if !known(vt) {
			return
		}
		if sym.Value.Kind == lang.KPtr && vt.IsInt() && (s.Op == "+=" || s.Op == "-=") {
			return // `@p += n` moves the pointer by n elements, as `$p += n`
		}
		if sym.Value.Kind != lang.KInt || !vt.IsInt() {
			c.errorf(s.Span, "Type mismatch for '%s': %s '%s' %s '%s'", s.Op[:len(s.Op)-1], opVerb(s.Op[:len(s.Op)-1]), sym.Value, opJoin(s.Op[:len(s.Op)-1]), vt)
			return
		}
		_, vt = adaptSigns(m, sym.Value, s.Value, vt)
		c.mergeValue(s, sym, opResult(s.Op[:len(s.Op)-1], sym.Value, vt))
		return
	}
	if !known(vt) || !c.checkStorable(s.Value, vt) {
		m.SetType(tNone)
		if len(c.errs) > 0 {
			c.poisonedMaps[m.Name] = true
		}
		return
	}
	c.storeMapValue(s, sym, vt)
	c.noteStore(s.Value, vt, func() *lang.Type { return sym.Value })
	m.SetType(sym.Value)
}

// storeMapValue merges the type of a value stored with `=` into sym's:
// an integer keeps its width, a non-negative literal its sign-flexible
// type (storedType), so `@x = 1` is an int8 and `@x = 1; @x = pid` a
// uint32, as in bpftrace v0.26.
func (c *checker) storeMapValue(s *lang.AssignStmt, sym *lang.MapSym, vt *lang.Type) {
	c.mergeValue(s, sym, storedType(s.Value, vt))
}

// checkDeclared checks a value stored in a variable declared with a type
// (`let $x: uint8`): the variable keeps its type, so the value must fit.
// As in bpftrace v0.26, an integer is converted to the declared type when
// every value of its type fits it (a uint8 into an int16), or when it is a
// literal, or a constant folded from literals, that fits; another literal
// or value (`let $u: uint16 = 70000`, `let $y: uint8 = $wide`) is refused
// at the statement (span). The result of arithmetic (or of a compound
// assignment, arith) is converted with a warning instead: gobpftrace
// computes it in 64 bits where bpftrace v0.26 keeps its operands' width
// (`$u = $u + 1` on a uint8 is a uint8 there), so refusing it would refuse
// scripts bpftrace runs.
func (c *checker) checkDeclared(span lang.Span, value lang.Expr, sym *lang.VarSym, vt *lang.Type, arith bool) {
	merged, ok := assignable(sym.Type, vt)
	if ok && merged.Equal(sym.Type) {
		if sym.Type.Kind == lang.KPtr && vt.Kind == lang.KPtr && sym.Type.UserSpace != vt.UserSpace {
			// A type written in the script (`let $c: struct C *`) names
			// no address space: the pointer stored decides whether the
			// variable points to user or kernel memory.
			t := *sym.Type
			t.UserSpace = vt.UserSpace
			sym.Type = &t
		}
		return
	}
	if vt.Kind == lang.KInt && sym.Type.Kind == lang.KInt {
		switch {
		case arith:
			// A compound assignment stores the operation's result.
			c.noteStore(value, vt, func() *lang.Type { return sym.Type })
			return
		case isBareLiteral(value) || literalNode(value):
			if n, ok := c.constInt(value); ok && fits(n, sym.Type) && literalValue(value) <= 1<<63-1 {
				return
			}
			if literalNode(value) && !sym.Type.Signed && vt.Signed {
				// A non-negative literal's type (sizeof's too) is
				// sign-flexible: next to an unsigned variable it is
				// named unsigned, and fits when that type does.
				vt = lang.IntType(vt.Size, false)
				if intFits(vt, sym.Type) {
					return
				}
			}
		case isArithmetic(value):
			c.noteStore(value, vt, func() *lang.Type { return sym.Type })
			return
		case intFits(vt, sym.Type):
			return
		}
	}
	c.errorf(span, "Type mismatch for %s: trying to assign value of type '%s' when variable already has a type '%s'", sym.Name, vt, sym.Type)
}

// isArithmetic reports an arithmetic or bitwise operation, whose result
// the checker types as 64 bits wide.
func isArithmetic(e lang.Expr) bool {
	switch e := e.(type) {
	case *lang.Binary:
		return !compareOps[e.Op] && e.Op != "&&" && e.Op != "||"
	case *lang.Unary:
		return e.Op == "-" || e.Op == "~"
	}
	return false
}

// fits reports whether constant n is representable in integer type t.
func fits(n int64, t *lang.Type) bool {
	bits := uint(t.Size * 8)
	if t.Signed {
		if bits == 64 {
			return true
		}
		return n >= -(1<<(bits-1)) && n < 1<<(bits-1)
	}
	if n < 0 {
		return false
	}
	return bits == 64 || n < 1<<bits
}

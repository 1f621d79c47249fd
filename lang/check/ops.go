package check

import "github.com/gobpftrace/gobpftrace/lang"

func (c *checker) unary(u *lang.Unary) *lang.Type {
	switch u.Op {
	case "++", "--":
		return c.incDec(u)
	case "&":
		return c.addrOf(u)
	}
	xt := c.expr(u.X)
	if !known(xt) {
		return tNone
	}
	// A negated literal is the smallest signed type holding it; - and ~
	// of a literal fold to a literal (fold.go).
	if f, ok := foldOperand(u.X); ok {
		if r, folded, fits := foldUnary(u.Op, f); folded {
			if !fits {
				c.errorf(u.Span, "negative value will underflow")
				c.hintf("a negative integer is at least -9223372036854775808 (int64)")
				return tNone
			}
			u.Fold = r
			return foldType(r)
		}
	}
	switch u.Op {
	case "!":
		if !isCondition(xt) {
			c.errorf(u.Span, "The ! operator can not be used on expressions of type '%s'", xt)
			return tNone
		}
		return lang.TBool
	case "-":
		if !xt.IsInt() {
			c.errorf(u.Span, "The - operator can not be used on expressions of type '%s'", xt)
			return tNone
		}
		return lang.TInt64
	case "~":
		if !xt.IsInt() {
			c.errorf(u.Span, "The ~ operator can not be used on expressions of type '%s'", xt)
			return tNone
		}
		if xt.Kind == lang.KBool {
			return lang.TUint64
		}
		return arithType(xt, xt)
	case "*":
		return c.deref(u, xt)
	}
	c.errorf(u.Span, "Unknown operator %s", u.Op)
	return tNone
}

// incDec types ++/-- on a variable (which must exist) or a map (which
// starts at 0 as an int64 when new).
func (c *checker) incDec(u *lang.Unary) *lang.Type {
	switch x := u.X.(type) {
	case *lang.Var:
		t := c.expr(x)
		if !known(t) {
			return tNone
		}
		if t.Kind != lang.KInt && t.Kind != lang.KPtr {
			c.errorf(u.Span, "The %s operator can not be used on expressions of type '%s'", u.Op, t)
			return tNone
		}
		if t.Kind == lang.KInt && t.Size < 8 && x.Sym != nil && !c.declared[x.Sym] {
			// ++ and -- give an int64 (bpftrace v0.26), so a narrow
			// variable widens instead of wrapping.
			if m, ok := mergeInts(t, lang.TInt64); ok {
				x.Sym.Type = m
				x.SetType(m)
				return m
			}
		}
		return t // a pointer moves by one element
	case *lang.MapExpr:
		sym := c.mapSym(x)
		if sym.Value.Kind == lang.KNone {
			sym.Value = lang.TInt64
		}
		if sym.Value.Kind == lang.KPtr {
			x.SetType(sym.Value) // a pointer moves by one element
			return sym.Value
		}
		if sym.Value.Kind != lang.KInt {
			c.errorf(u.Span, "The %s operator can not be used on expressions of type '%s'", u.Op, sym.Value)
			x.SetType(tNone)
			return tNone
		}
		if m, ok := mergeInts(sym.Value, lang.TInt64); ok {
			// As for a variable: ++ and -- give an int64, so a narrow
			// map value widens instead of wrapping.
			sym.Value = m
		}
		x.SetType(sym.Value)
		return sym.Value
	}
	c.expr(u.X)
	c.errorf(u.Span, "The %s operator must be applied to a map or variable", u.Op)
	return tNone
}

var (
	arithOps   = map[string]bool{"+": true, "-": true, "*": true, "/": true, "%": true, "&": true, "|": true, "^": true, "<<": true, ">>": true}
	compareOps = map[string]bool{"==": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true}
	logicOps   = map[string]bool{"&&": true, "||": true}
)

func (c *checker) binary(b *lang.Binary) *lang.Type {
	xt := c.expr(b.X)
	yt := c.expr(b.Y)
	if !known(xt) || !known(yt) {
		return tNone
	}
	xt, yt = adaptSigns(b.X, xt, b.Y, yt)
	mismatch := func() *lang.Type {
		c.errorf(b.Span, "Type mismatch for '%s': %s '%s' %s '%s'", b.Op, opVerb(b.Op), xt, opJoin(b.Op), yt)
		c.positionalTextHint(b.X, xt, b.Y, yt)
		return tNone
	}
	switch {
	case logicOps[b.Op]:
		if !isCondition(xt) || !isCondition(yt) {
			return mismatch()
		}
		return lang.TBool
	case compareOps[b.Op]:
		return c.compare(b, xt, yt, mismatch)
	case arithOps[b.Op]:
		if fx, ok := foldOperand(b.X); ok {
			if fy, ok := foldOperand(b.Y); ok {
				r, folded, fits := foldBinary(b.Op, fx, fy)
				if !fits {
					c.errorf(b.Span, foldError)
					c.hintf("an operation on integer literals is computed when the script is compiled: its result must be an integer of at most 64 bits, and a divisor not 0")
					return tNone
				}
				if folded {
					b.Fold = r
					return foldType(r)
				}
			}
		}
		if xt.IsInt() && yt.IsInt() {
			if b.Op == "/" || b.Op == "%" {
				if v, ok := c.constInt(b.Y); ok && v == 0 {
					c.errorf(b.Span, "Division by zero")
					return tNone
				}
			}
			switch b.Op {
			case "+", "-", "*", "/", "%":
				c.signMismatch(b, xt, yt)
			}
			return opResult(b.Op, xt, yt)
		}
		// Pointer arithmetic: ptr + int, ptr - int, and ptr - ptr, the
		// number of elements between two pointers to the same type.
		if xt.Kind == lang.KPtr && yt.IsInt() && (b.Op == "+" || b.Op == "-") {
			return xt
		}
		if xt.Kind == lang.KPtr && yt.Kind == lang.KPtr && b.Op == "-" {
			if xt.Elem.String() != yt.Elem.String() {
				c.errorf(b.Span, "Type mismatch for '-': subtracting '%s' and '%s': pointers to different types", xt, yt)
				return tNone
			}
			return lang.TInt64
		}
		// An array read through a pointer decays to a pointer to its
		// first element, as in C.
		if xt.Kind == lang.KArray && c.inMemory(b.X) && yt.IsInt() && (b.Op == "+" || b.Op == "-") {
			return ptrTo(xt.Elem, xt.UserSpace)
		}
		if yt.Kind == lang.KPtr && xt.IsInt() && b.Op == "+" {
			return yt
		}
		return mismatch()
	}
	c.errorf(b.Span, "Unknown operator %s", b.Op)
	return tNone
}

func (c *checker) compare(b *lang.Binary, xt, yt *lang.Type, mismatch func() *lang.Type) *lang.Type {
	switch {
	case xt.IsInt() && yt.IsInt():
		c.signMismatch(b, xt, yt)
		return lang.TBool
	case xt.Kind == lang.KPtr && (yt.Kind == lang.KPtr || yt.IsInt()), yt.Kind == lang.KPtr && xt.IsInt():
		if xt.Kind == lang.KPtr && yt.Kind == lang.KPtr && xt.Elem.String() != yt.Elem.String() {
			// As in C and bpftrace v0.26: allowed, with a warning.
			c.warnf(b.Span, "comparison of distinct pointer types: %s, %s", xt.Elem, yt.Elem)
		}
		return lang.TBool
	case xt.Kind == lang.KUsername && yt.Kind == lang.KUsername:
		// Two usernames are equal when their uids are.
		if b.Op != "==" && b.Op != "!=" {
			c.errorf(b.Span, "The %s operator can not be used on expressions of types %s, %s", b.Op, xt, yt)
			return tNone
		}
		return lang.TBool
	case xt.Kind == lang.KString && yt.Kind == lang.KString,
		xt.Kind == lang.KBuffer && yt.Kind == lang.KBuffer:
		// Buffers are equal when their lengths and bytes are, whatever
		// sizes they were declared with.
		if b.Op != "==" && b.Op != "!=" {
			c.errorf(b.Span, "The %s operator can not be used on expressions of types %s, %s", b.Op, xt, yt)
			return tNone
		}
		return lang.TBool
	case xt.Kind == lang.KArray && yt.Kind == lang.KArray:
		// Compared byte for byte, as bpftrace does, with its words for
		// arrays of different types; arrays of arrays or of structs of one
		// type compare too (bpftrace takes arrays of integers only).
		switch {
		case b.Op != "==" && b.Op != "!=":
			c.errorf(b.Span, "The %s operator cannot be used on arrays.", b.Op)
		case xt.Len != yt.Len:
			c.errorf(b.Span, "Only arrays of same size support comparison operators.")
		case !xt.Equal(yt):
			c.errorf(b.Span, "Only arrays of same sized integer support comparison operators.")
		default:
			return lang.TBool
		}
		c.hintf("the operands are %s and %s; == and != compare two arrays of one element type and length", xt, yt)
		return tNone
	case xt.Kind == lang.KStruct && yt.Kind == lang.KStruct:
		// Compared byte for byte, as bpftrace does: the types must be
		// the same.
		if b.Op != "==" && b.Op != "!=" {
			c.errorf(b.Span, "The %s operator can not be used on expressions of types %s, %s", b.Op, xt, yt)
			return tNone
		}
		if !xt.Equal(yt) {
			return mismatch()
		}
		return lang.TBool
	case xt.Kind == lang.KTuple && yt.Kind == lang.KTuple:
		if b.Op != "==" && b.Op != "!=" {
			c.errorf(b.Span, "The %s operator can not be used on expressions of types %s, %s", b.Op, xt, yt)
			return tNone
		}
		if _, ok := mergeTypes(xt, yt); !ok {
			return mismatch()
		}
		return lang.TBool
	}
	return mismatch()
}

func (c *checker) ternary(t *lang.Ternary) *lang.Type {
	ct := c.expr(t.Cond)
	var tt *lang.Type
	if t.Then != nil {
		tt = c.expr(t.Then)
	} else {
		tt = ct
	}
	et := c.expr(t.Else)
	if !known(ct) || !known(tt) || !known(et) {
		return tNone
	}
	if !isCondition(ct) {
		c.errorf(t.Cond.Pos(), "Invalid condition in ternary: %s", ct)
		return tNone
	}
	if tt.Kind == lang.KVoid && et.Kind == lang.KVoid {
		return lang.TVoid
	}
	var m *lang.Type
	var ok bool
	if tt.Kind == lang.KInt && et.Kind == lang.KInt && t.Then != nil {
		// Integer branches meet in a type holding both (bpftrace v0.26:
		// `c ? 1 : 2` is an int8, `c ? pid : 0` a uint32); when none
		// does (uint64 and a signed value) the result is 64 bits.
		tt, et = adaptSigns(t.Then, tt, t.Else, et)
		if m, ok = mergeInts(tt, et); !ok {
			m, ok = arithType(tt, et), true
		}
	} else if tt.Kind == lang.KInt && et.Kind == lang.KInt {
		m, ok = arithType(tt, et), true
	} else {
		m, ok = mergeTypes(tt, et)
	}
	if !ok {
		c.errorf(t.Span, "Branches must return the same type or compatible types: have '%s' and '%s'", tt, et)
		return tNone
	}
	return m
}

// opVerb names what a binary operator does, for type mismatch messages:
// `@x + "a"` is adding a string, not comparing one.
func opVerb(op string) string {
	switch op {
	case "+":
		return "adding"
	case "-":
		return "subtracting"
	case "*":
		return "multiplying"
	case "/":
		return "dividing"
	case "%":
		return "taking the remainder of"
	case "&", "|", "^":
		return "combining the bits of"
	case "<<", ">>":
		return "shifting"
	case "&&", "||":
		return "combining"
	}
	return "comparing"
}

// opJoin is the word between the two operand types after opVerb.
func opJoin(op string) string {
	if opVerb(op) == "comparing" {
		return "with"
	}
	return "and"
}

// positionalTextHint explains a type mismatch whose operand is a positional
// parameter given text that is not a number: it is a string literal, as in
// bpftrace v0.26, so it does not take part in integer arithmetic.
func (c *checker) positionalTextHint(x lang.Expr, xt *lang.Type, y lang.Expr, yt *lang.Type) {
	for _, op := range []struct {
		e lang.Expr
		t *lang.Type
	}{{x, xt}, {y, yt}} {
		p, ok := op.e.(*lang.Positional)
		if !ok || p.Count || op.t.Kind != lang.KString || p.N < 1 || p.N > len(c.opts.Params) {
			continue
		}
		c.hintf("$%d is the string %q given on the command line, not a number; pass an integer (decimal, 0x hex or 0 octal) to use it in arithmetic", p.N, c.opts.Params[p.N-1])
		return
	}
}

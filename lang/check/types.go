package check

import "github.com/gobpftrace/gobpftrace/lang"

var tNone = &lang.Type{Kind: lang.KNone}

// litType is the type of an integer literal, as bpftrace v0.26 gives it:
// the smallest signed type that holds it (`1` is an int8, `300` an
// int16), or uint64 above int64's range. A non-negative literal has no
// sign of its own: next to an unsigned operand it takes that sign
// (adaptSigns), as bpftrace's sign-flexible literal types do.
func litType(v uint64) *lang.Type {
	switch {
	case v <= 1<<7-1:
		return lang.TInt8
	case v <= 1<<15-1:
		return lang.TInt16
	case v <= 1<<31-1:
		return lang.TInt32
	case v <= 1<<63-1:
		return lang.TInt64
	}
	return lang.TUint64
}

// negLitType is the type of a negated literal -v: the smallest signed type
// that holds it (`-1` is an int8). ok is false when -v is below int64's range.
func negLitType(v uint64) (*lang.Type, bool) {
	switch {
	case v <= 1<<7:
		return lang.TInt8, true
	case v <= 1<<15:
		return lang.TInt16, true
	case v <= 1<<31:
		return lang.TInt32, true
	case v <= 1<<63:
		return lang.TInt64, true
	}
	return nil, false
}

// arithType is the result of an arithmetic or bitwise operator: 64 bits,
// signed when either side is signed.
func arithType(x, y *lang.Type) *lang.Type {
	if isSigned(x) || (y != nil && isSigned(y)) {
		return lang.TInt64
	}
	return lang.TUint64
}

// opResult is the type of the arithmetic or bitwise operator op: as
// arithType, and int64 for a subtraction, whose result may be negative
// (bpftrace v0.26: `(uint8)1 - 2` is -1).
func opResult(op string, x, y *lang.Type) *lang.Type {
	if op == "-" {
		return lang.TInt64
	}
	return arithType(x, y)
}

func isSigned(t *lang.Type) bool { return t.Kind == lang.KInt && t.Signed }

// mergeInts widens two integer types to one that holds both, as scratch
// variables widen: same sign takes the larger size; mixed signs need a
// signed type larger than the unsigned one.
func mergeInts(a, b *lang.Type) (*lang.Type, bool) {
	if a.Signed == b.Signed {
		return lang.IntOf(max(a.Size, b.Size), a.Signed), true
	}
	u, s := a, b
	if a.Signed {
		u, s = b, a
	}
	if s.Size > u.Size {
		return s, true
	}
	if 2*u.Size > 8 {
		return nil, false
	}
	return lang.IntOf(max(2*u.Size, s.Size), true), true
}

// mergeTypes returns a type holding values of both a and b (scratch
// variables, ternary branches), or false when they are incompatible.
func mergeTypes(a, b *lang.Type) (*lang.Type, bool) {
	switch {
	case a.Kind == lang.KNone:
		return b, true
	case b.Kind == lang.KNone:
		return a, true
	case a.Kind == lang.KInt && b.Kind == lang.KInt:
		return mergeInts(a, b)
	case a.Kind == lang.KString && b.Kind == lang.KString:
		return mergeStrings(a, b), true
	case a.Kind == lang.KTuple && b.Kind == lang.KTuple:
		return mergeTuples(a, b, mergeTypes)
	case a.Kind == lang.KBuffer && b.Kind == lang.KBuffer:
		// Buffers carry their length: the larger capacity holds either.
		return &lang.Type{Kind: lang.KBuffer, Size: max(a.Size, b.Size), UserSpace: a.UserSpace && b.UserSpace}, true
	}
	return a, a.Equal(b)
}

// mergeConverting is mergeTypes for a variable's successive values:
// integers that no type holds both of (uint64 and a signed value), in
// tuples too, give an int64, to which the values are converted with a
// warning (castWarnings), as bpftrace v0.26 does.
func mergeConverting(a, b *lang.Type) (*lang.Type, bool) {
	switch {
	case a.Kind == lang.KInt && b.Kind == lang.KInt:
		if m, ok := mergeInts(a, b); ok {
			return m, true
		}
		return lang.TInt64, true
	case a.Kind == lang.KTuple && b.Kind == lang.KTuple:
		return mergeTuples(a, b, mergeConverting)
	}
	return mergeTypes(a, b)
}

func mergeTuples(a, b *lang.Type, merge func(x, y *lang.Type) (*lang.Type, bool)) (*lang.Type, bool) {
	if len(a.Elems) != len(b.Elems) {
		return nil, false
	}
	elems := make([]*lang.Type, len(a.Elems))
	for i := range a.Elems {
		e, ok := merge(a.Elems[i], b.Elems[i])
		if !ok {
			return nil, false
		}
		elems[i] = e
	}
	return tupleType(elems, a.Names), true
}

// storedType is the type a map key or value takes from expression e of
// type t: its own, integers at their own width (bpftrace v0.26 no longer
// widens them to 64 bits), a non-negative literal's marked Flexible, in
// tuples too (`@k[1, "a"]`, `has_key(@k, (1, "a"))`).
func storedType(e lang.Expr, t *lang.Type) *lang.Type {
	switch t.Kind {
	case lang.KInt:
		if t.Signed && literalNode(e) {
			f := *t
			f.Flexible = true
			return &f
		}
	case lang.KTuple:
		tup, ok := e.(*lang.Tuple)
		if !ok || len(tup.Elems) != len(t.Elems) {
			return t
		}
		elems := make([]*lang.Type, len(t.Elems))
		for i, el := range tup.Elems {
			elems[i] = storedType(el, t.Elems[i])
		}
		return tupleType(elems, t.Names)
	}
	return t
}

// mergeStoredInts merges two integer types of a map key or value: the
// smallest type holding both (as a variable widens), where a Flexible
// literal type first takes the sign of an unsigned side. When no type
// holds both (uint64 and a signed value) the result is an int64 and the
// stores that may not fit it draw a warning (castWarnings), as in
// bpftrace v0.26.
func mergeStoredInts(a, b *lang.Type) *lang.Type {
	x, y := a, b
	if a.Flexible && !b.Flexible && !b.Signed {
		x = lang.IntOf(a.Size, false)
	}
	if b.Flexible && !a.Flexible && !a.Signed {
		y = lang.IntOf(b.Size, false)
	}
	m, ok := mergeInts(x, y)
	if !ok {
		m = lang.TInt64
	}
	flexible := a.Flexible && b.Flexible
	enum := a.Enum != nil && b.Enum != nil && a.Enum.Name == b.Enum.Name
	if !flexible && !enum {
		return lang.IntOf(m.Size, m.Signed)
	}
	r := lang.IntType(m.Size, m.Signed)
	r.Flexible = flexible
	if enum {
		r.Enum = a.Enum // an enum stays one in a map (%s prints its name)
	}
	return r
}

// mergeStrings is the string type that holds both a and b: the larger
// size, a char array (printed whole, see lang.Type.CharArray) when every
// side that fills it is one.
func mergeStrings(a, b *lang.Type) *lang.Type {
	t := lang.StringType(max(a.Size, b.Size))
	fills := func(s *lang.Type) bool { return s.Size == t.Size }
	t.CharArray = (a.CharArray || !fills(a)) && (b.CharArray || !fills(b))
	return t
}

// mergeStored merges map key/value types: integers to a type holding both
// (mergeStoredInts), strings to the larger size, aggregations must agree.
func mergeStored(a, b *lang.Type) (*lang.Type, bool) {
	switch {
	case a.Kind == lang.KNone:
		return b, true
	case b.Kind == lang.KNone:
		return a, true
	case a.Kind == lang.KInt && b.Kind == lang.KInt:
		return mergeStoredInts(a, b), true
	case a.Kind == lang.KString && b.Kind == lang.KString:
		return mergeStrings(a, b), true
	case a.Kind == lang.KTuple && b.Kind == lang.KTuple:
		return mergeTuples(a, b, mergeStored)
	case a.IsAggregation() && a.Kind == b.Kind:
		switch a.Kind {
		case lang.KSum, lang.KMin, lang.KMax, lang.KAvg, lang.KStats:
			t := *a
			t.Signed = a.Signed || b.Signed
			return &t, true
		case lang.KTseries:
			// Signed when any value is; the interval, count and
			// aggregation must be the same.
			u := *b
			u.Signed = a.Signed
			if !a.Equal(&u) {
				return a, false
			}
			t := *a
			t.Signed = a.Signed || b.Signed
			return &t, true
		}
	}
	return a, a.Equal(b)
}

// tupleType builds a tuple type with its C-like size (lang.SizeOf).
func tupleType(elems []*lang.Type, names []string) *lang.Type {
	t := &lang.Type{Kind: lang.KTuple, Elems: elems, Names: names}
	t.Size = lang.SizeOf(t)
	return t
}

// varType is the type a scratch variable takes from a value: its own,
// a literal's too (bpftrace v0.26: `$x = 1` is an int8); the variable
// widens as wider values are stored in it, and ++, -- and the operators
// give 64-bit results, so counters do not wrap.
func varType(_ lang.Expr, t *lang.Type) *lang.Type {
	return t
}

// isBareLiteral reports whether e is an integer literal, possibly negated
// or folded from literals (fold.go).
func isBareLiteral(e lang.Expr) bool {
	_, ok := foldOperand(e)
	return ok
}

// isPlainLiteral reports whether e is a non-negative integer literal, or
// one folded from literals.
func isPlainLiteral(e lang.Expr) bool {
	f, ok := foldOperand(e)
	return ok && !f.Negative
}

// literalValue is the unsigned value of a bare literal (0 when negated).
func literalValue(e lang.Expr) uint64 {
	if f, ok := foldOperand(e); ok && !f.Negative {
		return f.Value
	}
	return 0
}

// kindName names a type's kind in printf messages.
func kindName(t *lang.Type) string {
	switch t.Kind {
	case lang.KInt:
		return "integer"
	case lang.KBool:
		return "bool"
	case lang.KString:
		return "string"
	case lang.KPtr:
		return "pointer"
	case lang.KTuple:
		return "tuple"
	case lang.KBuffer:
		return "buffer"
	}
	return t.String()
}

// namedInts are the integer type names a script may write.
var namedInts = map[string]*lang.Type{
	"int8": lang.TInt8, "int16": lang.TInt16, "int32": lang.TInt32, "int64": lang.TInt64,
	"uint8": lang.TUint8, "uint16": lang.TUint16, "uint32": lang.TUint32, "uint64": lang.TUint64,
	"int8_t": lang.TInt8, "int16_t": lang.TInt16, "int32_t": lang.TInt32, "int64_t": lang.TInt64,
	"uint8_t": lang.TUint8, "uint16_t": lang.TUint16, "uint32_t": lang.TUint32, "uint64_t": lang.TUint64,
	"u8": lang.TUint8, "u16": lang.TUint16, "u32": lang.TUint32, "u64": lang.TUint64,
	"s8": lang.TInt8, "s16": lang.TInt16, "s32": lang.TInt32, "s64": lang.TInt64,
	"char": lang.TInt8, "short": lang.TInt16, "int": lang.TInt32, "long": lang.TInt64,
	"unsigned char": lang.TUint8, "unsigned short": lang.TUint16, "unsigned int": lang.TUint32, "unsigned long": lang.TUint64,
	"unsigned": lang.TUint32, "long long": lang.TInt64, "unsigned long long": lang.TUint64,
	"signed": lang.TInt32, "signed char": lang.TInt8, "signed short": lang.TInt16, "signed int": lang.TInt32,
	"signed long": lang.TInt64, "signed long long": lang.TInt64, "short int": lang.TInt16, "long int": lang.TInt64,
	"long long int": lang.TInt64, "unsigned short int": lang.TUint16, "unsigned long int": lang.TUint64,
	"unsigned long long int": lang.TUint64,
}

// typeSpec resolves a written type: integer names, bool, string, C
// structs, unions, enums and typedefs (script definitions, then kernel
// BTF), with pointers and an array length. It records the result on ts.
func (c *checker) typeSpec(ts *lang.TypeSpec) *lang.Type {
	if ts.Name == "" && ts.Of == nil && ts.T != nil {
		// A type the checker wrote itself (an expansion of uprobe args).
		return ts.T
	}
	var t *lang.Type
	if te, ok := ts.Of.(*lang.TypeExpr); ok && te.Spec != nil {
		// typeof(T) with a macro's type argument: that type.
		t = c.typeSpec(te.Spec)
	} else if m, ok := ts.Of.(*lang.MapExpr); ok && len(m.Keys) == 0 {
		// typeof(@m): the type of the map's values, for a map with keys
		// too, as in bpftrace v0.26 (the one place such a map may be
		// named alone, without its keys).
		t = c.mapValue(m, c.bindMap(m))
	} else if ts.Of != nil {
		// typeof(expr): the expression's type; the expression is not
		// evaluated.
		t = c.expr(ts.Of)
		if known(t) && (t.Kind == lang.KVoid || t.IsAggregation()) {
			c.errorf(ts.Of.Pos(), "typeof() needs a value (%s provided)", t)
			return tNone
		}
	} else if ts.Name == "string" && ts.ArrayLen > 0 && ts.Pointers == 0 {
		// string[N] is a string of N bytes, NUL included.
		t = lang.StringType(ts.ArrayLen)
		ts.T = t
		return t
	} else {
		t = c.namedType(ts)
	}
	if !known(t) {
		return tNone
	}
	for i := 0; i < ts.Pointers; i++ {
		t = ptrTo(t, false)
	}
	if ts.ArrayLen > 0 {
		t = &lang.Type{Kind: lang.KArray, Elem: t, Len: ts.ArrayLen, Size: lang.SizeOf(t) * ts.ArrayLen}
	}
	ts.T = t
	return t
}

package check

import (
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
)

// Integer sign rules of bpftrace v0.26 that give warnings, not errors.
//
// A binary operator on integers of different signs converts both sides
// to a type holding either (uint32 with int8 gives int64). When no such
// type exists (uint64 with a signed value) the result may be wrong, and
// bpftrace warns at the operator: "comparison of integers of different
// signs" for == != < <= > >=, "arithmetic on integers of different signs"
// for + - * / %. A non-negative integer literal takes the sign the other
// side needs, so `retval > 1` draws no warning where `retval > -1` does.
//
// Storing an integer where a type that cannot hold all its values is
// fixed (a variable or map value widened to int64 by a later signed value,
// a `let` variable of a narrower type) converts it, with a warning at the
// value: "Expression of type: uint64 being cast to type: int64." on one
// line, "This may cause unexpected results. Use an explicit cast to
// suppress this warning." on the next.

// signMismatch warns when b mixes signs that no integer type can hold.
func (c *checker) signMismatch(b *lang.Binary, xt, yt *lang.Type) {
	if xt.Kind != lang.KInt || yt.Kind != lang.KInt || xt.Signed == yt.Signed {
		return
	}
	if c.flexibleLiteral(b.X) || c.flexibleLiteral(b.Y) {
		return
	}
	if _, ok := mergeInts(xt, yt); ok {
		return
	}
	what := "arithmetic on"
	if compareOps[b.Op] {
		what = "comparison of"
	}
	c.warnf(c.opSpan(b), "%s integers of different signs: '%s' and '%s' can lead to undefined behavior", what, xt, yt)
}

// flexibleLiteral reports a non-negative integer literal, whose sign
// adapts to the other operand; a positional parameter given an integer is
// one (bpftrace puts the literal in its place).
func (c *checker) flexibleLiteral(e lang.Expr) bool {
	switch e := e.(type) {
	case *lang.IntLit, *lang.Sizeof, *lang.Offsetof:
		return true
	case *lang.Var:
		// A variable that has held only non-negative literals so far
		// (`$max = 0; if (nsecs > $max)`) is sign-flexible in bpftrace
		// v0.26 as the literal is.
		return e.Sym != nil && e.Sym.Literal
	case *lang.Positional:
		n, ok := c.constInt(e)
		return ok && n >= 0
	}
	return isPlainLiteral(e)
}

// opSpan is the place of b's operator in the source (bpftrace positions
// operator diagnostics there); b's whole span when it cannot be found.
func (c *checker) opSpan(b *lang.Binary) lang.Span {
	src := c.out.Source
	from, to := b.X.Pos().End.Offset, b.Y.Pos().Start.Offset
	if from < 0 || to > len(src) || from >= to {
		return b.Span
	}
	i := strings.Index(src[from:to], b.Op)
	if i < 0 {
		return b.Span
	}
	start := posAt(src, from+i)
	end := posAt(src, from+i+len(b.Op))
	return lang.Span{Start: start, End: end}
}

// posAt is the position of a byte offset of src.
func posAt(src string, off int) lang.Pos {
	line := 1 + strings.Count(src[:off], "\n")
	col := off - (strings.LastIndex(src[:off], "\n") + 1) + 1
	return lang.Pos{Offset: off, Line: line, Col: col}
}

// intStore is an integer value stored where a type is fixed: a variable
// or a map value. Once every type is final, stores that the type cannot
// hold are warned about (castWarnings).
type intStore struct {
	value lang.Expr
	t     *lang.Type
	to    func() *lang.Type
}

// noteStore records that value (of type t) is stored where to() will be
// the final type. The integers inside a tuple are converted as well (a
// map or variable holding tuples whose field is uint64 in one and signed
// in another holds an int64 there): each is noted at its own expression
// in a tuple literal, at the whole value otherwise.
func (c *checker) noteStore(value lang.Expr, t *lang.Type, to func() *lang.Type) {
	if t == nil || value == nil {
		return
	}
	switch t.Kind {
	case lang.KInt:
		c.stores = append(c.stores, intStore{value, t, to})
	case lang.KTuple:
		lit, _ := value.(*lang.Tuple)
		if lit != nil && len(lit.Elems) != len(t.Elems) {
			lit = nil
		}
		for i, et := range t.Elems {
			field := value
			if lit != nil {
				field = lit.Elems[i]
			}
			c.noteStore(field, et, func() *lang.Type {
				ft := to()
				if ft == nil || ft.Kind != lang.KTuple || i >= len(ft.Elems) {
					return nil
				}
				return ft.Elems[i]
			})
		}
	}
}

// castWarnings warns about the recorded stores that convert their value
// to a type that cannot hold every value of theirs.
func (c *checker) castWarnings() {
	for _, s := range c.stores {
		to := s.to()
		if to == nil || to.Kind != lang.KInt || intFits(s.t, to) {
			continue
		}
		if n, ok := c.constInt(s.value); ok && fits(n, to) {
			if _, lit := s.value.(*lang.IntLit); lit || isBareLiteral(s.value) {
				continue // a literal that fits keeps its value
			}
		}
		c.warnf(s.value.Pos(), "Expression of type: %s being cast to type: %s.\nThis may cause unexpected results. Use an explicit cast to suppress this warning.", s.t, to)
	}
	c.stores = nil
}

// intFits reports whether every value of integer type t is a value of to.
func intFits(t, to *lang.Type) bool {
	if t.Signed == to.Signed {
		return t.Size <= to.Size
	}
	return !t.Signed && to.Size > t.Size
}

// adaptSigns gives a non-negative integer literal (or sizeof, offsetof,
// which are literals of their value) the sign of the other operand when
// that one is an unsigned integer and no literal itself: bpftrace v0.26's
// literal types are sign-flexible, so `nsecs + 1` is a uint64 and
// `arg0 > 5` compares unsigned. The literal's node is retyped, so that
// code generation compares and divides with the adapted sign.
func adaptSigns(x lang.Expr, xt *lang.Type, y lang.Expr, yt *lang.Type) (*lang.Type, *lang.Type) {
	if xt.Kind != lang.KInt || yt.Kind != lang.KInt {
		return xt, yt
	}
	fx, fy := literalNode(x), literalNode(y)
	switch {
	case fx && !fy && xt.Signed && !yt.Signed:
		xt = lang.IntOf(xt.Size, false)
		x.SetType(xt)
	case fy && !fx && yt.Signed && !xt.Signed:
		yt = lang.IntOf(yt.Size, false)
		y.SetType(yt)
	}
	return xt, yt
}

// literalNode reports an expression whose value is a non-negative
// literal: an integer literal, sizeof or offsetof.
func literalNode(e lang.Expr) bool {
	switch e.(type) {
	case *lang.IntLit, *lang.Sizeof, *lang.Offsetof:
		return true
	}
	return isPlainLiteral(e)
}

// unsignedLiteral is a literal's type with the sign of an unsigned slot:
// an aggregated literal is unsigned until a signed value meets it, so
// `sum(1500)` meets count() and unsigned values without a sign warning.
func unsignedLiteral(e lang.Expr, t *lang.Type) *lang.Type {
	if t.Kind == lang.KInt && t.Signed && literalNode(e) {
		return lang.IntOf(t.Size, false)
	}
	return t
}

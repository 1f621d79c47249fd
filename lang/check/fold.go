package check

import (
	"math"
	"math/big"

	"github.com/gobpftrace/gobpftrace/lang"
)

// Folding of literal arithmetic, as bpftrace v0.26 folds it before typing:
// an operator whose operands are integer literals (or folded ones) is a
// literal of its value, typed as a literal is (`1 + 2` is the int8 3,
// `200 * 2` the int16 400, `1 - 2` the int8 -1, `-(1 + 2)` the int8 -3),
// and a result that does not fit in 64 bits, or a division by zero, is an
// error. Casts are not folded: `(uint8)3 * 2` is a uint64, as in bpftrace.
// The operation is still computed by the program; the checker only types
// it (lang.Fold).

const foldError = "unable to fold literals due to overflow or underflow"

// foldOperand is e's value when e is an integer literal or a folded one.
func foldOperand(e lang.Expr) (lang.Fold, bool) {
	switch e := e.(type) {
	case *lang.IntLit:
		return lang.Fold{Folded: true, Value: e.Value, Unsigned: e.Value > math.MaxInt64}, true
	case *lang.Unary:
		return e.Fold, e.Fold.Folded
	case *lang.Binary:
		return e.Fold, e.Fold.Folded
	case *lang.Positional:
		return e.Fold, e.Fold.Folded
	}
	return lang.Fold{}, false
}

func foldBig(f lang.Fold) *big.Int {
	if f.Negative {
		return big.NewInt(int64(f.Value))
	}
	return new(big.Int).SetUint64(f.Value)
}

var (
	minFold = big.NewInt(math.MinInt64)
	maxFold = new(big.Int).SetUint64(math.MaxUint64)
)

// foldBinary folds `x op y` for the arithmetic and bitwise operators.
// folded is false when the operation is left to the program (a shift by a
// negative amount or by 64 or more); ok is false when the result does not
// fit in 64 bits or divides by zero.
func foldBinary(op string, x, y lang.Fold) (r lang.Fold, folded, ok bool) {
	mixed := x.Negative != y.Negative
	if mixed && ((!x.Negative && x.Value > math.MaxInt64) || (!y.Negative && y.Value > math.MaxInt64)) {
		// bpftrace folds a negative and a non-negative literal in int64.
		return r, true, false
	}
	unsigned := (!x.Negative && x.Unsigned) || (!y.Negative && y.Unsigned)
	signed := x.Negative || y.Negative
	var v *big.Int
	switch op {
	case "+", "-", "*", "/", "%":
		a, b := foldBig(x), foldBig(y)
		switch op {
		case "+":
			v = new(big.Int).Add(a, b)
		case "-":
			v = new(big.Int).Sub(a, b)
		case "*":
			v = new(big.Int).Mul(a, b)
		case "/", "%":
			if b.Sign() == 0 {
				return r, true, false
			}
			if op == "/" {
				v = new(big.Int).Quo(a, b) // truncated, as C's
			} else {
				v = new(big.Int).Rem(a, b)
			}
		}
		if v.Cmp(minFold) < 0 || v.Cmp(maxFold) > 0 {
			return r, true, false
		}
		if v.Sign() < 0 {
			return lang.Fold{Folded: true, Value: uint64(v.Int64()), Negative: true}, true, true
		}
		return lang.Fold{Folded: true, Value: v.Uint64(), Unsigned: unsigned}, true, true
	case "&", "|", "^":
		var bits uint64
		switch op {
		case "&":
			bits = x.Value & y.Value
		case "|":
			bits = x.Value | y.Value
		default:
			bits = x.Value ^ y.Value
		}
		neg := signed && int64(bits) < 0
		return lang.Fold{Folded: true, Value: bits, Negative: neg, Unsigned: unsigned && !neg}, true, true
	case "<<", ">>":
		if y.Negative || y.Value >= 64 {
			return r, false, true
		}
		var bits uint64
		switch {
		case op == "<<":
			bits = x.Value << y.Value
		case x.Negative:
			bits = uint64(int64(x.Value) >> y.Value)
		default:
			bits = x.Value >> y.Value
		}
		neg := x.Negative && int64(bits) < 0
		return lang.Fold{Folded: true, Value: bits, Negative: neg, Unsigned: unsigned && !neg}, true, true
	}
	return r, false, true
}

// foldUnary folds -x and ~x; ok is false when -x is below int64's range.
func foldUnary(op string, x lang.Fold) (r lang.Fold, folded, ok bool) {
	switch op {
	case "-":
		switch {
		case x.Negative:
			return lang.Fold{Folded: true, Value: -x.Value}, true, true
		case x.Value == 0:
			return x, true, true
		case x.Value > 1<<63:
			return r, true, false
		}
		return lang.Fold{Folded: true, Value: -x.Value, Negative: true}, true, true
	case "~":
		// Always non-negative, as bpftrace folds it.
		return lang.Fold{Folded: true, Value: ^x.Value, Unsigned: !x.Negative && x.Unsigned}, true, true
	}
	return r, false, true
}

// foldType is the type of a folded literal: the smallest signed type
// holding it, or unsigned one when it is kept unsigned.
func foldType(f lang.Fold) *lang.Type {
	if f.Negative {
		t, _ := negLitType(-f.Value)
		return t
	}
	if f.Unsigned {
		switch {
		case f.Value <= math.MaxUint8:
			return lang.TUint8
		case f.Value <= math.MaxUint16:
			return lang.TUint16
		case f.Value <= math.MaxUint32:
			return lang.TUint32
		}
		return lang.TUint64
	}
	return litType(f.Value)
}

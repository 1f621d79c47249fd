package check

import (
	"strconv"

	"github.com/gobpftrace/gobpftrace/lang"
)

// constInt evaluates e when it is an integer constant.
func (c *checker) constInt(e lang.Expr) (int64, bool) {
	switch e := e.(type) {
	case *lang.IntLit:
		return int64(e.Value), true
	case *lang.Ident:
		if e.Enum {
			return e.Value, true
		}
	case *lang.Offsetof:
		if t := e.Type(); t != nil && t.Kind == lang.KInt {
			return int64(e.Value), true
		}
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
		case "!":
			return b2i(v == 0), true
		}
	case *lang.FieldAccess:
		if v, ok := ConfigField(e, &c.out.Config); ok {
			switch v := v.(type) {
			case int64:
				return v, true
			case bool:
				return b2i(v), true
			}
		}
	case *lang.Call:
		// Answered at compile time once the argument is typed.
		if IsTypePredicate(e.Name) && e.Type() != nil {
			return b2i(TypePredicate(e)), true
		}
		if e.Name == "strcap" {
			return StrCap(e)
		}
		if e.Name == "kfunc_exist" && len(e.Args) == 1 {
			if lit, ok := e.Args[0].(*lang.StrLit); ok && c.out.Kfuncs != nil {
				return b2i(c.out.Kfuncs[lit.Value]), true
			}
		}
		// getopt()'s value is fixed when the script is compiled.
		if e.Name == "getopt" && len(e.Args) > 0 && e.Type() != nil && (e.Type().IsInt() || e.Type().Kind == lang.KBool) {
			if name, ok := e.Args[0].(*lang.StrLit); ok {
				v, err := strconv.ParseInt(c.out.Getopts[name.Value], 10, 64)
				return v, err == nil
			}
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
		return PositionalInt(c.opts.Params[e.N-1])
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
		case "==":
			return b2i(x == y), true
		case "!=":
			return b2i(x != y), true
		case "<":
			return b2i(x < y), true
		case "<=":
			return b2i(x <= y), true
		case ">":
			return b2i(x > y), true
		case ">=":
			return b2i(x >= y), true
		case "&&":
			return b2i(x != 0 && y != 0), true
		case "||":
			return b2i(x != 0 || y != 0), true
		}
	}
	return 0, false
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

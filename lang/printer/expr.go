package printer

import (
	"strconv"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
)

// Precedence levels, loosest first; parentheses are added only where the
// tree would otherwise read differently.
const (
	precTernary = iota + 1
	precLogOr
	precLogAnd
	precBitOr
	precBitXor
	precBitAnd
	precEquality
	precRelational
	precShift
	precAdditive
	precMultiplicative
	precUnary
	precPostfix
	precPrimary
)

var binaryPrec = map[string]int{
	"||": precLogOr, "&&": precLogAnd, "|": precBitOr, "^": precBitXor, "&": precBitAnd,
	"==": precEquality, "!=": precEquality,
	"<": precRelational, "<=": precRelational, ">": precRelational, ">=": precRelational,
	"<<": precShift, ">>": precShift,
	"+": precAdditive, "-": precAdditive,
	"*": precMultiplicative, "/": precMultiplicative, "%": precMultiplicative,
}

// Expr renders an expression as source text (for messages and Print).
func Expr(e lang.Expr) string {
	if e == nil {
		return ""
	}
	return expr(e, 0)
}

func prec(e lang.Expr) int {
	switch e := e.(type) {
	case *lang.Ternary:
		return precTernary
	case *lang.Binary:
		if p, ok := binaryPrec[e.Op]; ok {
			return p
		}
		return precLogOr
	case *lang.Unary:
		if e.Postfix {
			return precPostfix
		}
		return precUnary
	case *lang.Cast:
		return precUnary
	case *lang.FieldAccess, *lang.Index:
		return precPostfix
	}
	return precPrimary
}

// expr renders e, in parentheses when it binds looser than min.
func expr(e lang.Expr, min int) string {
	s := bare(e)
	if prec(e) < min {
		return "(" + s + ")"
	}
	return s
}

func bare(e lang.Expr) string {
	switch e := e.(type) {
	case *lang.IntLit:
		if e.Raw != "" {
			return e.Raw
		}
		return strconv.FormatUint(e.Value, 10)
	case *lang.StrLit:
		return Quote(e.Value)
	case *lang.BoolLit:
		return strconv.FormatBool(e.Value)
	case *lang.Ident:
		return e.Name
	case *lang.Positional:
		if e.Count {
			return "$#"
		}
		return "$" + strconv.Itoa(e.N)
	case *lang.Var:
		return e.Name
	case *lang.MapExpr:
		if len(e.Keys) == 0 {
			return e.Name
		}
		return e.Name + "[" + list(e.Keys) + "]"
	case *lang.Call:
		return e.Name + "(" + list(e.Args) + ")"
	case *lang.Unary:
		if e.Postfix {
			return expr(e.X, precPostfix) + e.Op
		}
		x := expr(e.X, precUnary)
		if x != "" && strings.ContainsRune("-+&", rune(e.Op[len(e.Op)-1])) && x[0] == e.Op[len(e.Op)-1] {
			return e.Op + " " + x // keep `- -x` from reading as `--x`
		}
		return e.Op + x
	case *lang.Binary:
		p := binaryPrec[e.Op]
		y := expr(e.Y, p+1)
		if e.Op == ">" && startsProbeWord(y) {
			// In an angle block `> BEGIN` would read as the block's end
			// followed by a probe.
			y = "(" + y + ")"
		}
		return expr(e.X, p) + " " + e.Op + " " + y
	case *lang.Ternary:
		c := expr(e.Cond, precLogOr)
		if e.Then == nil {
			return c + " ?: " + expr(e.Else, precTernary)
		}
		return c + " ? " + expr(e.Then, 0) + " : " + expr(e.Else, precTernary)
	case *lang.FieldAccess:
		sep := "."
		if e.Arrow {
			sep = "->"
		}
		return expr(e.X, precPostfix) + sep + e.Field
	case *lang.Index:
		return expr(e.X, precPostfix) + "[" + Expr(e.Index) + "]"
	case *lang.Cast:
		x := expr(e.X, precUnary)
		if plainTypeName(e.To) && x != "" && strings.ContainsRune("-+!~*&", rune(x[0])) {
			// `(pid_t)-1` would read as a subtraction.
			x = "(" + x + ")"
		}
		return "(" + e.To.Text() + ")" + x
	case *lang.Tuple:
		parts := make([]string, len(e.Elems))
		for i, x := range e.Elems {
			parts[i] = Expr(x)
			if i < len(e.Names) {
				parts[i] = e.Names[i] + "=" + parts[i]
			}
		}
		return "(" + strings.Join(parts, ", ") + ")"
	case *lang.Sizeof:
		if e.TypeArg != nil {
			return "sizeof(" + e.TypeArg.Text() + ")"
		}
		return "sizeof(" + Expr(e.X) + ")"
	case *lang.Offsetof:
		arg := ""
		if e.TypeArg != nil {
			arg = e.TypeArg.Text()
		} else {
			arg = Expr(e.X)
		}
		return "offsetof(" + arg + ", " + strings.Join(e.Fields, ".") + ")"
	}
	return "<?>"
}

// plainTypeName reports whether t is a bare identifier such as pid_t,
// which reads as a cast only when an operand follows the ')'.
func plainTypeName(t *lang.TypeSpec) bool {
	if t.Pointers > 0 || t.ArrayLen > 0 || strings.Contains(t.Name, " ") {
		return false
	}
	switch t.Name {
	case "bool", "string", "void", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64":
		return false
	}
	return true
}

func list(xs []lang.Expr) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = Expr(x)
	}
	return strings.Join(parts, ", ")
}

// Quote renders s as a string literal with C escapes.
func Quote(s string) string {
	const hex = "0123456789abcdef"
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		default:
			if c < ' ' || c >= 0x7f {
				b.WriteString(`\x` + string(hex[c>>4]) + string(hex[c&15]))
				continue
			}
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// startsProbeWord reports whether s starts with BEGIN or END (any case
// the parser takes for a probe) as a whole word.
func startsProbeWord(s string) bool {
	for _, w := range []string{"BEGIN", "END", "begin", "end"} {
		if strings.HasPrefix(s, w) && (len(s) == len(w) || !isIdentByte(s[len(w)])) {
			return true
		}
	}
	return false
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

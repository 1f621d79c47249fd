package printer

import (
	"strconv"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
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
	p := &exprPrinter{budget: -1}
	p.expr(e, 0)
	return p.b.String()
}

// ExprLimit renders at most about nodes nodes of e: the rest prints as
// "...", the left operand of a binary operator getting at most half of what
// is left (so a chain shows its last operands: `... + 8 + 9`). Its cost is bounded by nodes whatever the size of e, so a listing
// of every subexpression of a long chain stays linear.
func ExprLimit(e lang.Expr, nodes int) string {
	if e == nil {
		return ""
	}
	p := &exprPrinter{budget: nodes}
	p.expr(e, 0)
	return p.b.String()
}

// exprPrinter writes expressions into one buffer, so that a long chain
// costs linear time (concatenating operands' strings would copy each
// prefix of a left-leaning chain again at every level).
type exprPrinter struct {
	b strings.Builder
	// budget is how many more nodes may be printed (negative: no limit).
	budget int
}

func prec(e lang.Expr) int {
	switch e := e.(type) {
	case *lang.Ternary:
		if e.If {
			return precPostfix // if (c) { a } else { b } is one operand
		}
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
func (p *exprPrinter) expr(e lang.Expr, min int) {
	if p.budget == 0 {
		p.b.WriteString("...")
		return
	}
	if p.budget > 0 {
		p.budget--
	}
	if prec(e) < min {
		p.b.WriteByte('(')
		p.bare(e)
		p.b.WriteByte(')')
		return
	}
	p.bare(e)
}

// lead returns the first token of e's rendering in a context binding at
// least min, walking down the left edge of the tree without recursion.
func lead(e lang.Expr, min int) string {
	for {
		if e == nil {
			return ""
		}
		if prec(e) < min {
			return "("
		}
		switch x := e.(type) {
		case *lang.Binary:
			e, min = x.X, binaryPrec[x.Op]
		case *lang.Ternary:
			if x.If {
				return "if"
			}
			e, min = x.Cond, precLogOr
		case *lang.Unary:
			if !x.Postfix {
				return x.Op
			}
			e, min = x.X, precPostfix
		case *lang.FieldAccess:
			e, min = x.X, precPostfix
		case *lang.Index:
			e, min = x.X, precPostfix
		case *lang.Cast, *lang.Tuple:
			return "("
		case *lang.MapExpr:
			return x.Name
		case *lang.Call:
			return x.Name
		case *lang.Sizeof:
			return "sizeof"
		case *lang.Offsetof:
			return "offsetof"
		case *lang.StrLit:
			return `"`
		case *lang.BlockExpr:
			return "{"
		default:
			return Expr(e) // a leaf
		}
	}
}

func (p *exprPrinter) list(xs []lang.Expr) {
	for i, x := range xs {
		if i > 0 {
			p.b.WriteString(", ")
		}
		p.expr(x, 0)
	}
}

func (p *exprPrinter) bare(e lang.Expr) {
	b := &p.b
	switch e := e.(type) {
	case *lang.IntLit:
		if e.Raw != "" {
			b.WriteString(e.Raw)
			return
		}
		b.WriteString(strconv.FormatUint(e.Value, 10))
	case *lang.StrLit:
		b.WriteString(Quote(e.Value))
	case *lang.BoolLit:
		b.WriteString(strconv.FormatBool(e.Value))
	case *lang.Ident:
		b.WriteString(e.Name)
	case *lang.Positional:
		if e.Count {
			b.WriteString("$#")
			return
		}
		b.WriteString("$" + strconv.Itoa(e.N))
	case *lang.Var:
		b.WriteString(e.Name)
	case *lang.MapExpr:
		b.WriteString(e.Name)
		if len(e.Keys) > 0 {
			b.WriteByte('[')
			p.list(e.Keys)
			b.WriteByte(']')
		}
	case *lang.Call:
		b.WriteString(e.Name)
		b.WriteByte('(')
		p.list(e.Args)
		b.WriteByte(')')
	case *lang.Unary:
		if e.Postfix {
			p.expr(e.X, precPostfix)
			b.WriteString(e.Op)
			return
		}
		b.WriteString(e.Op)
		last := e.Op[len(e.Op)-1]
		if x := lead(e.X, precUnary); x != "" && strings.ContainsRune("-+&", rune(last)) && x[0] == last {
			b.WriteByte(' ') // keep `- -x` from reading as `--x`
		}
		p.expr(e.X, precUnary)
	case *lang.Binary:
		prec := binaryPrec[e.Op]
		if p.budget > 0 {
			rest := p.budget - p.budget/2
			p.budget /= 2
			p.expr(e.X, prec)
			p.budget += rest
		} else {
			p.expr(e.X, prec)
		}
		b.WriteString(" " + e.Op + " ")
		if e.Op == ">" && startsProbeWord(lead(e.Y, prec+1)) {
			// In an angle block `> BEGIN` would read as the block's end
			// followed by a probe.
			b.WriteByte('(')
			p.expr(e.Y, prec+1)
			b.WriteByte(')')
			return
		}
		p.expr(e.Y, prec+1)
	case *lang.Ternary:
		if e.If {
			p.ifExpr(e)
			return
		}
		p.expr(e.Cond, precLogOr)
		if e.Then == nil {
			b.WriteString(" ?: ")
			p.expr(e.Else, precTernary)
			return
		}
		b.WriteString(" ? ")
		p.expr(e.Then, 0)
		b.WriteString(" : ")
		p.expr(e.Else, precTernary)
	case *lang.FieldAccess:
		p.expr(e.X, precPostfix)
		if e.Arrow {
			b.WriteString("->")
		} else {
			b.WriteByte('.')
		}
		b.WriteString(e.Field)
	case *lang.Index:
		p.expr(e.X, precPostfix)
		b.WriteByte('[')
		p.expr(e.Index, 0)
		b.WriteByte(']')
	case *lang.Cast:
		b.WriteString("(" + TypeText(e.To) + ")")
		if x := lead(e.X, precUnary); plainTypeName(e.To) && x != "" && strings.ContainsRune("-+!~*&", rune(x[0])) {
			// `(pid_t)-1` would read as a subtraction.
			b.WriteByte('(')
			p.expr(e.X, precUnary)
			b.WriteByte(')')
			return
		}
		p.expr(e.X, precUnary)
	case *lang.Tuple:
		b.WriteByte('(')
		for i, x := range e.Elems {
			if i > 0 {
				b.WriteString(", ")
			}
			if i < len(e.Names) {
				b.WriteString(e.Names[i] + "=")
			}
			p.expr(x, 0)
		}
		b.WriteByte(')')
	case *lang.Sizeof:
		if e.TypeArg != nil {
			b.WriteString("sizeof(" + TypeText(e.TypeArg) + ")")
			return
		}
		b.WriteString("sizeof(")
		p.expr(e.X, 0)
		b.WriteByte(')')
	case *lang.Offsetof:
		b.WriteString("offsetof(")
		if e.TypeArg != nil {
			b.WriteString(TypeText(e.TypeArg))
		} else {
			p.expr(e.X, 0)
		}
		b.WriteString(", " + strings.Join(e.Fields, ".") + ")")
	case *lang.TypeExpr:
		b.WriteString(TypeText(e.Spec))
	case *lang.BlockExpr:
		b.WriteString(blockExprText(e))
	case *lang.Wildcard:
		b.WriteByte('*')
	default:
		b.WriteString("<?>")
	}
}

// ifExpr writes an if expression as written: its condition in
// parentheses, its branches as blocks, `else if` for an If else branch.
func (p *exprPrinter) ifExpr(e *lang.Ternary) {
	p.b.WriteString("if (")
	p.expr(e.Cond, 0)
	p.b.WriteString(") ")
	p.branch(e.Then, false)
	p.b.WriteString(" else ")
	p.branch(e.Else, true)
}

// branch writes a branch of an if expression, in braces unless it is a
// block (or, after else, another if expression) already: macro expansion
// may have replaced a block by its value.
func (p *exprPrinter) branch(e lang.Expr, elseBranch bool) {
	if _, ok := e.(*lang.BlockExpr); ok {
		p.expr(e, 0)
		return
	}
	if t, ok := e.(*lang.Ternary); ok && t.If && elseBranch {
		p.expr(e, 0)
		return
	}
	p.b.WriteString("{ ")
	p.expr(e, 0)
	p.b.WriteString(" }")
}

// TypeText is a written type as source: its name, or typeof(expr), with
// its pointers and array length.
func TypeText(t *lang.TypeSpec) string {
	if t.Of == nil {
		return t.Text()
	}
	c := *t
	c.Name = "typeof(" + Expr(t.Of) + ")"
	return c.Text()
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
	n := 0
	for n < len(s) && isIdentByte(s[n]) {
		n++
	}
	return probetype.Bare(s[:n])
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

package check

import (
	"fmt"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
)

// exprs lists every expression of prog in source order.
func allExprs(prog *lang.Program) []lang.Expr {
	var out []lang.Expr
	var expr func(e lang.Expr)
	var stmt func(s lang.Stmt)
	var block func(b *lang.Block)
	expr = func(e lang.Expr) {
		if e == nil {
			return
		}
		out = append(out, e)
		switch e := e.(type) {
		case *lang.MapExpr:
			for _, k := range e.Keys {
				expr(k)
			}
		case *lang.Call:
			for _, a := range e.Args {
				expr(a)
			}
		case *lang.Unary:
			expr(e.X)
		case *lang.Binary:
			expr(e.X)
			expr(e.Y)
		case *lang.Ternary:
			expr(e.Cond)
			expr(e.Then)
			expr(e.Else)
		case *lang.FieldAccess:
			expr(e.X)
		case *lang.Index:
			expr(e.X)
			expr(e.Index)
		case *lang.Cast:
			expr(e.X)
		case *lang.Tuple:
			for _, a := range e.Elems {
				expr(a)
			}
		case *lang.Sizeof:
			expr(e.X)
		}
	}
	_ = expr
	block = func(b *lang.Block) {
		if b == nil {
			return
		}
		for _, s := range b.Stmts {
			stmt(s)
		}
	}
	stmt = func(s lang.Stmt) {
		switch s := s.(type) {
		case *lang.ExprStmt:
			expr(s.X)
		case *lang.AssignStmt:
			expr(s.Target)
			expr(s.Value)
		case *lang.LetStmt:
			expr(s.Var)
			expr(s.Value)
		case *lang.IfStmt:
			expr(s.Cond)
			block(s.Then)
			stmt(s.Else)
		case *lang.Block:
			block(s)
		case *lang.BlockStmt:
			block(s.Body)
		case *lang.JumpStmt:
			expr(s.Value)
		case *lang.WhileStmt:
			expr(s.Cond)
			block(s.Body)
		case *lang.ForMapStmt:
			expr(s.Var)
			expr(s.Map)
			block(s.Body)
		case *lang.ForRangeStmt:
			expr(s.Var)
			expr(s.Start)
			expr(s.End)
			block(s.Body)
		case *lang.UnrollStmt:
			expr(s.Count)
			block(s.Body)
		}
	}
	for _, p := range prog.Probes {
		expr(p.Predicate)
		block(p.Body)
	}
	return out
}

// typeDump renders "source: type" for every expression, one per line.
func typeDump(prog *lang.Program, src string) string {
	var b strings.Builder
	for _, e := range allExprs(prog) {
		sp := e.Pos()
		fmt.Fprintf(&b, "%s: %s\n", src[sp.Start.Offset:sp.End.Offset], typeText(e.Type()))
	}
	return b.String()
}

// typeText is Type.String with the details tests care about.
func typeText(t *lang.Type) string {
	if t == nil {
		return "nil"
	}
	s := t.String()
	switch t.Kind {
	case lang.KSum, lang.KMin, lang.KMax, lang.KAvg, lang.KStats:
		if t.Signed {
			s += "(signed)"
		}
	case lang.KHist:
		s += fmt.Sprintf("(bits=%d)", t.Bits)
	case lang.KLhist:
		s += fmt.Sprintf("(%d,%d,%d)", t.LhistMin, t.LhistMax, t.LhistStep)
	}
	if t.UserSpace {
		s += " user"
	}
	return s
}

type mapUse = lang.MapExpr

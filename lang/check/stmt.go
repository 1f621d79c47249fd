package check

import (
	"slices"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

func (c *checker) stmts(list []lang.Stmt) {
	for _, s := range list {
		c.stmt(s)
	}
}

func (c *checker) block(b *lang.Block) {
	if b == nil {
		return
	}
	c.pushScope()
	c.stmts(b.Stmts)
	c.popScope()
}

func (c *checker) stmt(s lang.Stmt) {
	switch s := s.(type) {
	case nil:
	case *lang.ExprStmt:
		if s.X != nil {
			c.exprStmt(s.X)
		}
	case *lang.AssignStmt:
		c.assign(s)
	case *lang.LetStmt:
		c.let(s)
	case *lang.IfStmt:
		c.cond(s.Cond, "if()")
		v, known := c.constInt(s.Cond)
		c.deadIf(known && v == 0, func() { c.block(s.Then) })
		c.deadIf(known && v != 0, func() { c.stmt(s.Else) })
	case *lang.Block:
		c.block(s)
	case *lang.BlockStmt:
		c.block(s.Body)
	case *lang.WhileStmt:
		c.cond(s.Cond, "while()")
		c.loop(s.Body)
	case *lang.ForMapStmt:
		c.forMap(s)
	case *lang.ForRangeStmt:
		c.forRange(s)
	case *lang.UnrollStmt:
		c.unroll(s)
	case *lang.JumpStmt:
		if s.Kind != "return" && c.loops == 0 {
			c.errorf(s.Span, "%s used outside of a loop", s.Kind)
		}
		if s.Value != nil {
			t := c.expr(s.Value)
			if t != nil && !t.IsInt() && slices.Contains(c.providers(), probetype.Test) {
				c.errorf(s.Value.Pos(), "a test probe returns an integer (0 passes), not %s", t)
			}
		}
	default:
		c.errorf(s.Pos(), "unknown statement")
	}
}

// deadIf checks what check checks, as code that never runs when dead.
func (c *checker) deadIf(dead bool, check func()) {
	if dead {
		c.dead++
		defer func() { c.dead-- }()
	}
	check()
}

func (c *checker) loop(b *lang.Block) {
	c.loops++
	c.block(b)
	c.loops--
}

func (c *checker) cond(e lang.Expr, what string) {
	if e == nil {
		return
	}
	t := c.expr(e)
	if known(t) && !isCondition(t) {
		c.errorf(e.Pos(), "Invalid condition in %s: %s", what, t)
	}
}

// exprStmt checks an expression whose value is discarded.
func (c *checker) exprStmt(e lang.Expr) {
	c.expr(e)
}

func (c *checker) let(s *lang.LetStmt) {
	if s.Var == nil {
		return
	}
	if old := c.scope.vars[s.Var.Name]; old != nil {
		c.errorf(s.Var.Span, "Variable %s was already declared in this scope", s.Var.Name)
	} else if outer := c.lookupVar(s.Var.Name); outer != nil {
		c.errorf(s.Var.Span, "Variable %s shadows another variable of the same name", s.Var.Name)
	}
	var t *lang.Type
	if s.Type != nil {
		t = c.typeSpec(s.Type)
		if known(t) && (t.Kind == lang.KStruct || t.Kind == lang.KArray) {
			// A kernel struct named here prints with every member, as
			// one read through a pointer does.
			t = c.deepValue(s.Type.Span, t, 0)
		}
	}
	var vt *lang.Type
	if s.Value != nil {
		vt = c.expr(s.Value)
		if known(vt) && c.checkStorable(s.Value, vt) && t == nil {
			t = varType(s.Value, vt)
		}
	}
	if t == nil {
		// `let $x;` takes its type from the first assignment.
		t = &lang.Type{Kind: lang.KNone}
	}
	sym := c.declare(c.scope, s.Var.Name, t)
	if s.Value != nil && t.Kind == lang.KNone && len(c.errs) > 0 {
		c.poisonedVars[sym] = true
	}
	sym.Literal = s.Type == nil && s.Value != nil && isPlainLiteral(s.Value)
	if s.Type != nil && known(t) {
		c.declared[sym] = true
		if s.Value != nil && known(vt) {
			c.checkDeclared(s.Span, s.Value, sym, vt, false)
		}
	}
	s.Var.Sym = sym
	s.Var.SetType(t)
	c.varUses = append(c.varUses, s.Var)
}

// assignable reports whether a value of type v can be stored where values
// of type to live, and the type the slot must widen to.
func assignable(to, v *lang.Type) (*lang.Type, bool) {
	if to.Kind == lang.KNone {
		return v, true
	}
	return mergeTypes(to, v)
}

package parser

import "github.com/gobpftrace/gobpftrace/lang"

func (c *converter) expr(g *gExpr) lang.Expr {
	cond := c.binaryChain(g.Cond)
	if g.Tern == nil {
		return cond
	}
	t := &lang.Ternary{Span: join(cond.Pos(), c.span(&g.Tern.node)), Cond: cond, Else: c.expr(g.Tern.Else)}
	if g.Tern.Then != nil {
		t.Then = c.expr(g.Tern.Then)
	}
	return t
}

var binaryPrec = map[string]int{
	"||": 1, "&&": 2, "|": 3, "^": 4, "&": 5,
	"==": 6, "!=": 6,
	"<": 7, "<=": 7, ">": 7, ">=": 7,
	"<<": 8, ">>": 8,
	"+": 9, "-": 9,
	"*": 10, "/": 10, "%": 10,
}

// binaryChain applies C precedence (all binary operators are left
// associative) to a flat chain by precedence climbing.
func (c *converter) binaryChain(g *gBinary) lang.Expr {
	operands := []lang.Expr{c.unary(g.X)}
	ops := make([]string, len(g.Rest))
	for i, r := range g.Rest {
		ops[i] = r.Op
		operands = append(operands, c.unary(r.Y))
	}
	i := 0
	return climbFrom(&i, operands, ops, 0)
}

// climbFrom parses operands[*i] and every following operator of
// precedence >= min.
func climbFrom(i *int, operands []lang.Expr, ops []string, min int) lang.Expr {
	x := operands[*i]
	for *i < len(ops) && binaryPrec[ops[*i]] >= min {
		op := ops[*i]
		*i++
		y := climbFrom(i, operands, ops, binaryPrec[op]+1)
		x = &lang.Binary{Span: join(x.Pos(), y.Pos()), Op: op, X: x, Y: y}
	}
	return x
}

func (c *converter) unary(g *gUnary) lang.Expr {
	switch {
	case g.Op != nil:
		return &lang.Unary{Span: c.span(&g.node), Op: *g.Op, X: c.unary(g.X)}
	case g.Cast != nil:
		return &lang.Cast{Span: c.span(&g.Cast.node), To: c.typeOf(g.Cast.To), X: c.unary(g.Cast.X)}
	default:
		return c.postfix(g.Postfix)
	}
}

func (c *converter) postfix(g *gPostfix) lang.Expr {
	x := c.primary(g.X)
	for _, op := range g.Ops {
		sp := join(x.Pos(), c.span(&op.node))
		switch {
		case op.Field != nil:
			x = &lang.FieldAccess{Span: sp, X: x, Field: *op.Field}
		case op.Arrow != nil:
			x = &lang.FieldAccess{Span: sp, X: x, Field: *op.Arrow, Arrow: true}
		case op.Index != nil:
			x = &lang.Index{Span: sp, X: x, Index: c.expr(op.Index)}
		default:
			x = &lang.Unary{Span: sp, Op: *op.IncDec, X: x, Postfix: true}
		}
	}
	return x
}

func (c *converter) primary(g *gPrimary) lang.Expr {
	sp := c.span(&g.node)
	switch {
	case g.Int != nil:
		return c.intLit(*g.Int, sp)
	case g.Str != nil:
		return c.strLit(*g.Str, sp)
	case g.Bool != nil:
		return &lang.BoolLit{Span: sp, Value: *g.Bool == "true"}
	case g.Sizeof != nil:
		s := &lang.Sizeof{Span: sp}
		if g.Sizeof.Type != nil {
			s.TypeArg = c.typeOf(g.Sizeof.Type)
		} else {
			s.X = c.expr(g.Sizeof.X)
		}
		return s
	case g.Offsetof != nil:
		o := &lang.Offsetof{Span: sp, Fields: g.Offsetof.Fields}
		if g.Offsetof.Type != nil {
			o.TypeArg = c.typeOf(g.Offsetof.Type)
		} else {
			o.X = c.expr(g.Offsetof.X)
		}
		return o
	case g.ContainerOf != nil:
		// (TYPE *)((uint64)ptr - offsetof(TYPE, member)), as C's macro.
		off := &lang.Offsetof{Span: sp, Fields: g.ContainerOf.Fields}
		var to *lang.TypeSpec
		if n := g.ContainerOf.Named; n != nil {
			// A plain name: a typedef, or a macro's type parameter. In
			// offsetof it is an identifier, as offsetof(pid_t, f) parses.
			to = &lang.TypeSpec{Span: sp, Name: *n}
			off.X = &lang.Ident{Span: sp, Name: *n}
		} else {
			to = c.typeOf(g.ContainerOf.Type)
			off.TypeArg = to
		}
		ptr := *to
		ptr.Pointers++
		addr := &lang.Cast{Span: sp, To: &lang.TypeSpec{Span: sp, Name: "uint64"}, X: c.expr(g.ContainerOf.X)}
		return &lang.Cast{Span: sp, To: &ptr, X: &lang.Binary{Span: sp, Op: "-", X: addr, Y: off}}
	case g.Call != nil:
		call := &lang.Call{Span: sp, Name: g.Call.Name}
		for _, a := range g.Call.Args {
			call.Args = append(call.Args, c.arg(a))
		}
		return call
	case g.Map != nil:
		m := &lang.MapExpr{Span: sp, Name: g.Map.Name}
		for _, k := range g.Map.Keys {
			if k.Wild != nil {
				m.Keys = append(m.Keys, &lang.Wildcard{Span: c.span(&k.node)})
				continue
			}
			m.Keys = append(m.Keys, c.expr(k.X))
		}
		return m
	case g.Var != nil:
		return &lang.Var{Span: sp, Name: *g.Var}
	case g.Positional != nil:
		if *g.Positional == "$#" {
			return &lang.Positional{Span: sp, Count: true}
		}
		n, err := parseInt((*g.Positional)[1:])
		if err != nil || n == 0 || n > 1<<20 {
			c.errorf(sp, "positional parameters are numbered from $1", "invalid positional parameter %s", *g.Positional)
		}
		return &lang.Positional{Span: sp, N: int(n)}
	case g.Ident != nil:
		return &lang.Ident{Span: sp, Name: *g.Ident}
	case g.BlockExpr != nil:
		return c.blockExpr(g.BlockExpr)
	case g.IfExpr != nil:
		return c.ifExpr(g.IfExpr)
	default:
		return c.paren(g.Paren, sp)
	}
}

// paren converts `(x)` to x, and `(a, b)` / `(n=a, m=b)` to a Tuple.
func (c *converter) paren(g *gParen, sp lang.Span) lang.Expr {
	named := g.Elems[0].Name != nil
	if len(g.Elems) == 1 && !named {
		// The AST has no parenthesis node: the inner expression's span
		// grows to cover the parentheses, so that enclosing spans do too.
		x := c.expr(g.Elems[0].X)
		if p, ok := x.(interface{ SetPos(lang.Span) }); ok {
			p.SetPos(sp)
		}
		return x
	}
	t := &lang.Tuple{Span: sp}
	for _, e := range g.Elems {
		if (e.Name != nil) != named {
			c.errorf(c.span(&e.node), "", "a record's fields must all be named, and a tuple's must not be")
		}
		if named && e.Name != nil {
			t.Names = append(t.Names, *e.Name)
		}
		t.Elems = append(t.Elems, c.expr(e.X))
	}
	return t
}

// arg converts a call's argument: an expression or a type.
func (c *converter) arg(g *gArg) lang.Expr {
	switch {
	case g.Type != nil:
		return &lang.TypeExpr{Span: c.span(&g.node), Spec: c.typeOf(g.Type)}
	default:
		return c.expr(g.X)
	}
}

// ifExpr converts `if (c) { a } else { b }` used as a value: a ternary
// whose branches are block expressions, so that only the chosen branch's
// statements run. A value needs both branches.
func (c *converter) ifExpr(g *gIf) lang.Expr {
	t := &lang.Ternary{Span: c.span(&g.node), Cond: c.cond(g.Cond), Then: c.blockExpr(g.Then), If: true}
	switch {
	case g.Else == nil:
		end := c.tokenSpan(g.Tokens[len(g.Tokens)-1])
		c.errorf(end, "an if used as a value needs an else branch: if (c) { a } else { b }",
			"syntax error, an if expression needs an else branch")
		t.Else = &lang.BoolLit{Span: end}
	case g.Else.If != nil:
		t.Else = c.ifExpr(g.Else.If)
	default:
		t.Else = c.blockExpr(g.Else.Block)
	}
	return t
}

// valueIf reports whether an if statement ending a block can be its value:
// it has an else, and each branch ends with an expression (or such an if).
func valueIf(g *gIf) bool {
	if g == nil || g.Else == nil {
		return false
	}
	endsWithValue := func(b *gBlock) bool {
		n := len(b.Stmts)
		if n == 0 || len(b.Stmts[n-1].Semis) > 0 {
			return false
		}
		last := b.Stmts[n-1]
		return (last.Expr != nil && last.Expr.Op == nil) || valueIf(last.If)
	}
	if !endsWithValue(g.Then) {
		return false
	}
	if g.Else.If != nil {
		return valueIf(g.Else.If)
	}
	return endsWithValue(g.Else.Block)
}

// blockExpr converts `{ stmts; value }`: the block's last statement is its
// value, so it must be an expression without a ';' after it.
func (c *converter) blockExpr(g *gBlock) lang.Expr {
	sp := c.span(&g.node)
	n := len(g.Stmts)
	if n > 0 && len(g.Stmts[n-1].Semis) == 0 && valueIf(g.Stmts[n-1].If) {
		// `{ ...; if (c) { a } else { b } }`: the if is the block's value.
		last := g.Stmts[n-1]
		b := c.block(&gBlock{node: g.node, Open: g.Open, Stmts: g.Stmts[:n-1], Close: g.Close})
		b.Span = sp
		return &lang.BlockExpr{Span: sp, Body: b, Value: c.ifExpr(last.If)}
	}
	b := c.block(g)
	if n == 0 || g.Stmts[n-1].Expr == nil || g.Stmts[n-1].Expr.Op != nil || len(g.Stmts[n-1].Semis) > 0 {
		closing := c.tokenSpan(g.Tokens[len(g.Tokens)-1])
		c.errorf(closing, "a block's value is its last expression, written without ';' after it: { $a += 1; $a }",
			"syntax error, a block used as a value must end with an expression")
		return &lang.BlockExpr{Span: sp, Body: b, Value: &lang.BoolLit{Span: closing}}
	}
	last := len(b.Stmts) - 1
	value := b.Stmts[last].(*lang.ExprStmt).X
	b.Stmts = b.Stmts[:last]
	return &lang.BlockExpr{Span: sp, Body: b, Value: value}
}

package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang"
)

func (g *gen) block(b *lang.Block) {
	if b == nil {
		return
	}
	var noted []*lang.VarSym
	for _, s := range b.Stmts {
		g.stmt(s)
		noted = g.noteSet(s, noted)
	}
	// What this block stored is not stored on every path after it.
	for _, sym := range noted {
		delete(g.set, sym)
	}
}

// stmt emits one statement; its temporaries are released afterwards.
func (g *gen) stmt(s lang.Stmt) {
	saved := g.span
	g.span = s.Pos()
	m := g.mark()
	outerHigh := g.tempHigh
	g.tempHigh = m.stack
	savedSettle := g.settleSpills
	g.settleSpills = g.inCallbackFrame() && branchesInExpr(s)
	g.stmtAt(s)
	g.settleSpills = savedSettle
	g.settleTemps(s, m.stack)
	g.tempHigh = max(outerHigh, g.tempHigh)
	g.release(m)
	if len(g.free) != len(intRegs)-g.inCallback {
		failf(s.Pos(), "internal error: registers leaked by this statement")
	}
	g.span = saved
}

func (g *gen) stmtAt(s lang.Stmt) {
	switch x := s.(type) {
	case *lang.ExprStmt:
		g.exprStmt(x.X)
	case *lang.AssignStmt:
		g.assign(x)
	case *lang.LetStmt:
		g.allocVar(x.Var)
		if x.Value != nil {
			g.assignVar(x.Var, "=", x.Value)
		} else {
			l := g.varLoc(x.Var)
			g.zero(l, varSize(varType(x.Var)))
		}
	case *lang.IfStmt:
		els, end := g.newLabel("else"), g.newLabel("endif")
		g.condJump(x.Cond, els, false)
		g.block(x.Then)
		if x.Else != nil {
			g.jump(end)
		}
		g.label(els)
		if x.Else != nil {
			g.stmt(x.Else)
			g.label(end)
		}
	case *lang.Block:
		g.block(x)
	case *lang.BlockStmt:
		g.block(x.Body)
	case *lang.JumpStmt:
		g.jumpStmt(x)
	case *lang.WhileStmt:
		g.whileStmt(x)
	case *lang.ForRangeStmt:
		g.forRange(x)
	case *lang.UnrollStmt:
		g.unroll(x)
	case *lang.ForMapStmt:
		g.forMap(x)
	default:
		failf(s.Pos(), "this statement is not supported yet")
	}
}

func (g *gen) exprStmt(e lang.Expr) {
	switch x := e.(type) {
	case *lang.Call:
		g.within(x, func() { g.callStmt(x) })
		return
	case *lang.Unary:
		if x.Op == "++" || x.Op == "--" {
			g.within(x, func() { g.freeReg(g.incDec(x, false)) })
			return
		}
	case *lang.Ternary:
		if x.Then != nil && x.Type().Kind == lang.KVoid {
			// c ? printf(...) : exit() runs one of its branches.
			els, end := g.newLabel("else"), g.newLabel("fi")
			g.condJump(x.Cond, els, false)
			g.exprStmt(x.Then)
			g.jump(end)
			g.label(els)
			g.exprStmt(x.Else)
			g.label(end)
			return
		}
	}
	if isScalar(e.Type()) {
		g.freeReg(g.evalInt(e))
		return
	}
	failf(e.Pos(), "this expression statement is not supported yet")
}

func (g *gen) assign(x *lang.AssignStmt) {
	switch t := x.Target.(type) {
	case *lang.Var:
		g.allocVar(t)
		g.assignVar(t, x.Op, x.Value)
	case *lang.MapExpr:
		sym, _ := g.mapOf(t)
		if sym.Value.IsAggregation() {
			call, ok := x.Value.(*lang.Call)
			if !ok || x.Op != "=" {
				failf(x.Span, "map %s holds an aggregation and can only be assigned one", t.Name)
			}
			g.within(call, func() { g.aggregate(t, call) })
			return
		}
		if x.Op == "=" {
			g.mapAssign(t, x.Value)
			return
		}
		g.mapCompound(t, x.Op[:len(x.Op)-1], x.Value, 0, false, false)
	default:
		failf(x.Target.Pos(), "cannot assign to this expression")
	}
}

// settleTemps zeroes the temporaries statement s left in a loop body's
// frame, above low, when s branches inside an expression (a ternary, &&,
// ||). Why: the verifier checks a loop body run as a callback with every
// slot of the frame taken as read and exact, dead ones included, until
// the loop's rounds are all checked. Temporaries that hold a different
// number on each path through the expression (a ternary's constant arms,
// spilled because a callback has one temporary register) then keep those
// paths apart for the rest of the body: each such statement multiplies
// the paths of the ones after it, and two dozen of them exceed the
// verifier's million instructions (generator seed 339036). Zeroed, the
// paths meet again after the statement.
func (g *gen) settleTemps(s lang.Stmt, low int) {
	if !g.inCallbackFrame() || g.tempHigh <= low || !branchesInExpr(s) {
		return
	}
	for off := low + 8; off <= g.tempHigh; off += 8 {
		g.storeImm(loc{base: asm.RFP, off: -off, fn: g.fn}, 0, 8)
	}
}

// branchesInExpr reports whether an expression of s (not of a block it
// holds) evaluates on several paths: a ternary, && or ||.
func branchesInExpr(s lang.Stmt) bool {
	found := false
	lang.Inspect(s, func(n lang.Node) bool {
		switch x := n.(type) {
		case *lang.Block:
			return false
		case *lang.Ternary:
			found = true
		case *lang.Binary:
			if x.Op == "&&" || x.Op == "||" {
				found = true
			}
		}
		return !found
	})
	return found
}

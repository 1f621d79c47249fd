package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang"
)

// Scratch variables get their memory before the body is emitted, so that
// statement temporaries can be released without freeing variables.

func varSize(t *lang.Type) int {
	if isScalar(t) {
		return 8 // held as the extended 64-bit value
	}
	return Sizeof(t)
}

// allocVars places the variables that the statements of b (and of the
// blocks inside them) name, in the order they are first named.
// Expressions are not entered: a variable first named inside one (a
// block expression) is placed when it is emitted.
func (g *gen) allocVars(b *lang.Block) {
	if b == nil {
		return
	}
	lang.Inspect(b, func(n lang.Node) bool {
		switch x := n.(type) {
		case lang.Expr:
			return false
		case *lang.LetStmt:
			g.allocVar(x.Var)
			return false
		case *lang.AssignStmt:
			if v, ok := x.Target.(*lang.Var); ok {
				g.allocVar(v)
			}
			return false
		case *lang.ForRangeStmt:
			g.allocVar(x.Var)
		case *lang.ForMapStmt:
			g.allocVar(x.Var)
		}
		return true
	})
}

func (g *gen) allocVar(v *lang.Var) {
	if v == nil || v.Sym == nil {
		return
	}
	if _, ok := g.vars[v.Sym]; ok {
		return
	}
	t := v.Sym.Type
	if t == nil {
		t = v.Type()
	}
	if t == nil {
		failf(v.Span, "variable %s has no type", v.Name)
	}
	if varSize(t) == 0 {
		// An empty struct or a zero-length array (int d[0]).
		failf(v.Span, "variable %s would hold a value of type %s, which has no bytes", v.Name, t)
	}
	g.span = v.Span
	if g.inCallbackFrame() {
		g.vars[v.Sym] = g.alloc(varSize(t))
		return
	}
	g.allocatingVar = true
	l := g.alloc(varSize(t))
	g.allocatingVar = false
	if l.onStack() {
		g.varsTop = max(g.varsTop, -l.off)
	}
	g.vars[v.Sym] = l
}

func (g *gen) varLoc(v *lang.Var) loc {
	if v.Sym == nil {
		failf(v.Span, "internal error: variable %s was not resolved", v.Name)
	}
	l, ok := g.vars[v.Sym]
	if !ok {
		failf(v.Span, "variable %s is used before it is assigned", v.Name)
	}
	return l
}

func varType(v *lang.Var) *lang.Type {
	if v.Sym != nil && v.Sym.Type != nil {
		return v.Sym.Type
	}
	return v.Type()
}

// assignVar stores value into v (plain or compound assignment).
func (g *gen) assignVar(v *lang.Var, op string, value lang.Expr) {
	l, t := g.varLoc(v), varType(v)
	if !isScalar(t) {
		if op != "=" {
			failf(v.Span, "%s on a value of type %s is not supported", op, t)
		}
		g.evalInto(value, t, l)
		return
	}
	r := g.evalInt(value)
	if op != "=" {
		var byZero, done string
		if op == "/=" || op == "%=" {
			// As in bpftrace: a warning at run time, and 1 as the result.
			byZero, done = g.newLabel("divzero"), g.newLabel("divdone")
			g.emit(asm.JEq.Imm(r, 0, byZero))
		}
		if t.Kind == lang.KPtr && elemSize(t) > 1 {
			g.emit(asm.Mul.Imm(r, int32(elemSize(t)))) // n elements
		}
		g.load(asm.R1, l, 8)
		if t.Kind == lang.KPtr && op == "-=" {
			// p += -n: the verifier refuses any subtraction from a
			// pointer to the stack (&$x); see ptrArith.
			g.emit(asm.Neg.Imm(r, 0), asm.Add.Reg(asm.R1, r))
		} else {
			g.aluReg(aluOp(op[:len(op)-1], t.Kind == lang.KInt && t.Signed), asm.R1, r)
		}
		g.emit(asm.Mov.Reg(r, asm.R1))
		if byZero != "" {
			g.jump(done)
			g.label(byZero)
			g.sendEvent(&Event{Kind: EvWarning, Format: DivideByZeroMsg, Span: value.Pos()}, nil)
			g.emit(asm.Mov.Imm(r, 1))
			g.label(done)
		}
	}
	g.normalize(r, t)
	g.store(l, r, 8)
	g.freeReg(r)
}

// incDec emits ++/-- on a variable or a map value; when value is true the
// result (old value for postfix, new for prefix) is returned in a register.
func (g *gen) incDec(x *lang.Unary, value bool) asm.Register {
	delta := int32(1)
	if x.Op == "--" {
		delta = -1
	}
	switch t := x.X.(type) {
	case *lang.Var:
		l, vt := g.varLoc(t), varType(t)
		if !isScalar(vt) {
			failf(x.Span, "%s on a value of type %s", x.Op, vt)
		}
		if vt.Kind == lang.KPtr {
			delta *= int32(elemSize(vt)) // a pointer moves by one element
		}
		r := g.allocReg()
		g.load(r, l, 8)
		g.emit(asm.Mov.Reg(asm.R1, r), asm.Add.Imm(asm.R1, delta))
		g.normalize(asm.R1, vt)
		g.store(l, asm.R1, 8)
		if !x.Postfix {
			g.emit(asm.Mov.Reg(r, asm.R1))
		}
		return r
	case *lang.MapExpr:
		return g.mapCompound(t, "+", nil, delta, value, x.Postfix)
	}
	failf(x.Span, "%s needs a variable or a map", x.Op)
	return 0
}

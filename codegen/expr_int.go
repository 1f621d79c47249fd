package codegen

import (
	"math"

	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/check"
)

// isScalar reports whether values of t are computed in a register.
func isScalar(t *lang.Type) bool {
	if t == nil {
		return false
	}
	switch t.Kind {
	case lang.KInt, lang.KBool, lang.KPtr, lang.KTimestamp, lang.KCgroupPath, lang.KStrerror, lang.KUsername, lang.KSyscallName, lang.KSignalName:
		return true
	case lang.KSym:
		return !t.UserSpace // usym carries the pid too
	}
	return false
}

// scalarSize is the size in memory of a scalar of type t.
func scalarSize(t *lang.Type) int {
	switch t.Kind {
	case lang.KInt:
		return t.Size
	case lang.KBool:
		return 1
	}
	return 8
}

// within sets the span used for errors while f emits.
func (g *gen) within(n lang.Node, f func()) {
	saved := g.span
	g.span = n.Pos()
	f()
	g.span = saved
}

// evalInt evaluates an integer (or bool or pointer) expression into a fresh
// register, sign- or zero-extended to 64 bits per its type. The caller
// frees the register.
func (g *gen) evalInt(e lang.Expr) (r asm.Register) {
	g.within(e, func() { r = g.evalIntAt(e) })
	return r
}

func (g *gen) evalIntAt(e lang.Expr) asm.Register {
	e = expanded(e) // a uprobe's stack-passed integer or pointer parameter
	t := e.Type()
	if !isScalar(t) {
		failf(e.Pos(), "a value of type %s cannot be used here yet", t)
	}
	if v, ok := check.ConfigField(e, &g.cc.checked.Config); ok {
		r := g.allocReg()
		switch v := v.(type) {
		case int64:
			g.loadConst(r, v)
		case bool:
			g.loadConst(r, b2i(v))
		}
		return r
	}
	if v, ok := foldedConst(e); ok {
		// Arithmetic on literals, which the checker folded (lang.Fold).
		r := g.allocReg()
		g.loadConst(r, v)
		return r
	}
	switch x := e.(type) {
	case *lang.IntLit:
		r := g.allocReg()
		g.loadConst(r, int64(x.Value))
		return r
	case *lang.BoolLit:
		r := g.allocReg()
		g.loadConst(r, b2i(x.Value))
		return r
	case *lang.Ident:
		if x.Enum {
			r := g.allocReg()
			g.loadConst(r, x.Value)
			return r
		}
		if x.Expand != nil {
			return g.evalInt(x.Expand)
		}
		return g.builtinInt(x)
	case *lang.Var:
		r := g.allocReg()
		g.load(r, g.varLoc(x), 8)
		return r
	case *lang.MapExpr:
		return g.mapReadInt(x)
	case *lang.Binary:
		return g.binary(x)
	case *lang.Unary:
		return g.unary(x)
	case *lang.Ternary:
		return g.ternaryInt(x)
	case *lang.Cast:
		if xt := x.X.Type(); xt != nil && xt.Kind == lang.KArray && isScalar(t) {
			l := g.evalMem(x.X)
			r := g.allocReg()
			g.loadScalar(r, l, t)
			return r
		}
		if xt := x.X.Type(); xt != nil && xt.Kind == lang.KString && t.Kind == lang.KBool {
			// true when the string's first byte is not NUL.
			l := g.evalMem(x.X)
			r := g.allocReg()
			g.load(r, l, 1)
			g.flagIf(r, asm.JNE, 0)
			return r
		}
		if !isScalar(x.X.Type()) {
			failf(x.Span, "cast from %s to %s is not supported yet", x.X.Type(), t)
		}
		r := g.evalInt(x.X)
		g.normalize(r, t)
		return r
	case *lang.Sizeof:
		r := g.allocReg()
		g.loadConst(r, g.sizeofValue(x))
		return r
	case *lang.Offsetof:
		r := g.allocReg()
		g.loadConst(r, int64(x.Value))
		return r
	case *lang.Positional:
		r := g.allocReg()
		g.loadConst(r, g.positionalInt(x))
		return r
	case *lang.FieldAccess, *lang.Index:
		if inMemory(e) {
			return g.memRead(e)
		}
		if ix, ok := e.(*lang.Index); ok && (ix.X.Type().Kind == lang.KString || memArray(ix.X)) {
			if _, isConst := smallConst(ix.Index); !isConst || ix.X.Type().Kind == lang.KString {
				return g.memIndex(ix)
			}
		}
		if ix, ok := e.(*lang.Index); ok && !memArray(ix.X) {
			if _, isConst := smallConst(ix.Index); !isConst {
				return g.ctxIndexVar(ix)
			}
		}
		if l, ft, ok := g.tupleField(e); ok {
			r := g.allocReg()
			if fa, isField := e.(*lang.FieldAccess); isField && fa.Member != nil && fa.Member.BitSize > 0 {
				g.load(r, l, scalarSize(ft))
				g.extractBits(r, fa.Member, ft)
				return r
			}
			g.loadScalar(r, l, ft)
			return r
		}
		if l, ok := g.dataLoc(e); ok {
			// ctx + the low 16 bits of the u32 locator.
			r := g.allocReg()
			g.load(r, l, 4)
			g.emit(asm.And.Imm(r, 0xffff), asm.Add.Reg(r, regCtx))
			return r
		}
		l, ft := g.ctxField(e)
		r := g.allocReg()
		g.loadScalar(r, l, ft)
		return r
	case *lang.Call:
		return g.callInt(x)
	}
	failf(e.Pos(), "this expression is not supported yet")
	return 0
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// normalize extends the low bits of r to 64 bits per t.
func (g *gen) normalize(r asm.Register, t *lang.Type) {
	if t.Kind != lang.KInt || t.Size >= 8 {
		return
	}
	if t.Signed {
		g.emit([...]asm.ALUOp{1: asm.MovSX8, 2: asm.MovSX16, 4: asm.MovSX32}[t.Size].Reg(r, r))
		return
	}
	switch t.Size {
	case 4:
		g.emit(asm.Mov.Reg32(r, r))
	case 2:
		g.emit(asm.And.Imm(r, 0xffff))
	case 1:
		g.emit(asm.And.Imm(r, 0xff))
	}
}

// loadScalar loads a scalar of type t from memory, extended to 64 bits.
func (g *gen) loadScalar(dst asm.Register, l loc, t *lang.Type) {
	size := scalarSize(t)
	g.load(dst, l, size)
	if t.Kind == lang.KInt && t.Signed && size < 8 {
		g.normalize(dst, t)
	}
}

// foldedConst is the value of an operation on literals that the checker
// folded (`1 + 2`), in two's complement.
func foldedConst(e lang.Expr) (int64, bool) {
	switch x := e.(type) {
	case *lang.Binary:
		return int64(x.Fold.Value), x.Fold.Folded
	case *lang.Unary:
		return int64(x.Fold.Value), x.Fold.Folded
	}
	return 0, false
}

// smallConst returns the value of e when it is a literal that fits an
// instruction's signed 32-bit immediate.
func smallConst(e lang.Expr) (int32, bool) {
	if v, ok := foldedConst(e); ok {
		return int32(v), v == int64(int32(v))
	}
	switch x := e.(type) {
	case *lang.IntLit:
		if x.Value <= math.MaxInt32 {
			return int32(x.Value), true
		}
	case *lang.BoolLit:
		return int32(b2i(x.Value)), true
	case *lang.Unary:
		if lit, ok := x.X.(*lang.IntLit); ok && x.Op == "-" && lit.Value <= math.MaxInt32 {
			return -int32(lit.Value), true
		}
	}
	return 0, false
}

var aluOps = map[string]asm.ALUOp{
	"+": asm.Add, "-": asm.Sub, "*": asm.Mul, "/": asm.Div, "%": asm.Mod,
	"&": asm.And, "|": asm.Or, "^": asm.Xor, "<<": asm.LSh, ">>": asm.RSh,
}

// aluOp picks the signed variant of / % >> for signed operands.
func aluOp(op string, signed bool) asm.ALUOp {
	o := aluOps[op]
	if signed {
		switch o {
		case asm.Div:
			return asm.SDiv
		case asm.Mod:
			return asm.SMod
		case asm.RSh:
			return asm.ArSh
		}
	}
	return o
}

// aluReg emits dst op= src. A shift by 64 or more shifts every bit out,
// as a constant one does (the CPU would shift by the amount's low six
// bits): 0, or the sign's copies for an arithmetic shift. src may be
// changed.
func (g *gen) aluReg(op asm.ALUOp, dst, src asm.Register) {
	switch op {
	case asm.LSh, asm.RSh:
		big, done := g.newLabel("shiftout"), g.newLabel("shifted")
		g.emit(asm.JGT.Imm(src, 63, big), op.Reg(dst, src))
		g.jump(done)
		g.label(big)
		g.emit(asm.Mov.Imm(dst, 0))
		g.label(done)
	case asm.ArSh:
		in := g.newLabel("shiftin")
		g.emit(asm.JLE.Imm(src, 63, in), asm.Mov.Imm(src, 63))
		g.label(in)
		g.emit(op.Reg(dst, src))
	default:
		g.emit(op.Reg(dst, src))
	}
}

func isCompare(op string) bool {
	switch op {
	case "==", "!=", "<", "<=", ">", ">=":
		return true
	}
	return false
}

func (g *gen) binary(x *lang.Binary) asm.Register {
	if isCompare(x.Op) || x.Op == "&&" || x.Op == "||" {
		return g.boolValue(x)
	}
	if _, ok := aluOps[x.Op]; !ok {
		failf(x.Span, "operator %s is not supported yet", x.Op)
	}
	t := x.Type()
	if t.Kind == lang.KPtr && (x.Op == "+" || x.Op == "-") {
		return g.ptrArith(x)
	}
	if x.Op == "-" && x.X.Type().Kind == lang.KPtr && x.Y.Type().Kind == lang.KPtr {
		return g.ptrDiff(x)
	}
	signed := t.Kind == lang.KInt && t.Signed
	if x.Op == ">>" {
		// The shifted value's type decides between logical and arithmetic.
		signed = x.X.Type().Kind == lang.KInt && x.X.Type().Signed
	}
	op := aluOp(x.Op, signed)
	rx := g.evalInt(x.X)
	if n, ok := g.constInt(x.Y); ok && (x.Op == "<<" || x.Op == ">>") && uint64(n) >= 64 {
		// Every bit is shifted out (the kernel refuses a shift by 64 or
		// more): 0, or the sign's copies for an arithmetic shift, as
		// bpftrace gives 0 for 1 << 64.
		if op == asm.ArSh {
			g.emit(asm.ArSh.Imm(rx, 63))
		} else {
			g.emit(asm.Mov.Imm(rx, 0))
		}
		g.normalize(rx, t)
		return rx
	}
	if c, ok := smallConst(x.Y); ok {
		g.emit(op.Imm(rx, c))
		g.normalize(rx, t)
		return rx
	}
	kx := g.keep(rx)
	ry := g.evalInt(x.Y)
	// Dividing by zero warns at run time and gives 1, as in bpftrace.
	var byZero, divDone string
	if x.Op == "/" || x.Op == "%" {
		byZero, divDone = g.newLabel("divzero"), g.newLabel("divdone")
		g.emit(asm.JEq.Imm(ry, 0, byZero))
	}
	res := kx.reg
	if kx.spilled {
		g.emit(asm.LoadMem(asm.R0, kx.slot.base, int16(kx.slot.off), asm.DWord))
		g.dropSpill(kx)
		g.aluReg(op, asm.R0, ry)
		g.emit(asm.Mov.Reg(ry, asm.R0))
		res = ry
	} else {
		g.aluReg(op, kx.reg, ry)
	}
	if byZero != "" {
		g.jump(divDone)
		g.label(byZero)
		// The spilled dividend is dead on this path too: zeroed as on
		// the other (dropSpill), or the paths stay apart after the join.
		g.dropSpill(kx)
		g.sendEvent(&Event{Kind: EvWarning, Format: DivideByZeroMsg, Span: x.Span}, nil)
		g.emit(asm.Mov.Imm(res, 1))
		g.label(divDone)
	}
	if res != ry {
		g.freeReg(ry)
	}
	g.normalize(res, t)
	return res
}

// boolValue materializes a condition as 0 or 1.
func (g *gen) boolValue(e lang.Expr) asm.Register {
	f, end := g.newLabel("false"), g.newLabel("bool")
	g.condJump(e, f, false)
	r := g.allocReg()
	g.emit(asm.Mov.Imm(r, 1))
	g.jump(end)
	g.label(f)
	g.emit(asm.Mov.Imm(r, 0))
	g.label(end)
	return r
}

func (g *gen) unary(x *lang.Unary) asm.Register {
	switch x.Op {
	case "-":
		r := g.evalInt(x.X)
		g.emit(asm.Neg.Imm(r, 0))
		g.normalize(r, x.Type())
		return r
	case "~":
		r := g.evalInt(x.X)
		g.emit(asm.Xor.Imm(r, -1))
		g.normalize(r, x.Type())
		return r
	case "!":
		return g.boolValue(x)
	case "++", "--":
		return g.incDec(x, true)
	case "*":
		return g.memRead(x)
	case "&":
		return g.addrOf(x)
	}
	failf(x.Span, "operator %s is not supported yet", x.Op)
	return 0
}

func (g *gen) ternaryInt(x *lang.Ternary) asm.Register {
	if x.Then == nil {
		failf(x.Span, "the ?: form is not supported yet")
	}
	a, aConst := constValue(x.Then, x.Type())
	b, bConst := constValue(x.Else, x.Type())
	if aConst && bConst && len(g.free) == len(intRegs) {
		// c ? a : b with constants: r = a; if c goto end; r = b.
		end := g.newLabel("fi")
		r := g.allocReg()
		g.loadConst(r, a)
		g.condJump(x.Cond, end, true)
		g.loadConst(r, b)
		g.label(end)
		return r
	}
	els, end := g.newLabel("else"), g.newLabel("fi")
	g.condJump(x.Cond, els, false)
	r := g.evalInt(x.Then)
	g.normalizeUnlessConst(r, x.Then, x.Type())
	g.unlinkArm(r, x.Then)
	g.jump(end)
	g.freeReg(r)
	g.label(els)
	g.prefer(r) // the else value goes to the same register: no move
	r2 := g.evalInt(x.Else)
	if r2 != r {
		g.emit(asm.Mov.Reg(r, r2))
		g.freeReg(r2)
		g.claim(r)
	}
	g.normalizeUnlessConst(r, x.Else, x.Type())
	g.unlinkArm(r, x.Else)
	g.label(end)
	return r
}

// unlinkArm breaks, in a callback, the verifier's link between the value of
// a ternary's arm in r and the probe-frame slot of the variable it was
// read from. The verifier gives a number stored to the stack an id that a
// load of it shares, and compares ids too while a loop's rounds are not
// all checked: where the arms join, a value read from $a on one path and
// computed (or read from $b) on the other keeps the two paths apart for
// the rest of the callback, however equal their ranges. Any ALU operation
// but an add of a constant gives the register an id of its own.
func (g *gen) unlinkArm(r asm.Register, e lang.Expr) {
	if !g.settleSpills || !g.inCallbackFrame() {
		return
	}
	for {
		c, ok := e.(*lang.Cast)
		if !ok || Sizeof(c.Type()) != 8 {
			break
		}
		e = c.X
	}
	if v, ok := e.(*lang.Var); ok && g.varLoc(v).onStack() {
		g.emit(asm.Or.Imm(r, 0))
	}
}

// constValue is the value of an integer or boolean literal that fits t
// without normalizing.
func constValue(e lang.Expr, t *lang.Type) (int64, bool) {
	var v int64
	switch x := e.(type) {
	case *lang.IntLit:
		v = int64(x.Value)
	case *lang.BoolLit:
		v = b2i(x.Value)
	default:
		return 0, false
	}
	if t.Kind == lang.KInt && t.Size < 8 {
		bits := uint(8 * t.Size)
		if t.Signed {
			return v, v >= -(1<<(bits-1)) && v < 1<<(bits-1)
		}
		return v, v >= 0 && v < 1<<bits
	}
	return v, t.Kind == lang.KInt || t.Kind == lang.KBool
}

// normalizeUnlessConst is normalize, skipped when e is a literal that
// already fits t (its register holds the extended value).
func (g *gen) normalizeUnlessConst(r asm.Register, e lang.Expr, t *lang.Type) {
	var v int64
	switch x := e.(type) {
	case *lang.IntLit:
		v = int64(x.Value)
	case *lang.BoolLit:
		v = b2i(x.Value)
	default:
		g.normalize(r, t)
		return
	}
	if t.Kind == lang.KInt && t.Size < 8 {
		bits := uint(8 * t.Size)
		fits := v >= 0 && v < 1<<bits
		if t.Signed {
			fits = v >= -(1<<(bits-1)) && v < 1<<(bits-1)
		}
		if !fits {
			g.normalize(r, t)
		}
	}
}

// claim allocates a specific free register.
func (e *emitter) claim(r asm.Register) {
	for i, x := range e.free {
		if x == r {
			e.free = append(e.free[:i], e.free[i+1:]...)
			return
		}
	}
	failf(e.span, "internal error: register %s is not free", r)
}

// Conditions.

var jumpIf = map[string][2]asm.JumpOp{ // unsigned, signed
	"==": {asm.JEq, asm.JEq}, "!=": {asm.JNE, asm.JNE},
	"<": {asm.JLT, asm.JSLT}, "<=": {asm.JLE, asm.JSLE},
	">": {asm.JGT, asm.JSGT}, ">=": {asm.JGE, asm.JSGE},
}

var negated = map[string]string{"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}

// compareSigned follows the checker's arithmetic rule (bpftrace's): the
// comparison is signed when either side is signed. Positive literals are
// unsigned, so `$x < 5` compares as $x's type does.
func compareSigned(x, y lang.Expr) bool {
	tx, ty := x.Type(), y.Type()
	return (tx.Kind == lang.KInt && tx.Signed) || (ty.Kind == lang.KInt && ty.Signed)
}

// condJump jumps to label when e's truth equals when, else falls through.
func (g *gen) condJump(e lang.Expr, label string, when bool) {
	g.within(e, func() { g.condJumpAt(e, label, when) })
}

func (g *gen) condJumpAt(e lang.Expr, label string, when bool) {
	switch x := e.(type) {
	case *lang.BoolLit:
		if x.Value == when {
			g.jump(label)
		}
		return
	case *lang.Unary:
		if x.Op == "!" {
			g.condJump(x.X, label, !when)
			return
		}
	case *lang.Binary:
		switch {
		case x.Op == "&&" && when, x.Op == "||" && !when:
			skip := g.newLabel("sc")
			g.condJump(x.X, skip, !when)
			g.condJump(x.Y, label, when)
			g.label(skip)
			return
		case x.Op == "&&", x.Op == "||":
			g.condJump(x.X, label, when)
			g.condJump(x.Y, label, when)
			return
		case isCompare(x.Op):
			g.compareJump(x, label, when)
			return
		}
	}
	r := g.evalInt(e)
	op := asm.JEq
	if when {
		op = asm.JNE
	}
	g.emit(op.Imm(r, 0, label))
	g.freeReg(r)
}

func (g *gen) compareJump(x *lang.Binary, label string, when bool) {
	// The compared strings, tuples or structs are dead once the jump is
	// emitted (generated seed 417942: a predicate of six string compares
	// in ternaries and && chains needed more than 512 bytes of stack).
	if x.X.Type().Kind == lang.KString || x.Y.Type().Kind == lang.KString {
		m := g.mark()
		g.stringCompareJump(x, label, when)
		g.releaseExpr(m)
		return
	}
	switch x.X.Type().Kind {
	case lang.KTuple, lang.KArray, lang.KStruct:
		m := g.mark()
		g.heldCompareJump(x, label, when)
		g.releaseExpr(m)
		return
	case lang.KBuffer:
		g.bufferCompareJump(x, label, when)
		return
	}
	cmp := x.Op
	if !when {
		cmp = negated[cmp]
	}
	signed := 0
	if compareSigned(x.X, x.Y) {
		signed = 1
	}
	op := jumpIf[cmp][signed]
	rx := g.evalInt(x.X)
	if c, ok := smallConst(x.Y); ok {
		g.emit(op.Imm(rx, c, label))
		g.freeReg(rx)
		return
	}
	kx := g.keep(rx)
	ry := g.evalInt(x.Y)
	rx = g.into(kx, asm.R0)
	g.dropSpill(kx)
	g.emit(op.Reg(rx, ry, label))
	g.freeReg(rx)
	g.freeReg(ry)
}

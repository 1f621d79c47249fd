package codegen

import (
	"fmt"

	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// Short constant loops are plain backward jumps, which the kernel's
// verifier follows round by round; while loops and the other ranges run
// under bpf_loop. break and continue jump to the innermost loop's labels.

type loopLabels struct{ cont, brk string }

// maxUnroll is bpftrace's limit on unroll counts.
const maxUnroll = 100

func (g *gen) loop(cont, brk string, body func()) {
	g.loops = append(g.loops, loopLabels{cont, brk})
	body()
	g.loops = g.loops[:len(g.loops)-1]
}

// maxWhileRounds is bpf_loop's limit on the rounds of one call.
const maxWhileRounds = 1 << 23

// WhileLimitMsg is the warning of a while loop stopped at bpf_loop's limit.
var WhileLimitMsg = fmt.Sprintf("while loop stopped after %d iterations, the most one bpf_loop call runs", maxWhileRounds)

// RangeLimitMsg is the warning of a for loop over a range longer than
// bpf_loop's limit, stopped there as a while loop is.
var RangeLimitMsg = fmt.Sprintf("for loop stopped after %d iterations, the most one bpf_loop call runs", maxWhileRounds)

// whileStmt runs the loop as a bpf_loop callback that tests the condition
// first: the verifier checks the body once instead of walking every round
// (a plain backward jump is refused once the walk passes a million
// instructions, which a few thousand rounds with a map update reach).
// Reaching bpf_loop's limit is reported, never silent.
func (g *gen) whileStmt(x *lang.WhileStmt) {
	slots := g.newCallbackSlots()
	name := g.newLabel("while")
	g.emitCallback(name, 2, asm.R2, slots, g.bodyNeed(x.Cond, x.Body), func() { g.forgetEachRound(x) }, func() {
		g.condJump(x.Cond, g.loopStop(), false)
		g.block(x.Body)
	})
	g.forgetUsed(x)
	g.bpfLoop(slots, name, func() { g.emit(asm.Mov.Imm(asm.R1, maxWhileRounds)) })
	done := g.newLabel("wend")
	g.emit(asm.JNE.Imm(asm.R0, maxWhileRounds, done))
	g.sendEvent(&Event{Kind: EvWarning, Format: WhileLimitMsg, Span: x.Span}, nil)
	g.label(done)
}

// maxPlainLoop is the largest constant trip count emitted as a plain loop
// (the verifier walks every iteration); longer and run-time ranges use
// bpf_loop.
const maxPlainLoop = 100

func (g *gen) forRange(x *lang.ForRangeStmt) {
	if g.rangeIsCallback(x, g.inCallback > 0) {
		g.forRangeLoop(x)
		return
	}
	g.forRangePlain(x)
}

// rangeIsCallback reports whether range x, emitted inside a callback or
// not, runs under bpf_loop.
func (g *gen) rangeIsCallback(x *lang.ForRangeStmt, inCallback bool) bool {
	a, ok1 := g.constInt(x.Start)
	b, ok2 := g.constInt(x.End)
	// Inside a callback the verifier may walk the body more than once, a
	// plain loop's every round each time: loops nested in loops are
	// callbacks too. A body that is long, that branches much, that loops
	// (an inner loop, a string function that walks bytes) or that calls
	// functions of its own would be walked b-a times by the verifier, with
	// every path: it runs under bpf_loop (see loopshape.go).
	return !ok1 || !ok2 || b-a > maxPlainLoop || inCallback || !shapeOf(x.Body).plainFits(b-a)
}

// plainLoopBudget is the most instructions a plain loop may add up to over
// all its rounds (the verifier walks each round; it gives up after a
// million instructions in all, branches included).
const plainLoopBudget = 20000

// plainLoopBranches is the most conditional jumps a plain loop may have
// (its own test included): the verifier follows every path of a round
// before the next, and paths multiply (a string compare has one branch a
// byte).
const plainLoopBranches = 6

// forRangePlain emits the loop as a backward jump.
// The rounds are counted in a slot of their own, copied to the loop's
// variable at the start of each: a body that changes the variable changes
// neither the number of rounds (as under bpf_loop) nor what the verifier
// must prove (that the loop ends).
func (g *gen) forRangePlain(x *lang.ForRangeStmt) {
	g.allocVar(x.Var)
	i := g.varLoc(x.Var)
	t := varType(x.Var)
	signed := (t.Kind == lang.KInt && t.Signed) || compareSigned(x.Start, x.End)
	g.assignVar(x.Var, "=", x.Start)
	count := g.alloc(8)
	g.load(asm.R1, i, 8)
	g.store(count, asm.R1, 8)
	// The end is evaluated once, before the first iteration.
	end := g.alloc(8)
	r := g.evalInt(x.End)
	g.store(end, r, 8)
	g.freeReg(r)
	top, next, done := g.newLabel("for"), g.newLabel("fnext"), g.newLabel("fend")
	g.label(top)
	g.load(asm.R1, count, 8)
	g.load(asm.R2, end, 8)
	g.emit(jumpIf[">="][b2i(signed)].Reg(asm.R1, asm.R2, done))
	g.store(i, asm.R1, 8)
	g.loop(next, done, func() { g.block(x.Body) })
	g.label(next)
	g.load(asm.R1, count, 8)
	g.emit(asm.Add.Imm(asm.R1, 1))
	g.store(count, asm.R1, 8)
	g.jump(top)
	g.label(done)
}

func (g *gen) unroll(x *lang.UnrollStmt) {
	n := x.N
	if n < 0 || n > maxUnroll {
		failf(x.Count.Pos(), "unroll count must be between 0 and %d", maxUnroll)
	}
	end := g.newLabel("uend") // break leaves every remaining copy
	for k := int64(0); k < n; k++ {
		next := g.newLabel("unroll")
		g.loop(next, end, func() { g.block(x.Body) })
		g.label(next)
	}
	g.label(end)
}

func (g *gen) intArgOf(e lang.Expr) int64 {
	if c, ok := smallConst(e); ok {
		return int64(c)
	}
	if c, ok := g.constInt(e); ok {
		return c
	}
	failf(e.Pos(), "a constant is needed here")
	return 0
}

func (g *gen) jumpStmt(x *lang.JumpStmt) {
	if x.Kind == "return" {
		if x.Value != nil && g.res.Provider == probetype.Test && g.inCallback == 0 {
			// A test probe's return value is its verdict (non-zero
			// fails): the program returns it instead of 0.
			r := g.evalInt(x.Value)
			g.emit(asm.Mov.Reg(asm.R0, r), asm.Return())
			g.freeReg(r)
			return
		}
		g.jump(g.done)
		return
	}
	if len(g.loops) == 0 {
		failf(x.Span, "%s outside of a loop", x.Kind)
	}
	l := g.loops[len(g.loops)-1]
	if x.Kind == "break" {
		g.jump(l.brk)
	} else {
		g.jump(l.cont)
	}
}

// constInt evaluates a loop bound known when the script is compiled.
func (g *gen) constInt(e lang.Expr) (int64, bool) {
	if v, ok := foldedConst(e); ok {
		return v, true
	}
	switch x := e.(type) {
	case *lang.IntLit:
		return int64(x.Value), true
	case *lang.Unary:
		if v, ok := g.constInt(x.X); ok && x.Op == "-" {
			return -v, true
		}
	case *lang.Cast:
		return g.constInt(x.X)
	case *lang.Positional:
		if x.Type() != nil && x.Type().IsInt() {
			return g.positionalInt(x), true
		}
	}
	return 0, false
}

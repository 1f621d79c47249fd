package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/codegen/ir"
	"github.com/gobpftrace/gobpftrace/lang"
)

// A loop body run as a callback (bpf_loop, bpf_for_each_map_elem) is
// verified round by round until the rounds' states repeat; the integer
// variables it writes are forgotten before the loop and at the start of
// each round (see ir.Forget, which says why and how). This file decides
// which variables: the code generator knows their types and which of
// them hold a value already.

// noteSet records the variables statement s stores on every path through
// it, appending to noted the ones not recorded before (the block that ran
// s forgets them when it ends).
func (g *gen) noteSet(s lang.Stmt, noted []*lang.VarSym) []*lang.VarSym {
	var sym *lang.VarSym
	switch x := s.(type) {
	case *lang.AssignStmt:
		if v, ok := x.Target.(*lang.Var); ok {
			sym = v.Sym
		}
	case *lang.LetStmt:
		if x.Var != nil {
			sym = x.Var.Sym
		}
	}
	if sym == nil || g.set[sym] {
		return noted
	}
	g.set[sym] = true
	return append(noted, sym)
}

// forgetUsed makes the verifier forget the values of the integer
// variables that node (a loop's body, or a whole while loop with its
// condition) writes or reads and that already hold a value. Written ones
// so that rounds repeat; read ones because the verifier checks a callback
// once per state of its caller, compared exactly: variables that earlier
// ternaries left at different known values on different paths made it
// walk the body once per path (heavy generator script 15996, a branchy
// expression in a map loop in a range: past 8,192 pending jumps).
func (g *gen) forgetUsed(node lang.Node) {
	g.forget(g.usedInts(node), false, asm.R0, asm.R1)
}

// usedInts are the integer variables node reads or writes that already
// hold a value.
func (g *gen) usedInts(node lang.Node) []*lang.VarSym {
	var syms []*lang.VarSym
	seen := map[*lang.VarSym]bool{}
	lang.Inspect(node, func(n lang.Node) bool {
		v, ok := n.(*lang.Var)
		if !ok || v.Sym == nil || seen[v.Sym] || !g.set[v.Sym] {
			return true
		}
		if t := varType(v); t == nil || t.Kind != lang.KInt {
			return true
		}
		seen[v.Sym] = true
		syms = append(syms, v.Sym)
		return true
	})
	return syms
}

// forgetEachRound does the same at the start of every round of a bpf_loop
// callback, with the round's index in R1 (a number the verifier does not
// know): each round then starts from the same state, so the verifier's
// rounds repeat at once even when the body narrows a counter's range (a
// condition against a bound known only at run time, then `$i++`). Only the
// probe's frame is shared between rounds.
func (g *gen) forgetEachRound(node lang.Node) {
	g.forget(g.writtenInts(node), true, asm.R1, asm.R3)
}

// forget places an ir.Forget of the variables syms (those in the probe's
// frame only, when probeFrameOnly).
func (g *gen) forget(syms []*lang.VarSym, probeFrameOnly bool, with, temp asm.Register) {
	f := &ir.Forget{With: with, Temp: temp}
	for _, sym := range syms {
		l := g.reach(g.vars[sym])
		if probeFrameOnly && l.base != regProbeFrame {
			continue
		}
		// The slot's base as an instruction would name it (regProbeFrame
		// is the frame pointer or, in a callback, a virtual register).
		base := g.instr(asm.LoadMem(asm.R0, l.base, 0, asm.DWord))
		f.Slots = append(f.Slots, ir.Slot{Base: base.Src, VBase: base.VSrc, Off: int16(l.off)})
	}
	if len(f.Slots) == 0 {
		return
	}
	if g.cur.Terminated() {
		g.cur = g.fn.AddBlock(g.newLabel("b"))
	}
	in := ir.ForgetInstr(f)
	in.Span = g.spans.ID(g.span)
	g.arena.append(g.cur, in)
}

// writtenInts lists the integer variables node writes that already hold a
// value on every path to it.
func (g *gen) writtenInts(node lang.Node) []*lang.VarSym {
	var syms []*lang.VarSym
	seen := map[*lang.VarSym]bool{}
	written(node, func(v *lang.Var) {
		if v.Sym == nil || seen[v.Sym] || !g.set[v.Sym] {
			return
		}
		if t := varType(v); t == nil || t.Kind != lang.KInt {
			return
		}
		seen[v.Sym] = true
		syms = append(syms, v.Sym)
	})
	return syms
}

// written calls f for every variable an assignment or ++/-- in node
// changes.
func written(node lang.Node, f func(*lang.Var)) {
	lang.Inspect(node, func(n lang.Node) bool {
		switch x := n.(type) {
		case *lang.AssignStmt:
			if v, ok := x.Target.(*lang.Var); ok {
				f(v)
			}
		case *lang.Unary:
			if v, ok := x.X.(*lang.Var); ok && (x.Op == "++" || x.Op == "--") {
				f(v)
			}
		}
		return true
	})
}

package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang"
)

// A loop body run as a callback (bpf_loop, bpf_for_each_map_elem) is
// verified once per round the kernel's verifier imagines, until the rounds'
// states repeat. A counter of the probe that the body changes and compares
// with a constant (`$n++; if ($n > 5) { break; }`) never repeats while the
// verifier knows its exact value, so the verifier walks rounds until its
// million-instruction limit. Before such a loop, the counters the body
// writes are laundered: xor-ed twice with a random number, which leaves
// the value alone but makes the verifier treat it as unknown, and the
// rounds' states then repeat at once.

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

// launderWritten makes the verifier forget the values of the integer
// variables that node (a loop's body, or a whole while loop with its
// condition) writes and that already hold a value.
func (g *gen) launderWritten(node lang.Node) {
	syms := g.writtenInts(node)
	if len(syms) == 0 {
		return
	}
	g.call(asm.FnGetPrandomU32)
	for _, sym := range syms {
		l := g.vars[sym]
		g.load(asm.R1, l, 8)
		g.emit(asm.Xor.Reg(asm.R1, asm.R0), asm.Xor.Reg(asm.R1, asm.R0))
		g.store(l, asm.R1, 8)
	}
}

// launderEachRound does the same at the start of every round of a bpf_loop
// callback, with the round's index in R1 (a number the verifier does not
// know): each round then starts from the same state, so the verifier's
// rounds repeat at once even when the body narrows a counter's range (a
// condition against a bound known only at run time, then `$i++`).
func (g *gen) launderEachRound(node lang.Node) {
	for _, sym := range g.writtenInts(node) {
		l := g.vars[sym]
		if l.base != regProbeFrame {
			continue
		}
		g.load(asm.R3, l, 8)
		g.emit(asm.Xor.Reg(asm.R3, asm.R1), asm.Xor.Reg(asm.R3, asm.R1))
		g.store(l, asm.R3, 8)
	}
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

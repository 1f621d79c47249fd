package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang"
)

// hoistStackAddrs computes a stack address that the program sets up three
// or more times (`rX = r10; rX += off`: a key written by a helper, then
// looked up, then inserted) once, in a callee-saved register the program
// does not use, and copies it from there: two instructions for the first
// use and one for each other, instead of two for every use. The first
// computation must come before any jump, so that it runs on every path to
// the others (a backward jump to a label before it runs it again).
func hoistStackAddrs(insns asm.Instructions, spans []lang.Span) (asm.Instructions, []lang.Span) {
	free, ok := unusedCalleeSaved(insns)
	if !ok {
		return insns, spans
	}
	uses := map[int32][]int{}
	var order []int32
	prefix := true
	for i := 0; i+1 < len(insns); i++ {
		in := insns[i]
		if in.OpCode.Class().IsJump() {
			prefix = false
		}
		if !isStackAddrPair(insns, i) {
			continue
		}
		off := int32(insns[i+1].Constant)
		if len(uses[off]) == 0 {
			if !prefix {
				continue // the first use must dominate the others
			}
			order = append(order, off)
		}
		uses[off] = append(uses[off], i)
		i++
	}
	var best int32
	for _, off := range order {
		if len(uses[off]) > len(uses[best]) {
			best = off
		}
	}
	at := uses[best]
	if len(at) < 3 {
		return insns, spans
	}
	drop := map[int]bool{}
	first := at[0]
	for _, i := range at[1:] {
		// rX = free, keeping the first instruction's label; the add goes.
		dst := insns[i].Dst
		insns[i].OpCode, insns[i].Src = asm.Mov.Reg(dst, free).OpCode, free
		drop[i+1] = true
	}
	dst := insns[first].Dst
	insns[first].Dst, insns[first+1].Dst = free, free
	out := make(asm.Instructions, 0, len(insns))
	outSpans := make([]lang.Span, 0, len(spans))
	for i, in := range insns {
		if drop[i] {
			continue
		}
		out, outSpans = append(out, in), append(outSpans, spans[i])
		if i == first+1 {
			out, outSpans = append(out, asm.Mov.Reg(dst, free)), append(outSpans, spans[i])
		}
	}
	return out, outSpans
}

// isStackAddrPair reports whether insns[i:i+2] is `rX = r10; rX += off`
// with no label on the add.
func isStackAddrPair(insns asm.Instructions, i int) bool {
	a, b := insns[i], insns[i+1]
	return a.OpCode == asm.Mov.Reg(asm.R0, asm.R0).OpCode && a.Src == asm.RFP &&
		b.OpCode == asm.Add.Imm(asm.R0, 0).OpCode && b.Dst == a.Dst && b.Symbol() == "" &&
		a.Dst != asm.RFP
}

// unusedCalleeSaved returns a register of R6-R9 that no instruction reads
// or writes.
func unusedCalleeSaved(insns asm.Instructions) (asm.Register, bool) {
	used := map[asm.Register]bool{}
	for _, in := range insns {
		used[in.Dst], used[in.Src] = true, true
	}
	for _, r := range []asm.Register{asm.R6, asm.R7, asm.R8, asm.R9} {
		if !used[r] {
			return r, true
		}
	}
	return 0, false
}

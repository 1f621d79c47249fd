package ir

import "github.com/cilium/ebpf/asm"

// HoistStackAddrs computes a stack address that f sets up three or more
// times (`rX = r10; rX += off`: a key written by a helper, then looked up,
// then inserted) once, in a callee-saved register f does not use, and
// copies it from there: two instructions for the first use and one for
// each other, instead of two for every use. It runs after register
// allocation, when the free registers are known. The first computation
// must come before any jump, so that it runs on every path to the others
// (a backward jump to a label before it runs it again, which is harmless).
func HoistStackAddrs(f *Func) {
	free, ok := unusedCalleeSaved(f)
	if !ok {
		return
	}
	type site struct {
		b *Block
		i int
	}
	uses := map[int32][]site{}
	var order []int32
	prefix := true
	for _, b := range f.Blocks {
		for i := 0; i < len(b.Instrs); i++ {
			if b.Instrs[i].OpCode.Class().IsJump() {
				prefix = false
			}
			if i+1 >= len(b.Instrs) || !isStackAddrPair(b.Instrs[i], b.Instrs[i+1]) {
				continue
			}
			off := int32(b.Instrs[i+1].Constant)
			if len(uses[off]) == 0 {
				if !prefix {
					continue // the first use must dominate the others
				}
				order = append(order, off)
			}
			uses[off] = append(uses[off], site{b, i})
			i++
		}
	}
	var best int32
	for _, off := range order {
		if len(uses[off]) > len(uses[best]) {
			best = off
		}
	}
	at := uses[best]
	if len(at) < 3 {
		return
	}
	drop := map[*Instr]bool{}
	for _, s := range at[1:] {
		// rX = free; the add goes.
		in := &s.b.Instrs[s.i]
		in.Instruction = asm.Mov.Reg(in.Dst, free)
		drop[&s.b.Instrs[s.i+1]] = true
	}
	first := at[0]
	dst := first.b.Instrs[first.i].Dst
	first.b.Instrs[first.i].Dst, first.b.Instrs[first.i+1].Dst = free, free
	copyBack := Instr{Instruction: asm.Mov.Reg(dst, free), Span: first.b.Instrs[first.i+1].Span}
	for _, b := range f.Blocks {
		out := make([]Instr, 0, len(b.Instrs)+1)
		for i := range b.Instrs {
			if drop[&b.Instrs[i]] {
				continue
			}
			out = append(out, b.Instrs[i])
			if b == first.b && i == first.i+1 {
				out = append(out, copyBack)
			}
		}
		b.Instrs = out
	}
}

// isStackAddrPair reports whether a, b is `rX = r10; rX += off`.
func isStackAddrPair(a, b Instr) bool {
	return a.OpCode == asm.Mov.Reg(asm.R0, asm.R0).OpCode && a.Src == asm.RFP &&
		b.OpCode == asm.Add.Imm(asm.R0, 0).OpCode && b.Dst == a.Dst && a.Dst != asm.RFP
}

// unusedCalleeSaved returns a register of R6-R9 that no instruction of f
// reads or writes.
func unusedCalleeSaved(f *Func) (asm.Register, bool) {
	var used [16]bool
	for _, b := range f.Blocks {
		for _, in := range b.Instrs {
			used[in.Dst&15], used[in.Src&15] = true, true
		}
	}
	for _, r := range []asm.Register{asm.R6, asm.R7, asm.R8, asm.R9} {
		if !used[r] {
			return r, true
		}
	}
	return 0, false
}

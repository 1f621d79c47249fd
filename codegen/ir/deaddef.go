package ir

import "github.com/cilium/ebpf/asm"

// DropDeadDefs removes instructions whose only effect is to write a
// register that no path reads before writing it again: what register
// allocation leaves behind when a value kept for a later read turns out
// not to be read on some path (`r0 = *(fp-16)` restoring a helper's result
// right before the exit's `r0 = 0`). It runs after allocation, on physical
// registers, with a liveness of R0-R9 over the whole function (loops
// included). Only instructions without side effects go: ALU operations,
// loads and 64-bit immediates; stores, atomics, calls and jumps stay.
func DropDeadDefs(f *Func) {
	n := len(f.Blocks)
	if n == 0 {
		return
	}
	resolved := resolveLabels(f.Blocks)
	index := make(map[string]int, n)
	for i, b := range f.Blocks {
		index[b.Label] = i
	}
	target := func(in asm.Instruction) (int, bool) {
		ref, ok := JumpTarget(in)
		if !ok {
			return 0, false
		}
		i, ok := index[resolved[ref]]
		return i, ok
	}
	// liveIn[i] is what block i reads before writing; computed backwards
	// to a fixed point (a backward jump needs a second sweep).
	liveIn := make([]regSet, n)
	liveOut := func(i int) regSet {
		b := f.Blocks[i]
		var out regSet
		if m := len(b.Instrs); m > 0 {
			last := b.Instrs[m-1].Instruction
			if t, ok := target(last); ok {
				out |= liveIn[t]
			}
			if b.Terminated() {
				return out
			}
		}
		if i+1 < n {
			out |= liveIn[i+1]
		}
		return out
	}
	// scan walks block i backwards from its live-out, calling visit (when
	// not nil) with each instruction and what is live after it.
	scan := func(i int, visit func(j int, after regSet)) regSet {
		b := f.Blocks[i]
		live := liveOut(i)
		for j := len(b.Instrs) - 1; j >= 0; j-- {
			in := b.Instrs[j].Instruction
			if t, ok := target(in); ok && j < len(b.Instrs)-1 {
				live |= liveIn[t] // a conditional jump in the block
			}
			if visit != nil {
				visit(j, live)
			}
			uses, defs := physOperands(in)
			live = live&^defs | uses
		}
		return live
	}
	for changed := true; changed; {
		changed = false
		for i := n - 1; i >= 0; i-- {
			if in := scan(i, nil); in != liveIn[i] {
				liveIn[i], changed = in, true
			}
		}
	}
	for i, b := range f.Blocks {
		dead := map[int]bool{}
		scan(i, func(j int, after regSet) {
			in := b.Instrs[j].Instruction
			if _, defs := physOperands(in); defs != 0 && defs&after == 0 && pureDef(in) {
				dead[j] = true
			}
		})
		if len(dead) == 0 {
			continue
		}
		kept := b.Instrs[:0]
		for j, in := range b.Instrs {
			if !dead[j] {
				kept = append(kept, in)
			}
		}
		b.Instrs = kept
	}
}

// regSet is a set of the physical registers R0-R10, one bit each.
type regSet uint16

func regBit(r asm.Register) regSet { return 1 << (r & 0xf) }

// physOperands is what in reads and writes among R0-R10, after
// allocation (see rolesOf and operandsOf for the same on nodes).
func physOperands(in asm.Instruction) (uses, defs regSet) {
	r := rolesOf(&Instr{Instruction: in})
	if r.useDst {
		uses |= regBit(in.Dst)
	}
	if r.useSrc {
		uses |= regBit(in.Src)
	}
	if r.defDst {
		defs |= regBit(in.Dst)
	}
	if r.defSrc {
		defs |= regBit(in.Src)
	}
	fu, fd := fixedOperands(in)
	uses, defs = uses|fu, defs|fd
	// The frame pointer is never a value to drop.
	return uses, defs &^ regBit(asm.R10)
}

// pureDef: in only writes its destination register.
func pureDef(in asm.Instruction) bool {
	switch cls := in.OpCode.Class(); {
	case cls.IsALU(), cls == asm.LdXClass:
		return true
	case cls == asm.LdClass:
		return in.OpCode.Mode() == asm.ImmMode
	}
	return false
}

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
	// What each instruction reads, writes and jumps to, found once: the
	// sweeps below only combine bits.
	type site = deadSite
	const pureBit, deadBit = regSet(1 << 14), regSet(1 << 15) // beyond R10
	// next[i] is the first non-empty block from i on (n: none), where a
	// jump to block i lands.
	next := make([]int32, n+1)
	next[n] = int32(n)
	for i := n - 1; i >= 0; i-- {
		next[i] = next[i+1]
		if len(f.Blocks[i].Instrs) > 0 {
			next[i] = int32(i)
		}
	}
	bufs := getBufs()
	defer putBufs(bufs)
	index, _ := bufs.labelIndex(f)
	bufs.deadSites = sized(bufs.deadSites, f.Len())
	sites := bufs.deadSites
	first := make([]int, n+1) // block i's sites are sites[first[i]:first[i+1]]
	k := 0
	for i, b := range f.Blocks {
		first[i] = k
		for j := range b.Instrs {
			in := b.Instrs[j].Instruction
			s := site{target: -1}
			s.uses, s.defs = physOperands(in)
			if pureDef(in) {
				s.defs |= pureBit
			}
			if ref, ok := JumpTarget(in); ok {
				if t, ok := index.at(ref); ok && next[t] < int32(n) {
					s.target = next[t]
				}
			}
			sites[k] = s
			k++
		}
	}
	first[n] = k
	// liveIn[i] is what block i reads before writing; computed backwards
	// to a fixed point (a backward jump needs a second sweep).
	liveIn := make([]regSet, n)
	liveOut := func(i int) regSet {
		var out regSet
		if a, z := first[i], first[i+1]; z > a {
			if t := sites[z-1].target; t >= 0 {
				out |= liveIn[t]
			}
			if f.Blocks[i].Terminated() {
				return out
			}
		}
		if i+1 < n {
			out |= liveIn[i+1]
		}
		return out
	}
	// scan walks block i backwards from its live-out; with mark, it marks
	// the pure definitions nothing reads (deadBit) and reports whether any.
	scan := func(i int, mark bool) (live regSet, any bool) {
		live = liveOut(i)
		a, z := first[i], first[i+1]
		for j := z - 1; j >= a; j-- {
			s := &sites[j]
			if s.target >= 0 && j < z-1 {
				live |= liveIn[s.target] // a conditional jump in the block
			}
			defs := s.defs &^ pureBit
			if mark && defs != 0 && defs&live == 0 && s.defs&pureBit != 0 {
				s.uses, any = s.uses|deadBit, true
			}
			live = live&^defs | s.uses&^deadBit
		}
		return live, any
	}
	for changed := true; changed; {
		changed = false
		for i := n - 1; i >= 0; i-- {
			if in, _ := scan(i, false); in != liveIn[i] {
				liveIn[i], changed = in, true
			}
		}
	}
	for i, b := range f.Blocks {
		if _, any := scan(i, true); !any {
			continue
		}
		kept := b.Instrs[:0]
		for j, in := range b.Instrs {
			if sites[first[i]+j].uses&deadBit == 0 {
				kept = append(kept, in)
			}
		}
		b.Instrs = kept
	}
}

// deadSite is what DropDeadDefs notes of an instruction.
type deadSite struct {
	uses, defs regSet // defs has pureBit when the write is all it does
	target     int32  // block index of the jump's target, -1: none
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

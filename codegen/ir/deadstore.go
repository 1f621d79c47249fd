package ir

import "github.com/cilium/ebpf/asm"

// DropDeadStores removes a store to the function's stack frame that a
// later store in the same block overwrites before anything may read the
// bytes. Anything that may read them ends the search: a load (through the
// frame pointer at overlapping bytes, or through any other register, which
// may point into the frame), a helper or function call (its arguments may
// point into the frame), a jump or exit, an atomic operation, and any use
// of the frame pointer other than as a store's base (an address taken).
// Code generation leaves few such stores (a byte zeroed twice where a
// string meets its padding); the pass keeps the rule simple enough to be
// obviously right.
func DropDeadStores(f *Func) {
	for _, b := range f.Blocks {
		dead := map[int]bool{}
		for i := range b.Instrs {
			lo, hi, ok := frameStore(b.Instrs[i])
			if !ok {
				continue
			}
			for _, later := range b.Instrs[i+1:] {
				if lo2, hi2, ok := frameStore(later); ok {
					if lo2 <= lo && hi <= hi2 {
						dead[i] = true
						break
					}
					continue
				}
				if mayRead(later, lo, hi) {
					break
				}
			}
		}
		if len(dead) == 0 {
			continue
		}
		out := b.Instrs[:0]
		for i, in := range b.Instrs {
			if !dead[i] {
				out = append(out, in)
			}
		}
		b.Instrs = out
	}
}

// frameStore reports the bytes [lo, hi) relative to the frame pointer that
// in stores to, when in is a plain store through the frame pointer.
func frameStore(in Instr) (lo, hi int, ok bool) {
	op := in.OpCode
	if (op.Class() != asm.StClass && op.Class() != asm.StXClass) || op.Mode() != asm.MemMode ||
		in.Dst != asm.RFP || in.VDst != 0 {
		return 0, 0, false
	}
	if op.Class() == asm.StXClass && in.Src == asm.RFP && in.VSrc == 0 {
		return 0, 0, false // stores the frame's address: an address taken
	}
	lo = int(in.Offset)
	return lo, lo + op.Size().Sizeof(), true
}

// mayRead reports whether in may read the frame's bytes [lo, hi), or lets
// something else read them.
func mayRead(in Instr, lo, hi int) bool {
	op := in.OpCode
	switch cls := op.Class(); {
	case in.Forget != nil:
		return true
	case cls.IsJump():
		return true
	case cls == asm.LdXClass:
		if in.Src != asm.RFP || in.VSrc != 0 {
			return true
		}
		l := int(in.Offset)
		return l < hi && lo < l+op.Size().Sizeof()
	case cls == asm.StXClass && op.Mode() != asm.MemMode:
		return true // atomics read
	}
	// Any other use of the frame pointer takes its address (a move, an
	// add, a store of r10 anywhere: whoever holds it may read the frame).
	return (in.Src == asm.RFP && in.VSrc == 0) || (in.Dst == asm.RFP && in.VDst == 0)
}

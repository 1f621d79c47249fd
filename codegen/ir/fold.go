package ir

import "github.com/cilium/ebpf/asm"

// FoldConstants folds, inside each block, a register set to a constant
// and then changed by constant operations (`r = 1; r += 2; r <<= 4`) into
// one move of the result, when it fits a move's 32-bit immediate. The code
// generator evaluates an expression's operands one at a time and leaves
// such chains wherever a script computes with literals (`@x = 1 + 2`).
// Only 64-bit operations whose result does not depend on anything but the
// two constants fold; division and modulo (unsigned in eBPF) stay.
func FoldConstants(f *Func) {
	for _, b := range f.Blocks {
		out := b.Instrs[:0]
		for _, in := range b.Instrs {
			if n := len(out); n > 0 {
				if folded, ok := fold(out[n-1], in); ok {
					out[n-1] = folded
					continue
				}
			}
			out = append(out, in)
		}
		b.Instrs = out
	}
}

// fold returns the move that does what set followed by op does.
func fold(set, op Instr) (Instr, bool) {
	so, oo := set.OpCode, op.OpCode
	if so.Class() != asm.ALU64Class || so.ALUOp() != asm.Mov || so.Source() != asm.ImmSource || set.Offset != 0 {
		return Instr{}, false
	}
	if oo.Class() != asm.ALU64Class || oo.Source() != asm.ImmSource || op.Offset != 0 ||
		op.Dst != set.Dst || op.VDst != set.VDst {
		return Instr{}, false
	}
	a, b := set.Constant, op.Constant
	var r int64
	switch oo.ALUOp() {
	case asm.Add:
		r = a + b
	case asm.Sub:
		r = a - b
	case asm.Mul:
		r = a * b
	case asm.Or:
		r = a | b
	case asm.And:
		r = a & b
	case asm.Xor:
		r = a ^ b
	case asm.LSh:
		if b < 0 || b > 63 {
			return Instr{}, false
		}
		r = a << b
	case asm.RSh:
		if b < 0 || b > 63 {
			return Instr{}, false
		}
		r = int64(uint64(a) >> b)
	case asm.ArSh:
		if b < 0 || b > 63 {
			return Instr{}, false
		}
		r = a >> b
	case asm.Mov:
		r = b
	default:
		return Instr{}, false
	}
	if r != int64(int32(r)) {
		return Instr{}, false
	}
	set.Constant = r
	set.Span = op.Span
	return set, true
}

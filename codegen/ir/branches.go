package ir

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"

	"github.com/cilium/ebpf/asm"
)

// ResolveBranches makes every jump of a finished program reach its label.
//
// A BPF jump's offset is a signed 16-bit count of instructions, and
// cilium/ebpf encodes a label's distance into it without a range check: a
// jump over more than 32,767 instructions would wrap and silently land
// somewhere else (a big `if` body ran when its condition was false). So,
// once the program is final (callbacks appended, peephole passes done),
// each jump whose label is out of reach becomes a 32-bit `gotol`
// (BPF_JMP32 | BPF_JA, kernel 6.6+): an unconditional jump directly, a
// conditional one as the inverted condition skipping over a gotol. Growing
// one jump can push another out of reach, so this repeats until nothing
// changes; a jump once long stays long, so it ends. spans parallels insns
// (whatever each instruction's source is noted as) and grows with them.
func ResolveBranches[S any](insns asm.Instructions, spans []S) (asm.Instructions, []S) {
	// No jump of a program that is itself within reach can be out of it.
	raw := 0
	for _, in := range insns {
		raw += rawSize(in, false)
	}
	if raw <= math.MaxInt16 {
		return insns, spans
	}
	long := map[int]bool{} // indexes in insns of jumps that need gotol
	for {
		grew := false
		at, offset := map[string]int{}, make([]int, len(insns))
		raw := 0
		for i, in := range insns {
			offset[i] = raw
			raw += rawSize(in, long[i])
			if sym := in.Symbol(); sym != "" {
				at[sym] = offset[i]
			}
		}
		for i, in := range insns {
			if long[i] || !isLabelJump(in) {
				continue
			}
			target, ok := at[in.Reference()]
			if !ok {
				continue // left for cilium/ebpf to report
			}
			if d := target - offset[i] - 1; d < math.MinInt16 || d > math.MaxInt16 {
				long[i], grew = true, true
			}
		}
		if !grew {
			break
		}
	}
	if len(long) == 0 {
		return insns, spans
	}
	out := make(asm.Instructions, 0, len(insns)+2*len(long))
	outSpans := make([]S, 0, cap(out))
	for i, in := range insns {
		if !long[i] {
			out, outSpans = append(out, in), append(outSpans, spans[i])
			continue
		}
		seq := longForm(in)
		out = append(out, seq...)
		for range seq {
			outSpans = append(outSpans, spans[i])
		}
	}
	return out, outSpans
}

// isLabelJump reports whether in is a jump with a 16-bit offset to a label
// (not a call, an exit or an already 32-bit jump).
func isLabelJump(in asm.Instruction) bool {
	op := in.OpCode
	if !op.Class().IsJump() || in.Reference() == "" {
		return false
	}
	switch op.JumpOp() {
	case asm.Call, asm.Exit:
		return false
	case asm.Ja:
		return op.Class() == asm.JumpClass
	}
	return true
}

// rawSize is the number of 8-byte slots in takes once resolved.
func rawSize(in asm.Instruction, long bool) int {
	if !long {
		return int(in.Size() / asm.InstructionSize)
	}
	return len(longForm(in))
}

// longForm is the jump in rewritten to reach any label of the program. The
// first instruction keeps in's metadata (a label on it, its source).
func longForm(in asm.Instruction) asm.Instructions {
	ref := in.Reference()
	gotol := asm.LongJump(ref)
	if in.OpCode.JumpOp() == asm.Ja {
		return asm.Instructions{gotol.WithMetadata(in.Metadata).WithReference(ref)}
	}
	// skip(n) is in's comparison jumping over the next n instructions.
	skip := func(op asm.OpCode, n int16) asm.Instruction {
		j := in
		j.OpCode, j.Offset = op, n
		return j.WithReference("")
	}
	if inv, ok := invertJump(in.OpCode.JumpOp()); ok {
		// if !(cond) skip the gotol; else gotol label.
		return asm.Instructions{skip(in.OpCode.SetJumpOp(inv), 1), gotol}
	}
	// JSet has no inverse: if (cond) reach the gotol, else skip it.
	past := asm.Instruction{OpCode: asm.Ja.Op(asm.ImmSource), Offset: 1}
	return asm.Instructions{skip(in.OpCode, 1), past, gotol}
}

// invertJump is the comparison that holds exactly when op does not.
func invertJump(op asm.JumpOp) (asm.JumpOp, bool) {
	switch op {
	case asm.JEq:
		return asm.JNE, true
	case asm.JNE:
		return asm.JEq, true
	case asm.JGT:
		return asm.JLE, true
	case asm.JLE:
		return asm.JGT, true
	case asm.JGE:
		return asm.JLT, true
	case asm.JLT:
		return asm.JGE, true
	case asm.JSGT:
		return asm.JSLE, true
	case asm.JSLE:
		return asm.JSGT, true
	case asm.JSGE:
		return asm.JSLT, true
	case asm.JSLT:
		return asm.JSGE, true
	}
	return 0, false
}

// VerifyJumps encodes insns as the kernel receives them and follows every
// jump by its encoded offset, reporting one that does not land on the
// label it names (a wrapped offset would).
func VerifyJumps(insns asm.Instructions) error {
	labels := map[int]string{} // raw offset -> symbol
	raw := 0
	for _, in := range insns {
		if s := in.Symbol(); s != "" {
			labels[raw] = s
		}
		raw += int(in.Size() / asm.InstructionSize)
	}
	insns = append(asm.Instructions(nil), insns...) // Marshal fills offsets in
	var buf bytes.Buffer
	if err := insns.Marshal(&buf, binary.LittleEndian); err != nil {
		return err
	}
	raw = 0
	for i, in := range insns {
		if ref, ok := JumpTarget(in); ok {
			b := buf.Bytes()[raw*asm.InstructionSize:]
			off := int(int16(binary.LittleEndian.Uint16(b[2:4])))
			if in.OpCode.Class() == asm.Jump32Class && in.OpCode.JumpOp() == asm.Ja {
				off = int(int32(binary.LittleEndian.Uint32(b[4:8])))
			}
			if got := labels[raw+1+off]; got != ref {
				return fmt.Errorf("instruction %d jumps to %s but lands on %q", i, ref, got)
			}
		}
		raw += int(in.Size() / asm.InstructionSize)
	}
	return nil
}

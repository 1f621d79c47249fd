package ir

import (
	"fmt"
	"strings"

	"github.com/cilium/ebpf/asm"
)

// Forget is a pseudo-instruction that makes the verifier forget what it
// knows about the values of some 8-byte stack slots, leaving the values
// themselves as they are: each slot is loaded, xor-ed twice with a number
// the verifier does not know, and stored back.
//
// Why: a loop body run as a callback (bpf_loop, bpf_for_each_map_elem) is
// verified round after round until two rounds start from the same state.
// A counter the body changes and compares with a constant (`$n++; if ($n >
// 5) { break; }`) never repeats while the verifier knows its exact value,
// so it walks rounds until its million-instruction limit. Forgotten before
// the loop and at the start of each round, the counters are unknown
// numbers, and the rounds' states repeat at once.
//
// The code generator decides which slots (the integer variables the loop
// writes that already hold a value: it knows the script's types) and
// places the pseudo-instruction; ExpandForgets, the first step of
// lowering, turns it into instructions, so that constant folding and
// register allocation see the helper call and the registers it uses.
type Forget struct {
	Slots []Slot
	// With is the register holding the unknown number: R0 means a random
	// one, from bpf_get_prandom_u32 called first (before a loop); a
	// bpf_loop callback uses its round index, R1, at its entry.
	With asm.Register
	// Temp is the register that holds each slot's value in turn.
	Temp asm.Register
}

// Slot is an 8-byte stack slot: Base (a virtual register's home when
// VBase is set) plus Off.
type Slot struct {
	Base  asm.Register
	VBase Virtual
	Off   int16
}

func (s Slot) String() string {
	if s.VBase != 0 {
		return fmt.Sprintf("[v%d%+d]", s.VBase, s.Off)
	}
	return fmt.Sprintf("[%v%+d]", s.Base, s.Off)
}

func (f *Forget) String() string {
	slots := make([]string, len(f.Slots))
	for i, s := range f.Slots {
		slots[i] = s.String()
	}
	with := fmt.Sprintf("%v", f.With)
	if f.With == asm.R0 {
		with = "a random number"
	}
	return fmt.Sprintf("Forget %s (xor twice with %s, through %v)", strings.Join(slots, " "), with, f.Temp)
}

// ForgetInstr returns the pseudo-instruction f.
func ForgetInstr(f *Forget) Instr {
	return Instr{Instruction: asm.Instruction{OpCode: asm.InvalidOpCode}, Forget: f}
}

// ExpandForgets replaces every Forget of fn by its instructions.
func ExpandForgets(fn *Func) {
	for _, b := range fn.Blocks {
		n := 0
		for _, in := range b.Instrs {
			if in.Forget != nil {
				n++
			}
		}
		if n == 0 {
			continue
		}
		out := make([]Instr, 0, len(b.Instrs)+4*n)
		for _, in := range b.Instrs {
			if in.Forget == nil {
				out = append(out, in)
				continue
			}
			out = append(out, in.Forget.expand(in)...)
		}
		b.Instrs = out
	}
}

func (f *Forget) expand(at Instr) []Instr {
	var out []Instr
	add := func(in asm.Instruction, vdst, vsrc Virtual) {
		out = append(out, Instr{Instruction: in, Span: at.Span, VDst: vdst, VSrc: vsrc})
	}
	if f.With == asm.R0 {
		add(asm.FnGetPrandomU32.Call(), 0, 0)
	}
	for _, s := range f.Slots {
		add(asm.LoadMem(f.Temp, s.Base, s.Off, asm.DWord), 0, s.VBase)
		add(asm.Xor.Reg(f.Temp, f.With), 0, 0)
		add(asm.Xor.Reg(f.Temp, f.With), 0, 0)
		add(asm.StoreMem(s.Base, s.Off, f.Temp, asm.DWord), s.VBase, 0)
	}
	return out
}

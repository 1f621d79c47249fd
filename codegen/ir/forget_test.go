package ir

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cilium/ebpf/asm"
)

// A Forget becomes, per slot, a load, two xors with the unknown number and
// a store back through the same base (a virtual one keeps its id), after
// one bpf_get_prandom_u32 call when the number is random.
func TestExpandForgets(t *testing.T) {
	f := NewFunc("f")
	f.Entry().AppendInstr(ForgetInstr(&Forget{
		Slots: []Slot{{Base: asm.RFP, Off: -8}, {Base: asm.R8, VBase: 3, Off: -16}},
		With:  asm.R0, Temp: asm.R1,
	}))
	f.Entry().Append(f.Spans.Span(f.Entry().Instrs[0].Span), asm.Mov.Imm(asm.R0, 0), asm.Return())
	ExpandForgets(f)
	var got []string
	for _, in := range f.Entry().Instrs {
		s := fmt.Sprint(in.Instruction)
		if in.VSrc != 0 || in.VDst != 0 {
			s += " " + virtuals(in)
		}
		got = append(got, s)
	}
	want := []string{
		"Call FnGetPrandomU32",
		"LdXMemDW dst: r1 src: rfp off: -8 imm: 0",
		"XorReg dst: r1 src: r0",
		"XorReg dst: r1 src: r0",
		"StXMemDW dst: rfp src: r1 off: -8 imm: 0",
		"LdXMemDW dst: r1 src: r8 off: -16 imm: 0 \t; src v3 (home r8)",
		"XorReg dst: r1 src: r0",
		"XorReg dst: r1 src: r0",
		"StXMemDW dst: r8 src: r1 off: -16 imm: 0 \t; dst v3 (home r8)",
		"MovImm dst: r0 imm: 0",
		"Exit",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("expanded:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// -d ir shows the pseudo-instruction as one line.
func TestForgetPrint(t *testing.T) {
	f := &Forget{Slots: []Slot{{Base: asm.R8, VBase: 3, Off: -8}}, With: asm.R1, Temp: asm.R3}
	if got, want := f.String(), "Forget [v3-8] (xor twice with r1, through r3)"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

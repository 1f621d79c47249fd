package ir

import (
	"testing"

	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang"
)

func TestResolveBranchesLongForms(t *testing.T) {
	filler := make(asm.Instructions, 40000)
	for i := range filler {
		filler[i] = asm.Mov.Imm(asm.R0, int32(i))
	}
	for _, first := range []asm.Instruction{
		asm.JEq.Imm(asm.R1, 0, "far"),
		asm.JSLE.Reg(asm.R1, asm.R2, "far"),
		asm.JSet.Imm(asm.R1, 4, "far"),
		asm.JGT.Imm32(asm.R1, 4, "far"),
		asm.Ja.Label("far"),
	} {
		insns := append(asm.Instructions{first.WithSymbol("start")}, filler...)
		insns = append(insns, asm.Mov.Imm(asm.R0, 0).WithSymbol("far"), asm.Return())
		spans := make([]lang.Span, len(insns))
		out, outSpans := ResolveBranches(insns, spans)
		if len(out) != len(outSpans) {
			t.Fatalf("%d instructions, %d spans", len(out), len(outSpans))
		}
		if out[0].Symbol() != "start" {
			t.Errorf("%v: the label on the jump moved", first)
		}
		grown, want := len(out)-len(insns), 1 // inverted condition + gotol
		switch first.OpCode.JumpOp() {
		case asm.Ja:
			want = 0 // gotol in place
		case asm.JSet:
			want = 2 // jset to the gotol, ja past it, gotol
		}
		if grown != want {
			t.Errorf("%v: grew by %d instructions, want %d", first, grown, want)
		}
		if err := VerifyJumps(out); err != nil {
			t.Fatal(err)
		}
	}
}

// A jump that only falls out of reach because another one grew is found
// too (the pass repeats until nothing changes).
func TestResolveBranchesCascade(t *testing.T) {
	var insns asm.Instructions
	// Jump i goes to label i, placed so that each is just within reach
	// until the jumps before it grow.
	const n = 8
	for i := 0; i < n; i++ {
		insns = append(insns, asm.JEq.Imm(asm.R1, int32(i), "l"+string(rune('a'+i))))
	}
	for i := 0; i < 32767-n+1; i++ {
		insns = append(insns, asm.Mov.Imm(asm.R0, 0))
	}
	for i := 0; i < n; i++ {
		insns = append(insns, asm.Mov.Imm(asm.R0, 0).WithSymbol("l"+string(rune('a'+i))))
	}
	insns = append(insns, asm.Return())
	out, _ := ResolveBranches(insns, make([]lang.Span, len(insns)))
	if err := VerifyJumps(out); err != nil {
		t.Fatal(err)
	}
}

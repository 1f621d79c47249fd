package codegen

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang"
)

// jumpTargets encodes insns as the kernel receives them and follows every
// jump by its encoded offset: it returns, per jump carrying a label, the
// label its encoded offset really lands on ("" when no label is there).
// A wrapped 16-bit offset shows up as a jump landing elsewhere.
func jumpTargets(t *testing.T, insns asm.Instructions) (want, got []string) {
	t.Helper()
	labels := map[int]string{} // raw offset -> symbol
	raw := 0
	for _, in := range insns {
		if s := in.Symbol(); s != "" {
			labels[raw] = s
		}
		raw += int(in.Size() / asm.InstructionSize)
	}
	var buf bytes.Buffer
	if err := insns.Marshal(&buf, binary.LittleEndian); err != nil {
		t.Fatal(err)
	}
	raw = 0
	for i := 0; i < len(insns); i++ {
		in := insns[i]
		if ref := in.Reference(); ref != "" && !in.IsLoadFromMap() && in.OpCode.Class().IsJump() &&
			in.OpCode.JumpOp() != asm.Call {
			// Decode the offset from the encoded bytes, not the struct.
			b := buf.Bytes()[raw*8:]
			off := int(int16(binary.LittleEndian.Uint16(b[2:4])))
			if in.OpCode.Class() == asm.Jump32Class && in.OpCode.JumpOp() == asm.Ja {
				off = int(int32(binary.LittleEndian.Uint32(b[4:8])))
			}
			want, got = append(want, ref), append(got, labels[raw+1+off])
		}
		raw += int(in.Size() / asm.InstructionSize)
	}
	return want, got
}

func checkJumps(t *testing.T, insns asm.Instructions) {
	t.Helper()
	want, got := jumpTargets(t, insns)
	for i := range want {
		if want[i] != got[i] {
			t.Fatalf("jump %d to %s lands on %q", i, want[i], got[i])
		}
	}
}

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
		out, outSpans := resolveBranches(insns, spans)
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
		checkJumps(t, out)
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
	out, _ := resolveBranches(insns, make([]lang.Span, len(insns)))
	checkJumps(t, out)
}

// Whole scripts: a big if body and a 50,000-term predicate compile to
// programs whose every encoded jump lands on its label.
func TestBigScriptsJumpTargets(t *testing.T) {
	terms := make([]string, 50000)
	for i := range terms {
		terms[i] = "pid != 7"
	}
	for _, src := range []string{
		`BEGIN { if (pid == 1) { ` + strings.Repeat("@x = 1; ", 4196) + `} printf("after\n"); }`,
		`BEGIN /` + strings.Join(terms, " && ") + `/ { printf("ok\n"); }`,
		`BEGIN { $a = pid == 1 ? (` + strings.Repeat("pid + ", 8000) + `1) : 7; printf("%d\n", $a); }`,
	} {
		plan := compileScript(t, src)
		for _, p := range plan.Spec.Programs {
			checkJumps(t, p.Instructions)
		}
	}
}

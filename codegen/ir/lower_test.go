package ir

import (
	"strings"
	"testing"

	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang"
)

var nowhere lang.Span

func ret(b *Block, v int32) { b.Append(nowhere, asm.Mov.Imm(asm.R0, v), asm.Return()) }

func lowered(t *testing.T, f *Func) asm.Instructions {
	t.Helper()
	insns, spans, err := Lower(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(spans) != len(insns) {
		t.Fatalf("%d spans for %d instructions", len(spans), len(insns))
	}
	return insns
}

// if (r1 == 0) { r0 = 1 } else { r0 = 2 }; return r0, built as an emitter
// builds it: the then branch ends by jumping over the else, to a label on
// an empty block.
func TestLowerIfElse(t *testing.T) {
	f := NewFunc("prog")
	f.Entry().Append(nowhere, asm.JNE.Imm(asm.R1, 0, "else"))
	then := f.AddBlock("then")
	then.Append(nowhere, asm.Mov.Imm(asm.R0, 1), asm.Ja.Label("end"))
	f.AddBlock("else").Append(nowhere, asm.Mov.Imm(asm.R0, 2), asm.Ja.Label("end"))
	f.AddBlock("end") // empty: falls through
	f.AddBlock("out").Append(nowhere, asm.Return())
	insns := lowered(t, f)
	got := insns.String()
	// The else branch's jump to the next instruction is gone; the then
	// branch jumps to "out", where the empty "end" leads.
	for _, want := range []string{"JNEImm dst: r1 off: -1 imm: 0 <else>", "Ja off: -1 <out>", "else:", "out:"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	if len(insns) != 5 {
		t.Errorf("%d instructions, want 5:\n%s", len(insns), got)
	}
	if err := VerifyJumps(insns); err != nil {
		t.Error(err)
	}
	// Lowering leaves the function as it was built (for -d ir).
	if n := f.Len(); n != 6 {
		t.Errorf("the built function has %d instructions after lowering, want 6", n)
	}
}

// Blocks no path reaches are dropped, with the labels only they jump to;
// a jump dropped because its target follows must not make an unreachable
// block between them reachable.
func TestLowerDropsUnreachable(t *testing.T) {
	f := NewFunc("prog")
	f.Entry().Append(nowhere, asm.Ja.Label("live"))
	f.AddBlock("dead").Append(nowhere, asm.JEq.Imm(asm.R1, 0, "deadtarget"), asm.Mov.Imm(asm.R0, 9), asm.Return())
	f.AddBlock("live").Append(nowhere, asm.Mov.Imm(asm.R0, 1), asm.Return())
	f.AddBlock("deadtarget").Append(nowhere, asm.Mov.Imm(asm.R0, 7), asm.Return())
	insns := lowered(t, f)
	if got := insns.String(); strings.Contains(got, "imm: 9") || strings.Contains(got, "imm: 7") || len(insns) != 2 {
		t.Errorf("unreachable code kept:\n%s", got)
	}
}

// A callable function's first instruction carries its name even when its
// entry block is empty.
func TestLowerCallableName(t *testing.T) {
	f := NewFunc("cb")
	f.Callable = true
	ret(f.AddBlock("body"), 0)
	insns := lowered(t, f)
	if insns[0].Symbol() != "cb" {
		t.Errorf("first symbol %q, want cb", insns[0].Symbol())
	}
}

func TestLowerErrors(t *testing.T) {
	f := NewFunc("prog")
	f.Entry().Append(nowhere, asm.JEq.Imm(asm.R1, 0, "nowhere"))
	ret(f.Entry(), 0)
	if _, _, err := Lower(f); err == nil || !strings.Contains(err.Error(), "never placed") {
		t.Errorf("jump to a missing label: %v", err)
	}
	f = NewFunc("prog")
	f.Entry().Append(nowhere, asm.Mov.Imm(asm.R0, 0))
	if _, _, err := Lower(f); err == nil || !strings.Contains(err.Error(), "runs past") {
		t.Errorf("no exit: %v", err)
	}
}

package codegen

import (
	"testing"

	"github.com/cilium/ebpf/asm"
)

// Jumps to the next instruction are dropped when the program is finished;
// the anchor (where the body starts, after the predicate) must still point
// at the same instruction however many were dropped before it.
func TestDropJumpsKeepsAnchor(t *testing.T) {
	e := newEmitter()
	for i := 0; i < 4; i++ {
		next := e.newLabel("next")
		e.jump(next)
		e.label(next)
		e.emit(asm.Mov.Imm(asm.R1, int32(i)))
	}
	e.anchor = len(e.insns)
	e.emit(asm.Mov.Imm(asm.R2, 42), asm.Mov.Imm(asm.R0, 0), asm.Return())
	insns := e.finish()
	if len(insns) != 7 {
		t.Fatalf("%d instructions left, want 7:\n%v", len(insns), insns)
	}
	if got := insns[e.anchor]; got.Dst != asm.R2 || got.Constant != 42 {
		t.Errorf("anchor %d is %v, want r2 = 42", e.anchor, got)
	}
}

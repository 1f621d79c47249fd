package ir

import (
	"strings"
	"testing"

	"github.com/cilium/ebpf/asm"
)

// A register written and then written again (or never read) on every path
// loses the first write; one that a helper's arguments, a comparison, the
// jump's target, a loop's next round, a store or the exit may read keeps
// it, and so do writes with other effects.
func TestDropDeadDefs(t *testing.T) {
	f := NewFunc("prog")
	f.Entry().Append(nowhere,
		asm.Mov.Imm(asm.R6, 1),  // dead: overwritten below
		asm.Mov.Imm(asm.R6, 2),  // read by the loop's comparison
		asm.Mov.Imm(asm.R1, 3),  // dead: the call reads no argument
		asm.Mov.Imm(asm.R8, 4),  // read in the loop's next round
		asm.FnKtimeGetNs.Call(), // r0: read by the store
		asm.Mov.Imm(asm.R3, 5),  // dead: clobbered by the call below
		asm.Mov.Imm(asm.R2, 16), // the helper's second argument
		asm.Mov.Reg(asm.R1, asm.RFP),
		asm.Add.Imm(asm.R1, -16),
		asm.StoreMem(asm.RFP, -24, asm.R0, asm.DWord),
		asm.FnGetCurrentComm.Call(),
		asm.Mov.Imm(asm.R9, 6), // read at the jump's target
		asm.JEq.Imm(asm.R0, 0, "out"),
		asm.Mov.Imm(asm.R9, 7), // dead: the fall-through overwrites it
	)
	loop := f.AddBlock("loop")
	loop.Append(nowhere,
		asm.Mov.Imm(asm.R9, 8),
		asm.Add.Reg(asm.R8, asm.R9),
		asm.LoadMem(asm.R4, asm.RFP, -24, asm.DWord), // dead load
		asm.JLT.Imm(asm.R6, 10, "loop"),
		asm.Mov.Reg(asm.R0, asm.R8), // read by the exit
		asm.Return(),
	)
	out := f.AddBlock("out")
	out.Append(nowhere,
		asm.StoreMem(asm.RFP, -8, asm.R9, asm.DWord),
		asm.Mov.Imm(asm.R7, 9), // dead: nothing reads it
		asm.LoadMapPtr(asm.R1, 0).WithReference("m"),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, -8),
		asm.FnMapLookupElem.Call(),
		asm.Mov.Imm(asm.R0, 0),
		asm.Return(),
	)
	DropDeadDefs(f)
	got := instrsOf(f)
	for _, gone := range []string{"dst: r6 imm: 1", "dst: r1 imm: 3", "dst: r3 imm: 5", "dst: r9 imm: 7", "dst: r4 src: rfp", "dst: r7 imm: 9"} {
		if strings.Contains(got, gone) {
			t.Errorf("%q should have gone:\n%s", gone, got)
		}
	}
	for _, kept := range []string{"dst: r6 imm: 2", "dst: r8 imm: 4", "dst: r2 imm: 16", "dst: r9 imm: 6", "dst: r9 imm: 8", "MovReg dst: r0 src: r8", "LoadMapPtr dst: r1"} {
		if !strings.Contains(got, kept) {
			t.Errorf("%q should stay:\n%s", kept, got)
		}
	}
	if n := strings.Count(got, "\n") + 1; n != 28-6 {
		t.Errorf("%d instructions, want %d:\n%s", n, 28-6, got)
	}
}

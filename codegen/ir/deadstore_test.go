package ir

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cilium/ebpf/asm"
)

func instrsOf(f *Func) string {
	var lines []string
	for _, b := range f.Blocks {
		for _, in := range b.Instrs {
			lines = append(lines, fmt.Sprint(in.Instruction))
		}
	}
	return strings.Join(lines, "\n")
}

// A store overwritten before anything may read it goes; one that a load,
// a call, a jump or an address taken may read in between stays.
func TestDropDeadStores(t *testing.T) {
	f := NewFunc("prog")
	e := f.Entry()
	e.Append(nowhere,
		asm.StoreImm(asm.RFP, -8, 0, asm.Byte), // dead: the word below covers it
		asm.StoreImm(asm.RFP, -4, 1, asm.Word), // another place: stays
		asm.StoreImm(asm.RFP, -8, 2, asm.Word),
		storeDW(-16, 3), // read by the load: stays
		asm.LoadMem(asm.R1, asm.RFP, -12, asm.Word),
		storeDW(-16, 4),
		storeDW(-24, 5), // a pointer may read it: stays
		asm.LoadMem(asm.R1, asm.R7, 0, asm.DWord),
		storeDW(-24, 6),
		storeDW(-32, 7), // its address is taken: stays
		asm.Mov.Reg(asm.R2, asm.RFP),
		storeDW(-32, 8),
		storeDW(-40, 9), // the helper may read it: stays
		asm.FnMapLookupElem.Call(),
		storeDW(-40, 10),
		storeDW(-48, 11), // wider than the later store: stays
		asm.StoreImm(asm.RFP, -48, 12, asm.Word),
		storeDW(-64, 15), // r10 stored through another pointer: stays
		asm.StoreMem(asm.R7, 0, asm.RFP, asm.DWord),
		storeDW(-64, 16),
		storeDW(-56, 13), // the jump's target may read it: stays
		asm.JEq.Imm(asm.R0, 0, "out"),
		storeDW(-56, 14),
	)
	out := f.AddBlock("out")
	out.Append(nowhere, asm.Mov.Imm(asm.R0, 0), asm.Return())
	DropDeadStores(f)
	got := instrsOf(f)
	if strings.Contains(got, "StMemB") || !strings.Contains(got, "off: -4 imm: 1") {
		t.Fatalf("the byte store should go, the others stay:\n%s", got)
	}
	if n := strings.Count(got, "\n") + 1; n != 24 {
		t.Fatalf("%d instructions, want 24 (one dropped):\n%s", n, got)
	}
}

// storeDW is `*(u64 *)(r10 + off) = k` (asm.StoreImm refuses 8 bytes).
func storeDW(off int16, k int64) asm.Instruction {
	return asm.Instruction{OpCode: asm.StoreImmOp(asm.DWord), Dst: asm.RFP, Offset: off, Constant: k}
}

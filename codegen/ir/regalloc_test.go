package ir

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cilium/ebpf/asm"
)

// v builds an instruction whose dst and/or src is a virtual register
// (0: the operand stays physical), with its home in the operand.
func v(in asm.Instruction, dst, src Virtual) Instr {
	return Instr{Instruction: in, VDst: dst, VSrc: src}
}

func sameProgram(t *testing.T, got asm.Instructions, want asm.Instructions) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got\n%v\nwant\n%v", got, want)
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.OpCode != w.OpCode || g.Dst != w.Dst || g.Src != w.Src || g.Offset != w.Offset || g.Constant != w.Constant {
			t.Fatalf("instruction %d: got\n%v\nwant\n%v", i, got, want)
		}
	}
}

// The context, saved from R1 to its home R6 at the entry, stays in R1
// when nothing writes R1 before its last read: the move goes. The loaded
// value keeps its home.
func TestAllocateContextStaysInR1(t *testing.T) {
	f := NewFunc("prog")
	e := f.Entry()
	e.PrependInstrs(v(asm.Mov.Reg(asm.R6, asm.R1), 1, 0))
	e.AppendInstr(v(asm.LoadMem(asm.R7, asm.R6, 8, asm.DWord), 2, 1))
	e.AppendInstr(v(asm.StoreMem(asm.RFP, -8, asm.R7, asm.DWord), 0, 2))
	ret(e, 0)
	sameProgram(t, lowered(t, f), asm.Instructions{
		asm.LoadMem(asm.R7, asm.R1, 8, asm.DWord),
		asm.StoreMem(asm.RFP, -8, asm.R7, asm.DWord),
		asm.Mov.Imm(asm.R0, 0),
		asm.Return(),
	})
}

// A value read after a helper call lives in a callee-saved register; the
// call's result stays in R0, and the move of it into its home goes. A
// register with no move to follow keeps its home when it can.
func TestAllocateAcrossCalls(t *testing.T) {
	f := NewFunc("prog")
	e := f.Entry()
	e.AppendInstr(v(asm.Mov.Reg(asm.R6, asm.R1), 1, 0))
	e.Append(nowhere, asm.FnKtimeGetNs.Call())
	e.AppendInstr(v(asm.Mov.Reg(asm.R7, asm.R0), 2, 0))
	e.AppendInstr(v(asm.LoadMem(asm.R8, asm.R6, 8, asm.DWord), 3, 1))
	e.AppendInstr(v(asm.Add.Reg(asm.R7, asm.R8), 2, 3))
	e.AppendInstr(v(asm.StoreMem(asm.RFP, -8, asm.R7, asm.DWord), 0, 2))
	ret(e, 0)
	got := lowered(t, f)
	sameProgram(t, got, asm.Instructions{
		asm.Mov.Reg(asm.R6, asm.R1),
		asm.FnKtimeGetNs.Call(),
		asm.LoadMem(asm.R8, asm.R6, 8, asm.DWord),
		asm.Add.Reg(asm.R0, asm.R8),
		asm.StoreMem(asm.RFP, -8, asm.R0, asm.DWord),
		asm.Mov.Imm(asm.R0, 0),
		asm.Return(),
	})
}

// A helper's arguments are live until the call: a value computed while
// they are set up does not take their registers.
func TestAllocateAroundArguments(t *testing.T) {
	f := NewFunc("prog")
	e := f.Entry()
	e.Append(nowhere, asm.Mov.Reg(asm.R1, asm.RFP), asm.Add.Imm(asm.R1, -16), asm.Mov.Imm(asm.R2, 16))
	e.AppendInstr(v(asm.Mov.Imm(asm.R7, 5), 1, 0))
	e.AppendInstr(v(asm.StoreMem(asm.RFP, -24, asm.R7, asm.DWord), 0, 1))
	e.AppendInstr(v(asm.StoreMem(asm.RFP, -32, asm.R7, asm.DWord), 0, 1))
	e.Append(nowhere, asm.FnGetCurrentComm.Call())
	ret(e, 0)
	got := lowered(t, f)
	if r := got[3].Dst; r == asm.R1 || r == asm.R2 || r == asm.R10 {
		t.Errorf("the value took %v, an argument of the call:\n%v", r, got)
	}
}

// Each path's value meets at a join: both definitions get one register.
func TestAllocateJoin(t *testing.T) {
	f := NewFunc("prog")
	e := f.Entry()
	e.AppendInstr(v(asm.Mov.Imm(asm.R7, 1), 1, 0))
	e.Append(nowhere, asm.JSGT.Imm(asm.R1, 100, "fi"))
	e.AppendInstr(v(asm.Mov.Imm(asm.R7, 0), 1, 0))
	fi := f.AddBlock("fi")
	fi.AppendInstr(v(asm.StoreMem(asm.RFP, -8, asm.R7, asm.DWord), 0, 1))
	ret(fi, 0)
	got := lowered(t, f)
	if got[0].Dst != got[2].Dst || got[0].Dst != got[3].Src || got[0].Dst == asm.R1 {
		t.Errorf("the join's value is not in one register apart from R1:\n%v", got)
	}
}

// A virtual register read before any write on some path keeps its home
// (the homes are the generator's own correct program).
func TestAllocateReadBeforeWriteKeepsHomes(t *testing.T) {
	f := NewFunc("prog")
	e := f.Entry()
	e.Append(nowhere, asm.JEq.Imm(asm.R1, 0, "use"))
	e.AppendInstr(v(asm.Mov.Imm(asm.R7, 3), 1, 0))
	u := f.AddBlock("use")
	u.AppendInstr(v(asm.Mov.Reg(asm.R0, asm.R7), 0, 1))
	u.Append(nowhere, asm.Return())
	if !Allocate(f.clone()) {
		t.Fatal("allocated a register read before it is written")
	}
	got := lowered(t, f)
	if got[1].Dst != asm.R7 || got[2].Src != asm.R7 {
		t.Errorf("homes not kept:\n%v", got)
	}
}

// A fetching atomic writes its source register, cmpxchg R0.
func TestAllocateAtomics(t *testing.T) {
	f := NewFunc("prog")
	e := f.Entry()
	e.AppendInstr(v(asm.Mov.Imm(asm.R7, 1), 1, 0))
	e.AppendInstr(v(asm.FetchAdd.Mem(asm.RFP, asm.R7, asm.DWord, -8), 0, 1))
	e.AppendInstr(v(asm.Mov.Reg(asm.R0, asm.R7), 0, 1))
	e.Append(nowhere, asm.Return())
	var a allocator
	a.index = []int32{1: nPhys}
	if o := a.operandsOf(&e.Instrs[1]); o.nd != 1 || o.defs[0] != nPhys {
		t.Errorf("fetch add: defs %v", o.defs[:o.nd])
	}
	add := v(asm.AddAtomic.Mem(asm.RFP, asm.R7, asm.DWord, -8), 0, 1)
	if o := a.operandsOf(&add); o.nd != 0 || o.nu != 2 {
		t.Errorf("atomic add: %d defs, %d uses", o.nd, o.nu)
	}
	cas := v(asm.CmpXchg.Mem(asm.RFP, asm.R7, asm.DWord, -8), 0, 1)
	if o := a.operandsOf(&cas); o.nd != 1 || o.defs[0] != 0 || o.nu != 3 {
		t.Errorf("cmpxchg: defs %v uses %v", o.defs[:o.nd], o.uses[:o.nu])
	}
	acq := v(asm.LoadAcquire(asm.R7, asm.R1, asm.DWord, 0), 1, 0)
	if o := a.operandsOf(&acq); o.nd != 1 || o.defs[0] != nPhys || o.nu != 1 || o.uses[0] != 1 {
		t.Errorf("load-acquire: defs %v uses %v", o.defs[:o.nd], o.uses[:o.nu])
	}
	// The fetched value is R0's at the exit: r7 is not moved away.
	got := lowered(t, f)
	if got[1].Src != got[2].Src && got[2].OpCode.ALUOp() == asm.Mov {
		t.Errorf("fetch add's result moved from elsewhere:\n%v", got)
	}
}

// A value a conditional jump compares stays out of R0, even when it comes
// from R0 (see Allocate); one that is only stored stays in R0.
func TestAllocateComparedValueNotInR0(t *testing.T) {
	f := NewFunc("prog")
	e := f.Entry()
	e.Append(nowhere, asm.FnGetCurrentPidTgid.Call())
	e.AppendInstr(v(asm.Mov.Reg(asm.R7, asm.R0), 1, 0))
	e.AppendInstr(v(asm.RSh.Imm(asm.R7, 32), 1, 0))
	e.AppendInstr(v(asm.JEq.Imm(asm.R7, 5, "exit"), 1, 0))
	e.Append(nowhere, asm.FnKtimeGetNs.Call())
	e.AppendInstr(v(asm.Mov.Reg(asm.R8, asm.R0), 2, 0))
	e.AppendInstr(v(asm.StoreMem(asm.RFP, -8, asm.R8, asm.DWord), 0, 2))
	ret(f.AddBlock("exit"), 0)
	got := lowered(t, f)
	if got[1].OpCode.ALUOp() != asm.Mov || got[1].Dst == asm.R0 || got[3].Dst != got[1].Dst {
		t.Errorf("the compared pid:\n%v", got)
	}
	if got[5].OpCode.Class() != asm.StXClass || got[5].Src != asm.R0 {
		t.Errorf("the stored time is not stored from R0:\n%v", got)
	}
}

// A constant set only to be stored is stored as an immediate; one read
// twice stays in a register.
func TestStoreConstants(t *testing.T) {
	f := NewFunc("prog")
	e := f.Entry()
	e.AppendInstr(v(asm.Mov.Imm(asm.R7, -2), 1, 0))
	e.AppendInstr(v(asm.StoreMem(asm.RFP, -8, asm.R7, asm.Word), 0, 1))
	e.AppendInstr(v(asm.Mov.Imm(asm.R7, 9), 1, 0))
	e.AppendInstr(v(asm.StoreMem(asm.RFP, -16, asm.R7, asm.DWord), 0, 1))
	e.AppendInstr(v(asm.StoreMem(asm.RFP, -24, asm.R7, asm.DWord), 0, 1))
	ret(e, 0)
	got := lowered(t, f)
	sameProgram(t, got, asm.Instructions{
		asm.StoreImm(asm.RFP, -8, -2, asm.Word),
		asm.Mov.Imm(asm.R7, 9),
		asm.StoreMem(asm.RFP, -16, asm.R7, asm.DWord),
		asm.StoreMem(asm.RFP, -24, asm.R7, asm.DWord),
		asm.Mov.Imm(asm.R0, 0),
		asm.Return(),
	})
}

// Constant chains fold into one move when the result fits; a division
// and a result beyond 32 bits stay.
func TestFoldConstants(t *testing.T) {
	f := NewFunc("prog")
	e := f.Entry()
	e.AppendInstr(v(asm.Mov.Imm(asm.R7, 3), 1, 0))
	e.AppendInstr(v(asm.LSh.Imm(asm.R7, 4), 1, 0))
	e.AppendInstr(v(asm.Or.Imm(asm.R7, 5), 1, 0))
	e.AppendInstr(v(asm.Div.Imm(asm.R7, 7), 1, 0))
	e.AppendInstr(v(asm.Mov.Imm(asm.R8, 1), 2, 0))
	e.AppendInstr(v(asm.LSh.Imm(asm.R8, 40), 2, 0))
	e.AppendInstr(v(asm.Add.Reg(asm.R7, asm.R8), 1, 2))
	e.AppendInstr(v(asm.Mov.Reg(asm.R0, asm.R7), 0, 1))
	e.Append(nowhere, asm.Return())
	FoldConstants(f)
	want := []string{"MovImm dst: r7 imm: 53", "DivImm dst: r7 imm: 7", "MovImm dst: r8 imm: 1", "LShImm dst: r8 imm: 40"}
	for i, w := range want {
		if got := fmt.Sprint(f.Entry().Instrs[i].Instruction); got != w {
			t.Errorf("instruction %d: %s, want %s", i, got, w)
		}
	}
}

// A 32-bit copy stored in 4 bytes is stored from its source.
func TestStoreNarrowCopy(t *testing.T) {
	f := NewFunc("prog")
	e := f.Entry()
	e.Append(nowhere, asm.FnGetCurrentPidTgid.Call())
	e.AppendInstr(v(asm.Mov.Reg32(asm.R7, asm.R0), 1, 0))
	e.AppendInstr(v(asm.StoreMem(asm.RFP, -8, asm.R7, asm.Word), 0, 1))
	e.AppendInstr(v(asm.Mov.Reg32(asm.R7, asm.R0), 2, 0))
	e.AppendInstr(v(asm.StoreMem(asm.RFP, -16, asm.R7, asm.DWord), 0, 2))
	ret(e, 0)
	sameProgram(t, lowered(t, f), asm.Instructions{
		asm.FnGetCurrentPidTgid.Call(),
		asm.StoreMem(asm.RFP, -8, asm.R0, asm.Word),
		asm.Mov.Reg32(asm.R0, asm.R0), // 8 bytes stored: the upper half is cleared first
		asm.StoreMem(asm.RFP, -16, asm.R0, asm.DWord),
		asm.Mov.Imm(asm.R0, 0),
		asm.Return(),
	})
}

// An extension in place whose value only a store of the extended width
// reads goes; a wider store, or another read, keeps it.
func TestStoreExtendedInPlace(t *testing.T) {
	movsx32 := asm.MovSX32.Reg(asm.R7, asm.R7)
	f := NewFunc("prog")
	e := f.Entry()
	e.AppendInstr(v(asm.LoadMem(asm.R7, asm.RFP, -8, asm.Word), 1, 0))
	e.AppendInstr(v(movsx32, 1, 1))
	e.AppendInstr(v(asm.StoreMem(asm.RFP, -16, asm.R7, asm.Word), 0, 1))
	e.AppendInstr(v(asm.LoadMem(asm.R7, asm.RFP, -8, asm.Word), 2, 0))
	e.AppendInstr(v(movsx32, 2, 2))
	e.AppendInstr(v(asm.StoreMem(asm.RFP, -24, asm.R7, asm.DWord), 0, 2))
	e.AppendInstr(v(asm.LoadMem(asm.R7, asm.RFP, -8, asm.Word), 3, 0))
	e.AppendInstr(v(asm.Mov.Reg32(asm.R7, asm.R7), 3, 3))
	e.AppendInstr(v(asm.StoreMem(asm.RFP, -32, asm.R7, asm.Half), 0, 3))
	e.AppendInstr(v(asm.StoreMem(asm.RFP, -40, asm.R7, asm.DWord), 0, 3))
	ret(e, 0)
	got := lowered(t, f)
	var ops []string
	for _, in := range got {
		ops = append(ops, fmt.Sprint(in))
	}
	want := []string{
		"LdXMemW dst: r7 src: rfp off: -8 imm: 0",
		"StXMemW dst: rfp src: r7 off: -16 imm: 0",
		"LdXMemW dst: r7 src: rfp off: -8 imm: 0",
		"MovSX32Reg dst: r7 src: r7",
		"StXMemDW dst: rfp src: r7 off: -24 imm: 0",
		"LdXMemW dst: r7 src: rfp off: -8 imm: 0",
		"MovReg32 dst: r7 src: r7",
		"StXMemH dst: rfp src: r7 off: -32 imm: 0",
		"StXMemDW dst: rfp src: r7 off: -40 imm: 0",
		"MovImm dst: r0 imm: 0",
		"Exit",
	}
	if strings.Join(ops, "\n") != strings.Join(want, "\n") {
		t.Fatalf("lowered:\n%s\nwant:\n%s", strings.Join(ops, "\n"), strings.Join(want, "\n"))
	}
}

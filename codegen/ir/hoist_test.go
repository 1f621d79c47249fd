package ir

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cilium/ebpf/asm"
)

func stackAddr(b *Block, dst asm.Register, off int32) {
	b.Append(nowhere, asm.Mov.Reg(dst, asm.RFP), asm.Add.Imm(dst, off))
}

func hoisted(f *Func) string {
	HoistStackAddrs(f)
	return instrsOf(f)
}

// A stack address set up three times, the first before any jump, is
// computed once in a free callee-saved register and copied from there.
func TestHoistStackAddrs(t *testing.T) {
	f := NewFunc("prog")
	e := f.Entry()
	stackAddr(e, asm.R2, -8)
	e.Append(nowhere, asm.FnMapLookupElem.Call(), asm.JEq.Imm(asm.R0, 0, "out"))
	stackAddr(e, asm.R2, -8)
	e.Append(nowhere, asm.FnMapDeleteElem.Call())
	out := f.AddBlock("out")
	stackAddr(out, asm.R3, -8)
	out.Append(nowhere, asm.Mov.Reg(asm.R6, asm.R3), asm.Mov.Imm(asm.R0, 0), asm.Return())
	want := strings.Join([]string{
		"MovReg dst: r7 src: rfp",
		"AddImm dst: r7 imm: -8",
		"MovReg dst: r2 src: r7",
		"Call FnMapLookupElem",
		"JEqImm dst: r0 off: -1 imm: 0 <out>",
		"MovReg dst: r2 src: r7",
		"Call FnMapDeleteElem",
		"MovReg dst: r3 src: r7",
		"MovReg dst: r6 src: r3",
		"MovImm dst: r0 imm: 0",
		"Exit",
	}, "\n")
	if got := hoisted(f); got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}

// Set up only twice, or first after a jump, the address stays as it was.
func TestHoistStackAddrsNeedsThreeDominatedUses(t *testing.T) {
	f := NewFunc("prog")
	e := f.Entry()
	e.Append(nowhere, asm.JEq.Imm(asm.R1, 0, "out"))
	for range 3 {
		stackAddr(e, asm.R2, -8)
	}
	out := f.AddBlock("out")
	out.Append(nowhere, asm.Mov.Imm(asm.R0, 0), asm.Return())
	before := fmt.Sprint(f.Blocks[0].Instrs)
	hoisted(f)
	if after := fmt.Sprint(f.Blocks[0].Instrs); after != before {
		t.Fatalf("changed:\n%s", after)
	}
}

package codegen

import (
	"math/rand"
	"testing"

	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/codegen/ir"
)

// Blocks appended to in any order, through the arena or directly, some
// replaced by PrependInstrs on the way, hold what was appended to each:
// no block writes into another's array.
func TestInstrArenaKeepsBlocksApart(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	var a instrArena
	blocks := make([]*ir.Block, 6)
	want := make([][]int64, len(blocks))
	for i := range blocks {
		blocks[i] = &ir.Block{}
	}
	for k := int64(0); k < 5000; k++ {
		i := r.Intn(len(blocks))
		if r.Intn(3) == 0 {
			i = 0 // runs of appends to one block, as the emitter makes
		}
		if r.Intn(200) == 0 {
			blocks[i].PrependInstrs(ir.Instr{Instruction: asm.Mov.Imm(asm.R0, int32(-k))})
			want[i] = append([]int64{-k}, want[i]...)
			continue
		}
		in := ir.Instr{Instruction: asm.Mov.Imm(asm.R0, int32(k))}
		if r.Intn(10) == 0 {
			blocks[i].AppendInstr(in) // not through the arena
		} else {
			a.append(blocks[i], in)
		}
		want[i] = append(want[i], k)
	}
	for i, b := range blocks {
		if len(b.Instrs) != len(want[i]) {
			t.Fatalf("block %d: %d instructions, want %d", i, len(b.Instrs), len(want[i]))
		}
		for j, in := range b.Instrs {
			if in.Constant != want[i][j] {
				t.Fatalf("block %d, instruction %d: %d, want %d", i, j, in.Constant, want[i][j])
			}
		}
	}
}

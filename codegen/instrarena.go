package codegen

import "github.com/gobpftrace/gobpftrace/codegen/ir"

// arenaSlab is how many instructions one allocation of an instrArena
// holds: a few programs' worth.
const arenaSlab = 1024

// instrArena gives the blocks the emitter builds their instruction arrays
// out of larger allocations, shared by the programs of one script. The
// emitter appends one instruction at a time, to one block at a time: that
// block (the owner) gets the rest of the current allocation as its
// capacity, and when another block is appended to, the owner's array is
// cut to its length, so no two blocks ever share memory either may grow
// into. Growing each block's own array from one element up was a third
// of code generation's allocated bytes.
//
// Once a program is lowered in place, none of its blocks is read again,
// and recycle lets the next program's blocks use the same allocations.
type instrArena struct {
	free  []ir.Instr // the unused rest of the current allocation
	owner *ir.Block  // the block whose array starts at free[0], if any
	// slabs are the allocations made, handed out again from slabs[next]
	// on after recycle.
	slabs [][]ir.Instr
	next  int
}

// append adds in at the end of b.
func (a *instrArena) append(b *ir.Block, in ir.Instr) {
	if b != a.owner || len(b.Instrs) == cap(b.Instrs) {
		a.own(b)
	}
	b.AppendInstr(in)
}

// own makes b the owner, with room to grow.
func (a *instrArena) own(b *ir.Block) {
	a.release()
	need := max(2*len(b.Instrs), 16)
	if len(a.free) < need {
		a.take(need)
	}
	b.Instrs = append(a.free[:0], b.Instrs...)
	a.owner = b
}

// take makes free an allocation of at least need instructions: the next
// recycled one that is large enough, or a new one.
func (a *instrArena) take(need int) {
	for a.next < len(a.slabs) {
		s := a.slabs[a.next]
		a.next++
		if len(s) >= need {
			a.free = s
			return
		}
	}
	a.free = make([]ir.Instr, max(need, arenaSlab))
	a.slabs = append(a.slabs, a.free)
	a.next = len(a.slabs)
}

// recycle hands out the arena's allocations again from the first: every
// block built out of them so far must be dead (lowered in place, never
// read again).
func (a *instrArena) recycle() {
	a.free, a.owner, a.next = nil, nil, 0
}

// keep leaves the allocations handed out since the last recycle to the
// blocks built out of them, which stay alive (a program whose lowering
// waits): recycle no longer hands them out. The rest of the current one
// still goes to the next blocks.
func (a *instrArena) keep() {
	a.release()
	a.slabs = append([][]ir.Instr(nil), a.slabs[a.next:]...)
	a.next = 0
}

// release cuts the owner's array to its length and takes what it holds
// out of free. An owner whose array is no longer at free[0] (replaced by
// PrependInstrs, say) keeps its own.
func (a *instrArena) release() {
	o := a.owner
	a.owner = nil
	if o == nil || cap(o.Instrs) == 0 || cap(a.free) == 0 || &o.Instrs[:1][0] != &a.free[:1][0] {
		return
	}
	n := len(o.Instrs)
	o.Instrs = o.Instrs[:n:n]
	a.free = a.free[n:]
}

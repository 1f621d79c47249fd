package ir

import (
	"fmt"

	"github.com/cilium/ebpf/asm"
)

// Lower lays f out as instructions, with spans parallel to them (ids of
// f.Spans): each
// reachable block in layout order, its label on its first instruction
// when some jump names it. Jumps keep symbolic targets (the label of a
// non-empty block); ResolveBranches encodes their reach once every
// function of the program is appended.
// Lowering works on a copy: f stays as it was built.
func Lower(f *Func) (asm.Instructions, []SpanID, error) { return lower(f.clone(), true) }

// LowerInPlace is Lower for a caller that keeps nothing of f: the passes
// change f itself, which saves copying it.
func LowerInPlace(f *Func) (asm.Instructions, []SpanID, error) { return lower(f, true) }

// LowerWithoutPasses lowers f as the code generator built it: no constant
// folding, and each virtual register in its home (see Allocate). Tests
// compare the two. f stays as it was built.
func LowerWithoutPasses(f *Func) (asm.Instructions, []SpanID, error) {
	return lower(f.clone(), false)
}

func lower(f *Func, passes bool) (asm.Instructions, []SpanID, error) {
	ExpandForgets(f)
	// The label map of the passes, built once: lowering only drops
	// blocks. With a label placed twice there is none, and reachable
	// reports it.
	bufs := getBufs()
	defer putBufs(bufs)
	if bufs.blocks == nil {
		bufs.blocks = make(map[string]*Block, len(f.Blocks))
	}
	labels := bufs.blocks
	clear(labels)
	for _, b := range f.Blocks {
		if _, dup := labels[b.Label]; dup {
			labels = nil
			break
		}
		labels[b.Label] = b
	}
	f.labels = labels
	defer func() { f.labels = nil; clear(bufs.blocks) }()
	if err := prune(f); err != nil {
		return nil, nil, err
	}
	// Registers are allocated on the reachable code only; a move dropped
	// may leave a jump to the next block, which pruning again drops.
	if passes {
		DropDeadStores(f)
		FoldConstants(f)
		Allocate(f)
	} else {
		keepHomes(f)
	}
	if err := prune(f); err != nil {
		return nil, nil, err
	}
	if passes {
		DropDeadDefs(f)
	}
	if passes && !f.Callable {
		HoistStackAddrs(f)
	}
	live := f.Blocks
	// A label resolves to the first non-empty block from its own on
	// (next); used marks the blocks some jump lands on.
	index, _ := bufs.labelIndex(f)
	bufs.next = sized(bufs.next, len(live)+1)
	next := bufs.next
	next[len(live)] = int32(len(live))
	for i := len(live) - 1; i >= 0; i-- {
		next[i] = next[i+1]
		if len(live[i].Instrs) > 0 {
			next[i] = int32(i)
		}
	}
	resolved := func(ref string) (string, int32) {
		if i, ok := index.at(ref); ok && next[i] < int32(len(live)) {
			return live[next[i]].Label, next[i]
		}
		return "", -1 // lowering fails below: the code runs past its end
	}
	bufs.used = sized(bufs.used, len(live))
	used := bufs.used
	clear(used)
	for _, b := range live {
		for _, in := range b.Instrs {
			if ref, ok := JumpTarget(in.Instruction); ok {
				if _, i := resolved(ref); i >= 0 {
					used[i] = true
				}
			}
		}
	}
	n := f.Len()
	insns := make(asm.Instructions, 0, n)
	spans := make([]SpanID, 0, n)
	for bi, b := range live {
		for j, in := range b.Instrs {
			ins := in.Instruction
			if ref, ok := JumpTarget(ins); ok {
				if to, _ := resolved(ref); to != ref {
					ins = ins.WithReference(to)
				}
			}
			if j == 0 && used[bi] {
				ins = ins.WithSymbol(b.Label)
			}
			if len(insns) == 0 && f.Callable {
				if used[bi] && b.Label != f.Name {
					return nil, nil, fmt.Errorf("function %s: its first instruction is also label %s", f.Name, b.Label)
				}
				ins = ins.WithSymbol(f.Name)
			}
			insns = append(insns, ins)
			spans = append(spans, in.Span)
		}
	}
	if n := len(live); n > 0 && !live[n-1].Terminated() {
		return nil, nil, fmt.Errorf("function %s runs past its last instruction", f.Name)
	}
	return insns, spans, nil
}

// prune drops the blocks no path reaches and the jumps to the next block,
// to a fixed point: a jump dropped makes its block fall through to the
// next reachable one.
func prune(f *Func) error {
	for {
		live, err := reachable(f, f.Blocks[:0]) // in place
		if err != nil {
			return err
		}
		f.Blocks = live
		if !dropJumpsToNext(live) {
			return nil
		}
	}
}

// clone copies f's blocks, so that lowering leaves f as it was built.
func (f *Func) clone() *Func {
	c := *f
	c.Blocks = make([]*Block, len(f.Blocks))
	for i, b := range f.Blocks {
		c.Blocks[i] = &Block{Label: b.Label, Instrs: append([]Instr(nil), b.Instrs...), fn: &c}
	}
	return &c
}

// reachable returns the blocks some path from the entry reaches, in layout
// order, appended to live (which may be f.Blocks[:0]: they are then
// compacted in place).
func reachable(f *Func, live []*Block) ([]*Block, error) {
	bufs := getBufs()
	defer putBufs(bufs)
	index, dup := bufs.labelIndex(f)
	if dup != "" {
		return nil, fmt.Errorf("function %s: label %s placed twice", f.Name, dup)
	}
	bufs.seen = sized(bufs.seen, len(f.Blocks))
	seen := bufs.seen
	clear(seen)
	work := append(bufs.work[:0], 0)
	defer func() { bufs.work = work[:0] }()
	for len(work) > 0 {
		i := work[len(work)-1]
		work = work[:len(work)-1]
		if i >= len(f.Blocks) || seen[i] {
			continue
		}
		seen[i] = true
		b := f.Blocks[i]
		for _, in := range b.Instrs {
			if ref, ok := JumpTarget(in.Instruction); ok {
				j, found := index.at(ref)
				if !found {
					return nil, fmt.Errorf("function %s: jump to %s, a label never placed", f.Name, ref)
				}
				work = append(work, int(j))
			}
		}
		if !b.Terminated() {
			work = append(work, i+1)
		}
	}
	for i, b := range f.Blocks {
		if seen[i] {
			live = append(live, b)
		} else if f.labels != nil {
			b.idx = -1 // dropped: no longer found by its label
		}
	}
	return live, nil
}

// dropJumpsToNext removes unconditional jumps to the instruction that
// follows anyway (left where one branch of a condition ends where the
// other begins), reporting whether it removed any. blocks are the
// reachable blocks in layout order: a block skipped in between is
// unreachable and will not be laid out.
func dropJumpsToNext(blocks []*Block) bool {
	dropped := false
	for i, b := range blocks {
		n := len(b.Instrs)
		if n == 0 {
			continue
		}
		last := b.Instrs[n-1].Instruction
		if last.OpCode.JumpOp() != asm.Ja || last.OpCode.Class() != asm.JumpClass || last.Reference() == "" {
			continue
		}
		if jumpsToNext(blocks[i+1:], last.Reference()) {
			b.Instrs = b.Instrs[:n-1]
			dropped = true
		}
	}
	return dropped
}

// jumpsToNext reports whether label ref resolves (to the first non-empty
// block from its own on, as lower resolves labels) to the
// first instruction of rest: whether it names one of rest's leading empty
// blocks or the first non-empty one. Looking only there spares a label map
// per pass of prune; labels are unique (reachable checked).
func jumpsToNext(rest []*Block, ref string) bool {
	for _, b := range rest {
		if b.Label == ref {
			return len(b.Instrs) > 0 || hasInstrs(rest)
		}
		if len(b.Instrs) > 0 {
			return false
		}
	}
	return false
}

// hasInstrs reports whether some block of blocks holds an instruction.
func hasInstrs(blocks []*Block) bool {
	for _, b := range blocks {
		if len(b.Instrs) > 0 {
			return true
		}
	}
	return false
}

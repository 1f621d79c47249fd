// Package ir is the form code generation builds before eBPF instructions:
// functions made of basic blocks.
//
// A Func is one BPF function: a probe's program or a callback that a helper
// calls (bpf_loop, bpf_for_each_map_elem). Its Blocks are in layout order,
// Blocks[0] being the entry. A Block is a label and straight-line
// instructions; control leaves it by its last instruction (a jump or an
// exit) or falls through to the next block. Conditional jumps may sit
// anywhere in a block and name a block's label.
//
// Lowering (Lower) does what a one-pass emitter had to patch afterwards:
// blocks no path reaches are dropped (the kernel refuses unreachable code),
// a jump to the block that follows anyway is dropped, labels of empty
// blocks resolve to the block that follows them, and every jump offset is
// checked, jumps beyond 16 bits becoming 32-bit `gotol` (ResolveBranches).
//
// Operands are physical registers (R0-R10) or virtual registers, which
// Allocate (regalloc.go) assigns to physical ones when the function is
// lowered.
package ir

import (
	"slices"

	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang"
)

// Func is one BPF function.
type Func struct {
	Name   string
	Blocks []*Block
	// Callable is set for functions that others refer to by name (a
	// callback): the first instruction carries Name as its symbol.
	Callable bool
	// Spans holds the spans its instructions name; the functions of one
	// script may share one table.
	Spans *SpanTable
	// labels maps its labels to its blocks while lower runs, which only
	// drops blocks: the passes then look labels up there instead of
	// building a map each (see blockIndex). nil otherwise.
	labels map[string]*Block
}

// Block is a basic block: a label (unique in its Func) and instructions.
type Block struct {
	Label  string
	Instrs []Instr
	fn     *Func // whose Spans Append and Prepend add to
	idx    int32 // its index in fn.Blocks, while lower runs (-1: dropped)
}

// Instr is one instruction and the script construct it was built for. A
// jump's target is the label in the instruction's Reference.
type Instr struct {
	asm.Instruction
	Span SpanID
	// VDst and VSrc name the virtual registers of Dst and Src (0: the
	// operand is the physical register itself). Dst and Src then hold the
	// virtual register's home (see Allocate).
	VDst, VSrc Virtual
	// Forget, when set, makes this a pseudo-instruction (see Forget);
	// lowering expands it first.
	Forget *Forget
}

// NewFunc returns a function with an empty entry block labelled name.
func NewFunc(name string) *Func {
	f := &Func{Name: name, Spans: &SpanTable{}}
	f.Blocks = []*Block{{Label: name, fn: f}}
	return f
}

// Entry is the block the function starts with.
func (f *Func) Entry() *Block { return f.Blocks[0] }

// AddBlock appends a block labelled label to the layout and returns it.
func (f *Func) AddBlock(label string) *Block {
	b := &Block{Label: label, fn: f}
	f.Blocks = append(f.Blocks, b)
	return b
}

// Len is the number of instructions of all blocks.
func (f *Func) Len() int {
	n := 0
	for _, b := range f.Blocks {
		n += len(b.Instrs)
	}
	return n
}

// Append adds instructions at the end of b.
func (b *Block) Append(span lang.Span, ins ...asm.Instruction) {
	id := b.fn.Spans.ID(span)
	for _, in := range ins {
		b.Instrs = append(b.Instrs, Instr{Instruction: in, Span: id})
	}
}

// AppendInstr adds in at the end of b.
func (b *Block) AppendInstr(in Instr) { b.Instrs = append(b.Instrs, in) }

// PrependInstrs adds ins at the start of b.
func (b *Block) PrependInstrs(ins ...Instr) {
	b.Instrs = append(slices.Clone(ins), b.Instrs...)
}

// Prepend adds instructions at the start of b: a jump to b's label runs
// them first.
func (b *Block) Prepend(span lang.Span, ins ...asm.Instruction) {
	front := make([]Instr, 0, len(ins)+len(b.Instrs))
	id := b.fn.Spans.ID(span)
	for _, in := range ins {
		front = append(front, Instr{Instruction: in, Span: id})
	}
	b.Instrs = append(front, b.Instrs...)
}

// Terminated reports whether b ends with an unconditional jump or an exit:
// nothing may follow in the same block.
func (b *Block) Terminated() bool {
	if len(b.Instrs) == 0 {
		return false
	}
	return endsFlow(b.Instrs[len(b.Instrs)-1].Instruction)
}

func endsFlow(in asm.Instruction) bool {
	op := in.OpCode
	return op.Class().IsJump() && (op.JumpOp() == asm.Ja || op.JumpOp() == asm.Exit)
}

// JumpTarget returns the label in jumps to, if in is a jump within its
// function (not a call, an exit, or a load of a function's address).
func JumpTarget(in asm.Instruction) (string, bool) {
	op := in.OpCode
	if !op.Class().IsJump() || op.JumpOp() == asm.Call || op.JumpOp() == asm.Exit {
		return "", false
	}
	ref := in.Reference()
	return ref, ref != ""
}

// SpanID names a span of a SpanTable: the script construct an instruction
// was built for. Most instructions of a statement share one, and an index
// is 4 bytes where a span is 48 (the IR's instructions were more span
// than instruction). 0 is the zero span, nowhere in the script.
type SpanID int32

// SpanTable holds the spans instructions name. The zero table is ready
// to use.
type SpanTable struct {
	// chunks hold spanChunk spans each, id i at chunks[i/spanChunk]:
	// one array grown by appending would be copied over and over (Go
	// grows a large one by a quarter), several times the table's size.
	chunks [][]lang.Span
	n      int // spans held, the zero span (id 0) first
}

const spanChunk = 128

// spanLookback is how many of the latest spans ID compares before adding
// one: code is built for a statement, its operands, then the statement
// again, so the span asked for is almost always among the last few.
const spanLookback = 8

func (t *SpanTable) at(id int) *lang.Span { return &t.chunks[id/spanChunk][id%spanChunk] }

// ID returns the id of span, adding it to t when it is not among the
// latest ones (a span may so have several ids; each gives it back).
func (t *SpanTable) ID(span lang.Span) SpanID {
	if span == (lang.Span{}) {
		return 0
	}
	for i := t.n - 1; i > 0 && i >= t.n-spanLookback; i-- {
		if *t.at(i) == span {
			return SpanID(i)
		}
	}
	if t.n == 0 {
		t.n = 1 // id 0, the zero span
	}
	if t.n%spanChunk == 0 || len(t.chunks) == 0 {
		t.chunks = append(t.chunks, make([]lang.Span, spanChunk))
	}
	*t.at(t.n) = span
	t.n++
	return SpanID(t.n - 1)
}

// Span returns the span of id (the zero span for 0, or on a nil table).
func (t *SpanTable) Span(id SpanID) lang.Span {
	if t == nil || id <= 0 || int(id) >= t.n {
		return lang.Span{}
	}
	return *t.at(int(id))
}

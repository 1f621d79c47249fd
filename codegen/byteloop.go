package codegen

import (
	"github.com/cilium/ebpf/asm"
)

// maxInlineScan is the longest buffer a byte scan walks with a plain loop.
// The verifier follows a plain loop round by round, and on this kernel it
// gives up on scans of a few thousand bytes (max_strlen 4096): longer scans
// run their body as a bpf_loop callback, which is verified once.
const maxInlineScan = 256

// maxInlineNeedle is the longest non-literal needle whose bytes a scan
// compares in straight-line code at each position.
const maxInlineNeedle = 64

// byteLoop runs body for idx = 0, 1, ... n-1 with bpf_loop. body gets the
// index in R1 (below n); it may jump to g.loops' last cont label to go on
// with the next index and to its brk label to stop, and must end with one
// of the two. What body reads or writes of its caller's must be shared
// (allocShared, or copied with shared): the callback reaches the probe's
// frame and the scratch buffer, not its caller's frame. Only pointers
// must be kept on a stack (the verifier reads a pointer stored in the
// scratch buffer back as a number); the index, a result or a flag may
// go to the scratch buffer when the stack is full.
func (g *gen) byteLoop(n int, body func()) {
	idx := g.allocShared(8)
	slots := g.newCallbackSlots()
	name := g.newLabel("scanloop")
	g.emitCallback(name, 2, asm.R2, slots, 0, func() {
		// (index, ctx)
		g.store(idx, asm.R1, 8)
	}, func() {
		g.load(asm.R1, idx, 8)
		// The verifier knows nothing of bpf_loop's index: bound it.
		g.emit(asm.JGE.Imm(asm.R1, int32(n), g.loops[len(g.loops)-1].brk))
		body()
	})
	g.bpfLoop(slots, name, func() { g.emit(asm.Mov.Imm(asm.R1, int32(n))) })
}

// loopNext and loopStop are the labels a byteLoop body jumps to.
func (g *gen) loopNext() string { return g.loops[len(g.loops)-1].cont }
func (g *gen) loopStop() string { return g.loops[len(g.loops)-1].brk }

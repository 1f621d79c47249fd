package codegen

import (
	"strconv"

	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/codegen/ir"
	"github.com/gobpftrace/gobpftrace/lang"
)

// Registers with a fixed job, and the integer temporaries. They are
// virtual registers, which package ir allocates when a function is
// lowered (ir.Allocate). Each has a home: the callee-saved register
// (helpers clobber R0-R5) it keeps when the allocator finds nothing
// better. The emitter hands out at most two temporaries at once and
// spills beyond that (keep), so the homes alone are a correct program.
const (
	regCtx     = asm.Register(16 + iota) // the program's context (tracepoint record, ...)
	regScratch                           // base of this CPU's scratch buffer, when used
	regFrame                             // in a callback: the probe's frame (its context argument)
	regTmpA                              // integer temporaries
	regTmpB
	firstVirtual = regCtx
)

// homes are the virtual registers' homes, from firstVirtual on.
var homes = [...]asm.Register{asm.R6, asm.R9, asm.R8, asm.R7, asm.R8}

// intRegs are the registers that hold integer temporaries.
var intRegs = []asm.Register{regTmpA, regTmpB}

// defaultOnStackLimit is the largest value kept on the stack unless config
// on_stack_limit says otherwise; bigger ones go to the scratch buffer.
const defaultOnStackLimit = 64

// maxStack is the kernel's limit on one program's stack frame.
const maxStack = 512

// maxScratch bounds the per-CPU scratch buffer (the kernel's per-CPU
// allocation unit is 32 KiB).
const maxScratch = 30 * 1024

// regProbeFrame stands for the probe's stack frame as the base of a loc:
// the frame pointer in the probe's own function, regFrame in a callback
// (emit maps it). The probe's variables and the slots through which a
// callback and its caller talk live there.
const regProbeFrame = asm.Register(14)

// loc is a place in memory: base register (regProbeFrame, the frame
// pointer of the function being built, the scratch buffer, a pointer)
// plus a constant offset. fn is the function whose own frame holds it
// when base is the frame pointer.
type loc struct {
	base asm.Register
	off  int
	fn   *ir.Func
}

func (l loc) at(delta int) loc { return loc{l.base, l.off + delta, l.fn} }

// onStack reports whether l is in a stack frame (the probe's or the
// function's own), where the verifier tracks what was written.
func (l loc) onStack() bool { return l.base == regProbeFrame || l.base == asm.RFP }

// emitter builds one function of the IR (see package ir): instructions go
// to the current block, a label starts a new one. It also hands out
// registers, stack slots and scratch memory.
type emitter struct {
	fn  *ir.Func
	cur *ir.Block
	// arena holds the blocks' instructions; shared by the programs of a
	// script, and kept when a callback's build restores the emitter.
	arena *instrArena
	// spans is the script's span table, which every function shares.
	spans *ir.SpanTable
	// nlabels numbers labels (newLabel) and blocks nothing names.
	nlabels int

	// stackTop is the bytes in use of the frame of the function being
	// built (slots are at -stackTop..), probeTop those of the probe's frame
	// while a callback is built (shared slots go there).
	stackTop, probeTop int
	// tempHigh is the most bytes of the frame of the function being built
	// that the statement being emitted has used (stmt, settleTemps).
	tempHigh int
	// settleSpills is set while a statement that branches inside an
	// expression is emitted in a callback's frame: an operand spilled
	// there is zeroed once reloaded (dropSpill). spillsSettled records
	// how deep in the frame of the callback being built it did so: those
	// slots are then zeroed at its entry (emitCallback).
	settleSpills  bool
	spillsSettled int // the deepest slot dropSpill zeroed, in bytes below the frame pointer
	// chain is how much stack each function of the call chain being
	// built uses, the probe's first: the kernel adds up the frames of a
	// chain of calls (callbacks included) against its 512 bytes.
	chain []*frameUse
	// keyReserve is kept free at the end of the probe's frame for the
	// key of the scratch buffer's lookup, allocated last (see program).
	keyReserve int
	// sharedReserve is kept free in the probe's frame above its variables
	// (which end at varsTop) for the slots of the callbacks the probe
	// runs (stackneed.go); allocatingVar is set while a variable is
	// placed.
	sharedReserve, varsTop int
	allocatingVar          bool
	scratchTop             int // bytes of scratch in use
	// onStackLimit is config on_stack_limit: the largest value kept on the
	// stack (0: defaultOnStackLimit).
	onStackLimit int
	scratchMax   int

	free []asm.Register // unallocated intRegs

	// span is the construct being emitted, for resource errors.
	span lang.Span
}

// frameUse is the stack one function uses: max bytes of its own frame,
// child the most that a chain of callbacks it calls adds below it, reserve
// the least that the callbacks it will call add (stackneed.go).
type frameUse struct{ max, child, reserve int }

// bpfLoopStack is what the kernel adds to a frame that calls bpf_loop
// (the inlined loop's three saved registers).
const bpfLoopStack = 24

// frameSize is a frame's size as the kernel counts it for a JIT-compiled
// program (16-byte units; the interpreter, not used on these machines,
// counts 32).
func frameSize(n int) int { return alignUp(n, 16) }

// stackFits reports whether function i of the chain may use newMax bytes
// of its frame: every chain of calls through it stays within maxStack,
// with room for the callbacks still to come (the reserves, and the shared
// floor of the probe's frame above its variables).
func (e *emitter) stackFits(i, newMax int) bool {
	sum := 0
	for j, f := range e.chain {
		m := f.max
		if j == i {
			m = max(m, newMax)
		}
		if j == 0 {
			vars := e.varsTop
			if i == 0 && e.allocatingVar {
				vars = max(vars, newMax)
			}
			m = max(m, vars+e.sharedReserve) + e.keyReserve
		}
		if j > 0 {
			sum += bpfLoopStack
		}
		sum += frameSize(m)
		if j >= i && sum+max(f.child, f.reserve) > maxStack {
			return false
		}
	}
	return true
}

// stackMax is the size of the frame of the function being built.
func (e *emitter) stackMax() int { return e.chain[len(e.chain)-1].max }

// inCallbackFrame reports whether a callback is being built.
func (e *emitter) inCallbackFrame() bool { return len(e.chain) > 1 }

func newEmitter(arena *instrArena, spans *ir.SpanTable) *emitter {
	e := &emitter{chain: []*frameUse{{}}, keyReserve: 8, arena: arena, spans: spans}
	e.startFunc("entry")
	e.free = append(e.free, intRegs...)
	return e
}

// startFunc makes a new function, named name, the one being built.
func (e *emitter) startFunc(name string) {
	e.fn = ir.NewFunc(name)
	e.fn.Spans = e.spans
	e.cur = e.fn.Entry()
}

// compileError aborts emission; Compile turns it into a diagnostic.
type compileError struct{ d *lang.Diagnostic }

func failf(span lang.Span, format string, args ...any) {
	panic(compileError{lang.Errorf(span, format, args...)})
}

func (e *emitter) emit(ins ...asm.Instruction) {
	for _, in := range ins {
		// Code after a jump or an exit starts a block of its own, which
		// lowering drops when no jump names it.
		if e.cur.Terminated() {
			e.cur = e.fn.AddBlock(e.newLabel("b"))
		}
		e.arena.append(e.cur, e.instr(in))
	}
}

// instrs makes IR instructions of ins (see instr).
func (e *emitter) instrs(ins ...asm.Instruction) []ir.Instr {
	out := make([]ir.Instr, len(ins))
	for i, in := range ins {
		out[i] = e.instr(in)
	}
	return out
}

// instr makes an IR instruction of in: regProbeFrame becomes the register
// that points to the probe's frame here, and a virtual register its id,
// with its home in the operand. The allocator tells the values a virtual
// register holds apart (ir.Allocate).
func (e *emitter) instr(in asm.Instruction) ir.Instr {
	if in.Dst == regProbeFrame {
		in.Dst = e.probeFrame()
	}
	if in.Src == regProbeFrame {
		in.Src = e.probeFrame()
	}
	out := ir.Instr{Instruction: in, Span: e.spans.ID(e.span)}
	if r := in.Dst; r >= firstVirtual {
		out.VDst, out.Dst = ir.Virtual(r-firstVirtual+1), homes[r-firstVirtual]
	}
	if r := in.Src; r >= firstVirtual {
		out.VSrc, out.Src = ir.Virtual(r-firstVirtual+1), homes[r-firstVirtual]
	}
	return out
}

// probeFrame is the register that points to the probe's frame in the
// function being built.
func (e *emitter) probeFrame() asm.Register {
	if e.inCallbackFrame() {
		return regFrame
	}
	return asm.RFP
}

// reach checks that the function being built can reach l: a temporary in
// another callback's frame is a code generation bug.
func (e *emitter) reach(l loc) loc {
	if l.base == asm.RFP && l.fn != e.fn {
		failf(e.span, "internal error: a temporary of function %s used in %s", l.fn.Name, e.fn.Name)
	}
	return l
}

func (e *emitter) newLabel(what string) string {
	e.nlabels++
	return what + "_" + strconv.Itoa(e.nlabels)
}

// label starts a block named name: jumps to name go to what is emitted
// next.
func (e *emitter) label(name string) {
	e.cur = e.fn.AddBlock(name)
}

func (e *emitter) jump(label string) { e.emit(asm.Ja.Label(label)) }

// Registers.

func (e *emitter) allocReg() asm.Register {
	if len(e.free) == 0 {
		failf(e.span, "expression is too complex (out of registers)")
	}
	r := e.free[0]
	e.free = e.free[1:]
	return r
}

// isTemp reports whether r is one of the temporaries allocReg hands out.
func isTemp(r asm.Register) bool { return r == regTmpA || r == regTmpB }

func (e *emitter) freeReg(r asm.Register) {
	if !isTemp(r) {
		return // a scratch register such as R0, not from the pool
	}
	for _, x := range e.free {
		if x == r {
			return
		}
	}
	e.free = append(e.free, r)
}

// prefer makes r, when free, the next register allocReg hands out.
func (e *emitter) prefer(r asm.Register) {
	for i, x := range e.free {
		if x == r {
			e.free = append(append([]asm.Register{r}, e.free[:i]...), e.free[i+1:]...)
			return
		}
	}
}

// kept is an integer held while another expression is evaluated: in its
// register, or spilled to a stack slot when no register was left.
type kept struct {
	reg     asm.Register
	spilled bool
	slot    loc
}

// keep makes sure another integer can be evaluated while r is held.
func (e *emitter) keep(r asm.Register) kept {
	if len(e.free) > 0 {
		return kept{reg: r}
	}
	slot := e.alloc(8)
	e.emit(asm.StoreMem(slot.base, int16(slot.off), r, asm.DWord))
	e.freeReg(r)
	return kept{spilled: true, slot: slot}
}

// dropSpill zeroes the slot of a spilled operand once it has been
// reloaded for the last time, in a statement that branches inside an
// expression in a callback's frame. Why: until a loop's rounds are all
// checked, the verifier compares a callback's states with every slot taken
// as read and exact, dead ones included; an operand spilled on one path
// through a long chain of ternaries, && and || and not on another keeps
// the paths apart at every later join, and the paths of the expression
// multiply (generator seed 92286, heavy scripts 7280 and 16512: past the
// verifier's million instructions in one statement). Zeroed, a dead spill
// slot holds 0 on every path (the callback's entry zeroes its frame's
// temporaries, so a slot no path wrote yet holds 0 too).
func (e *emitter) dropSpill(k kept) {
	if k.spilled {
		e.dropTemp(k.slot, 8)
	}
}

// dropTemp zeroes the size bytes of a temporary at l once its value has
// been read for the last time, as dropSpill does for a spilled operand:
// a helper's output read into a register (a member read with
// bpf_probe_read_kernel leaves its 8 bytes unknown to the verifier on the
// paths that read it, and 0 on the others).
func (e *emitter) dropTemp(l loc, size int) {
	if !e.settleSpills || l.base != asm.RFP || !e.inCallbackFrame() || l.off%8 != 0 {
		return
	}
	for i := 0; i < size; i += 8 {
		e.storeImm(l.at(i), 0, 8)
	}
	e.spillsSettled = max(e.spillsSettled, -l.off)
}

// into loads a kept value into dst when it was spilled and returns the
// register holding it.
func (e *emitter) into(k kept, dst asm.Register) asm.Register {
	if !k.spilled {
		return k.reg
	}
	e.emit(asm.LoadMem(dst, k.slot.base, int16(k.slot.off), asm.DWord))
	return dst
}

// Memory. Small values go on the stack; big ones, and everything once the
// stack is full, go to the per-CPU scratch buffer.

func (e *emitter) alloc(size int) loc { return e.allocValue(size, size) }

// allocValue allocates size bytes for a value of value bytes (the rest is
// spare room after it): where the value alone would go decides. In the
// probe's function that is the probe's frame, in a callback its own.
func (e *emitter) allocValue(size, value int) loc {
	size = alignUp(max(size, 1), 8)
	limit := defaultOnStackLimit
	if e.onStackLimit > 0 {
		limit = e.onStackLimit
	}
	if alignUp(max(value, 1), 8) <= limit {
		cur := len(e.chain) - 1
		if top := e.stackTop + size; top <= maxStack && e.stackFits(cur, top) {
			e.stackTop = top
			e.tempHigh = max(e.tempHigh, top)
			e.chain[cur].max = max(e.chain[cur].max, top)
			if cur == 0 {
				return loc{base: regProbeFrame, off: -top}
			}
			return loc{base: asm.RFP, off: -top, fn: e.fn}
		}
	}
	return e.allocScratch(size)
}

func (e *emitter) allocScratch(size int) loc {
	if e.scratchTop+size > maxScratch {
		failf(e.span, "out of memory for temporaries (%d bytes of scratch space)", maxScratch)
	}
	l := loc{base: regScratch, off: e.scratchTop}
	e.scratchTop += size
	e.scratchMax = max(e.scratchMax, e.scratchTop)
	return l
}

// allocPointerSlot allocates an 8-byte slot for a pointer, on a stack:
// the verifier follows a pointer spilled to the stack, not one stored in
// the scratch buffer (it reads back as a number). ok is false when no
// stack has room.
func (e *emitter) allocPointerSlot() (l loc, ok bool) {
	l = e.alloc(8)
	if !l.onStack() {
		l = e.allocShared(8)
	}
	return l, l.onStack()
}

// allocShared allocates size bytes that every function of the program
// reaches: in the probe's frame, or in the scratch buffer when that is
// full. A callback and its caller talk through such slots.
func (e *emitter) allocShared(size int) loc {
	if !e.inCallbackFrame() {
		return e.allocValue(size, size)
	}
	size = alignUp(max(size, 1), 8)
	if top := e.probeTop + size; top <= maxStack && e.stackFits(0, top) {
		e.probeTop = top
		e.chain[0].max = max(e.chain[0].max, top)
		return loc{base: regProbeFrame, off: -top}
	}
	return e.allocScratch(size)
}

// shared returns l, or a copy of its n bytes in a shared slot when l is
// a temporary in the frame of the callback being built, which a callback
// it calls cannot reach.
func (e *emitter) shared(l loc, n int) loc {
	if l.base != asm.RFP {
		return l
	}
	c := e.allocShared(n)
	e.copyMem(c, l, n)
	return c
}

// mark and release bound temporaries to one statement.
type memMark struct{ stack, scratch, probe int }

func (e *emitter) mark() memMark { return memMark{e.stackTop, e.scratchTop, e.probeTop} }

func (e *emitter) release(m memMark) { e.stackTop, e.scratchTop = m.stack, m.scratch }

// releaseExpr also frees the shared slots taken in the probe's frame since
// m: for a part of an expression whose memory is all dead once its value
// is in a register or it has jumped (variables are allocated before any
// statement, so none is among them). Without it, an expression's
// temporaries add up until the statement ends.
func (e *emitter) releaseExpr(m memMark) {
	e.release(m)
	e.probeTop = m.probe
}

// addr sets dst to the address of l.
func (e *emitter) addr(dst asm.Register, l loc) {
	e.emit(asm.Mov.Reg(dst, e.reach(l).base))
	if l.off != 0 {
		e.emit(asm.Add.Imm(dst, int32(l.off)))
	}
}

func (e *emitter) store(l loc, src asm.Register, size int) {
	e.emit(asm.StoreMem(e.reach(l).base, int16(l.off), src, sizeOp(size)))
}

func (e *emitter) load(dst asm.Register, l loc, size int) {
	e.emit(asm.LoadMem(dst, e.reach(l).base, int16(l.off), sizeOp(size)))
}

func sizeOp(size int) asm.Size {
	switch size {
	case 1:
		return asm.Byte
	case 2:
		return asm.Half
	case 4:
		return asm.Word
	}
	return asm.DWord
}

// chunk returns the widest access (8, 4, 2, 1) that fits n bytes at an
// offset aligned to it; the verifier wants aligned stack accesses.
func chunk(off, n int) int {
	for _, c := range []int{8, 4, 2} {
		if n >= c && off%c == 0 {
			return c
		}
	}
	return 1
}

// writeBytes stores data at l with immediate stores.
func (e *emitter) writeBytes(l loc, data []byte) {
	tmp := tempFor(l.base)
	r0Known, r0 := false, uint64(0)
	for i := 0; i < len(data); {
		c := chunk(l.off+i, len(data)-i)
		var v uint64
		for j := c - 1; j >= 0; j-- {
			v = v<<8 | uint64(data[i+j])
		}
		at := l.at(i)
		if c == 8 && int64(v) == int64(int32(v)) {
			e.storeImm(at, int32(v), 8)
		} else if c == 8 {
			if !r0Known || r0 != v {
				e.loadConst(tmp, int64(v))
				r0Known, r0 = true, v
			}
			e.store(at, tmp, 8)
		} else {
			e.storeImm(at, int32(uint32(v)), c)
		}
		i += c
	}
}

func (e *emitter) zero(l loc, n int) { e.writeBytes(l, make([]byte, n)) }

// storeImm stores v (sign-extended) in the size bytes at l. For 8 bytes
// it builds the BPF_ST | BPF_DW instruction itself, which asm.StoreImm
// refuses to build.
func (e *emitter) storeImm(l loc, v int32, size int) {
	l = e.reach(l)
	if size == 8 {
		e.emit(asm.Instruction{OpCode: asm.StoreImmOp(asm.DWord), Dst: l.base, Offset: int16(l.off), Constant: int64(v)})
		return
	}
	e.emit(asm.StoreImm(l.base, int16(l.off), int64(v), sizeOp(size)))
}

// storeConst64 stores the u64 v at l: one instruction when v fits a
// sign-extended immediate, else through R1.
func (e *emitter) storeConst64(l loc, v int64) {
	if v == int64(int32(v)) {
		e.storeImm(l, int32(v), 8)
		return
	}
	e.loadConst(asm.R1, v)
	e.store(l, asm.R1, 8)
}

// copyMem copies n bytes from src to dst.
func (e *emitter) copyMem(dst, src loc, n int) {
	if n > 128 {
		e.addr(asm.R1, dst)
		e.emit(asm.Mov.Imm(asm.R2, int32(n)))
		e.addr(asm.R3, src)
		e.emit(asm.FnProbeReadKernel.Call())
		return
	}
	for i := 0; i < n; {
		c := chunk(dst.off+i, n-i)
		c = min(c, chunk(src.off+i, n-i))
		tmp := tempFor(src.base, dst.base)
		e.load(tmp, src.at(i), c)
		e.store(dst.at(i), tmp, c)
		i += c
	}
}

// call emits a helper call.
func (e *emitter) call(fn asm.BuiltinFunc) { e.emit(fn.Call()) }

// mapPtr loads a map's address into dst.
func (e *emitter) mapPtr(dst asm.Register, name string) {
	e.emit(asm.LoadMapPtr(dst, 0).WithReference(name))
}

// loadConst sets dst to v with the shortest instruction.
func (e *emitter) loadConst(dst asm.Register, v int64) {
	if v == int64(int32(v)) {
		e.emit(asm.Mov.Imm(dst, int32(v)))
		return
	}
	e.emit(asm.LoadImm(dst, v, asm.DWord))
}

// tempFor picks a scratch register that is none of the given bases (a
// base may be R0, a map value pointer just looked up).
func tempFor(bases ...asm.Register) asm.Register {
	for _, b := range bases {
		if b == asm.R0 {
			return asm.R1
		}
	}
	return asm.R0
}

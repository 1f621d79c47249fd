package codegen

import (
	"fmt"

	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/gobpftrace/gobpftrace/codegen/ir"
	"github.com/gobpftrace/gobpftrace/lang"
)

// Loops whose trip count the verifier cannot bound (for over a map, for over
// a range with run-time bounds) and len(@map) run their body as a callback
// of bpf_loop or bpf_for_each_map_elem.
//
// A callback is a BPF function of its own, built as an IR function and
// appended after the program, with a stack frame of its own for its
// temporaries: they die when a round returns, so the verifier's rounds
// differ only in what they leave in the probe's frame. The probe's
// variables and the slots through which a callback and its caller talk
// live in the probe's frame (locs based on regProbeFrame): the caller
// passes a pointer to it as the callback context, the callback keeps it in
// regFrame, and a callback inside a callback passes it on. Inside a
// callback one temporary is handed out at a time (spills handle the rest),
// so that the registers' homes stay a correct program. The caller saves
// the context and the scratch base in the probe's frame when the body
// needs them; the callback reloads them.

type callback struct {
	name  string
	proto *btf.FuncProto
	fn    *ir.Func
}

// callbackSlots are the caller-frame slots a callback call needs.
type callbackSlots struct {
	ctx, scratch, ret loc
}

// emitCallback emits body as callback name. params are the callback's
// parameters; prologue emits what the callback does first (with the
// caller's frame in regFrame already), using its own frame pointer freely.
// reserve is the least stack the callbacks that body calls add below it
// (bodyNeed).
func (g *gen) emitCallback(name string, nparams int, ctxArg asm.Register, slots callbackSlots, reserve int, prologue func(), body func()) {
	// Build the callback as a function of its own, with a frame of its own.
	saved := *g.emitter
	savedDone, savedLoops := g.done, g.loops
	if !g.inCallbackFrame() {
		g.probeTop = g.stackTop
	}
	use := &frameUse{}
	g.chain = append(g.chain[:len(g.chain):len(g.chain)], use)
	if !g.stackFits(len(g.chain)-1, 0) {
		failf(g.span, "the loop needs more than %d bytes of stack (the kernel counts the frames of nested loops together)", maxStack)
	}
	use.reserve = reserve
	g.stackTop = 0
	g.startFunc(name)
	g.fn.Callable = true
	entry := g.cur
	g.label(g.newLabel("cbbody"))
	g.free = []asm.Register{regTmpA}
	savedIn := g.inCallback
	g.inCallback = 1
	g.spillsSettled = 0
	ret0, ret1, retProbe := g.newLabel("cbnext"), g.newLabel("cbstop"), g.newLabel("cbreturn")
	g.done = retProbe
	g.loops = []loopLabels{{cont: ret0, brk: ret1}}
	body()
	g.label(ret0)
	g.emit(asm.Mov.Imm(asm.R0, 0), asm.Return())
	g.label(retProbe)
	g.storeImm(slots.ret, 1, 4)
	g.label(ret1)
	g.emit(asm.Mov.Imm(asm.R0, 1), asm.Return())
	usedCtx, usedScratch := g.usesCtx, g.scratchMax > 0

	// The prologue goes to the entry block, in front of the body.
	g.cur = entry
	blocks := len(g.fn.Blocks)
	g.emit(asm.Mov.Reg(regFrame, ctxArg))
	if usedCtx {
		g.load(regCtx, slots.ctx, 8)
	}
	if usedScratch {
		g.load(regScratch, slots.scratch, 8)
	}
	prologue()
	if g.spillsSettled > 0 {
		// Spill slots that dropSpill zeroes start at 0 too (see there).
		for off := 8; off <= g.spillsSettled; off += 8 {
			g.storeImm(loc{base: asm.RFP, off: -off, fn: g.fn}, 0, 8)
		}
	}
	if len(g.fn.Blocks) != blocks || g.cur != entry {
		failf(g.span, "internal error: a callback's prologue branches")
	}

	params := make([]btf.FuncParam, nparams)
	for i := range params {
		params[i] = btf.FuncParam{Name: fmt.Sprintf("a%d", i), Type: &btf.Int{Name: "u64", Size: 8}}
	}
	cb := callback{name: name, fn: g.fn,
		proto: &btf.FuncProto{Return: &btf.Int{Name: "long", Size: 8, Encoding: btf.Signed}, Params: params}}

	// Back to the caller's function; keep what the body changed for good.
	scratchMax, nlabels, usesCtx := g.scratchMax, g.nlabels, g.usesCtx
	*g.emitter = saved
	g.scratchMax, g.nlabels, g.usesCtx = scratchMax, nlabels, usesCtx
	parent := g.chain[len(g.chain)-1]
	parent.child = max(parent.child, bpfLoopStack+frameSize(use.max)+use.child)
	g.done, g.loops = savedDone, savedLoops
	g.inCallback = savedIn
	g.callbacks = append(g.callbacks, cb)
}

// newCallbackSlots reserves the caller-frame slots of one callback call.
func (g *gen) newCallbackSlots() callbackSlots {
	s := callbackSlots{ctx: g.allocShared(8), scratch: g.allocShared(8), ret: g.allocShared(8)}
	// The context and the scratch base are pointers: they must be on a
	// stack. The return flag may be in the scratch buffer.
	if !s.ctx.onStack() || !s.scratch.onStack() {
		failf(g.span, "the loop needs more than %d bytes of stack", maxStack)
	}
	return s
}

// callbackCall emits the caller's side: save R6/R9 for the callback, clear
// the return flag, call helper fn with the arguments set by args (which
// must leave the frame pointer as the context argument), and leave the
// probe when the body ran `return`.
func (g *gen) callbackCall(slots callbackSlots, fn asm.BuiltinFunc, args func()) {
	if g.usesCtx {
		g.store(slots.ctx, regCtx, 8)
	}
	if g.scratchMax > 0 {
		g.store(slots.scratch, regScratch, 8)
	}
	g.storeImm(slots.ret, 0, 4)
	args()
	g.call(fn)
	g.load(asm.R1, slots.ret, 4)
	g.emit(asm.JNE.Imm(asm.R1, 0, g.done))
}

// bpfLoop calls callback name through bpf_loop with the caller's frame as
// context; count sets the number of rounds in R1.
func (g *gen) bpfLoop(slots callbackSlots, name string, count func()) {
	g.callbackCall(slots, asm.FnLoop, func() {
		count()
		g.emit(funcRef(asm.R2, name), asm.Mov.Reg(asm.R3, regProbeFrame), asm.Mov.Imm(asm.R4, 0))
	})
}

// funcRef loads the address of callback name into dst.
func funcRef(dst asm.Register, name string) asm.Instruction {
	return asm.Instruction{OpCode: asm.LoadImmOp(asm.DWord), Dst: dst, Src: asm.PseudoFunc, Constant: -1}.WithReference(name)
}

// forMap emits `for ($kv : @m)` with bpf_for_each_map_elem.
func (g *gen) forMap(x *lang.ForMapStmt) {
	sym, m := g.mapOf(x.Map)
	// An aggregation's value is this CPU's copy in the callback: the
	// body starts by folding every CPU's copy of the key's value.
	_, fold := sym.Value.FoldedRead()
	if sym.Key == nil || (sym.Value.IsAggregation() && !fold) {
		failf(x.Map.Span, "for over %s is not supported", sym.Name)
	}
	g.allocVar(x.Var)
	kv := g.varLoc(x.Var)
	kvt := varType(x.Var)
	offs := TupleOffsets(kvt)
	keyDst, valDst := kv.at(offs[0]), kv.at(offs[1])
	ks, vs := Sizeof(kvt.Elems[0]), Sizeof(kvt.Elems[1])
	slots := g.newCallbackSlots()
	name := g.newLabel("for_each")
	reserve := g.bodyNeed(x.Body)
	if fold {
		reserve = max(reserve, bpfLoopStack)
	}
	g.emitCallback(name, 4, asm.R4, slots, reserve, func() {
		// (map, key, value, ctx)
		value, kept := g.allocPointerSlot()
		if kept {
			g.store(value, asm.R3, 8)
		} else if ks > 128 {
			failf(g.span, "this needs more than %d bytes of stack (the kernel counts the frames of nested loops together)", maxStack)
		}
		p := g.allocReg()
		defer g.freeReg(p)
		g.emit(asm.Mov.Reg(p, asm.R2))
		g.copyMem(keyDst, loc{base: p}, ks)
		if fold {
			return
		}
		if kept {
			g.load(p, value, 8)
		} else {
			// No stack had room for it: R3 is still the value's
			// address, as a key of up to 128 bytes is copied without
			// a helper call (copyMem).
			g.emit(asm.Mov.Reg(p, asm.R3))
		}
		g.copyMem(valDst, loc{base: p}, vs)
	}, func() {
		if fold {
			r := g.aggregationFold(x.Map.Span, keyDst, sym.Value, m.Name)
			g.store(valDst, r, 8)
			g.freeReg(r)
		}
		g.block(x.Body)
	})
	g.forgetUsed(x.Body)
	g.callbackCall(slots, asm.FnForEachMapElem, func() {
		g.mapPtr(asm.R1, m.Name)
		g.emit(funcRef(asm.R2, name))
		g.emit(asm.Mov.Reg(asm.R3, regProbeFrame))
		g.emit(asm.Mov.Imm(asm.R4, 0))
	})
}

// mapLen is len(@m): bpf_for_each_map_elem returns how many elements it
// visited, with a callback that does nothing.
func (g *gen) mapLen(x *lang.Call) asm.Register {
	me, ok := x.Args[0].(*lang.MapExpr)
	if !ok {
		failf(x.Span, "len() needs a map")
	}
	return g.mapLenOf(me, x.Span)
}

// mapLenOf counts the elements of map me (len(@m), __elem_count).
func (g *gen) mapLenOf(me *lang.MapExpr, span lang.Span) asm.Register {
	_, m := g.mapOf(me)
	name := g.newLabel("count")
	if !g.hasCallback(name) {
		fn := ir.NewFunc(name)
		fn.Callable, fn.Spans = true, g.spans
		fn.Entry().Append(span, asm.Mov.Imm(asm.R0, 0), asm.Return())
		g.callbacks = append(g.callbacks, callback{name: name, fn: fn,
			proto: &btf.FuncProto{Return: &btf.Int{Name: "long", Size: 8, Encoding: btf.Signed}, Params: []btf.FuncParam{
				{Name: "a0", Type: &btf.Int{Name: "u64", Size: 8}}, {Name: "a1", Type: &btf.Int{Name: "u64", Size: 8}},
				{Name: "a2", Type: &btf.Int{Name: "u64", Size: 8}}, {Name: "a3", Type: &btf.Int{Name: "u64", Size: 8}}}}})
	}
	g.mapPtr(asm.R1, m.Name)
	g.emit(funcRef(asm.R2, name))
	g.emit(asm.Mov.Imm(asm.R3, 0), asm.Mov.Imm(asm.R4, 0))
	g.call(asm.FnForEachMapElem)
	r := g.allocReg()
	g.emit(asm.Mov.Reg(r, asm.R0))
	return r
}

func (g *gen) hasCallback(name string) bool {
	for _, c := range g.callbacks {
		if c.name == name {
			return true
		}
	}
	return false
}

// forRangeLoop emits `for ($i : a..b)` whose bounds are known only at run
// time with bpf_loop: the body runs b-a times with $i = a + index.
func (g *gen) forRangeLoop(x *lang.ForRangeStmt) {
	g.allocVar(x.Var)
	i := g.varLoc(x.Var)
	signed := compareSigned(x.Start, x.End)
	if t := varType(x.Var); t.Kind == lang.KInt && t.Signed {
		signed = true
	}
	start := g.allocShared(8) // in the scratch buffer when the stack is full
	r := g.evalInt(x.Start)
	g.store(start, r, 8)
	g.freeReg(r)
	count := g.allocShared(8)
	r = g.evalInt(x.End)
	g.load(asm.R1, start, 8)
	empty, ok := g.newLabel("emptyrange"), g.newLabel("range")
	g.emit(jumpIf[">="][b2i(signed)].Reg(asm.R1, r, empty))
	g.emit(asm.Sub.Reg(r, asm.R1))
	g.jump(ok)
	g.label(empty)
	g.emit(asm.Mov.Imm(r, 0))
	g.label(ok)
	g.store(count, r, 8)
	g.freeReg(r)
	slots := g.newCallbackSlots()
	name := g.newLabel("loop")
	g.emitCallback(name, 2, asm.R2, slots, g.bodyNeed(x.Body), func() {
		// (index, ctx)
		g.forgetEachRound(x.Body)
		g.load(asm.R2, start, 8)
		g.emit(asm.Add.Reg(asm.R1, asm.R2))
		g.store(i, asm.R1, 8)
	}, func() {
		g.block(x.Body)
	})
	g.forgetUsed(x.Body)
	// bpf_loop refuses more rounds than its limit and runs none: a longer
	// range runs up to the limit and says so, as a while loop does.
	g.bpfLoop(slots, name, func() {
		fits := g.newLabel("fits")
		g.load(asm.R1, count, 8)
		g.emit(asm.JLE.Imm(asm.R1, maxWhileRounds, fits))
		g.emit(asm.Mov.Imm(asm.R1, maxWhileRounds))
		g.label(fits)
	})
	whole := g.newLabel("whole")
	g.load(asm.R1, count, 8)
	g.emit(asm.JLE.Imm(asm.R1, maxWhileRounds, whole))
	g.emit(asm.JNE.Imm(asm.R0, maxWhileRounds, whole)) // left by break or return
	g.sendEvent(&Event{Kind: EvWarning, Format: RangeLimitMsg, Span: x.Span}, nil)
	g.label(whole)
}

// withCallbacks appends the callbacks after the program and gives every
// function its BTF description (bpf_loop needs func_info).
func (g *gen) withCallbacks(insns asm.Instructions, spans []ir.SpanID, progName string) (asm.Instructions, []ir.SpanID) {
	if len(g.callbacks) == 0 {
		return insns, spans
	}
	type lowered struct {
		insns asm.Instructions
		spans []ir.SpanID
	}
	low := map[string]lowered{}
	for _, cb := range g.callbacks {
		in, sp := g.lower(cb.fn)
		low[cb.name] = lowered{in, sp}
	}
	// Only callbacks that are referenced: a loop in dead code (a constant
	// condition) left its callback behind, and the kernel refuses func_info
	// for a function nothing calls.
	used := map[string]bool{}
	markRefs := func(ins asm.Instructions) {
		for _, in := range ins {
			if ref := in.Reference(); ref != "" && !in.IsLoadFromMap() {
				used[ref] = true
			}
		}
	}
	markRefs(insns)
	var cbs []callback
	for changed := true; changed; {
		changed = false
		cbs = cbs[:0]
		for _, cb := range g.callbacks {
			if used[cb.name] {
				cbs = append(cbs, cb)
			}
		}
		n := len(used)
		for _, cb := range cbs {
			markRefs(low[cb.name].insns)
		}
		changed = len(used) != n
	}
	if len(cbs) == 0 {
		return insns, spans
	}
	insns[0] = btf.WithFuncMetadata(insns[0], &btf.Func{Name: progName, Linkage: btf.GlobalFunc,
		Type: &btf.FuncProto{Return: &btf.Int{Name: "long", Size: 8, Encoding: btf.Signed},
			Params: []btf.FuncParam{{Name: "ctx", Type: &btf.Pointer{Target: &btf.Void{}}}}}})
	for _, cb := range cbs {
		l := low[cb.name]
		l.insns[0] = btf.WithFuncMetadata(l.insns[0], &btf.Func{Name: cb.name, Linkage: btf.StaticFunc, Type: cb.proto})
		insns = append(insns, l.insns...)
		spans = append(spans, l.spans...)
	}
	return insns, spans
}

package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang"
)

// Plain (non-aggregation) map reads and writes.

func requirePlain(x *lang.MapExpr, sym *lang.MapSym) {
	if sym.Value.IsAggregation() {
		failf(x.Span, "reading the value of aggregation %s in the program is not supported yet", x.Name)
	}
}

// mapReadInt reads an integer map value; a missing key reads as 0.
func (g *gen) mapReadInt(x *lang.MapExpr) asm.Register {
	sym, m := g.mapOf(x)
	if _, ok := sym.Value.FoldedRead(); ok {
		return g.aggregationRead(x, sym.Value, m.Name)
	}
	requirePlain(x, sym)
	key := g.buildKey(x)
	g.lookup(m, key)
	g.checkLookupHit(g.span)
	r := g.allocReg()
	miss := g.newLabel("miss")
	g.emit(asm.Mov.Imm(r, 0), asm.JEq.Imm(asm.R0, 0, miss))
	g.loadScalar(r, loc{base: asm.R0, off: 0}, sym.Value)
	g.label(miss)
	return r
}

// mapReadMem copies an aggregate map value to dst (size bytes); a missing
// key reads as zeroes.
func (g *gen) mapReadMem(x *lang.MapExpr, dst loc, size int) {
	sym, m := g.mapOf(x)
	requirePlain(x, sym)
	key := g.buildKey(x)
	g.lookup(m, key)
	g.checkLookupHit(g.span)
	miss, end := g.newLabel("miss"), g.newLabel("read")
	g.emit(asm.JEq.Imm(asm.R0, 0, miss))
	if sym.Value.Kind == lang.KString {
		g.copyString(dst, size, loc{base: asm.R0, off: 0}, sym.Value.Size)
	} else {
		g.copyMem(dst, loc{base: asm.R0, off: 0}, min(size, m.ValueSize))
	}
	g.jump(end)
	g.label(miss)
	g.zero(dst, size)
	g.label(end)
}

// find(@m, key, $v) looks key up once: on a hit the value is copied into
// $v and the result is 1, on a miss $v is left alone and the result is 0.
func (g *gen) find(x *lang.Call) asm.Register {
	m, ok := x.Args[0].(*lang.MapExpr)
	v, isVar := x.Args[2].(*lang.Var)
	if !ok || !isVar {
		failf(x.Span, "find() needs a map and a scratch variable")
	}
	target := *m
	target.Keys = x.Args[1:2]
	sym, km := g.mapOf(&target)
	requirePlain(&target, sym)
	key := g.buildKey(&target)
	g.lookup(km, key)
	r := g.allocReg()
	miss, end := g.newLabel("findmiss"), g.newLabel("found")
	g.emit(asm.JEq.Imm(asm.R0, 0, miss))
	dst, size := g.varLoc(v), Sizeof(v.Type())
	if isScalar(sym.Value) {
		// Widened or narrowed to the variable's integer type.
		g.loadScalar(r, loc{base: asm.R0}, sym.Value)
		g.store(dst, r, size)
	} else if sym.Value.Kind == lang.KString {
		g.copyString(dst, size, loc{base: asm.R0}, sym.Value.Size)
	} else {
		g.copyMem(dst, loc{base: asm.R0}, min(size, km.ValueSize))
	}
	g.emit(asm.Mov.Imm(r, 1))
	g.jump(end)
	g.label(miss)
	g.emit(asm.Mov.Imm(r, 0))
	g.label(end)
	return r
}

// mapAssign is `@m[k] = value`.
func (g *gen) mapAssign(x *lang.MapExpr, value lang.Expr) {
	sym, m := g.mapOf(x)
	requirePlain(x, sym)
	val := g.alloc(m.ValueSize)
	g.evalInto(value, sym.Value, val)
	key := g.buildKey(x)
	g.mapPtr(asm.R1, m.Name)
	g.addr(asm.R2, key)
	g.addr(asm.R3, val)
	g.emit(asm.Mov.Imm(asm.R4, 0)) // BPF_ANY
	g.call(asm.FnMapUpdateElem)
	g.checkHelper(asm.FnMapUpdateElem, g.span)
	g.countIfFailed(g.cc.mapDropSlot(m))
}

// mapCompound is `@m[k] op= value` (or ++/-- with value nil and delta):
// the value is updated in place, created as 0 when missing. With want set,
// it returns the old (postfix) or new value.
func (g *gen) mapCompound(x *lang.MapExpr, op string, value lang.Expr, delta int32, want, postfix bool) asm.Register {
	sym, m := g.mapOf(x)
	requirePlain(x, sym)
	if !isScalar(sym.Value) {
		failf(x.Span, "%s= on a map of %s is not supported", op, sym.Value)
	}
	signed := sym.Value.Kind == lang.KInt && sym.Value.Signed
	var kv kept
	if value != nil {
		kv = g.keep(g.evalInt(value))
	}
	if !want && value != nil && (op == "/" || op == "%") {
		// As in bpftrace: a warning at run time, and 1 as the result.
		ok, done := g.newLabel("divok"), g.newLabel("divdone")
		g.emit(asm.JNE.Imm(g.into(kv, asm.R1), 0, ok))
		g.sendEvent(&Event{Kind: EvWarning, Format: DivideByZeroMsg, Span: value.Pos()}, nil)
		one := &lang.IntLit{Span: value.Pos(), Value: 1}
		one.SetType(sym.Value)
		g.mapAssign(x, one)
		g.jump(done)
		g.label(ok)
		defer g.label(done)
	}
	key := g.buildKey(x)
	res := asm.R0
	if want {
		res = g.allocReg()
		g.emit(asm.Mov.Imm(res, 0))
	}
	skip := g.newLabel("full")
	g.lookupOrInit(m, key, func(l loc) { g.zero(l, m.ValueSize) }, skip)
	g.loadScalar(asm.R1, loc{base: asm.R0, off: 0}, sym.Value)
	if want && postfix {
		g.emit(asm.Mov.Reg(res, asm.R1))
	}
	// A pointer moves by elements of its pointee's size.
	scale := int32(1)
	if sym.Value.Kind == lang.KPtr {
		scale = int32(elemSize(sym.Value))
	}
	if value != nil {
		rv := g.into(kv, asm.R2)
		if scale > 1 {
			g.emit(asm.Mul.Imm(rv, scale))
		}
		g.aluReg(aluOp(op, signed), asm.R1, rv)
	} else {
		g.emit(asm.Add.Imm(asm.R1, delta*scale))
	}
	g.normalize(asm.R1, sym.Value)
	g.store(loc{base: asm.R0, off: 0}, asm.R1, scalarSize(sym.Value))
	if want && !postfix {
		g.emit(asm.Mov.Reg(res, asm.R1))
	}
	g.label(skip)
	if value != nil {
		g.freeReg(kv.reg)
	}
	return res
}

// deleteKey is delete(@m[k]) or delete(@m, k).
func (g *gen) deleteKey(call *lang.Call) {
	var target *lang.MapExpr
	switch len(call.Args) {
	case 1:
		target, _ = call.Args[0].(*lang.MapExpr)
	case 2:
		if m, ok := call.Args[0].(*lang.MapExpr); ok && len(m.Keys) == 0 {
			cp := *m
			cp.Keys = []lang.Expr{call.Args[1]}
			target = &cp
		}
	}
	if target == nil {
		failf(call.Span, "delete() needs a map element")
	}
	_, m := g.mapOf(target)
	key := g.buildKey(target)
	g.mapPtr(asm.R1, m.Name)
	g.addr(asm.R2, key)
	g.call(asm.FnMapDeleteElem)
	g.checkHelper(asm.FnMapDeleteElem, g.span)
}

// aggregationRead reads a count(), sum(), min(), max() or avg() value in
// the program, folded over every possible CPU's copy as user space folds it
// when printing: each copy is read with bpf_map_lookup_percpu_elem in a
// bpf_loop over ncpus rounds into acc (the total or the best value so far,
// and the count or whether a value was seen). Other CPUs may be updating
// their copies meanwhile: the result is a snapshot, as in bpftrace.
func (g *gen) aggregationRead(x *lang.MapExpr, t *lang.Type, mapName string) asm.Register {
	return g.aggregationFold(x.Span, g.buildKey(x), t, mapName)
}

// aggregationFold folds the per-CPU copies of the value at key (see
// aggregationRead) into a register.
func (g *gen) aggregationFold(span lang.Span, key loc, t *lang.Type, mapName string) asm.Register {
	// The fold's slots are dead once its value is in a register: an
	// expression that reads many aggregations reuses one set of them
	// instead of running out of stack (generated seeds 415457, 442855).
	m := g.mark()
	acc := g.allocShared(16)
	g.storeImm(acc, 0, 8)
	g.storeImm(acc.at(8), 0, 8)
	slots := g.newCallbackSlots()
	key = g.shared(key, int(g.cc.plan.Spec.Maps[mapName].KeySize))
	if !key.onStack() && key.base != regScratch {
		failf(span, "the probe needs more than %d bytes of stack", maxStack)
	}
	name := g.newLabel("percpu")
	g.emitCallback(name, 2, asm.R2, slots, 0, func() {}, func() {
		// (cpu, ctx)
		g.emit(asm.Mov.Reg(asm.R3, asm.R1))
		g.mapPtr(asm.R1, mapName)
		g.addr(asm.R2, key)
		g.call(asm.FnMapLookupPercpuElem)
		skip := g.newLabel("nocopy")
		g.emit(asm.JEq.Imm(asm.R0, 0, skip))
		switch t.Kind {
		case lang.KCount, lang.KSum:
			g.addFrom(acc, loc{base: asm.R0, off: 0})
		case lang.KAvg:
			g.addFrom(acc, loc{base: asm.R0, off: 0})
			g.addFrom(acc.at(8), loc{base: asm.R0, off: 8})
		case lang.KMin, lang.KMax:
			// A CPU that never saw a value has its flag (the second word)
			// clear; the first value seen is taken whatever it is.
			take := g.newLabel("take")
			g.emit(asm.LoadMem(asm.R1, asm.R0, 8, asm.DWord), asm.JEq.Imm(asm.R1, 0, skip),
				asm.LoadMem(asm.R1, asm.R0, 0, asm.DWord))
			g.load(asm.R2, acc.at(8), 8)
			g.emit(asm.JEq.Imm(asm.R2, 0, take))
			g.load(asm.R2, acc, 8)
			g.emit(keepsCurrent(t).Reg(asm.R1, asm.R2, skip))
			g.label(take)
			g.store(acc, asm.R1, 8)
			g.storeImm(acc.at(8), 1, 8)
		}
		g.label(skip)
	})
	g.bpfLoop(slots, name, func() {
		g.cc.useGlobals()
		g.emit(asm.LoadMapValue(asm.R1, 0, GlobalNcpus).WithReference(globalsName))
		g.emit(asm.LoadMem(asm.R1, asm.R1, 0, asm.Word))
	})
	r := g.allocReg()
	g.load(r, acc, 8)
	if t.Kind == lang.KAvg {
		// total / count, 0 when no CPU saw a value.
		done := g.newLabel("avg")
		g.load(asm.R1, acc.at(8), 8)
		g.emit(asm.JEq.Imm(asm.R1, 0, done), aluOp("/", t.Signed).Reg(r, asm.R1))
		g.label(done)
	}
	g.releaseExpr(m)
	return r
}

// addFrom adds the u64 at src to the u64 at dst (in the probe's frame).
func (g *gen) addFrom(dst, src loc) {
	g.load(asm.R1, src, 8)
	g.load(asm.R2, dst, 8)
	g.emit(asm.Add.Reg(asm.R2, asm.R1))
	g.store(dst, asm.R2, 8)
}

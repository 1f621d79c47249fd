package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang"
)

// Aggregations update per-CPU values in place (no atomics: each CPU owns
// its copy); a missing key is inserted zeroed first. Value layouts are
// documented on Map.

var aggArgs = map[lang.Kind]int{
	lang.KCount: 0, lang.KSum: 1, lang.KMin: 1, lang.KMax: 1,
	lang.KAvg: 1, lang.KStats: 1, lang.KHist: 1, lang.KLhist: 4,
	lang.KTseries: 1,
}

// aggregate is `@m[k] = count()` and the like.
func (g *gen) aggregate(target *lang.MapExpr, call *lang.Call) {
	sym, m := g.mapOf(target)
	kind := sym.Value.Kind
	want, ok := aggArgs[kind]
	if !ok {
		failf(call.Span, "aggregation %s() is not supported yet", call.Name)
	}
	if kind == lang.KHist && len(call.Args) == 2 {
		if b := sym.Value.Bits; b < 0 || b > 5 {
			failf(call.Args[1].Pos(), "hist() bits must be between 0 and 5")
		}
	} else if kind == lang.KTseries {
		// The interval, count and aggregation are in the map's type.
	} else if len(call.Args) != want {
		failf(call.Span, "%s() takes %d argument(s)", call.Name, want)
	}

	var v kept
	if want > 0 {
		v = g.keep(g.evalInt(call.Args[0]))
	}
	if len(m.StrClasses) > 0 {
		g.aggregateStrClasses(m, target, func(name string, key loc) { g.aggUpdate(m, name, sym, kind, v, key) })
	} else {
		key := g.buildKey(target)
		if (kind == lang.KHist || kind == lang.KLhist) && g.cc.opts.HistSums {
			sumOf := g.alloc(8) // the value a histogram's sum adds
			g.store(sumOf, g.into(v, asm.R2), 8)
			defer g.histSum(m, key.at(bucketOffset(sym)), key, sumOf)
		}
		g.aggUpdate(m, m.Name, sym, kind, v, key)
	}
	if want > 0 {
		g.freeReg(v.reg)
	}
}

// aggUpdate updates the value of key in the kernel map name (m or one of
// its string classes) with this event's value v.
func (g *gen) aggUpdate(m *Map, name string, sym *lang.MapSym, kind lang.Kind, v kept, key loc) {
	if kind == lang.KTseries {
		g.tseriesUpdate(m, name, sym, v, key)
		return
	}
	if kind == lang.KHist || kind == lang.KLhist {
		r := g.into(v, asm.R0)
		if kind == lang.KHist {
			g.histBucket(r, sym.Value.Bits, key.at(bucketOffset(sym)))
		} else {
			g.lhistBucket(r, sym.Value, key.at(bucketOffset(sym)))
		}
		g.freeReg(r)
		kind = lang.KCount
	}
	// Look up; on a hit update this CPU's value in place. On a miss insert
	// the value after this one event with BPF_ANY: on a per-CPU map an
	// update from a program writes this CPU's copy only, so an element that
	// another CPU inserted meanwhile keeps its counts, and no second lookup
	// is needed.
	found, skip := g.newLabel("found"), g.newLabel("full")
	g.mapPtr(asm.R1, name)
	g.addr(asm.R2, key)
	g.call(asm.FnMapLookupElem)
	g.emit(asm.JNE.Imm(asm.R0, 0, found))
	var first loc
	if kind != lang.KCount {
		first = g.alloc(m.ValueSize)
	}
	switch kind {
	case lang.KSum:
		g.store(first, g.into(v, asm.R2), 8)
	case lang.KAvg, lang.KStats, lang.KMin, lang.KMax:
		g.store(first, g.into(v, asm.R2), 8)
		g.emit(asm.Mov.Imm(asm.R1, 1))
		g.store(first.at(8), asm.R1, 8)
	}
	slot := g.cc.mapDropSlot(m)
	g.mapPtr(asm.R1, name)
	g.addr(asm.R2, key)
	drops := asm.R0 // none kept
	switch {
	case kind != lang.KCount:
		g.addr(asm.R3, first)
	case slot != noDropSlot && len(g.free) > 0:
		// The constant 1 and the refused-insert counter are in the same
		// Drops value: its address, kept across the call, serves both,
		// two instructions less than loading it again after the call.
		drops = g.allocReg()
		g.addrOfOne(drops)
		g.emit(asm.Mov.Reg(asm.R3, drops))
	default:
		g.addrOfOne(asm.R3)
	}
	g.emit(asm.Mov.Imm(asm.R4, 0)) // BPF_ANY
	g.call(asm.FnMapUpdateElem)
	g.checkHelper(asm.FnMapUpdateElem, g.span)
	if drops != asm.R0 {
		g.countFailureFrom(slot, drops, 8*dropsOne)
		g.freeReg(drops)
	} else {
		g.countFailure(slot) // the map is full
	}
	g.jump(skip)
	g.label(found)
	val := loc{base: asm.R0, off: 0}
	switch kind {
	case lang.KCount:
		g.addTo(val, 1, 0)
	case lang.KSum:
		g.addTo(val, 0, g.into(v, asm.R2))
	case lang.KAvg, lang.KStats:
		g.addTo(val, 0, g.into(v, asm.R2))
		g.addTo(val.at(8), 1, 0)
	case lang.KMin, lang.KMax:
		r := g.into(v, asm.R2)
		// Keep the current value unless the slot is unset or v beats it.
		op := keepsCurrent(sym.Value)
		set := g.newLabel("set")
		g.load(asm.R1, val.at(8), 8)
		g.emit(asm.JEq.Imm(asm.R1, 0, set))
		g.load(asm.R1, val, 8)
		g.emit(op.Reg(r, asm.R1, skip))
		g.label(set)
		g.store(val, r, 8)
		g.emit(asm.StoreImm(asm.R0, 8, 1, asm.Word))
	}
	g.label(skip)
}

// HistSumBucket is the bucket index under which a hist() or lhist() key
// keeps the sum of its values (Options.HistSums): no bucket has it, and
// readers of the buckets skip it.
const HistSumBucket = ^uint64(0)

// histSum adds the value at sumOf to the sum kept for key (whose bucket
// index is at bucket) in m: in place when there, else inserted.
func (g *gen) histSum(m *Map, bucket, key, sumOf loc) {
	g.storeImm(bucket, -1, 8) // HistSumBucket
	found, skip := g.newLabel("sumfound"), g.newLabel("sumdone")
	g.lookup(m, key)
	g.emit(asm.JNE.Imm(asm.R0, 0, found))
	g.mapPtr(asm.R1, m.Name)
	g.addr(asm.R2, key)
	g.addr(asm.R3, sumOf)
	g.emit(asm.Mov.Imm(asm.R4, 0)) // BPF_ANY
	g.call(asm.FnMapUpdateElem)
	g.checkHelper(asm.FnMapUpdateElem, g.span)
	g.countFailure(g.cc.mapDropSlot(m))
	g.jump(skip)
	g.label(found)
	g.load(asm.R2, sumOf, 8)
	g.addTo(loc{base: asm.R0}, 0, asm.R2)
	g.label(skip)
}

// addTo adds the constant c, or register r when c is 0, to the u64 at l.
func (g *gen) addTo(l loc, c int32, r asm.Register) {
	g.load(asm.R1, l, 8)
	if c != 0 {
		g.emit(asm.Add.Imm(asm.R1, c))
	} else {
		g.emit(asm.Add.Reg(asm.R1, r))
	}
	g.store(l, asm.R1, 8)
}

// keepsCurrent is the jump taken when a new value (dst register) does not
// beat the current one (src register) of a min or max of type t.
func keepsCurrent(t *lang.Type) asm.JumpOp {
	if t.Kind == lang.KMax {
		return map[bool]asm.JumpOp{false: asm.JLE, true: asm.JSLE}[t.Signed]
	}
	return map[bool]asm.JumpOp{false: asm.JGE, true: asm.JSGE}[t.Signed]
}

// histBucket stores at dst the log2 bucket of the value in r (which it
// clobbers), with 2^k buckets per power of two: 0 for negative values, v+1
// for v < 2^k, else with n = floor(log2 v): ((n-k+1) << k) +
// ((v >> (n-k)) & (2^k-1)) + 1. For k = 0 that is 1 for 0 and n+2 for
// 2^n <= v < 2^(n+1). The bucket is built in R1, which every path leaves
// ready for one store.
func (g *gen) histBucket(r asm.Register, k int, dst loc) {
	done := g.newLabel("bucket")
	g.emit(asm.Mov.Imm(asm.R1, 0), asm.JSLT.Imm(r, 0, done))
	if k == 0 {
		g.emit(asm.Mov.Imm(asm.R1, 1), asm.JEq.Imm(r, 0, done), asm.Mov.Imm(asm.R1, 2))
		g.log2Steps(r)
	} else {
		g.emit(asm.Mov.Reg(asm.R1, r), asm.Add.Imm(asm.R1, 1), asm.JLT.Imm(r, int32(1)<<k, done))
		g.emit(asm.Mov.Reg(asm.R3, r), asm.Mov.Imm(asm.R1, 0))
		g.log2Steps(asm.R3)
		g.emit(
			asm.Mov.Reg(asm.R2, asm.R1), asm.Sub.Imm(asm.R2, int32(k)),
			asm.RSh.Reg(r, asm.R2), asm.And.Imm(r, int32(1)<<k-1),
			asm.Add.Imm(asm.R1, int32(1-k)), asm.LSh.Imm(asm.R1, int32(k)),
			asm.Add.Reg(asm.R1, r), asm.Add.Imm(asm.R1, 1),
		)
	}
	g.label(done)
	g.store(dst, asm.R1, 8)
}

// log2Steps adds floor(log2 v) to R1 for the value v >= 1 in r, which it
// shifts down, by binary search for the highest set bit. Below 2^32 a step
// is a compare with 2^s, a shift and an add; the 2^32 step cannot compare
// with an immediate and shifts a copy in R2.
//
// Inside a loop's callback the steps have no branches: the callback works
// on the probe's stack, where the verifier keeps every path's bucket apart
// (it cannot see that the key slot is dead after the lookup), and the 64
// paths of each hist() multiply. A step there finds whether v >> s is not
// zero from the sign bit of (y | -y), and shifts by s or by 0.
func (g *gen) log2Steps(r asm.Register) {
	if g.inCallback > 0 {
		for shift, s := int32(5), int32(32); s >= 1; shift, s = shift-1, s/2 {
			g.emit(
				asm.Mov.Reg(asm.R2, r), asm.RSh.Imm(asm.R2, s),
				asm.Mov.Imm(asm.R4, 0), asm.Sub.Reg(asm.R4, asm.R2),
				asm.Or.Reg(asm.R4, asm.R2), asm.RSh.Imm(asm.R4, 63),
				asm.LSh.Imm(asm.R4, shift),
				asm.RSh.Reg(r, asm.R4), asm.Add.Reg(asm.R1, asm.R4),
			)
		}
		return
	}
	for _, s := range []int32{32, 16, 8, 4, 2, 1} {
		next := g.newLabel("log2")
		if s == 32 {
			g.emit(
				asm.Mov.Reg(asm.R2, r),
				asm.RSh.Imm(asm.R2, s),
				asm.JEq.Imm(asm.R2, 0, next),
				asm.Mov.Reg(r, asm.R2),
				asm.Add.Imm(asm.R1, s),
			)
		} else {
			g.emit(
				asm.JLT.Imm(r, int32(1)<<s, next),
				asm.RSh.Imm(r, s),
				asm.Add.Imm(asm.R1, s),
			)
		}
		g.label(next)
	}
}

// lhistBucket stores at dst the linear bucket of the value in r (which it
// clobbers): 0 below min, 1+(v-min)/step inside, (max-min)/step+1 at or
// above max. The out-of-range buckets are stored first and overwritten
// when the value is in range, so that no path needs a jump over another.
func (g *gen) lhistBucket(r asm.Register, t *lang.Type, dst loc) {
	lo, hi, step := t.LhistMin, t.LhistMax, t.LhistStep
	if step <= 0 || hi <= lo {
		failf(g.span, "lhist() needs min < max and step > 0")
	}
	done := g.newLabel("bucket")
	g.storeConst64(dst, 0)
	g.jumpCmp(asm.JSLT, r, lo, done)
	g.storeConst64(dst, (hi-lo)/step+1)
	g.jumpCmp(asm.JSGE, r, hi, done)
	if lo != 0 {
		g.aluConst(asm.Sub, r, lo)
	}
	// Unsigned division: r - lo >= 0 here. By an immediate, so the kernel
	// adds no division-by-zero check.
	g.aluConst(asm.Div, r, step)
	g.emit(asm.Add.Imm(r, 1))
	g.store(dst, r, 8)
	g.label(done)
}

// jumpCmp jumps to label when r op c holds, comparing with an immediate
// when c fits one.
func (g *gen) jumpCmp(op asm.JumpOp, r asm.Register, c int64, label string) {
	if c == int64(int32(c)) {
		g.emit(op.Imm(r, int32(c), label))
		return
	}
	g.loadConst(asm.R1, c)
	g.emit(op.Reg(r, asm.R1, label))
}

// aluConst applies op with the constant c to r, as an immediate when it
// fits one.
func (g *gen) aluConst(op asm.ALUOp, r asm.Register, c int64) {
	if c == int64(int32(c)) {
		g.emit(op.Imm(r, int32(c)))
		return
	}
	g.loadConst(asm.R1, c)
	g.emit(op.Reg(r, asm.R1))
}

// tseriesUpdate records this event's value v in the time series of key in
// the kernel map name. Time is the TAI clock (bpf_ktime_get_tai_ns), as
// bpftrace uses: epoch = now / interval numbers the interval, and the
// key's bucket, epoch % num_intervals, holds this CPU's
// {value, meta, epoch} for it (see Map). A bucket still holding an older
// epoch starts over with v; meta is the time of the value for the
// last-value series (the latest of the CPUs' values wins when folded), the
// count for avg, 1 (set) for min and max, unused for sum.
func (g *gen) tseriesUpdate(m *Map, name string, sym *lang.MapSym, v kept, key loc) {
	t := sym.Value
	now, epoch := g.alloc(8), g.alloc(8)
	g.call(asm.FnKtimeGetTaiNs)
	g.store(now, asm.R0, 8)
	g.aluConst(asm.Div, asm.R0, t.TseriesInterval) // unsigned, by a constant
	g.store(epoch, asm.R0, 8)
	g.aluConst(asm.Mod, asm.R0, t.TseriesIntervals)
	g.store(key.at(bucketOffset(sym)), asm.R0, 8)

	found, same, skip := g.newLabel("found"), g.newLabel("same"), g.newLabel("done")
	g.mapPtr(asm.R1, name)
	g.addr(asm.R2, key)
	g.call(asm.FnMapLookupElem)
	g.emit(asm.JNE.Imm(asm.R0, 0, found))
	first := g.alloc(m.ValueSize)
	g.tseriesStart(first, t, v, now, epoch)
	g.mapPtr(asm.R1, name)
	g.addr(asm.R2, key)
	g.addr(asm.R3, first)
	g.emit(asm.Mov.Imm(asm.R4, 0)) // BPF_ANY
	g.call(asm.FnMapUpdateElem)
	g.checkHelper(asm.FnMapUpdateElem, g.span)
	g.countFailure(g.cc.mapDropSlot(m)) // the map is full
	g.jump(skip)

	g.label(found)
	val := loc{base: asm.R0}
	g.load(asm.R1, val.at(16), 8)
	g.load(asm.R2, epoch, 8)
	g.emit(asm.JEq.Reg(asm.R1, asm.R2, same))
	g.tseriesStart(val, t, v, now, epoch) // the bucket held an older interval
	g.jump(skip)

	g.label(same)
	switch t.TseriesAgg {
	case "":
		g.store(val, g.into(v, asm.R2), 8)
		g.load(asm.R1, now, 8)
		g.store(val.at(8), asm.R1, 8)
	case "sum":
		g.addTo(val, 0, g.into(v, asm.R2))
	case "avg":
		g.addTo(val, 0, g.into(v, asm.R2))
		g.addTo(val.at(8), 1, 0)
	case "min", "max":
		r := g.into(v, asm.R2)
		op := keepsCurrent(&lang.Type{Kind: map[string]lang.Kind{"min": lang.KMin, "max": lang.KMax}[t.TseriesAgg], Signed: t.Signed})
		g.load(asm.R1, val, 8)
		g.emit(op.Reg(r, asm.R1, skip))
		g.store(val, r, 8)
	default:
		failf(g.span, "internal error: tseries() aggregation %q", t.TseriesAgg)
	}
	g.label(skip)
}

// tseriesStart writes at l the {value, meta, epoch} of a bucket whose
// interval starts with the value v.
func (g *gen) tseriesStart(l loc, t *lang.Type, v kept, now, epoch loc) {
	g.store(l, g.into(v, asm.R2), 8)
	switch t.TseriesAgg {
	case "":
		g.load(asm.R3, now, 8)
		g.store(l.at(8), asm.R3, 8)
	case "sum":
		g.storeImm(l.at(8), 0, 8)
	default: // avg counts one value; min and max mark the value set
		g.storeImm(l.at(8), 1, 8)
	}
	g.load(asm.R3, epoch, 8)
	g.store(l.at(16), asm.R3, 8)
}

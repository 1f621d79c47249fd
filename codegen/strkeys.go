package codegen

import (
	"fmt"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang"
)

// String keys by length class.
//
// The kernel hashes and compares the whole key of a hash map at every
// lookup, so an aggregation keyed by str() at the default max_strlen
// (1024) pays for 1 KiB of hashing, comparing and zeroing per event
// whatever the string's length. A map whose every use allows it is split
// instead into one kernel map per length class: a string of n bytes
// (its NUL included) goes to the smallest class of at least n bytes (64,
// 256, ... max_strlen), zero-padded to the class size. A string has
// exactly one class, and two strings of one class differ in their bytes,
// so no two strings ever share an element; user space pads every key back
// to max_strlen and reads the classes as one map. Nothing is truncated:
// the last class is the map as it would be otherwise (the same truncation
// marker, see str()).

// strClassMin is the smallest class; strClassStep the factor between two.
const (
	strClassMin  = 64
	strClassStep = 4
	// strClassMaxKey bounds the key size split into classes: the key
	// buffer needs twice its size of scratch space (see strClassKey).
	strClassMaxKey = 8192
)

// StrClass is one length class of a map keyed by a string (Map.StrClasses):
// the kernel map Name holds the keys whose string, NUL included, fits
// KeySize bytes (and did not fit the class before), zero-padded to KeySize.
type StrClass struct {
	Name    string
	KeySize int
}

// strClassSizes returns the class sizes below keySize (the map itself is
// the last class).
func strClassSizes(keySize int) []int {
	var sizes []int
	for c := strClassMin; c < keySize; c *= strClassStep {
		sizes = append(sizes, c)
	}
	return sizes
}

// strClassable finds the maps that may be split into length classes: an
// aggregation (count, sum, min, max, avg, stats) keyed by one string of
// more than strClassMin bytes, whose every use in the program is an update
// keyed by str(pointer) of the key's size, or print, clear or zero of the
// whole map (done in user space). Any other use (a read, delete, has_key,
// a for loop, len...) keeps the map whole.
func strClassable(c *lang.Checked) map[*lang.MapSym]bool {
	ok := map[*lang.MapExpr]bool{}
	uses := map[*lang.MapSym][]*lang.MapExpr{}
	lang.Inspect(c.Prog, func(n lang.Node) bool {
		switch x := n.(type) {
		case *lang.AssignStmt:
			t, isMap := x.Target.(*lang.MapExpr)
			_, isCall := x.Value.(*lang.Call)
			if isMap && isCall && x.Op == "=" && t.Sym != nil && classableKey(t) {
				ok[t] = true
			}
		case *lang.Call:
			switch x.Name {
			case "print", "clear", "zero":
				if len(x.Args) > 0 {
					if m, isMap := x.Args[0].(*lang.MapExpr); isMap && len(m.Keys) == 0 {
						ok[m] = true
					}
				}
			}
		case *lang.MapExpr:
			if x.Sym != nil {
				uses[x.Sym] = append(uses[x.Sym], x)
			}
		}
		return true
	})
	out := map[*lang.MapSym]bool{}
	for sym, list := range uses {
		if !classableSym(sym) {
			continue
		}
		all := true
		for _, u := range list {
			all = all && ok[u]
		}
		out[sym] = all
	}
	return out
}

// classableSym: an aggregation updated in place, keyed by one long string.
func classableSym(sym *lang.MapSym) bool {
	if sym.Value == nil || sym.Key == nil || sym.Key.Kind != lang.KString {
		return false
	}
	switch sym.Value.Kind {
	case lang.KCount, lang.KSum, lang.KMin, lang.KMax, lang.KAvg, lang.KStats:
	default:
		return false
	}
	if d := sym.Decl; d != nil && d.Kind != "percpuhash" {
		// An array has no string keys; an LRU map evicts its least
		// recently used key, which classes would each do on their own.
		return false
	}
	size := Sizeof(sym.Key)
	return size > strClassMin && size <= strClassMaxKey
}

// classableKey: the update's key is str(pointer) read to the key's full
// size.
func classableKey(t *lang.MapExpr) bool {
	if len(t.Keys) != 1 || !isStrCall(t.Keys[0]) || t.Sym.Key == nil {
		return false
	}
	call := t.Keys[0].(*lang.Call)
	at, ct := call.Args[0].Type(), call.Type()
	if at == nil || ct == nil || at.Kind == lang.KString || ct.Kind != lang.KString {
		return false
	}
	return ct.Size >= Sizeof(t.Sym.Key)
}

// addStrClasses declares the class maps of pm, each like spec but for its
// key size.
func (cc *compiler) addStrClasses(pm *Map, spec *ebpf.MapSpec, index int, hint string) {
	for _, size := range strClassSizes(pm.KeySize) {
		cs := *spec
		cs.Name = kernelName(fmt.Sprintf("s%d_", size), index, hint)
		cs.KeySize = uint32(size)
		cc.plan.Spec.Maps[cs.Name] = &cs
		pm.StrClasses = append(pm.StrClasses, StrClass{Name: cs.Name, KeySize: size})
	}
}

// aggregateStrClasses is aggregate() for a map split into length classes.
// The string is read first into a key of the smallest class on the stack,
// with its spare byte: the helper's length says whether it fitted, and
// a string that did (most paths, every comm-sized name) updates the first
// class from there, without the scratch buffer. A longer one is read
// again, whole, into the scratch buffer (aggregateLongStr).
func (g *gen) aggregateStrClasses(m *Map, target *lang.MapExpr, update func(name string, key loc)) {
	call := target.Keys[0].(*lang.Call)
	fn := asm.FnProbeReadKernelStr
	if call.Args[0].Type().UserSpace || call.Type().UserSpace || g.userProbe() && call.Args[0].Type().Kind == lang.KInt {
		fn = asm.FnProbeReadUserStr
	}
	var rp asm.Register
	g.within(call, func() { rp = g.evalInt(call.Args[0]) })
	before := g.mark()
	var first loc
	if !g.inCallbackFrame() && (!g.probeHasCallbacks() || g.roomBesideCallbacks(strClassMin+1)) {
		first = g.allocValue(strClassMin+1, strClassMin)
	}
	if !first.onStack() {
		// Inside a callback, or in a probe whose callbacks would be
		// left too little stack, or with no room on the stack (config
		// on_stack_limit), everything goes through the scratch buffer.
		g.release(before)
		g.aggregateLongStr(m, call, fn, kept{reg: rp}, update, loc{}, "")
		return
	}
	ptr := g.keep(rp)
	// Zeroed first: the bytes after the string are part of the key.
	g.zero(first, strClassMin)
	g.readStr(fn, call, first, strClassMin+1, ptr)
	// R0 is the length read, NUL included: strClassMin+1 when the string
	// did not fit (the helper wrote its NUL in the spare byte), or a
	// negative error (the helper zeroed the buffer: an empty string).
	long, fits := g.newLabel("strlong"), g.newLabel("strclass64")
	g.emit(asm.JSGT.Imm(asm.R0, strClassMin, long))
	g.label(fits)
	update(m.StrClasses[0].Name, first)
	done := g.newLabel("strclass_done")
	g.jump(done)
	g.label(long)
	g.aggregateLongStr(m, call, fn, ptr, update, first, fits)
	g.label(done)
}

// aggregateLongStr reads the string into the scratch buffer at the map's
// full key size, picks its class by the length the helper returns, zeroes
// the rest of the class and updates that class's map. When first is on the
// stack, the caller has updated the first class from there (label fits)
// for a string that fitted it: one that fits now (it changed since, or
// the read failed) is copied there and goes to fits, so that one string
// never has two keys. The scratch buffer is then looked up here, only on
// this path, unless other code of the function needs it anyway.
func (g *gen) aggregateLongStr(m *Map, call *lang.Call, fn asm.BuiltinFunc, ptr kept, update func(name string, key loc), first loc, fits string) {
	size := m.KeySize
	onStack := first.onStack()
	done := g.newLabel("strclass_done")
	local := onStack && g.scratchMax == 0
	// A program that takes a level of the buffer lazily (nest.go) takes
	// it in place of this lookup, and gives it back on both ways out of
	// this path; one that takes it at its start drops the lookup.
	site := -1 // its index in g.localLookups
	if local {
		// The first class's key is dead here: its first word is the
		// lookup's key (a claim's too: one that finds every level held
		// skips the run). A failed lookup (never) skips the update.
		if first.base != regProbeFrame || g.inCallbackFrame() {
			failf(call.Span, "internal error: a string key's scratch buffer looked up outside the probe's frame")
		}
		g.storeImm(first, 0, 4)
		g.localLookups = append(g.localLookups, localLookup{block: g.cur, at: len(g.cur.Instrs) - 1,
			keyOff: first.off, span: g.span, skip: g.done, labels: g.nlabels})
		site = len(g.localLookups) - 1
		g.mapPtr(asm.R1, scratchName)
		g.addr(asm.R2, first)
		g.call(asm.FnMapLookupElem)
		g.emit(asm.JEq.Imm(asm.R0, 0, done), asm.Mov.Reg(regScratch, asm.R0))
		s := &g.localLookups[site]
		if g.cur != s.block {
			failf(call.Span, "internal error: a string key's scratch buffer lookup branches")
		}
		s.n = len(g.cur.Instrs) - s.at
	}
	// The key, its spare byte (the truncation marker, see str()), and as
	// much again: zeroing the tail at a variable offset is checked by the
	// verifier against the largest offset plus the largest length.
	key := g.allocScratch(2 * (size + 1))
	keyEnd := g.scratchMax
	// The smallest class is zeroed before the read: a string that fits it
	// leaves the rest zero.
	g.zero(key, strClassMin)
	g.readStr(fn, call, key, size+1, ptr)
	if !ptr.spilled {
		g.freeReg(ptr.reg)
	}
	sizes := strClassSizes(size)
	labels := make([]string, len(sizes)+1)
	for i, c := range sizes {
		labels[i] = g.newLabel(fmt.Sprintf("strclass%d", c))
		g.emit(asm.JSLE.Imm(asm.R0, int32(c), labels[i]))
	}
	// The last class (the longest strings, the rarest) falls through.
	order := append([]int{len(sizes)}, make([]int, len(sizes))...)
	for i := range sizes {
		order[i+1] = i
	}
	for _, i := range order {
		if i < len(sizes) {
			g.label(labels[i])
		}
		if i == 0 && onStack {
			// The first class's key is on the stack: copy it there.
			g.addr(asm.R1, first)
			g.emit(asm.Mov.Imm(asm.R2, strClassMin))
			g.addr(asm.R3, key)
			g.call(asm.FnProbeReadKernel)
			if site >= 0 {
				s := &g.localLookups[site]
				s.fits, s.fitsAt = g.cur, len(g.cur.Instrs)
			}
			g.jump(fits)
			continue
		}
		name, end := m.Name, size+1
		if i < len(sizes) {
			name, end = m.StrClasses[i].Name, sizes[i]
		}
		if i > 0 {
			// Zero the class from the string's NUL on: the helper reads
			// from address 0, fails and fills its destination with zeroes.
			g.addr(asm.R1, key)
			g.emit(asm.Add.Reg(asm.R1, asm.R0))
			g.emit(asm.Mov.Imm(asm.R2, int32(end)), asm.Sub.Reg(asm.R2, asm.R0), asm.Mov.Imm(asm.R3, 0))
			g.call(asm.FnProbeReadKernel)
		}
		update(name, key)
		g.jump(done)
	}
	g.label(done)
	if site >= 0 {
		s := &g.localLookups[site]
		s.done, s.endSpan = g.cur, g.span
	}
	if local && g.scratchMax == keyEnd {
		// Only this path used the scratch buffer, and it looked it up:
		// the program needs no lookup of its own (program()).
		g.localScratch = max(g.localScratch, keyEnd)
		g.scratchMax = 0
	}
}

// readStr reads the string at ptr (the helper fn) into size bytes at dst,
// leaving the helper's result in R0.
func (g *gen) readStr(fn asm.BuiltinFunc, call *lang.Call, dst loc, size int, ptr kept) {
	g.addr(asm.R1, dst)
	g.emit(asm.Mov.Imm(asm.R2, int32(size)))
	if r := g.into(ptr, asm.R3); r != asm.R3 {
		g.emit(asm.Mov.Reg(asm.R3, r))
	}
	g.call(fn)
	if g.cc.opts.HelperErrors {
		// -k: report a failed read. The helper then zeroed the buffer (an
		// empty string): R0 becomes 0, a length the verifier knows, where
		// the code after reads it back from the report's record (which
		// may be in the scratch buffer, of unknown value to the verifier).
		ok := g.newLabel("strread_ok")
		g.emit(asm.JSGE.Imm(asm.R0, 0, ok))
		g.reportHelper(fn, call.Span, asm.R0)
		g.emit(asm.Mov.Imm(asm.R0, 0))
		g.label(ok)
	}
}

// roomBesideCallbacks reports whether a temporary of size bytes in the
// probe's frame of a probe that runs callbacks leaves as much again free
// on every chain of calls, beside the room kept for the callbacks
// (stackneed.go): that room is a lower bound that counts nothing of a
// callback's own frame (its temporaries), which would otherwise find the
// stack taken and go to the scratch buffer.
func (g *gen) roomBesideCallbacks(size int) bool {
	top := g.stackTop + 2*alignUp(size, 8)
	return top <= maxStack && g.stackFits(0, top)
}

// probeHasCallbacks reports whether the probe runs callbacks (loops,
// string scans), whose frames add up with the probe's (stackneed.go).
func (g *gen) probeHasCallbacks() bool {
	need := g.needOf(g.probe.Predicate, false).or(g.needOf(g.probe.Body, false))
	return need.chain > 0 || need.shared > 0
}

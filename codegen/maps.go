package codegen

import (
	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang"
)

// addMap declares a script map: a per-CPU hash for aggregations, a plain
// hash otherwise.
func (cc *compiler) addMap(m *lang.MapSym) *Map {
	if m.Value == nil {
		failf(m.First, "map %s has no value type", m.Name)
	}
	hint := m.Name[1:]
	if hint == "" {
		hint = "anon"
	}
	keyType := mapKey(m)
	keySize := 8
	if keyType != nil {
		keySize = Sizeof(keyType)
		if keySize == 0 {
			// A zero-length array (int d[0]) or an empty struct: the
			// kernel refuses a map with no key bytes.
			failf(m.First, "map %s has a key of type %s, which has no bytes and cannot be a map key", m.Name, keyType)
		}
	}
	if bucketKeyed(m.Value) {
		keySize = bucketOffset(m) + 8
	}
	pm := &Map{
		Name:       kernelName("m", len(cc.plan.Maps), hint),
		ScriptName: m.Name,
		Key:        keyType,
		Value:      m.Value,
		KeySize:    keySize,
		ValueSize:  Sizeof(m.Value),
		PerCPU:     m.Value.IsAggregation(),
	}
	if pm.ValueSize == 0 {
		failf(m.First, "map %s has a value of type %s, which cannot be stored", m.Name, m.Value)
	}
	typ, entries := cc.mapKind(m, pm.PerCPU)
	var flags uint32
	if typ == ebpf.PerCPUHash {
		// Preallocating every element of a per-CPU hash takes the kernel
		// 1.5-3 ms at the default 4096 keys, all of it before the first
		// probe is attached. Aggregations update in place and insert only
		// new keys, so elements allocated on insert cost nothing at start
		// and the same per event. A plain hash is preallocated (0.1 ms):
		// `@m[k] = v` replaces the element at every event, which
		// allocates one, faster from the preallocated free list.
		flags = bpfFNoPrealloc
	}
	if typ == ebpf.PerCPUArray {
		pm.KeySize = 4
	}
	spec := &ebpf.MapSpec{
		Name:       pm.Name,
		Type:       typ,
		KeySize:    uint32(pm.KeySize),
		ValueSize:  uint32(pm.ValueSize),
		MaxEntries: entries,
		Flags:      flags,
	}
	if b := histBuckets(m.Value); b > 1 {
		// A histogram keeps each bucket of each key as an element: room
		// for every bucket of max_map_keys keys (allocated on use, but for
		// LRU maps).
		spec.MaxEntries = uint32(min(uint64(entries)*uint64(b), 1<<31))
	}
	if n := cc.bounded[m.Name]; n > 0 {
		// Every key the script can write fits, each preallocated: no
		// insert finds the map full or needs memory (boundedMaps).
		spec.MaxEntries, spec.Flags = uint32(n), 0
	}
	cc.plan.Spec.Maps[pm.Name] = spec
	if cc.strClassable[m] {
		cc.addStrClasses(pm, spec, len(cc.plan.Maps), hint)
	}
	if m.Decl != nil {
		pm.DeclaredSize = int(m.Decl.MaxEntries)
	}
	cc.plan.Maps = append(cc.plan.Maps, pm)
	cc.maps[m.Name] = pm
	return pm
}

// mapKind picks the kernel map type and size: a per-CPU hash for
// aggregations, a hash otherwise; `let @m = lruhash(N)` and friends choose
// LRU eviction and the number of entries.
func (cc *compiler) mapKind(m *lang.MapSym, perCPU bool) (ebpf.MapType, uint32) {
	d := m.Decl
	if d == nil {
		if perCPU {
			return ebpf.PerCPUHash, cc.maxMapKeys()
		}
		return ebpf.Hash, cc.maxMapKeys()
	}
	if d.MaxEntries <= 0 || d.MaxEntries > 1<<31 {
		failf(d.Span, "map %s needs between 1 and 2^31 entries", d.Name)
	}
	lru := d.Kind == "lruhash" || d.Kind == "percpulruhash"
	switch {
	case d.Kind == "percpuarray":
		// One per-CPU slot for an aggregation without keys (the checker
		// made sure): its u64 zero key reads as the u32 index 0.
		if !perCPU || mapKey(m) != nil {
			failf(d.Span, "internal error: percpuarray map %s holds %s", d.Name, m.Value)
		}
		return ebpf.PerCPUArray, 1
	case perCPU != (d.Kind == "percpuhash" || d.Kind == "percpulruhash"):
		failf(d.Span, "internal error: %s map %s holds %s", d.Kind, d.Name, m.Value)
	}
	typ := map[[2]bool]ebpf.MapType{
		{false, false}: ebpf.Hash, {false, true}: ebpf.LRUHash,
		{true, false}: ebpf.PerCPUHash, {true, true}: ebpf.LRUCPUHash,
	}[[2]bool{perCPU, lru}]
	return typ, uint32(d.MaxEntries)
}

// histBuckets is the number of buckets of a hist, lhist or tseries value
// (1 for other values): see histBucket, lhistBucket and tseriesUpdate.
func histBuckets(t *lang.Type) int {
	switch t.Kind {
	case lang.KHist:
		k := min(max(t.Bits, 0), 5)
		return (64-k)<<k + 1<<k + 1
	case lang.KLhist:
		if t.LhistStep <= 0 || t.LhistMax <= t.LhistMin {
			return 1
		}
		return int(min((t.LhistMax-t.LhistMin)/t.LhistStep+2, 1<<20))
	case lang.KTseries:
		return int(min(max(t.TseriesIntervals, 1), 1<<20))
	}
	return 1
}

// userKeySize is the size of the key the script writes (a map without keys
// uses a u64 zero).
func userKeySize(m *lang.MapSym) int {
	if mapKey(m) == nil {
		return 8
	}
	return Sizeof(m.Key)
}

// mapKey is the map's key type, nil for a map without keys (which the
// checker may also mark with a none or void type).
func mapKey(m *lang.MapSym) *lang.Type {
	if m.Key == nil || m.Key.Kind == lang.KNone || m.Key.Kind == lang.KVoid || m.Key.Kind == lang.KInvalid {
		return nil
	}
	return m.Key
}

// bucketOffset is where hist/lhist/tseries maps keep the u64 bucket in the
// key: one without keys is keyed by its bucket alone.
func bucketOffset(m *lang.MapSym) int {
	if mapKey(m) == nil {
		return 0
	}
	return alignUp(userKeySize(m), 8)
}

func (g *gen) mapOf(e *lang.MapExpr) (*lang.MapSym, *Map) {
	sym := e.Sym
	if sym == nil {
		failf(e.Span, "internal error: map %s was not resolved", e.Name)
	}
	m := g.cc.maps[sym.Name]
	if m == nil {
		m = g.cc.addMap(sym)
	}
	return sym, m
}

// buildKey writes the key of e into fresh memory, leaving room for the
// bucket of a histogram, and returns where it is.
func (g *gen) buildKey(e *lang.MapExpr) loc {
	sym, m := g.mapOf(e)
	// A key that is one string gets a spare byte after it (or the bucket
	// of a histogram, written later), so that str() can read one byte
	// more than the key holds and see truncation with one helper call.
	single := len(e.Keys) == 1 && mapKey(sym) != nil && sym.Key.Kind == lang.KString && isStrCall(e.Keys[0])
	size := m.KeySize
	if single && !bucketKeyed(m.Value) {
		size++
	}
	key := g.allocValue(size, m.KeySize)
	if mapKey(sym) == nil {
		if len(e.Keys) != 0 {
			failf(e.Span, "internal error: map %s used with keys but typed without", e.Name)
		}
		if !bucketKeyed(m.Value) {
			g.zero(key, 8)
		}
		return key
	}
	switch len(e.Keys) {
	case 0:
		failf(e.Span, "map %s needs a key", e.Name)
	case 1:
		if single {
			g.spareAfter = &key
			defer func() { g.spareAfter = nil }()
		}
		g.evalInto(e.Keys[0], sym.Key, key)
	default:
		if sym.Key.Kind != lang.KTuple || len(sym.Key.Elems) != len(e.Keys) {
			failf(e.Span, "internal error: map %s key type %s does not match %d keys", e.Name, sym.Key, len(e.Keys))
		}
		offs := TupleOffsets(sym.Key)
		for i, k := range e.Keys {
			g.evalInto(k, sym.Key.Elems[i], key.at(offs[i]))
		}
		g.zeroGaps(key, sym.Key)
	}
	if bucketKeyed(m.Value) {
		// The padding between a narrow key (`@h[(uint8)k]`, a short
		// string) and the bucket at its 8-byte boundary is part of the
		// kernel key: zeroed, so that equal keys are equal.
		if end, at := userKeySize(sym), bucketOffset(sym); at > end {
			g.zero(key.at(end), at-end)
		}
	}
	return key
}

func isStrCall(e lang.Expr) bool {
	c, ok := e.(*lang.Call)
	return ok && c.Name == "str" && len(c.Args) == 1
}

// zeroGaps zeroes the alignment padding of a tuple at l so that equal keys
// hash equally and the verifier sees initialized memory.
func (g *gen) zeroGaps(l loc, t *lang.Type) {
	offs := TupleOffsets(t)
	end := 0
	for i, el := range t.Elems {
		if offs[i] > end {
			g.zero(l.at(end), offs[i]-end)
		}
		if el.Kind == lang.KTuple {
			g.zeroGaps(l.at(offs[i]), el)
		}
		end = offs[i] + Sizeof(el)
	}
	if total := Sizeof(t); total > end {
		g.zero(l.at(end), total-end)
	}
}

// lookup leaves a pointer to key's value (or 0) in R0.
func (g *gen) lookup(m *Map, key loc) {
	g.mapPtr(asm.R1, m.Name)
	g.addr(asm.R2, key)
	g.call(asm.FnMapLookupElem)
}

// lookupOrInit leaves in R0 a pointer to key's value, inserting init first
// when the key is missing; it jumps to skip when the map is full.
func (g *gen) lookupOrInit(m *Map, key loc, init func(loc), skip string) {
	found := g.newLabel("found")
	g.lookup(m, key)
	g.emit(asm.JNE.Imm(asm.R0, 0, found))
	val := g.alloc(m.ValueSize)
	init(val)
	g.mapPtr(asm.R1, m.Name)
	g.addr(asm.R2, key)
	g.addr(asm.R3, val)
	g.loadConst(asm.R4, bpfNoExist)
	g.call(asm.FnMapUpdateElem)
	ret, kept := g.keepHelperResult()
	g.lookup(m, key)
	g.emit(asm.JNE.Imm(asm.R0, 0, found))
	// The map is full: -k reports the insert's error, and it is counted.
	g.reportKept(asm.FnMapUpdateElem, g.span, ret, kept)
	g.countDrop(g.cc.mapDropSlot(m))
	g.jump(skip)
	g.label(found)
}

// BPF_NOEXIST: insert only; a racing insert on another CPU wins.
const bpfNoExist = 1

// bucketKeyed reports whether a map of values t (hist, lhist, tseries)
// keeps each bucket as an element, the kernel key ending with the bucket
// index.
func bucketKeyed(t *lang.Type) bool {
	return t.Kind == lang.KHist || t.Kind == lang.KLhist || t.Kind == lang.KTseries
}

package codegen

import (
	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
)

// Losses are counted in the kernel, so that none goes unreported: a map
// update that fails because the map is full (max_map_keys), and an event
// that does not fit in the ring buffer (user space reads too slowly). The
// counters are the u64 slots of the single value of an array map,
// Plan.Drops, which programs address directly (no lookup call) and add to
// atomically: counting is rare, so the short code matters more than the
// shared cache line. User space reports the totals at exit. A third slot
// holds the constant 1, the first value of a counter, so that an insert
// points the helper at it instead of storing 1 on the stack.

const dropsName = "drops"

// Slots of the Drops map.
const (
	DropMapUpdate = 0 // failed updates of the first map that can fill up
	DropEvent     = 1 // events the ring buffer had no room for
	dropsOne      = 2 // the constant 1, never written by programs
	dropSlots     = 3 // then one slot for each further map (Plan.MapDrops) and Plan.ExitFlag's two
)

func (cc *compiler) useDrops() {
	if cc.plan.Drops != "" {
		return
	}
	cc.plan.Drops = dropsName
	value := make([]byte, 8*dropSlots)
	value[8*dropsOne] = 1 // little-endian u64 1
	cc.plan.Spec.Maps[dropsName] = &ebpf.MapSpec{
		Name: dropsName, Type: ebpf.Array, KeySize: 4, ValueSize: 8 * dropSlots, MaxEntries: 1,
		Contents: []ebpf.MapKV{{Key: uint32(0), Value: value}},
	}
}

// useDropSlot makes room for slot in the Drops value.
func (cc *compiler) useDropSlot(slot int32) {
	cc.useDrops()
	spec := cc.plan.Spec.Maps[dropsName]
	if size := uint32(8 * (slot + 1)); spec.ValueSize < size {
		// append grows the backing array by doubling: a script with a
		// thousand maps would otherwise copy the value a thousand times.
		value := spec.Contents[0].Value.([]byte)
		value = append(value, make([]byte, int(size)-len(value))...)
		spec.ValueSize, spec.Contents[0].Value = size, value
	}
}

// addrOfOne sets dst to the address of a u64 holding 1.
func (g *gen) addrOfOne(dst asm.Register) {
	g.cc.useDrops()
	g.emit(asm.LoadMapValue(dst, 0, 8*dropsOne).WithReference(dropsName))
}

// mapDropSlot is the Drops slot that counts the updates of m refused
// because m was full (Plan.MapDrops): the first map to need one gets
// DropMapUpdate, the next ones the slots from dropSlots on. A map whose
// updates cannot fail (boundedMaps) has none: noDropSlot.
func (cc *compiler) mapDropSlot(m *Map) int32 {
	if cc.bounded[m.ScriptName] > 0 {
		return noDropSlot
	}
	if slot, ok := cc.plan.MapDrops[m.Name]; ok {
		return int32(slot)
	}
	if cc.plan.MapDrops == nil {
		cc.plan.MapDrops = map[string]int{}
	}
	slot := DropMapUpdate
	if len(cc.plan.MapDrops) > 0 {
		slot = cc.newDropSlot()
	}
	cc.plan.MapDrops[m.Name] = slot
	return int32(slot)
}

// newDropSlot allocates a Drops slot after the fixed ones.
func (cc *compiler) newDropSlot() int {
	cc.dropSlotsUsed++
	return dropSlots + cc.dropSlotsUsed - 1
}

// exitFlagSlot is Plan.ExitFlag, allocated on first use.
func (cc *compiler) exitFlagSlot() int32 {
	if cc.plan.ExitFlag == 0 {
		cc.plan.ExitFlag = cc.newDropSlot()
		cc.newDropSlot() // the exit code
		cc.useDropSlot(int32(cc.plan.ExitFlag + 1))
	}
	return int32(cc.plan.ExitFlag)
}

// noDropSlot is mapDropSlot's answer for a map that needs no counter: the
// count functions then emit nothing.
const noDropSlot = -1

// countDrop adds one to a Drops slot. It uses R1 and R2 only (free after
// a helper call).
func (g *gen) countDrop(slot int32) {
	if slot == noDropSlot {
		return
	}
	g.cc.useDropSlot(slot)
	g.emit(
		asm.LoadMapValue(asm.R1, 0, uint32(8*slot)).WithReference(dropsName),
		asm.Mov.Imm(asm.R2, 1),
		asm.StoreXAdd(asm.R1, asm.R2, asm.DWord),
	)
}

// countFailure adds one to a Drops slot when the helper just called
// failed, without a branch: helpers return 0 or a negative errno, so the
// sign bit is the count. Every run of it is an atomic add to a shared
// cache line: only for paths that run rarely (an insert of a new key).
// It leaves R0 at 0 or 1.
func (g *gen) countFailure(slot int32) {
	if slot == noDropSlot {
		return
	}
	g.cc.useDropSlot(slot)
	g.emit(
		asm.RSh.Imm(asm.R0, 63),
		asm.LoadMapValue(asm.R1, 0, uint32(8*slot)).WithReference(dropsName),
		asm.StoreXAdd(asm.R1, asm.R0, asm.DWord),
	)
}

// countFailureFrom is countFailure through base, a register holding the
// address of the Drops value's byte baseOff.
func (g *gen) countFailureFrom(slot int32, base asm.Register, baseOff int32) {
	g.cc.useDropSlot(slot)
	add := asm.StoreXAdd(base, asm.R0, asm.DWord)
	add.Offset = int16(8*slot - baseOff)
	g.emit(asm.RSh.Imm(asm.R0, 63), add)
}

// countIfFailed counts a drop when the helper just called returned non-zero.
func (g *gen) countIfFailed(slot int32) {
	if slot == noDropSlot {
		return
	}
	ok := g.newLabel("ok")
	g.emit(asm.JEq.Imm(asm.R0, 0, ok))
	g.countDrop(slot)
	g.label(ok)
}

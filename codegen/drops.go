package codegen

import (
	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
)

// Losses are counted in the kernel, so that none goes unreported: a map
// update that fails because the map is full (max_map_keys), and an event
// that does not fit in the ring buffer (user space reads too slowly). The
// counters live in a per-CPU array, Plan.Drops; user space sums the CPUs
// and reports the totals at exit.

const dropsName = "drops"

// Slots of the Drops map.
const (
	DropMapUpdate = 0 // failed map updates
	DropEvent     = 1 // events the ring buffer had no room for
	dropSlots     = 2
)

func (cc *compiler) useDrops() {
	if cc.plan.Drops != "" {
		return
	}
	cc.plan.Drops = dropsName
	cc.plan.Spec.Maps[dropsName] = &ebpf.MapSpec{
		Name: dropsName, Type: ebpf.PerCPUArray, KeySize: 4, ValueSize: 8, MaxEntries: dropSlots,
	}
}

// countDrop adds one to a Drops slot. It uses R0-R5 only (free after a
// helper call) and a 4-byte temporary.
func (g *gen) countDrop(slot int32) {
	g.cc.useDrops()
	m := g.mark()
	key := g.alloc(4)
	g.emit(asm.StoreImm(key.base, int16(key.off), int64(slot), asm.Word))
	g.mapPtr(asm.R1, dropsName)
	g.addr(asm.R2, key)
	g.call(asm.FnMapLookupElem)
	done := g.newLabel("counted")
	g.emit(asm.JEq.Imm(asm.R0, 0, done))
	g.load(asm.R1, loc{asm.R0, 0}, 8)
	g.emit(asm.Add.Imm(asm.R1, 1))
	g.store(loc{asm.R0, 0}, asm.R1, 8)
	g.label(done)
	g.release(m)
}

// countIfFailed counts a drop when the helper just called returned non-zero.
func (g *gen) countIfFailed(slot int32) {
	ok := g.newLabel("ok")
	g.emit(asm.JEq.Imm(asm.R0, 0, ok))
	g.countDrop(slot)
	g.label(ok)
}

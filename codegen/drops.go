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
// shared cache line. User space reports the totals at exit.

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
		Name: dropsName, Type: ebpf.Array, KeySize: 4, ValueSize: 8 * dropSlots, MaxEntries: 1,
	}
}

// countDrop adds one to a Drops slot. It uses R1 and R2 only (free after
// a helper call).
func (g *gen) countDrop(slot int32) {
	g.cc.useDrops()
	g.emit(
		asm.LoadMapValue(asm.R1, 0, uint32(8*slot)).WithReference(dropsName),
		asm.Mov.Imm(asm.R2, 1),
		asm.StoreXAdd(asm.R1, asm.R2, asm.DWord),
	)
}

// countIfFailed counts a drop when the helper just called returned non-zero.
func (g *gen) countIfFailed(slot int32) {
	ok := g.newLabel("ok")
	g.emit(asm.JEq.Imm(asm.R0, 0, ok))
	g.countDrop(slot)
	g.label(ok)
}

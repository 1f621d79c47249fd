package runtime

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/runtime/output"
)

// dropSlots reads the kernel's loss counters (codegen.Plan.Drops).
func (s *session) dropSlots() []byte {
	m := s.loaded.maps[s.plan.Drops]
	if s.plan.Drops == "" || m == nil {
		return nil
	}
	raw := make([]byte, m.ValueSize())
	if err := m.Lookup(uint32(0), raw); err != nil {
		return nil
	}
	return raw
}

// dropSlot is the u64 in slot of raw (0 past the end).
func dropSlot(raw []byte, slot int) uint64 {
	if slot < 0 || 8*slot+8 > len(raw) {
		return 0
	}
	return binary.LittleEndian.Uint64(raw[8*slot:])
}

// lostEvents is the number of events the ring buffer had no room for.
func (s *session) lostEvents() uint64 {
	return dropSlot(s.dropSlots(), codegen.DropEvent)
}

// reportLost prints "Lost N events" (on stderr, or a lost_events line in
// the JSON output, like bpftrace v0.26) for the
// events the ring buffer had no room for since the last report. While
// tracing it looks at most once a second (poll calls it after each event,
// and a second after the last look when the ring buffer went quiet); final
// forces a look.
func (s *session) reportLost(final bool) {
	if s.plan.Drops == "" || !final && time.Since(s.lostCheck) < time.Second {
		return
	}
	s.lostCheck = time.Now()
	events := s.lostEvents()
	if events <= s.lostSeen {
		return
	}
	n := events - s.lostSeen
	s.lostSeen = events
	if s.opts.json() {
		output.JSONLostEvents(s.out, n)
	} else {
		s.out.Flush()
		fmt.Fprintf(s.opts.stderr(), "Lost %d events\n", n)
	}
}

// reportDrops says, once at exit, what the kernel side lost: the events
// not reported yet, then the total of events lost, and for each map that
// was full the updates it refused.
func (s *session) reportDrops() {
	s.reportLost(true)
	raw := s.dropSlots()
	if events := dropSlot(raw, codegen.DropEvent); events > 0 {
		s.out.Flush()
		fmt.Fprintf(s.opts.stderr(), "WARNING: %d events lost in total: the ring buffer was full (user space read too slowly)\n", events)
	}
	for _, m := range s.plan.Maps {
		slot, ok := s.plan.MapDrops[m.Name]
		if !ok {
			continue
		}
		n := dropSlot(raw, slot)
		if n == 0 {
			continue
		}
		s.out.Flush()
		limit := fmt.Sprintf("max_map_keys is %d", s.plan.Config.MaxMapKeys)
		if m.DeclaredSize > 0 {
			limit = fmt.Sprintf("declared with %d entries", m.DeclaredSize)
		}
		fmt.Fprintf(s.opts.stderr(), "WARNING: %d %s of %s failed because the map was full (%s)\n", n, plural(n, "update", "updates"), m.ScriptName, limit)
	}
}

func plural(n uint64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

package runtime

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/runtime/output"
)

// dropCounts sums over CPUs the kernel's loss counters (codegen.Plan.Drops).
func (s *session) dropCounts() (mapUpdates, events uint64) {
	m := s.loaded.maps[s.plan.Drops]
	if s.plan.Drops == "" || m == nil {
		return 0, 0
	}
	raw := make([]byte, m.ValueSize())
	if err := m.Lookup(uint32(0), raw); err != nil {
		return 0, 0
	}
	sum := func(slot int) uint64 {
		if 8*slot+8 > len(raw) {
			return 0
		}
		return binary.LittleEndian.Uint64(raw[8*slot:])
	}
	return sum(codegen.DropMapUpdate), sum(codegen.DropEvent)
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
	_, events := s.dropCounts()
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
// not reported yet, then the total of events lost and of map updates
// refused because a map was full.
func (s *session) reportDrops() {
	s.reportLost(true)
	updates, events := s.dropCounts()
	if events > 0 {
		s.out.Flush()
		fmt.Fprintf(s.opts.stderr(), "WARNING: %d events lost in total: the ring buffer was full (user space read too slowly)\n", events)
	}
	if updates > 0 {
		s.out.Flush()
		fmt.Fprintf(s.opts.stderr(), "WARNING: %d map updates failed because a map was full (max_map_keys is %d)\n", updates, s.plan.Config.MaxMapKeys)
	}
}

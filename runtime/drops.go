package runtime

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/codegen"
)

// dropSlots reads the kernel's loss counters (codegen.Plan.Drops).
func (s *session) dropSlots() []byte {
	m := s.loaded.Maps[s.plan.Drops]
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

// Events lost after exit(). bpftrace ignores the events that follow
// exit(), and so does the runtime; but the probes keep firing until they
// are detached, and when many of them call exit() (360 syscall
// tracepoints under load) their repeated exit notices fill the ring buffer
// and count as lost by the thousands, before user space reads the first
// one (the probes attached first fire while the others attach) and after
// (while they detach). Those are no loss of the user's: nothing after the
// first exit() would have been printed.
//
// The kernel counts every failed event in one counter, so the runtime
// works out which losses came before the first exit record E was written
// from what it reads. Each reading of the counter is an anchor: the count
// then, the bytes the ring buffer held then (ahead), and the bytes of
// records read since (since). When E arrives after at least `ahead` bytes
// (so it was written after the anchor) and fewer than a ring buffer's
// worth minus the largest record (so the ring never lacked room for any
// event written between the anchor and E), no event was lost in between:
// the user's losses are the anchor's count, exactly. Otherwise (the ring
// buffer was full of events written before E) they are the count when E
// is read, which may also include a few notices that followed it.
type lostAnchor struct {
	count, ahead, since uint64
}

// readLost reads the kernel's counter and makes it the anchor, with the
// bytes the ring buffer holds once the counter is read: every record
// written before the reading is among them (an upper bound on the bytes
// ahead of anything written after it). The record just read cannot tell:
// its Remaining was measured before it was printed, and printing can
// block on a full stdout while the ring buffer fills and overflows.
func (s *session) readLost() uint64 {
	raw := s.dropSlots()
	held := s.ringHeld()
	s.lostExit(raw, held)
	n := dropSlot(raw, codegen.DropEvent)
	s.anchor = lostAnchor{count: n, ahead: uint64(held)}
	return n
}

// ringHeld is the bytes of records in the ring buffer not read yet.
func (s *session) ringHeld() int {
	if s.ring == nil {
		return 0
	}
	return max(s.ring.AvailableBytes(), 0)
}

// lostExit looks for an exit() whose record found the ring buffer full:
// the program then raised the exit flag (the event's id + 1, with the exit
// code in its own slot). The run stops as if the record had come after the
// records the ring buffer holds now (held bytes, read after the flag):
// see exitIfPending.
func (s *session) lostExit(raw []byte, held int) {
	if s.plan.ExitFlag == 0 {
		return
	}
	flag := dropSlot(raw, s.plan.ExitFlag)
	if flag == 0 || flag > uint64(len(s.plan.Events)) || s.pendingExit != nil {
		return
	}
	id := int(flag - 1)
	ev := s.plan.Events[id]
	rec := make([]byte, max(ev.Size, codegen.EventHeaderSize))
	binary.LittleEndian.PutUint64(rec, uint64(id))
	if len(ev.Args) > 0 && ev.Args[0].Offset < len(rec) {
		var code [8]byte
		binary.LittleEndian.PutUint64(code[:], dropSlot(raw, s.plan.ExitFlag+1))
		copy(rec[ev.Args[0].Offset:], code[:])
	}
	s.pendingExit, s.exitAfter = rec, held
}

// exitIfPending handles the pending exit record of lostExit once the
// records ahead of it were read (read: the bytes of the one just read, 0
// when none was), or once the ring buffer was found empty after the flag
// was read (drained): whatever was written before is read then, discarded
// records and all. It reports whether the run exited.
func (s *session) exitIfPending(read int, drained bool) bool {
	if s.pendingExit == nil || s.disp.exited {
		return s.disp.exited
	}
	s.exitAfter -= read
	if s.exitAfter > 0 && !drained {
		return false
	}
	s.disp.handleSafe(s.pendingExit)
	return s.disp.exited
}

// recordRead accounts for one record of length n read from the ring
// buffer (its 8-byte header and padding included).
func (s *session) recordRead(n int) {
	s.anchor.since += uint64((n + 8 + 7) &^ 7)
}

// userLost caps a reading of the counter at the user's losses once the
// first exit() record was read.
func (s *session) userLost(n uint64) uint64 {
	if s.exitSeen && n > s.lostAtExit {
		return s.lostAtExit
	}
	return n
}

// noteExit records the user's losses when the first exit() record has
// been read (before recordRead counts it).
func (s *session) noteExit() {
	if s.exitSeen {
		return
	}
	a := s.anchor
	if s.ring != nil && a.since >= a.ahead && a.since+uint64(maxRecord(s.plan)) <= uint64(s.ring.BufferSize()) {
		s.lostAtExit = a.count
	} else {
		s.lostAtExit = dropSlot(s.dropSlots(), codegen.DropEvent)
	}
	s.exitSeen = true
}

// maxRecord is the most bytes one event takes in the ring buffer.
func maxRecord(plan *codegen.Plan) int {
	n := 0
	for _, ev := range plan.Events {
		n = max(n, ev.Size)
	}
	return (n + 8 + 7) &^ 7
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
	s.warnFullMaps()
	events := s.userLost(s.readLost())
	if events <= s.lostSeen {
		return
	}
	n := events - s.lostSeen
	s.lostSeen = events
	s.out.LostEvents(n)
}

// warnFullMaps prints, for each map whose counter shows a refused update
// for the first time, bpftrace's run-time warning for a full map (its
// helper error for map_update_elem returning -E2BIG), pointing at where
// the script writes the map. bpftrace prints it for every refused update;
// gobpftrace counts them in the kernel, warns once per map here and gives
// the exact count at exit (reportDrops). With -k the programs report each
// refusal themselves; --no-warnings silences it.
func (s *session) warnFullMaps() {
	if len(s.plan.MapDrops) == 0 || s.opts.HelperErrors || s.opts.NoWarnings {
		return
	}
	raw := s.dropSlots()
	for _, m := range s.plan.Maps {
		slot, ok := s.plan.MapDrops[m.Name]
		if !ok || s.warnedFull[m.Name] || dropSlot(raw, slot) == 0 {
			continue
		}
		if s.warnedFull == nil {
			s.warnedFull = map[string]bool{}
		}
		s.warnedFull[m.Name] = true
		span := s.plan.MapDropSpans[m.Name]
		if held, room, full := s.lookAtFill(m); !full {
			s.out.RuntimeWarning(span, notFullText(held, room))
			continue
		}
		s.out.HelperError(span, "map_update_elem", -int64(unix.E2BIG))
	}
}

// mapFill counts the keys m's kernel maps hold against the keys they have
// room for, and says whether one of them is full. A refused insert is
// bpftrace's "map full" (E2BIG) only when a map is: an insert into a map
// with room failed because the kernel could not allocate the element
// (ENOMEM: per-CPU aggregation maps allocate on insert, and the memory is
// charged to gobpftrace's cgroup) or because a program running inside
// another on the same CPU found the map's bucket locked (EBUSY). The
// counter in the kernel cannot tell these apart (see codegen's
// refused-insert counter), so the runtime looks at the map. It reads keys
// only, and only once a map has refused an update.
func (s *session) mapFill(m *codegen.Map) (held, room uint64, full bool) {
	kms := s.kernelMaps(m)
	if kms == nil {
		return 0, 0, true // nothing to look at: keep bpftrace's wording
	}
	for _, km := range kms {
		n := countKeys(km)
		held, room = held+n, room+uint64(km.MaxEntries())
		if n >= uint64(km.MaxEntries()) {
			full = true
		}
	}
	return held, room, full
}

// lookAtFill is mapFill, remembering a map once seen full: a script that
// deletes keys leaves room in a map that refused updates because it was
// full. After the look before END (lookAtRefusingMaps) it gives that
// look's figures: END may clear the map.
func (s *session) lookAtFill(m *codegen.Map) (held, room uint64, full bool) {
	if f, ok := s.fills[m.Name]; ok && (s.fillsFinal || f.full) {
		return f.held, f.room, f.full
	}
	held, room, full = s.mapFill(m)
	if s.fills == nil {
		s.fills = map[string]mapFillLook{}
	}
	s.fills[m.Name] = mapFillLook{held, room, full}
	return held, room, full
}

// mapFillLook is what lookAtFill saw of a map.
type mapFillLook struct {
	held, room uint64
	full       bool
}

// lookAtRefusingMaps looks at the fill of every map that refused an
// update, before END runs and may clear it, and keeps those figures.
func (s *session) lookAtRefusingMaps() {
	if len(s.plan.MapDrops) == 0 {
		return
	}
	raw := s.dropSlots()
	for _, m := range s.plan.Maps {
		if slot, ok := s.plan.MapDrops[m.Name]; ok && dropSlot(raw, slot) > 0 {
			s.lookAtFill(m)
		}
	}
	s.fillsFinal = true
}

// countKeys walks km's keys (at most its MaxEntries: a map changing while
// it is walked can restart the walk).
func countKeys(km *ebpf.Map) uint64 {
	key := make([]byte, km.KeySize())
	next := make([]byte, km.KeySize())
	var n uint64
	var cur interface{} // nil: the first key
	for n < uint64(km.MaxEntries()) {
		if err := km.NextKey(cur, next); err != nil {
			break
		}
		n++
		copy(key, next)
		cur = key
	}
	return n
}

// notFullText is the warning for a refused insert into a map with room.
func notFullText(held, room uint64) string {
	return fmt.Sprintf("can't update element although the map has room (it holds %d of %d keys): "+
		"the kernel could not allocate a new element, or found the map busy "+
		"because a probe ran inside another on the same CPU", held, room)
}

// reportDrops says, once at exit, what the kernel side lost: the events
// not reported yet, then the total of events lost, and for each map that
// was full the updates it refused.
func (s *session) reportDrops() {
	s.reportLost(true)
	raw := s.dropSlots()
	if events := s.userLost(dropSlot(raw, codegen.DropEvent)); events > 0 {
		s.out.Warn(fmt.Sprintf("%d events lost in total: the ring buffer was full (user space read too slowly)", events))
	}
	if s.plan.NestDrop != 0 {
		if n := dropSlot(raw, s.plan.NestDrop); n > 0 {
			s.out.Warn(fmt.Sprintf("%d probe %s skipped: every level of the scratch buffer was held by probes "+
				"running nested on the same CPU", n, plural(n, "run", "runs")))
		}
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
		limit := fmt.Sprintf("max_map_keys is %d", s.plan.Config.MaxMapKeys)
		if m.DeclaredSize > 0 {
			limit = fmt.Sprintf("declared with %d entries", m.DeclaredSize)
		}
		updates := fmt.Sprintf("%d %s of %s", n, plural(n, "update", "updates"), m.ScriptName)
		if held, room, full := s.lookAtFill(m); !full {
			s.out.Warn(fmt.Sprintf("%s failed while the map had room (it held %d of %d keys): "+
				"the kernel was out of memory for new elements or found the map busy", updates, held, room))
			continue
		}
		s.out.Warn(fmt.Sprintf("%s failed because the map was full (%s)", updates, limit))
	}
}

func plural(n uint64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

package runtime

import (
	"encoding/binary"

	"github.com/gobpftrace/gobpftrace/codegen"
)

// helperError prints an EvHelperError record (-k, or a delete() statement
// that found no key) in the run's format; --no-warnings silences them, as
// it does bpftrace's helper checks.
func (d *dispatcher) helperError(ev *codegen.Event, rec []byte) {
	if d.noWarnings {
		return
	}
	if len(ev.Args) == 0 || ev.Args[0].Offset+8 > len(rec) {
		d.warn("helper error: record too short")
		return
	}
	d.out.HelperError(ev.Span, ev.Helper, int64(binary.LittleEndian.Uint64(rec[ev.Args[0].Offset:])))
}

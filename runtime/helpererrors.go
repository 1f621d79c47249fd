package runtime

import (
	"encoding/binary"

	"github.com/gobpftrace/gobpftrace/codegen"
)

// helperError prints an EvHelperError record (-k) in the run's format.
func (d *dispatcher) helperError(ev *codegen.Event, rec []byte) {
	if len(ev.Args) == 0 || ev.Args[0].Offset+8 > len(rec) {
		d.warn("helper error: record too short")
		return
	}
	d.out.HelperError(ev.Span, ev.Helper, int64(binary.LittleEndian.Uint64(rec[ev.Args[0].Offset:])))
}

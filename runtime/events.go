package runtime

import (
	"encoding/binary"
	"fmt"
	"io"
	"time"

	"github.com/cilium/ebpf"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/runtime/maps"
	"github.com/gobpftrace/gobpftrace/runtime/output"
)

// dispatcher turns ring buffer records into output and map operations.
type dispatcher struct {
	plan *codegen.Plan
	// format formats the records' values, out prints them: both belong
	// to the run.
	format *output.Formatter
	out    output.Printer
	// stderr receives what system()'s commands write on theirs.
	stderr io.Writer
	// mapOf finds the description of a script map ("@x") and the kernel
	// maps holding it (see session.kernelMaps).
	mapOf func(script string) (*codegen.Map, []*ebpf.Map)
	// exited is set by an EvExit record.
	exited bool
	// failed is the first panic recovered while handling a record; the run
	// then stops as after exit() and returns it.
	failed error
	// injected: testPanic has fired.
	injected bool
	// noWarnings silences warnf (--no-warnings).
	noWarnings bool
	// stop, while the probes run, is the run's context's Done: a builtin
	// that waits (cat of a FIFO, system) stops waiting when it closes.
	// Nil while END runs (a signal then still ends such a wait).
	stop <-chan struct{}
	// printfBuf is the buffer printf records are formatted into.
	printfBuf []byte
	// exitCode is exit(code)'s code, when hasExitCode.
	exitCode    int
	hasExitCode bool
}

// handle processes one record. Problems with a record are reported on
// stderr and do not stop the run: a tracing session should survive them.
func (d *dispatcher) handle(rec []byte) {
	if len(rec) < codegen.EventHeaderSize {
		d.warn("short event record (%d bytes)", len(rec))
		return
	}
	id := binary.LittleEndian.Uint64(rec)
	if id >= uint64(len(d.plan.Events)) {
		d.warn("unknown event id %d", id)
		return
	}
	ev := d.plan.Events[id]
	if ev.Size > 0 && len(rec) < ev.Size {
		d.warn("event %d record has %d bytes, want %d", id, len(rec), ev.Size)
		return
	}
	switch ev.Kind {
	case codegen.EvPrintf:
		// Formatted into a buffer kept from one event to the next: no
		// allocation per event.
		text, err := d.format.AppendPrintf(d.printfBuf[:0], ev, rec)
		d.printfBuf = text
		if err != nil {
			d.warn("printf: %v", err)
			return
		}
		if rp, ok := d.out.(RecordPrinter); ok {
			rp.PrintfRecord(string(text), ev, rec)
		} else {
			d.out.PrintfBytes(text)
		}
	case codegen.EvWarning:
		d.out.RuntimeWarning(ev.Span, ev.Format)
	case codegen.EvHelperError:
		d.helperError(ev, rec)
	case codegen.EvPrintValue:
		if len(ev.Args) == 0 {
			return
		}
		a := ev.Args[0]
		end := a.Offset + codegen.Sizeof(a.Type)
		if end > len(rec) {
			d.warn("print: record too short")
			return
		}
		d.out.Value(a.Type, rec[a.Offset:end])
	case codegen.EvPrintMap:
		cm, m := d.mapOf(ev.Map)
		if m == nil {
			d.warn("print: unknown map %s", ev.Map)
			return
		}
		entries, err := maps.ReadPadded(m, cm.KeySize)
		if rp, ok := d.out.(output.RangePrinter); ok && err == nil && ev.Range {
			err = rp.MapRange(cm, entries, ev.Top, ev.Div)
		} else if err == nil {
			err = d.out.Map(cm, entries, ev.Top, ev.Div)
		}
		if err != nil {
			d.warn("print(%s): %v", ev.Map, err)
		}
	case codegen.EvClear, codegen.EvZero:
		_, m := d.mapOf(ev.Map)
		if m == nil {
			d.warn("unknown map %s", ev.Map)
			return
		}
		op := maps.Clear
		if ev.Kind == codegen.EvZero {
			op = maps.Zero
		}
		for _, km := range m {
			if err := op(km); err != nil {
				d.warn("%s: %v", ev.Map, err)
				break
			}
		}
	case codegen.EvTime:
		d.out.Time(ev.Format, time.Now())
	case codegen.EvCat, codegen.EvSystem, codegen.EvErrorf, codegen.EvWarnf:
		text, err := d.format.Sprintf(ev, rec)
		if err != nil {
			d.warn("%v", err)
			return
		}
		d.formatted(ev, text)
	case codegen.EvJoin:
		d.join(ev, rec)
	case codegen.EvExit:
		if !d.exited && len(ev.Args) > 0 {
			a := ev.Args[0]
			size := codegen.Sizeof(a.Type)
			if a.Offset+size <= len(rec) && size <= 8 {
				var u uint64
				for i := size - 1; i >= 0; i-- {
					u = u<<8 | uint64(rec[a.Offset+i])
				}
				if a.Type != nil && a.Type.Signed && size < 8 {
					shift := uint(64 - 8*size)
					u = uint64(int64(u<<shift) >> shift)
				}
				d.exitCode, d.hasExitCode = int(int64(u)), true
			}
		}
		d.exited = true
	default:
		d.warn("event %d has unknown kind %d", id, ev.Kind)
	}
}

func (d *dispatcher) warn(format string, args ...any) {
	d.out.Warn(fmt.Sprintf(format, args...))
}

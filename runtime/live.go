package runtime

import (
	"errors"
	"io"
	"sync"
	"time"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/runtime/output"
)

// Live is a run's access to its maps from other goroutines: from
// Options.OnLoaded until Run returns it reads them from the kernel; after
// that it serves the contents they had at the end (Options.KeepMaps), or
// says the run has ended. It is safe for concurrent use.
type Live struct {
	s *session
	// mu is held for reading while a map is read from the kernel, and for
	// writing when the maps are closed, so a read never meets a closed map.
	mu     sync.RWMutex
	closed bool
	// final holds each map's entries (by Map.Name) as the run ended.
	final map[string]finalMap
}

type finalMap struct {
	entries *output.Entries
	err     error
}

// ErrEnded is returned when a map is read after its run has ended and
// its contents were not kept.
var ErrEnded = errors.New("the run has ended: its maps are gone")

// Maps lists the script's maps in order of first use.
func (l *Live) Maps() []*codegen.Map { return l.s.plan.Maps }

// Formatter is the run's formatter (its symbols, str() trailer), which
// decodes what Read returns.
func (l *Live) Formatter() *output.Formatter { return l.s.format }

// Read returns the raw entries of m: read from the kernel while the run
// is loaded, as they were at its end afterwards. Decoding them may need
// the run's stack maps: Typed and PrintMaps decode while they are there.
func (l *Live) Read(m *codegen.Map) (*output.Entries, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.read(m)
}

// read is Read with l.mu held.
func (l *Live) read(m *codegen.Map) (*output.Entries, error) {
	if l.closed {
		if f, ok := l.final[m.Name]; ok {
			return f.entries, f.err
		}
		return nil, ErrEnded
	}
	return l.s.readScriptMap(m)
}

// Typed returns the entries of m as Go values (output.Formatter.TypedMap),
// in the order print(@m) prints them.
func (l *Live) Typed(m *codegen.Map) ([]output.TypedEntry, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	entries, err := l.read(m)
	if err != nil {
		return nil, err
	}
	return l.s.format.TypedMap(m, entries), nil
}

// PrintMaps prints every map's current contents to w in the run's output
// format, as at exit without the leading blank lines (the REPL's .maps).
// It may run while the run prints its events: it has its own printer.
func (l *Live) PrintMaps(w io.Writer) error {
	l.mu.RLock()
	defer l.mu.RUnlock()
	p := l.s.newPrinter(w)
	err := p.Maps(l.s.plan.Maps, l.read)
	if ferr := p.Flush(); err == nil {
		err = ferr
	}
	return err
}

// keepFinal reads every map once, as the run ends (after END and its
// events), for Live after the run and for the maps printed at exit, and
// copies the stacks their values may refer to.
func (l *Live) keepFinal() {
	l.mu.Lock()
	defer l.mu.Unlock()
	final := map[string]finalMap{}
	for _, m := range l.s.plan.Maps {
		entries, err := l.s.readScriptMap(m)
		final[m.Name] = finalMap{entries, err}
	}
	l.s.syms.Freeze()
	l.final = final
}

// readFinal reads a map from the kept contents.
func (l *Live) readFinal(m *codegen.Map) (*output.Entries, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	f := l.final[m.Name]
	return f.entries, f.err
}

// close ends reading from the kernel; Run calls it before closing the maps.
func (l *Live) close() {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
}

// tee is a printer that passes everything on to the run's printer, then to
// an observer (Options.Observe). The maps printed at exit and by Maps are
// the first printer's only: an observer reads maps itself when it wants.
type tee struct {
	output.Printer
	obs output.Printer
}

func (t tee) Printf(text string) { t.Printer.Printf(text); t.obs.Printf(text) }

func (t tee) PrintfBytes(text []byte) { t.Printf(string(text)) }

// RecordPrinter is an observer (Options.Observe) that takes printf's
// record with its text, to decode the arguments as values.
type RecordPrinter interface {
	PrintfRecord(text string, ev *codegen.Event, rec []byte)
}

func (t tee) PrintfRecord(text string, ev *codegen.Event, rec []byte) {
	t.Printer.Printf(text)
	if rp, ok := t.obs.(RecordPrinter); ok {
		rp.PrintfRecord(text, ev, rec)
	} else {
		t.obs.Printf(text)
	}
}
func (t tee) Value(ty *lang.Type, b []byte) {
	t.Printer.Value(ty, b)
	t.obs.Value(ty, b)
}
func (t tee) Map(m *codegen.Map, entries *output.Entries, top, div int64) error {
	err := t.Printer.Map(m, entries, top, div)
	t.obs.Map(m, entries, top, div)
	return err
}
func (t tee) Time(format string, now time.Time) { t.Printer.Time(format, now); t.obs.Time(format, now) }
func (t tee) Cat(data []byte)                   { t.Printer.Cat(data); t.obs.Cat(data) }
func (t tee) System(out string)                 { t.Printer.System(out); t.obs.System(out) }
func (t tee) Join(text string)                  { t.Printer.Join(text); t.obs.Join(text) }
func (t tee) Attached(n int)                    { t.Printer.Attached(n); t.obs.Attached(n) }
func (t tee) LostEvents(n uint64)               { t.Printer.LostEvents(n); t.obs.LostEvents(n) }
func (t tee) RuntimeWarning(span lang.Span, msg string) {
	t.Printer.RuntimeWarning(span, msg)
	t.obs.RuntimeWarning(span, msg)
}
func (t tee) HelperError(span lang.Span, helper string, retcode int64) {
	t.Printer.HelperError(span, helper, retcode)
	t.obs.HelperError(span, helper, retcode)
}
func (t tee) ScriptError(span lang.Span, msg string) {
	t.Printer.ScriptError(span, msg)
	t.obs.ScriptError(span, msg)
}
func (t tee) ScriptWarning(span lang.Span, msg string) {
	t.Printer.ScriptWarning(span, msg)
	t.obs.ScriptWarning(span, msg)
}
func (t tee) Warn(msg string)  { t.Printer.Warn(msg); t.obs.Warn(msg) }
func (t tee) Error(msg string) { t.Printer.Error(msg); t.obs.Error(msg) }
func (t tee) Flush() error {
	err := t.Printer.Flush()
	t.obs.Flush()
	return err
}

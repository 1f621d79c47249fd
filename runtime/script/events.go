package script

import (
	"strconv"
	"strings"
	"time"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/runtime"
	"github.com/gobpftrace/gobpftrace/runtime/output"
)

// Event is something a running script printed or a notice about the run,
// delivered to RunOptions.OnEvent in the order it happened. It is one of
// *Printf, *Print, *PrintMap, *Time, *Cat, *System, *Join, *Attached,
// *Lost and *Message.
type Event interface {
	// String is the event as the text output shows it.
	String() string
}

// Printf is printf()'s text, formatted, its format string and its
// arguments as Go values (see Entry).
type Printf struct {
	Text   string
	Format string
	Args   []any
}

// Print is print(value): the value as a Go value (see Entry), and its
// text as the text output prints it.
type Print struct {
	Value any
	Text  string
}

// PrintMap is print(@m[, top[, div]]): the whole map as it was read, and
// print's extra arguments (0 when absent); Text is the map as the text
// output prints it.
type PrintMap struct {
	Map      *Map
	Top, Div int64
	Text     string
}

// Time is time(): when it ran, and its text in the script's format.
type Time struct {
	Time time.Time
	Text string
}

// Cat is what cat() read, System what a system() command printed, Join
// join()'s text (without its newline).
type (
	Cat    struct{ Text string }
	System struct{ Text string }
	Join   struct{ Text string }
)

// Attached tells that every probe is attached: Probes of them.
type Attached struct{ Probes int }

// Lost tells that Count events found the ring buffer full and were lost.
type Lost struct{ Count uint64 }

// Message is a warning or an error during the run: the script's errorf()
// and warnf(), a problem the program met (a division by zero, a failed
// helper call with HelperErrors), or one of the run itself (Line 0).
type Message struct {
	Severity Severity
	// From says where it comes from: "errorf", "warnf", "runtime" (the
	// program met a problem at the place given), "helper" (a BPF helper
	// failed), "session" (the run itself).
	From      string
	Line, Col int
	Text      string
	// Helper and Retcode are the failed helper's name and return code.
	Helper  string
	Retcode int64
}

func (e *Printf) String() string   { return e.Text }
func (e *Print) String() string    { return e.Text }
func (e *PrintMap) String() string { return e.Text }
func (e *Time) String() string     { return e.Text }
func (e *Cat) String() string      { return e.Text }
func (e *System) String() string   { return e.Text }
func (e *Join) String() string     { return e.Text }
func (e *Attached) String() string { return attachedText(e.Probes) }
func (e *Lost) String() string     { return "Lost " + strconv.FormatUint(e.Count, 10) + " events" }
func (e *Message) String() string  { return e.Text }

// observer turns what a run prints into Events (runtime.Options.Observe).
type observer struct {
	f    *output.Formatter
	s    *Session
	emit func(Event)
}

var (
	_ output.Printer        = (*observer)(nil)
	_ runtime.RecordPrinter = (*observer)(nil)
)

func (o *observer) Printf(text string) { o.emit(&Printf{Text: text}) }

// PrintfBytes is Printf of text the caller reuses.
func (o *observer) PrintfBytes(text []byte) { o.Printf(string(text)) }

// PrintfRecord is Printf with the record: the arguments are decoded.
func (o *observer) PrintfRecord(text string, ev *codegen.Event, rec []byte) {
	p := &Printf{Text: text, Format: ev.Format, Args: make([]any, len(ev.Args))}
	for n, a := range ev.Args {
		if end := a.Offset + codegen.Sizeof(a.Type); a.Offset >= 0 && end <= len(rec) {
			p.Args[n] = o.f.Decode(a.Type, rec[a.Offset:end])
		}
	}
	o.emit(p)
}
func (o *observer) Value(t *lang.Type, b []byte) {
	o.emit(&Print{Value: o.f.Decode(t, b), Text: o.f.Value(t, b)})
}
func (o *observer) Map(m *codegen.Map, entries *output.Entries, top, div int64) error {
	var sb strings.Builder
	p := output.NewText(o.f, output.Destination{Stdout: &sb})
	p.Map(m, entries, top, div)
	p.Flush()
	o.emit(&PrintMap{Map: typedMap(o.f, m, entries), Top: top, Div: div, Text: sb.String()})
	return nil
}
func (o *observer) Maps([]*codegen.Map, output.ReadEntries) error     { return nil }
func (o *observer) ExitMaps([]*codegen.Map, output.ReadEntries) error { return nil }
func (o *observer) Time(format string, now time.Time) {
	o.emit(&Time{Time: now, Text: output.Time(format, now)})
}
func (o *observer) Cat(data []byte)     { o.emit(&Cat{Text: string(data)}) }
func (o *observer) System(out string)   { o.emit(&System{Text: out}) }
func (o *observer) Join(text string)    { o.emit(&Join{Text: text}) }
func (o *observer) Attached(n int)      { o.emit(&Attached{Probes: n}) }
func (o *observer) LostEvents(n uint64) { o.emit(&Lost{Count: n}) }
func (o *observer) RuntimeWarning(span lang.Span, msg string) {
	o.emit(o.message(Warning, "runtime", span, msg))
}
func (o *observer) HelperError(span lang.Span, helper string, retcode int64) {
	msg := output.HelperErrorText(helper, retcode) + "\nAdditional Info - helper: " + helper + ", retcode: " + strconv.FormatInt(retcode, 10)
	m := o.message(Warning, "helper", span, msg)
	m.Helper, m.Retcode = helper, retcode
	o.emit(m)
}
func (o *observer) ScriptError(span lang.Span, msg string) {
	o.emit(o.message(Error, "errorf", span, msg))
}
func (o *observer) ScriptWarning(span lang.Span, msg string) {
	o.emit(o.message(Warning, "warnf", span, msg))
}
func (o *observer) Warn(msg string) {
	o.emit(&Message{Severity: Warning, From: "session", Text: "WARNING: " + msg})
}
func (o *observer) Error(msg string) {
	o.emit(&Message{Severity: Error, From: "session", Text: "ERROR: " + msg})
}
func (o *observer) Flush() error { return nil }

func (o *observer) message(sev Severity, from string, span lang.Span, msg string) *Message {
	return &Message{Severity: sev, From: from, Line: span.Start.Line, Col: span.Start.Col, Text: o.text(span, sev, msg)}
}

// text is a positioned message as gobpftrace prints it.
func (o *observer) text(span lang.Span, sev Severity, msg string) string {
	ls := lang.SevError
	if sev == Warning {
		ls = lang.SevWarning
	}
	return lang.Format(o.s.script.file, o.s.script.source, &lang.Diagnostic{Span: span, Severity: ls, Msg: msg})
}

func attachedText(n int) string {
	if n == 1 {
		return "Attached 1 probe"
	}
	return "Attached " + strconv.Itoa(n) + " probes"
}

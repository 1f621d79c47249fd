package output

import (
	"fmt"
	"strings"
	"time"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
)

// jsonPrinter is bpftrace's JSON output (-f json): one object per line on
// stdout, in the shapes json.go lists; the notices are lines too, except
// warnf's and the run's own warnings and errors, which stay on stderr.
type jsonPrinter struct{ stream }

// NewJSON returns the JSON printer of a run.
func NewJSON(f *Formatter, d Destination) Printer { return &jsonPrinter{newStream(f, d)} }

// line writes {"type": "T", "data": DATA}.
func (p *jsonPrinter) line(typ, data string) error {
	_, err := p.out.WriteString(`{"type": "` + typ + `", "data": ` + data + "}\n")
	return err
}

func (p *jsonPrinter) Printf(text string) { p.line("printf", JSONString(text)) }

func (p *jsonPrinter) PrintfBytes(text []byte) { p.Printf(string(text)) }

func (p *jsonPrinter) Value(t *lang.Type, b []byte) {
	var sb strings.Builder
	p.f.decode(t, b).writeJSON(&sb)
	p.line("value", sb.String())
}

func (p *jsonPrinter) Map(m *codegen.Map, entries *Entries, top, div int64) error {
	typ, data, ok := p.f.mapJSON(m, entries, top, div)
	if !ok {
		return nil
	}
	return p.line(typ, data)
}

// MapRange is print(@m, min, max) of a tseries map: JSON has no chart,
// the series is printed as print(@m) prints it.
func (p *jsonPrinter) MapRange(m *codegen.Map, entries *Entries, _, _ int64) error {
	return p.Map(m, entries, 0, 0)
}

// Maps prints each map with entries in name order, one line each; the
// first error is returned.
func (p *jsonPrinter) Maps(maps []*codegen.Map, read ReadEntries) error {
	var firstErr error
	for _, m := range byName(maps) {
		entries, err := read(m)
		if err == nil && entries.Len() == 0 {
			continue
		}
		if err == nil {
			err = p.Map(m, entries, 0, 0)
		}
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	return firstErr
}

// ExitMaps: unlike text output, no blank lines precede the maps at exit.
func (p *jsonPrinter) ExitMaps(maps []*codegen.Map, read ReadEntries) error {
	return p.Maps(maps, read)
}

func (p *jsonPrinter) Time(format string, now time.Time) {
	p.line("time", JSONString(Time(format, now)))
}
func (p *jsonPrinter) Cat(data []byte) { p.line("cat", JSONString(string(data))) }

// System: bpftrace names the line "syscall".
func (p *jsonPrinter) System(output string) { p.line("syscall", JSONString(output)) }
func (p *jsonPrinter) Join(text string)     { p.line("join", JSONString(text)) }

// Attached writes its line at once: it tells a reader that tracing began.
func (p *jsonPrinter) Attached(n int) {
	fmt.Fprintf(p.out, `{"type": "attached_probes", "count": %d, "data": {"probes": %d}}`+"\n", n, n)
	p.out.Flush()
}

func (p *jsonPrinter) LostEvents(n uint64) {
	fmt.Fprintf(p.out, `{"type": "lost_events", "count": %d, "data": {"events": %d}}`+"\n", n, n)
}

// RuntimeWarning: {"type": "runtime_error", "msg": "...", "filename": "stdin", "line": 1, "col": 9}
func (p *jsonPrinter) RuntimeWarning(span lang.Span, msg string) {
	p.positioned("runtime_error", msg, "", span)
}

// HelperError: {"type": "helper_error", "msg": "...", "helper": "...", "retcode": -14, "filename": "stdin", "line": 1, "col": 37}
func (p *jsonPrinter) HelperError(span lang.Span, helper string, retcode int64) {
	var extra strings.Builder
	extra.WriteString(`, "helper": `)
	jsonString(&extra, helper)
	fmt.Fprintf(&extra, `, "retcode": %d`, retcode)
	p.positioned("helper_error", StrerrorText(-retcode), extra.String(), span)
}

// ScriptError: errorf()'s message as a print_error line.
func (p *jsonPrinter) ScriptError(span lang.Span, msg string) {
	p.positioned("print_error", msg, "", span)
}

// positioned writes a message with the script position it concerns;
// extra is more fields, written between the message and the position.
func (p *jsonPrinter) positioned(typ, msg, extra string, span lang.Span) {
	var sb strings.Builder
	fmt.Fprintf(&sb, `{"type": %q, "msg": `, typ)
	jsonString(&sb, msg)
	sb.WriteString(extra)
	sb.WriteString(`, "filename": `)
	jsonString(&sb, p.file)
	fmt.Fprintf(&sb, `, "line": %d, "col": %d}`+"\n", span.Start.Line, span.Start.Col)
	p.out.WriteString(sb.String())
}

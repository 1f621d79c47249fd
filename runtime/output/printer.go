package output

import (
	"bufio"
	"fmt"
	"io"
	"time"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
)

// Printer writes everything one run prints, in one output format: the
// script's output (printf, print, maps, time, cat, system, join) and the
// notices about the run (attached probes, lost events, warnings and errors
// at a place in the script). The runtime creates one per run with New and
// never asks which format it has; NewText and NewJSON are bpftrace's two
// formats (its text and JSON output classes), NewStacks writes the stacks
// as a pprof profile or folded lines (printer_stacks.go).
//
// A Printer buffers the script's output until Flush. What it writes on
// stderr flushes that buffer first, so that both streams keep their order.
// It is used by one goroutine at a time.
// RangePrinter is implemented by the printers that draw print(@m, min,
// max) of a tseries map between min and max; a Printer without it prints
// the map as print(@m) does.
type RangePrinter interface {
	MapRange(m *codegen.Map, entries *Entries, min, max int64) error
}

type Printer interface {
	// Printf writes printf()'s formatted text.
	Printf(text string)
	// PrintfBytes is Printf of text it does not keep (the caller reuses
	// it): the text format writes it without a copy.
	PrintfBytes(text []byte)
	// Value writes print(value): the bytes b of a value of type t.
	Value(t *lang.Type, b []byte)
	// Map writes print(@m, top, div) of the entries read from map m.
	Map(m *codegen.Map, entries *Entries, top, div int64) error
	// Maps writes every map in name order (the REPL's .maps); read gets a
	// map's entries. A map that cannot be read is skipped and its error
	// returned.
	Maps(maps []*codegen.Map, read ReadEntries) error
	// ExitMaps is Maps at the end of a run, after the end-of-output
	// separator of the format.
	ExitMaps(maps []*codegen.Map, read ReadEntries) error
	// Time writes time(format) at now.
	Time(format string, now time.Time)
	// Cat writes what cat() read from a file.
	Cat(data []byte)
	// System writes what a system() command printed.
	System(output string)
	// Join writes join()'s text (without its newline).
	Join(text string)

	// Attached tells how many probes are attached.
	Attached(probes int)
	// LostEvents tells how many events the ring buffer had no room for.
	LostEvents(n uint64)
	// RuntimeWarning is a problem the program met at span (division by
	// zero, an array index out of bounds).
	RuntimeWarning(span lang.Span, msg string)
	// HelperError is a BPF helper that failed at span with retcode (-k).
	HelperError(span lang.Span, helper string, retcode int64)
	// ScriptError writes errorf()'s message, ScriptWarning warnf()'s.
	ScriptError(span lang.Span, msg string)
	ScriptWarning(span lang.Span, msg string)
	// Warn and Error write a "WARNING: " or "ERROR: " line on stderr, for
	// problems of the run itself (a malformed record, a file cat() cannot
	// open), the same in every format.
	Warn(msg string)
	Error(msg string)

	// Flush writes the buffered output.
	Flush() error
}

// ReadEntries reads the entries of a map.
type ReadEntries func(*codegen.Map) (*Entries, error)

// Destination is where a run's Printer writes.
type Destination struct {
	// Stdout receives the script's output (and, in JSON, the notices).
	Stdout io.Writer
	// Stderr receives the notices of the text output, warnings and errors.
	Stderr io.Writer
	// File and Source are the script, for positioned messages.
	File, Source string
}

// New returns the printer of format "json", "pprof" or "folded", or of
// the text format for anything else ("text", "").
func New(format string, f *Formatter, d Destination) Printer {
	switch format {
	case "json":
		return NewJSON(f, d)
	case "pprof", "folded":
		return NewStacks(format, f, d)
	}
	return NewText(f, d)
}

// stream is what both formats share: the buffered stdout, stderr, the
// script, the run's Formatter, and the messages written alike in both.
type stream struct {
	f      *Formatter
	out    *bufio.Writer
	stderr io.Writer
	file   string
	source string
}

func newStream(f *Formatter, d Destination) stream {
	stdout, stderr := d.Stdout, d.Stderr
	if stdout == nil {
		stdout = io.Discard
	}
	if stderr == nil {
		stderr = io.Discard
	}
	return stream{f: f, out: bufio.NewWriterSize(stdout, 64<<10), stderr: stderr, file: d.File, source: d.Source}
}

func (s *stream) Flush() error { return s.out.Flush() }

// toStderr writes text on stderr after the output buffered so far.
func (s *stream) toStderr(text string) {
	s.out.Flush()
	io.WriteString(s.stderr, text)
}

func (s *stream) Warn(msg string)  { s.toStderr("WARNING: " + msg + "\n") }
func (s *stream) Error(msg string) { s.toStderr("ERROR: " + msg + "\n") }

// diagnostic writes msg at span as the compiler's diagnostics look: the
// place, the script line and a caret under span.
func (s *stream) diagnostic(span lang.Span, sev lang.Severity, msg string) {
	s.toStderr(lang.Format(s.file, s.source, &lang.Diagnostic{Span: span, Severity: sev, Msg: msg}))
}

// warnf's message is a warning on stderr in both formats (bpftrace's
// JSON output has no line for it).
func (s *stream) ScriptWarning(span lang.Span, msg string) {
	s.diagnostic(span, lang.SevWarning, msg)
}

// attachedText is bpftrace's "Attached N probes" line.
func attachedText(n int) string {
	if n == 1 {
		return "Attached 1 probe\n"
	}
	return fmt.Sprintf("Attached %d probes\n", n)
}

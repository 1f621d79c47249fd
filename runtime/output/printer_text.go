package output

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
)

// textPrinter is bpftrace's text output: the script's output as is on
// stdout, notices and diagnostics on stderr.
type textPrinter struct{ stream }

// NewText returns the text printer of a run.
func NewText(f *Formatter, d Destination) Printer { return &textPrinter{newStream(f, d)} }

func (p *textPrinter) Printf(text string) { p.out.WriteString(text) }

func (p *textPrinter) PrintfBytes(text []byte) { p.out.Write(text) }

// Value ends the value with a newline unless its text has one (a stack
// always gets one more).
func (p *textPrinter) Value(t *lang.Type, b []byte) {
	s := p.f.Value(t, b)
	p.out.WriteString(s)
	if !strings.HasSuffix(s, "\n") || t.Kind == lang.KStack {
		p.out.WriteByte('\n')
	}
}

func (p *textPrinter) Map(m *codegen.Map, entries *Entries, top, div int64) error {
	p.f.writeMap(p.out, m, entries, top, div)
	_, err := p.out.Write(nil) // the first write error, if any
	return err
}

// MapRange is print(@m, min, max) of a tseries map.
func (p *textPrinter) MapRange(m *codegen.Map, entries *Entries, lo, hi int64) error {
	_, err := p.out.WriteString(p.f.tseriesRangeText(m, entries, lo, hi))
	return err
}

// Maps prints each map in name order. A map without entries prints nothing
// at all (v0.17 printed a blank line for it).
func (p *textPrinter) Maps(maps []*codegen.Map, read ReadEntries) error {
	var errs []error
	for _, m := range byName(maps) {
		entries, err := read(m)
		if err == nil {
			err = p.Map(m, entries, 0, 0)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// ExitMaps writes two newlines first (bpftrace's end of output), even when
// no map follows.
func (p *textPrinter) ExitMaps(maps []*codegen.Map, read ReadEntries) error {
	if _, err := p.out.WriteString("\n\n"); err != nil {
		return err
	}
	return p.Maps(maps, read)
}

func (p *textPrinter) Time(format string, now time.Time) { p.out.WriteString(Time(format, now)) }
func (p *textPrinter) Cat(data []byte)                   { p.out.Write(data) }
func (p *textPrinter) System(output string)              { p.out.WriteString(output) }
func (p *textPrinter) Join(text string)                  { p.out.WriteString(text + "\n") }

func (p *textPrinter) Attached(probes int) { p.toStderr(attachedText(probes)) }

func (p *textPrinter) LostEvents(n uint64) {
	p.toStderr("Lost " + strconv.FormatUint(n, 10) + " events\n")
}

func (p *textPrinter) RuntimeWarning(span lang.Span, msg string) {
	p.diagnostic(span, lang.SevWarning, msg)
}

func (p *textPrinter) HelperError(span lang.Span, helper string, retcode int64) {
	msg := HelperErrorText(helper, retcode) + "\nAdditional Info - helper: " + helper + ", retcode: " + strconv.FormatInt(retcode, 10)
	p.diagnostic(span, lang.SevWarning, msg)
}

func (p *textPrinter) ScriptError(span lang.Span, msg string) {
	p.diagnostic(span, lang.SevError, msg)
}

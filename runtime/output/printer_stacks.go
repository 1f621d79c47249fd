package output

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/gobpftrace/gobpftrace/codegen"
)

// stackPrinter is the pprof and folded formats: the output (stdout or -o)
// holds only the run's stacks, the maps keyed by kstack or ustack, written
// when the maps print at exit (pprof: one gzipped profile; folded: one
// line per stack). Everything else the script prints (printf, print(),
// the maps without a stack in their key) is written as text output writes
// it, on stderr, so that the output stays a profile a tool can read.
type stackPrinter struct {
	*textPrinter // the rest, on stderr
	pprof        bool
	stacks       *bufio.Writer
	now          func() time.Time
}

// NewStacks returns the printer of format "pprof" or "folded".
func NewStacks(format string, f *Formatter, d Destination) Printer {
	stacks := d.Stdout
	if stacks == nil {
		stacks = io.Discard
	}
	text := d
	text.Stdout = d.Stderr
	return &stackPrinter{
		textPrinter: &textPrinter{newStream(f, text)},
		pprof:       format == "pprof",
		stacks:      bufio.NewWriterSize(stacks, 64<<10),
		now:         time.Now,
	}
}

// Map is print(@m): a stack map's folded lines (folded), or the map as
// text on stderr.
func (p *stackPrinter) Map(m *codegen.Map, entries *Entries, top, div int64) error {
	if p.pprof || !IsStackMap(m) {
		return p.textPrinter.Map(m, entries, top, div)
	}
	p.textPrinter.Flush()
	return p.writeFolded(p.f.foldedLines(m, entries, top, uint64(max(div, 1)), ""))
}

// Maps writes the stack maps to the output and the others as text.
func (p *stackPrinter) Maps(maps []*codegen.Map, read ReadEntries) error {
	return p.maps(maps, read, false)
}

// ExitMaps: the text maps get text output's two newlines before them,
// only when there is one.
func (p *stackPrinter) ExitMaps(maps []*codegen.Map, read ReadEntries) error {
	return p.maps(maps, read, true)
}

func (p *stackPrinter) maps(maps []*codegen.Map, read ReadEntries, exit bool) error {
	var stackMaps, textMaps []*codegen.Map
	for _, m := range byName(maps) {
		if IsStackMap(m) {
			stackMaps = append(stackMaps, m)
		} else {
			textMaps = append(textMaps, m)
		}
	}
	var errs []error
	if len(textMaps) > 0 {
		if exit {
			p.out.WriteString("\n\n")
		}
		errs = append(errs, p.textPrinter.Maps(textMaps, read))
		p.textPrinter.Flush()
	}
	if p.pprof {
		if len(stackMaps) > 0 {
			errs = append(errs, p.f.writeProfile(p.stacks, stackMaps, read, p.now()))
		}
		return errors.Join(errs...)
	}
	for _, m := range stackMaps {
		entries, err := read(m)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		// Several maps in one folded stream: each line starts with its
		// map's name, so their stacks stay apart.
		prefix := ""
		if len(stackMaps) > 1 {
			prefix = m.ScriptName
		}
		errs = append(errs, p.writeFolded(p.f.foldedLines(m, entries, 0, 1, prefix)))
	}
	return errors.Join(errs...)
}

func (p *stackPrinter) writeFolded(lines []string) error {
	if len(lines) == 0 {
		return nil
	}
	_, err := p.stacks.WriteString(strings.Join(lines, "\n") + "\n")
	return err
}

// Flush writes both streams.
func (p *stackPrinter) Flush() error {
	err := p.textPrinter.Flush()
	if serr := p.stacks.Flush(); err == nil {
		err = serr
	}
	return err
}

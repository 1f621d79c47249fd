package runtime

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/runtime/output"
)

// formatted acts on the events whose printf-style text names something:
// cat's file, system's command, errorf's and warnf's message.
func (d *dispatcher) formatted(ev *codegen.Event, text string) {
	switch ev.Kind {
	case codegen.EvCat:
		d.cat(text)
	case codegen.EvSystem:
		d.system(text)
	case codegen.EvErrorf, codegen.EvWarnf:
		sev := lang.SevError
		if ev.Kind == codegen.EvWarnf {
			if d.noWarnings {
				return
			}
			sev = lang.SevWarning
		}
		if d.json && sev == lang.SevError {
			output.JSONPrintError(d.out, text, d.plan.File, ev.Span.Start.Line, ev.Span.Start.Col)
			return
		}
		d.out.Flush()
		fmt.Fprint(d.stderr, lang.Format(d.plan.File, d.plan.Source, &lang.Diagnostic{Span: ev.Span, Severity: sev, Msg: text}))
	}
}

// cat prints up to max_cat_bytes of a file.
func (d *dispatcher) cat(name string) {
	limit := d.plan.Config.MaxCatBytes
	if limit <= 0 {
		limit = 10240
	}
	f, err := os.Open(name)
	if err != nil {
		d.out.Flush()
		fmt.Fprintf(d.stderr, "ERROR: failed to open file '%s': %s\n", name, output.StrerrorText(errnoOf(err)))
		return
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, int64(limit)))
	if err != nil {
		d.out.Flush()
		fmt.Fprintf(d.stderr, "ERROR: failed to open file '%s': %s\n", name, output.StrerrorText(errnoOf(err)))
	}
	if d.json {
		output.JSONCat(d.out, string(data))
		return
	}
	d.out.Write(data)
}

// errnoOf is the errno inside err (EIO when there is none).
func errnoOf(err error) int64 {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return int64(errno)
	}
	return int64(syscall.EIO)
}

// system runs a command through the shell and prints what it writes to
// stdout; tracing waits while it runs, as in bpftrace.
func (d *dispatcher) system(command string) {
	d.out.Flush()
	cmd := exec.Command("/bin/sh", "-c", command)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = d.stderr
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			fmt.Fprintf(d.stderr, "ERROR: system(\"%s\") failed: %v\n", command, err)
		}
	}
	if d.json {
		output.JSONSyscall(d.out, stdout.String())
		return
	}
	d.out.Write(stdout.Bytes())
}

// join prints the strings of a join() record with the separator.
func (d *dispatcher) join(ev *codegen.Event, rec []byte) {
	if len(rec) < 16 || ev.JoinSlot <= 0 {
		d.warn("join: record too short")
		return
	}
	n := int(binary.LittleEndian.Uint64(rec[8:]))
	var parts []string
	for i := 0; i < n && i < codegen.JoinArgs; i++ {
		off := 16 + i*ev.JoinSlot
		if off+ev.JoinSlot > len(rec) {
			break
		}
		s := rec[off : off+ev.JoinSlot]
		if z := bytes.IndexByte(s, 0); z >= 0 {
			s = s[:z]
		}
		if len(s) == 0 {
			// bpftrace stops at the first empty string.
			break
		}
		parts = append(parts, string(s))
	}
	text := strings.Join(parts, ev.Format)
	if d.json {
		output.JSONJoin(d.out, text)
		return
	}
	d.out.WriteString(text)
	d.out.WriteByte('\n')
}

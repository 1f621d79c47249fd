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
		if sev == lang.SevError {
			d.out.ScriptError(ev.Span, text)
		} else {
			d.out.ScriptWarning(ev.Span, text)
		}
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
		d.out.Error(fmt.Sprintf("failed to open file '%s': %s", name, output.StrerrorText(errnoOf(err))))
		return
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, int64(limit)))
	if err != nil {
		d.out.Error(fmt.Sprintf("failed to open file '%s': %s", name, output.StrerrorText(errnoOf(err))))
	}
	d.out.Cat(data)
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
			d.out.Error(fmt.Sprintf("system(\"%s\") failed: %v", command, err))
		}
	}
	d.out.System(stdout.String())
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
	d.out.Join(strings.Join(parts, ev.Format))
}

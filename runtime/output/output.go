// Package output formats map contents, printf records and values exactly as
// bpftrace v0.26 prints them. It is pure: callers hand it bytes read from the
// kernel and a writer.
package output

import (
	"fmt"
	"io"
	"time"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
)

// Entry is one kernel map entry: Key as stored; Values one element per CPU
// for per-CPU maps, else one.
type Entry struct {
	Key    []byte
	Values [][]byte
}

// ExitMaps prints every non-empty map at program exit exactly as bpftrace
// v0.26 does (which maps, order, blank lines).
func ExitMaps(w io.Writer, maps []*codegen.Map, read func(*codegen.Map) ([]Entry, error)) error {
	return fmt.Errorf("output.ExitMaps: not implemented")
}

// Map prints one map as print(@m) / print(@m, top, div) does.
func Map(w io.Writer, m *codegen.Map, entries []Entry, top, div int64) error {
	return fmt.Errorf("output.Map: not implemented")
}

// Printf formats an EvPrintf record (rec starts with the 8-byte event id
// header) using ev.Format and ev.Args.
func Printf(ev *codegen.Event, rec []byte) (string, error) {
	return "", fmt.Errorf("output.Printf: not implemented")
}

// Value formats a single value as print(value) does.
func Value(t *lang.Type, b []byte) string {
	return ""
}

// Time formats time(fmt) output (strftime-style conversions).
func Time(format string, now time.Time) string {
	return ""
}

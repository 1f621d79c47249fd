// Package output formats map contents, printf records and values exactly as
// bpftrace v0.26 prints them. It is pure: callers hand it bytes read from the
// kernel and a writer.
//
// Files: value.go decodes bytes into printable values, fold.go folds per-CPU
// aggregations, sortmap.go orders entries, hist.go draws hist/lhist tables,
// mapprint.go prints maps, printf.go formats printf records, timefmt.go
// formats time().
package output

// Entry is one kernel map entry: Key as stored; Values one element per CPU
// for per-CPU maps, else one.
type Entry struct {
	Key    []byte
	Values [][]byte
}

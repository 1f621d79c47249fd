// Package output formats map contents, printf records and values exactly as
// bpftrace v0.26 prints them, in text or JSON. It is pure: callers hand it
// bytes read from the kernel, and it holds no package-level state. A run
// creates a Formatter (its symbols, user-space lookups and str() trailer)
// and one Printer of its output format (NewText, NewJSON); two runs in one
// process share nothing.
//
// Files: formatter.go is the per-run Formatter, printer.go the Printer
// interface, printer_text.go and printer_json.go its two formats; entries.go
// holds a map's entries as read; value.go decodes bytes into printable
// values, json.go renders them as JSON, fold.go folds per-CPU aggregations,
// sortmap.go orders entries, hist.go draws hist/lhist tables, mapprint.go
// prints maps, printf.go formats printf records, timefmt.go formats
// time(), symbols.go and userspace.go the values resolved in user space.
// printer_stacks.go is the pprof and folded formats: stacks.go turns the
// maps keyed by stacks into samples, pprof.go writes them as a pprof
// profile, folded.go as folded lines.
package output

package output

import (
	"io"
	"testing"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
)

// bigCountMap is bigmap.bt's map (@[nsecs] = count()) with n keys on two
// CPUs, in a scrambled order as the kernel returns them.
func bigCountMap(n int) (*codegen.Map, []Entry) {
	m := newMap("@", lang.TUint64, &lang.Type{Kind: lang.KCount})
	entries := make([]Entry, n)
	for i := range entries {
		k := uint64(i) * 7919 % uint64(n) // a permutation: 7919 is prime
		entries[i] = Entry{Key: u64(1_000_000_000 + k*977), Values: [][]byte{u64(k % 3), u64(1)}}
	}
	return m, entries
}

// BenchmarkPrintBigMap prints a 1,000,000-key count map as at exit
// (cmd/gobpftrace-bench's bigmap section measures it end to end).
func BenchmarkPrintBigMap(b *testing.B) {
	m, entries := bigCountMap(1_000_000)
	f := &Formatter{}
	b.ReportAllocs()
	for b.Loop() {
		p := NewText(f, Destination{Stdout: io.Discard, Stderr: io.Discard})
		if err := p.Map(m, entries, 0, 0); err != nil {
			b.Fatal(err)
		}
		p.Flush()
	}
}

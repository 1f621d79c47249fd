package output

import (
	"encoding/binary"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
)

// Encoders that lay values out as codegen/layout.go says the kernel does.

func u64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }
func i64(v int64) []byte  { return u64(uint64(v)) }

// encode lays out v (int, int64, uint64, string, or []any for tuples) as t.
func encode(t *lang.Type, v any) []byte {
	b := make([]byte, codegen.Sizeof(t))
	switch t.Kind {
	case lang.KInt:
		var x uint64
		switch n := v.(type) {
		case int:
			x = uint64(n)
		case int64:
			x = uint64(n)
		case uint64:
			x = n
		}
		for i := 0; i < t.Size; i++ {
			b[i] = byte(x >> (8 * i))
		}
	case lang.KBool:
		if v.(int) != 0 {
			b[0] = 1
		}
	case lang.KString:
		copy(b, v.(string))
	case lang.KTuple:
		offs := codegen.TupleOffsets(t)
		for n, e := range t.Elems {
			copy(b[offs[n]:], encode(e, v.([]any)[n]))
		}
	}
	return b
}

var (
	tStr16 = lang.StringType(16)
	tI64   = lang.TInt64
)

func tuple(elems ...*lang.Type) *lang.Type {
	t := &lang.Type{Kind: lang.KTuple, Elems: elems}
	t.Size = codegen.Sizeof(t)
	return t
}

// newMap describes a map; aggregations are per-CPU like codegen makes them.
func newMap(name string, key, value *lang.Type) *codegen.Map {
	m := &codegen.Map{Name: name, ScriptName: name, Key: key, Value: value, PerCPU: value.IsAggregation()}
	m.KeySize = 8
	if key != nil {
		m.KeySize = codegen.Sizeof(key)
	}
	if value.Kind == lang.KHist || value.Kind == lang.KLhist {
		m.KeySize = alignUp8(m.KeySize) + 8
		if key == nil {
			m.KeySize = 8
		}
	}
	m.ValueSize = codegen.Sizeof(value)
	return m
}

func alignUp8(n int) int { return (n + 7) / 8 * 8 }

// keyBytes is the kernel key of a plain map: the encoded key, or u64 0.
func keyBytes(m *codegen.Map, key any) []byte {
	if m.Key == nil {
		return u64(0)
	}
	return encode(m.Key, key)
}

// entry builds an entry whose per-CPU values are given (one []byte per CPU).
func entry(m *codegen.Map, key any, cpus ...[]byte) Entry {
	return Entry{Key: keyBytes(m, key), Values: cpus}
}

// minMaxCPU is one CPU's {int64 value; u64 set}.
func minMaxCPU(v int64, set bool) []byte {
	s := uint64(0)
	if set {
		s = 1
	}
	return append(i64(v), u64(s)...)
}

// statsCPU is one CPU's {int64 sum; u64 count}.
func statsCPU(sum int64, count uint64) []byte { return append(i64(sum), u64(count)...) }

// histEntry builds the kernel entry of bucket idx of user key key.
func histKV(m *codegen.Map, key any, idx uint64, cpus ...uint64) Entry {
	var k []byte
	if m.Key != nil {
		k = encode(m.Key, key)
		k = append(k, make([]byte, alignUp8(len(k))-len(k))...)
	}
	k = append(k, u64(idx)...)
	var vals [][]byte
	for _, c := range cpus {
		vals = append(vals, u64(c))
	}
	return Entry{Key: k, Values: vals}
}

// log2Index is hist()'s bucket for v (2^0 buckets per power of two).
func log2Index(v int64) uint64 {
	if v < 0 {
		return 0
	}
	if v == 0 {
		return 1
	}
	n := uint64(0)
	for u := uint64(v); u > 1; u >>= 1 {
		n++
	}
	return n + 2
}

// lhistIndex is lhist()'s bucket for v.
func lhistIndex(v, lo, hi, step int64) uint64 {
	switch {
	case v < lo:
		return 0
	case v >= hi:
		return uint64((hi-lo)/step + 1)
	}
	return uint64(1 + (v-lo)/step)
}

// histOf counts values into kernel entries (one CPU).
func histOf(m *codegen.Map, key any, values ...int64) []Entry {
	counts := map[uint64]uint64{}
	var order []uint64
	for _, v := range values {
		var idx uint64
		if m.Value.Kind == lang.KLhist {
			idx = lhistIndex(v, m.Value.LhistMin, m.Value.LhistMax, m.Value.LhistStep)
		} else {
			idx = log2Index(v)
		}
		if counts[idx] == 0 {
			order = append(order, idx)
		}
		counts[idx]++
	}
	var es []Entry
	for _, idx := range order {
		es = append(es, histKV(m, key, idx, counts[idx]))
	}
	return es
}

var histHeaderSpace = regexp.MustCompile(`(?m)^(@.*): $`)

// v017 reads a capture of bpftrace v0.17 output (what followed
// "Attaching 1 probe...") and applies the one v0.26 change that touches
// every histogram: the map header lost its trailing space ("@h: " -> "@h:").
func v017(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name + ".v017.txt")
	if err != nil {
		t.Fatal(err)
	}
	return histHeaderSpace.ReplaceAllString(string(b), "$1:")
}

// plain is the Formatter of a run without symbols or user-space lookups,
// with the default str() trailer.
var plain = &Formatter{TruncTrailer: ".."}

// printed is what print writes on a fresh printer of format (stdout and
// stderr together) for the script "stdin".
func printed(format string, f *Formatter, print func(p Printer)) string {
	var sb strings.Builder
	p := New(format, f, Destination{Stdout: &sb, Stderr: &sb, File: "stdin"})
	print(p)
	p.Flush()
	return sb.String()
}

// exitText runs the text printer's ExitMaps over fixed entries.
func exitText(t *testing.T, data map[*codegen.Map][]Entry, order ...*codegen.Map) string {
	t.Helper()
	return printed("text", plain, func(p Printer) {
		if err := p.ExitMaps(order, func(m *codegen.Map) (*Entries, error) { return EntriesOf(data[m]), nil }); err != nil {
			t.Fatal(err)
		}
	})
}

func checkText(t *testing.T, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s\n(got %q)", got, want, got)
	}
}

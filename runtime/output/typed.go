package output

import (
	"math"
	"slices"
	"time"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
)

// Typed values: what a Go program embedding gobpftrace (runtime/script)
// gets for a map's keys and values and for print(value), decoded from the
// same bytes, with the same symbols and the same folding over CPUs as the
// text output, but as Go values instead of text:
//
//	integers                 int64 (signed types) or uint64 (unsigned)
//	bool                     bool
//	strings and the values   string, as the text output shows them
//	printed as text          (str, ksym/usym, ntop, strftime, username,
//	                         strerror, macaddr, cgroup_path...)
//	buf()                    []byte
//	pointers                 uint64 (the address)
//	tuples                   Tuple; records (named tuples), C structs: Record
//	arrays                   []any
//	kstack, ustack           Stack
//	count()                  uint64
//	sum, min, max, avg       int64 or uint64, as the expression's type
//	stats()                  Stats
//	hist(), lhist()          Histogram
//	tseries()                TimeSeries

// Tuple is a tuple value, one Go value per element.
type Tuple []any

// Record is a named tuple ((a=1, b="x")) or a C struct: its fields in order.
type Record []Field

// Field is one field of a Record.
type Field struct {
	Name  string
	Value any
}

// Get returns the value of the field called name.
func (r Record) Get(name string) (any, bool) {
	for _, f := range r {
		if f.Name == name {
			return f.Value, true
		}
	}
	return nil, false
}

// Stack is a kstack or ustack value: its frames, innermost first.
type Stack struct {
	// User is true for ustack.
	User bool
	// PID is the process of a user stack.
	PID uint32
	// Frames are innermost first.
	Frames []Frame
}

// Frame is one frame of a Stack.
type Frame struct {
	// Addr is the instruction address.
	Addr uint64
	// Symbol is the function containing Addr ("" when unknown), Offset
	// Addr's distance from its start.
	Symbol string
	Offset uint64
	// Module is the file a user frame is in ("" when unknown or kernel).
	Module string
	// Text is the frame as the text output prints it in the stack's mode
	// ("vfs_read+12", or "0x7f3a..." without a symbol).
	Text string
	// Inlined marks a function inlined at Addr (config show_debug_info):
	// Symbol names it, and the frame of the function holding it, at the
	// same Addr, follows.
	Inlined bool
}

// Stats is a stats() value. Sum and Average hold the bits of uint64
// values when Signed is false (stats of an unsigned expression).
type Stats struct {
	Count        uint64
	Sum, Average int64
	Signed       bool
}

// Histogram is a hist() or lhist() value: its buckets from the first to
// the last one holding a count (empty buckets between them included), in
// ascending order. An empty histogram has no buckets.
type Histogram struct {
	Buckets []Bucket
	// Sum is the sum of the values counted, when HasSum: the script was
	// compiled to keep it (script.Options.HistSums, which --metrics sets).
	Sum    int64
	HasSum bool
}

// Bucket is one bucket of a Histogram: Count values v with Min <= v <= Max.
// The bucket of values below a histogram's range has Min math.MinInt64;
// lhist's bucket of values above its range has Max math.MaxInt64.
type Bucket struct {
	Min, Max int64
	Count    uint64
}

// Total is the number of values counted in every bucket.
func (h Histogram) Total() uint64 {
	var n uint64
	for _, b := range h.Buckets {
		n += b.Count
	}
	return n
}

// TimeSeries is a tseries() value: its intervals from the first of the
// map's last num_intervals that holds a value of the key to the last one.
type TimeSeries struct {
	Points []TimePoint
}

// TimePoint is one interval of a TimeSeries: its start, and its value
// (int64 or uint64 as the series' expression) or nil when nothing was
// written in it.
type TimePoint struct {
	Start time.Time
	Value any
}

// TypedEntry is one entry of a map as Go values. Key is nil for a map
// without keys.
type TypedEntry struct {
	Key, Value any
}

// Decode returns the value of type t held in b as a Go value (see above).
func (f *Formatter) Decode(t *lang.Type, b []byte) any {
	if t == nil {
		return nil
	}
	switch t.Kind {
	case lang.KInt:
		if t.Signed {
			return readInt(b, t.Size)
		}
		return readUint(b, t.Size)
	case lang.KBool:
		return readUint(b, 1) != 0
	case lang.KPtr:
		return readUint(b, 8)
	case lang.KBuffer:
		n := min(int(readUint(b, 4)), t.Size)
		return slices.Clone(slice(b, 4, n))
	case lang.KTuple:
		offs := codegen.TupleOffsets(t)
		if t.Names != nil {
			r := make(Record, len(t.Elems))
			for n, e := range t.Elems {
				r[n] = Field{Name: t.Names[n], Value: f.Decode(e, slice(b, offs[n], codegen.Sizeof(e)))}
			}
			return r
		}
		tu := make(Tuple, len(t.Elems))
		for n, e := range t.Elems {
			tu[n] = f.Decode(e, slice(b, offs[n], codegen.Sizeof(e)))
		}
		return tu
	case lang.KArray:
		size := codegen.Sizeof(t.Elem)
		a := make([]any, t.Len)
		for n := range a {
			a[n] = f.Decode(t.Elem, slice(b, n*size, size))
		}
		return a
	case lang.KStruct:
		r := make(Record, len(t.Fields))
		for n, field := range t.Fields {
			var v any
			if field.BitSize == 0 || !field.Type.IsInt() {
				v = f.Decode(field.Type, slice(b, field.Offset, codegen.Sizeof(field.Type)))
			} else {
				v = f.decodeField(field, b).u
			}
			r[n] = Field{Name: field.Name, Value: v}
		}
		return r
	case lang.KStack:
		return f.typedStack(t, b)
	case lang.KVoid, lang.KNone, lang.KInvalid:
		return nil
	}
	it := f.decode(t, b)
	switch it.kind {
	case itemInt:
		return it.i
	case itemUint:
		return it.u
	}
	return it.text()
}

// typedStack decodes a kstack/ustack value into its frames.
func (f *Formatter) typedStack(t *lang.Type, b []byte) Stack {
	st := Stack{User: t.UserSpace}
	pid, addrs, _ := f.stackAddrs(t, b)
	st.PID = pid
	s := f.Symbols
	for _, addr := range addrs {
		lines := frameLines(s, t, st.PID, addr)
		if len(lines) > 1 {
			inlined, _ := sourceFrames(s, st.PID, addr)
			for i, in := range inlined {
				if i < len(lines)-1 {
					st.Frames = append(st.Frames, Frame{Addr: addr, Symbol: in.Name, Text: lines[i], Inlined: true})
				}
			}
		}
		fr := Frame{Addr: addr, Text: lines[len(lines)-1]}
		if t.UserSpace {
			name, off, module, ok := s.User(st.PID, addr)
			fr.Module = module
			if ok {
				fr.Symbol, fr.Offset = name, off
			}
		} else if name, off, ok := s.Kernel(addr); ok {
			fr.Symbol, fr.Offset = name, off
		}
		st.Frames = append(st.Frames, fr)
	}
	return st
}

// TypedMap returns the entries read from map m as Go values, folded over
// CPUs, in the order print(@m) prints them.
func (f *Formatter) TypedMap(m *codegen.Map, entries *Entries) []TypedEntry {
	var keyOf func([]byte) any
	if m.Key != nil {
		keyOf = func(b []byte) any { return f.Decode(m.Key, slice(b, 0, codegen.Sizeof(m.Key))) }
	} else {
		keyOf = func([]byte) any { return nil }
	}
	if m.Value != nil && (m.Value.Kind == lang.KHist || m.Value.Kind == lang.KLhist) {
		hs := sortedHistEntries(m, entries)
		out := make([]TypedEntry, len(hs))
		for n, h := range hs {
			hist := typedHistogram(m.Value, h.buckets)
			hist.Sum, hist.HasSum = h.sum, h.summed
			out[n] = TypedEntry{Key: keyOf(h.key), Value: hist}
		}
		return out
	}
	if m.Value != nil && m.Value.Kind == lang.KTseries {
		xs := sortedTseriesEntries(m, entries)
		points := f.tseriesPoints(m.Value, xs)
		out := make([]TypedEntry, len(xs))
		for n, x := range xs {
			ts := TimeSeries{Points: make([]TimePoint, len(points[n]))}
			for i, p := range points[n] {
				ts.Points[i].Start = time.Unix(0, p.start)
				if p.ok {
					ts.Points[i].Value = typedNumber(p.value, m.Value.Signed)
				}
			}
			out[n] = TypedEntry{Key: keyOf(x.key), Value: ts}
		}
		return out
	}
	v := valueType(m)
	xs := sortedValueEntries(m, entries)
	out := make([]TypedEntry, len(xs))
	for n, x := range xs {
		out[n] = TypedEntry{Key: keyOf(x.key), Value: f.typedAggregate(v, x.values)}
	}
	return out
}

// typedAggregate folds one entry's per-CPU values.
func (f *Formatter) typedAggregate(v *lang.Type, values Values) any {
	first := values.First()
	typed := func(bits uint64, signed bool) any {
		if signed {
			return int64(bits)
		}
		return bits
	}
	switch v.Kind {
	case lang.KCount:
		return sumU64(values)
	case lang.KSum:
		return typed(sumU64(values), v.Signed)
	case lang.KMin, lang.KMax:
		return typed(minMax(values, v.Kind == lang.KMax, v.Signed), v.Signed)
	case lang.KAvg:
		return typed(foldStats(values, v.Signed).avg, v.Signed)
	case lang.KStats:
		s := foldStats(values, v.Signed)
		return Stats{Count: s.count, Sum: int64(s.total), Average: int64(s.avg), Signed: v.Signed}
	}
	return f.Decode(v, first)
}

// typedHistogram turns a hist/lhist key's bucket counts (by bucket index)
// into its buckets with their bounds.
func typedHistogram(v *lang.Type, counts []uint64) Histogram {
	first, last := -1, -1
	for n, c := range counts {
		if c != 0 {
			if first < 0 {
				first = n
			}
			last = n
		}
	}
	var h Histogram
	if first < 0 {
		return h
	}
	for i := first; i <= last; i++ {
		lo, hi := bucketBounds(v, i)
		h.Buckets = append(h.Buckets, Bucket{Min: lo, Max: hi, Count: counts[i]})
	}
	return h
}

// bucketBounds is the range of values bucket index i of a hist or lhist
// of type v counts, both ends included.
func bucketBounds(v *lang.Type, i int) (lo, hi int64) {
	if v.Kind == lang.KLhist {
		// Bucket 0 holds v < min, bucket i [min+(i-1)*step, min+i*step),
		// the last one v >= max.
		min, max, step := v.LhistMin, v.LhistMax, v.LhistStep
		if i == 0 {
			return math.MinInt64, min - 1
		}
		lo = min + int64(i-1)*step
		if up := min + int64(i)*step; up <= max {
			return lo, up - 1
		}
		return lo, math.MaxInt64
	}
	// hist: bucket 0 holds negative values; bucket i starts where the
	// label of bucket i-1 says and ends before the label of bucket i.
	if i == 0 {
		return math.MinInt64, -1
	}
	lo, _ = log2Start(i-1, v.Bits)
	next, ok := log2Start(i, v.Bits)
	if !ok {
		return lo, math.MaxInt64 // the last bucket of 64-bit values
	}
	return lo, next - 1
}

// log2Start is the first value of the bucket after index i of a hist with
// 2^k buckets per power of two (the label the text output prints), and
// false when that is beyond int64.
func log2Start(i, k int) (int64, bool) {
	if i <= 2<<uint(k) {
		return int64(i), true
	}
	u := log2Label(i, k).u
	if u > math.MaxInt64 || u == 0 {
		return math.MaxInt64, false
	}
	return int64(u), true
}

// typedNumber is int64 or uint64 bits as a Go value of that signedness.
func typedNumber(bits uint64, signed bool) any {
	if signed {
		return int64(bits)
	}
	return bits
}

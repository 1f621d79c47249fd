package output

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
)

// Every value lands in a bucket whose bounds hold it: the bounds that
// TypedMap gives agree with the bucket the kernel code picks.
func TestHistogramBucketBoundsHoldTheirValues(t *testing.T) {
	hist := &lang.Type{Kind: lang.KHist}
	lhist := &lang.Type{Kind: lang.KLhist, LhistMin: -20, LhistMax: 100, LhistStep: 7}
	values := []int64{math.MinInt64, -5, -1, 0, 1, 2, 3, 4, 5, 7, 8, 1000, 1 << 40, 1<<62 + 5, math.MaxInt64}
	for v := int64(-30); v < 130; v++ {
		values = append(values, v)
	}
	for _, v := range values {
		if v >= 0 || v == -5 || v == -1 {
			lo, hi := bucketBounds(hist, int(log2Index(v)))
			if v < lo || v > hi {
				t.Errorf("hist: %d is in bucket %d [%d, %d]", v, log2Index(v), lo, hi)
			}
		}
		lo, hi := bucketBounds(lhist, int(lhistIndex(v, -20, 100, 7)))
		if v < lo || v > hi {
			t.Errorf("lhist: %d is in bucket %d [%d, %d]", v, lhistIndex(v, -20, 100, 7), lo, hi)
		}
	}
}

func TestTypedMapHistograms(t *testing.T) {
	f := &Formatter{}
	// hist(n, 2): the buckets the text output labels [7], [8, 10), [10, 12).
	h := newMap("@", nil, &lang.Type{Kind: lang.KHist, Bits: 2})
	got := f.TypedMap(h, EntriesOf([]Entry{histKV(h, nil, 10, 1, 2), histKV(h, nil, 8, 1)}))
	want := []TypedEntry{{Value: Histogram{Buckets: []Bucket{{7, 7, 1}, {8, 9, 0}, {10, 11, 3}}}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("hist(n, 2): %+v, want %+v", got, want)
	}
	// Keyed lhist, below and above its range, ordered by total.
	l := newMap("@l", tStr16, &lang.Type{Kind: lang.KLhist, LhistMin: 0, LhistMax: 10, LhistStep: 5})
	entries := append(histOf(l, "b", -1, 3, 10, 11), histOf(l, "a", 6)...)
	got = f.TypedMap(l, EntriesOf(entries))
	want = []TypedEntry{
		{Key: "a", Value: Histogram{Buckets: []Bucket{{5, 9, 1}}}},
		{Key: "b", Value: Histogram{Buckets: []Bucket{{math.MinInt64, -1, 1}, {0, 4, 1}, {5, 9, 0}, {10, math.MaxInt64, 2}}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("lhist: %+v, want %+v", got, want)
	}
	if n := got[1].Value.(Histogram).Total(); n != 4 {
		t.Errorf("Total %d", n)
	}
}

// Aggregations fold over CPUs as the text output does, typed by the
// expression's signedness; keys keep their types.
func TestTypedMapAggregations(t *testing.T) {
	f := &Formatter{}
	key := tuple(tStr16, tI64)
	cases := []struct {
		value *lang.Type
		cpus  [][]byte
		want  any
	}{
		{&lang.Type{Kind: lang.KCount}, [][]byte{u64(2), u64(3)}, uint64(5)},
		{&lang.Type{Kind: lang.KSum, Signed: true}, [][]byte{i64(-7), i64(3)}, int64(-4)},
		{&lang.Type{Kind: lang.KSum}, [][]byte{u64(7), u64(3)}, uint64(10)},
		{&lang.Type{Kind: lang.KMin, Signed: true}, [][]byte{minMaxCPU(-3, true), minMaxCPU(-9, false), minMaxCPU(4, true)}, int64(-3)},
		{&lang.Type{Kind: lang.KMax}, [][]byte{minMaxCPU(3, true), minMaxCPU(9, true)}, uint64(9)},
		{&lang.Type{Kind: lang.KAvg, Signed: true}, [][]byte{statsCPU(-10, 2), statsCPU(4, 1)}, int64(-2)},
		{&lang.Type{Kind: lang.KStats, Signed: true}, [][]byte{statsCPU(-10, 2), statsCPU(4, 1)}, Stats{Count: 3, Sum: -6, Average: -2, Signed: true}},
		{lang.TInt32, [][]byte{encode(lang.TInt32, int64(-5))}, int64(-5)},
		{tStr16, [][]byte{encode(tStr16, "value")}, "value"},
	}
	for _, c := range cases {
		m := newMap("@m", key, c.value)
		got := f.TypedMap(m, EntriesOf([]Entry{entry(m, []any{"k", int64(-1)}, c.cpus...)}))
		want := []TypedEntry{{Key: Tuple{"k", int64(-1)}, Value: c.want}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %#v, want %#v", c.value, got, want)
		}
	}
}

func TestDecodeShapes(t *testing.T) {
	f := &Formatter{TruncTrailer: ".."}
	rec := &lang.Type{Kind: lang.KTuple, Elems: []*lang.Type{lang.TUint8, lang.TBool}, Names: []string{"a", "b"}}
	rec.Size = codegen.Sizeof(rec)
	if got, want := f.Decode(rec, []byte{7, 0, 1, 0}), (Record{{"a", uint64(7)}, {"b", false}}); !reflect.DeepEqual(got, want) {
		// bytes: a = 7 at 0, b at 1 = 0
		t.Errorf("record %#v, want %#v", got, want)
	}
	if v, ok := (Record{{"a", 1}}).Get("a"); !ok || v != 1 {
		t.Errorf("Record.Get")
	}
	buf := &lang.Type{Kind: lang.KBuffer, Size: 8}
	if got := f.Decode(buf, []byte{3, 0, 0, 0, 'a', 0, 'c', 'z'}); !reflect.DeepEqual(got, []byte{'a', 0, 'c'}) {
		t.Errorf("buf %#v", got)
	}
	arr := &lang.Type{Kind: lang.KArray, Elem: lang.TInt16, Len: 2}
	if got := f.Decode(arr, []byte{0xff, 0xff, 2, 0}); !reflect.DeepEqual(got, []any{int64(-1), int64(2)}) {
		t.Errorf("array %#v", got)
	}
	// A string str() cut keeps its trailer, as printed: all its bytes
	// then the trailer below 1024 bytes, one byte fewer and no trailer
	// from 1024 on (bpftrace v0.26).
	if got := f.Decode(lang.StringType(4), []byte("abcd")); got != "abcd.." {
		t.Errorf("truncated string %#v", got)
	}
	long := strings.Repeat("x", 1024)
	if got := f.Decode(lang.StringType(1024), []byte(long)); got != long[:1023] {
		t.Errorf("truncated 1024-byte string %q", got)
	}
	ptr := &lang.Type{Kind: lang.KPtr, Elem: lang.TUint8}
	if got := f.Decode(ptr, u64(0xffff1234)); got != uint64(0xffff1234) {
		t.Errorf("pointer %#v", got)
	}
	// Without symbols a stack has no frames.
	st := &lang.Type{Kind: lang.KStack, UserSpace: true}
	if got := f.Decode(st, append(u64(3), 0x39, 0x30, 0, 0)); !reflect.DeepEqual(got, Stack{User: true, PID: 12345}) {
		t.Errorf("stack %#v", got)
	}
}

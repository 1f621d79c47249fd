package output

import (
	"testing"
	"time"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
)

func tseriesType(interval, n int64, agg string, signed bool) *lang.Type {
	return &lang.Type{Kind: lang.KTseries, Signed: signed, TseriesInterval: interval, TseriesIntervals: n, TseriesAgg: agg}
}

// tseriesMap is a tseries map as codegen lays it out: the key ends with
// the u64 bucket.
func tseriesMap(name string, key, value *lang.Type) *codegen.Map {
	m := newMap(name, key, value)
	m.KeySize = 8
	if key != nil {
		m.KeySize = alignUp8(codegen.Sizeof(key)) + 8
	}
	return m
}

// tsCPU is one CPU's {value, meta, epoch} of a bucket.
func tsCPU(v int64, meta, epoch uint64) []byte {
	return append(append(i64(v), u64(meta)...), u64(epoch)...)
}

// tsKV is the kernel entry of the bucket holding epoch for key.
func tsKV(m *codegen.Map, key any, epoch uint64, cpus ...[]byte) Entry {
	var k []byte
	if m.Key != nil {
		k = encode(m.Key, key)
		k = append(k, make([]byte, alignUp8(len(k))-len(k))...)
	}
	k = append(k, u64(epoch%uint64(m.Value.TseriesIntervals))...)
	return Entry{Key: k, Values: cpus}
}

// inUTC runs f with local time being UTC, so that chart times are fixed.
func inUTC(t *testing.T, f func()) {
	t.Helper()
	saved := time.Local
	time.Local = time.UTC
	defer func() { time.Local = saved }()
	f()
}

// The case of bpftrace's own printer test (print_tseries_map): two keys,
// 1ms intervals, 5 kept; key 0 was last written an interval before key 1,
// so its window ends with a gap, and its value of the interval before the
// window is left out.
func TestTseriesTwoKeysWindowAndGap(t *testing.T) {
	const base = 173482610888837 // ns
	first := uint64(base / 1_000_000)
	m := tseriesMap("tseries_map_1", tI64, tseriesType(1_000_000, 5, "", true))
	var es []Entry
	for i := uint64(1); i <= 5; i++ {
		// Key 0 on CPU 1, key 1 on CPU 0; the other CPU never wrote it.
		es = append(es, tsKV(m, 0, first+i, tsCPU(0, 0, 0), tsCPU(int64(i), base, first+i)))
		es = append(es, tsKV(m, 1, first+i+1, tsCPU(int64(i), base, first+i+1), tsCPU(0, 0, 0)))
	}
	var got string
	inUTC(t, func() {
		got = printed("text", plain, func(p Printer) {
			if err := p.Map(m, EntriesOf(es), 0, 0); err != nil {
				t.Fatal(err)
			}
		})
	})
	checkText(t, got, `tseries_map_1[0]:
             2                                                   5
hh:mm:ss.ms  |___________________________________________________|
00:11:22.612 *                                                   | 2
00:11:22.613 |                *                                  | 3
00:11:22.614 |                                 *                 | 4
00:11:22.615 |                                                   * 5
00:11:22.616 |                                                   | -
             v___________________________________________________v
             2                                                   5

tseries_map_1[1]:
             1                                                   5
hh:mm:ss.ms  |___________________________________________________|
00:11:22.612 *                                                   | 1
00:11:22.613 |            *                                      | 2
00:11:22.614 |                         *                         | 3
00:11:22.615 |                                      *            | 4
00:11:22.616 |                                                   * 5
             v___________________________________________________v
             1                                                   5

`)
	got = printed("json", plain, func(p Printer) {
		if err := p.Map(m, EntriesOf(es), 0, 0); err != nil {
			t.Fatal(err)
		}
	})
	want := `{"type": "tseries", "data": {"tseries_map_1": {"0": [` +
		`{"interval_start":"1970-01-03 00:11:22.612000000","value":2},{"interval_start":"1970-01-03 00:11:22.613000000","value":3},` +
		`{"interval_start":"1970-01-03 00:11:22.614000000","value":4},{"interval_start":"1970-01-03 00:11:22.615000000","value":5}], "1": [` +
		`{"interval_start":"1970-01-03 00:11:22.612000000","value":1},{"interval_start":"1970-01-03 00:11:22.613000000","value":2},` +
		`{"interval_start":"1970-01-03 00:11:22.614000000","value":3},{"interval_start":"1970-01-03 00:11:22.615000000","value":4},` +
		`{"interval_start":"1970-01-03 00:11:22.616000000","value":5}]}}}` + "\n"
	checkText(t, got, want)
}

// A flat series gets one unit of room on each side (the v0.26 runtime
// test "tseries": five intervals of 9 between 8 and 10); a series without
// keys prints under "@a:".
func TestTseriesFlatSeconds(t *testing.T) {
	m := tseriesMap("@a", nil, tseriesType(1_000_000_000, 5, "", true))
	var es []Entry
	for e := uint64(100); e < 105; e++ {
		es = append(es, tsKV(m, nil, e, tsCPU(9, e*1e9, e)))
	}
	var got string
	inUTC(t, func() { got = exitText(t, map[*codegen.Map][]Entry{m: es}, m) })
	checkText(t, got, "\n\n@a:\n"+
		"         8                                                  10\n"+
		"hh:mm:ss |___________________________________________________|\n"+
		"00:01:40 |                         *                         | 9\n"+
		"00:01:41 |                         *                         | 9\n"+
		"00:01:42 |                         *                         | 9\n"+
		"00:01:43 |                         *                         | 9\n"+
		"00:01:44 |                         *                         | 9\n"+
		"         v___________________________________________________v\n"+
		"         8                                                  10\n\n")
}

// print(@, -10, 10): the chart spans the given range and marks zero; the
// values are those of the zigzag of bpftrace's docs (100ms intervals).
func TestTseriesFixedRangeZeroLine(t *testing.T) {
	m := tseriesMap("@", nil, tseriesType(100_000_000, 20, "", true))
	var es []Entry
	vals := []int64{-5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5}
	for i, v := range vals {
		e := uint64(36000 + 1 + i) // 01:00:00.100 on
		es = append(es, tsKV(m, nil, e, tsCPU(v, 1, e)))
	}
	var got string
	inUTC(t, func() {
		got = printed("text", plain, func(p Printer) {
			if err := p.(RangePrinter).MapRange(m, EntriesOf(es), -10, 10); err != nil {
				t.Fatal(err)
			}
		})
	})
	checkText(t, got, `@:
             -10                                                10
hh:mm:ss.ms  |___________________________________________________|
01:00:00.100 |            *            .                         | -5
01:00:00.200 |              *          .                         | -4
01:00:00.300 |                 *       .                         | -3
01:00:00.400 |                   *     .                         | -2
01:00:00.500 |                      *  .                         | -1
01:00:00.600 |                         *                         | 0
01:00:00.700 |                         . *                       | 1
01:00:00.800 |                         .    *                    | 2
01:00:00.900 |                         .      *                  | 3
01:00:01.000 |                         .         *               | 4
01:00:01.100 |                         .            *            | 5
             v___________________________________________________v
             -10                                                10

`)
}

// Per-CPU folding: the CPUs' values of an interval combine as the
// aggregation says; a CPU's value of an older interval in the same bucket
// is ignored; the last-value series keeps the latest write.
func TestTseriesFoldAggregations(t *testing.T) {
	const e = 1000
	for _, c := range []struct {
		agg    string
		signed bool
		cpus   [][]byte
		want   any
	}{
		{"", true, [][]byte{tsCPU(7, 50, e), tsCPU(3, 60, e), tsCPU(100, 99, e-4)}, int64(3)},
		{"avg", true, [][]byte{tsCPU(-10, 2, e), tsCPU(4, 1, e), tsCPU(100, 9, e-4)}, int64(-2)},
		{"sum", false, [][]byte{tsCPU(10, 0, e), tsCPU(4, 0, e), tsCPU(100, 0, e-4)}, uint64(14)},
		{"min", true, [][]byte{tsCPU(-3, 1, e), tsCPU(4, 1, e), tsCPU(-100, 1, e-4)}, int64(-3)},
		{"max", false, [][]byte{tsCPU(3, 1, e), tsCPU(-1, 1, e), tsCPU(0, 0, 0)}, ^uint64(0)},
		{"max", true, [][]byte{tsCPU(3, 1, e), tsCPU(-1, 1, e), tsCPU(0, 0, 0)}, int64(3)},
	} {
		m := tseriesMap("@", nil, tseriesType(1000, 4, c.agg, c.signed))
		typed := plain.TypedMap(m, EntriesOf([]Entry{tsKV(m, nil, e, c.cpus...)}))
		if len(typed) != 1 {
			t.Fatalf("%s: %d entries", c.agg, len(typed))
		}
		ts := typed[0].Value.(TimeSeries)
		if len(ts.Points) != 1 || ts.Points[0].Value != c.want || ts.Points[0].Start.UnixNano() != e*1000 {
			t.Errorf("%q signed %v: got %+v, want one point %v at %d", c.agg, c.signed, ts.Points, c.want, e*1000)
		}
	}
}

// zero(@a) leaves buckets that no CPU wrote: bpftrace prints "<no data>"
// (and [] in JSON).
func TestTseriesNoData(t *testing.T) {
	m := tseriesMap("@a", nil, tseriesType(1000, 5, "", false))
	es := []Entry{tsKV(m, nil, 3, tsCPU(0, 0, 0), tsCPU(0, 0, 0))}
	checkText(t, printed("text", plain, func(p Printer) { p.Map(m, EntriesOf(es), 0, 0) }), "@a:\n<no data>\n")
	checkText(t, printed("json", plain, func(p Printer) { p.Map(m, EntriesOf(es), 0, 0) }), `{"type": "tseries", "data": {"@a": []}}`+"\n")
}

// The time axis follows the interval: microseconds print 6 digits under
// "hh:mm:ss.μs" (its 'μ' two bytes wide, as bpftrace pads it).
func TestTseriesMicroseconds(t *testing.T) {
	m := tseriesMap("@", nil, tseriesType(5_000, 3, "sum", false))
	es := []Entry{tsKV(m, nil, 200, tsCPU(1, 0, 200)), tsKV(m, nil, 202, tsCPU(3, 0, 202))}
	var got string
	inUTC(t, func() { got = printed("text", plain, func(p Printer) { p.Map(m, EntriesOf(es), 0, 0) }) })
	checkText(t, got, `@:
                1                                                   3
hh:mm:ss.μs    |___________________________________________________|
00:00:00.001000 *                                                   | 1
00:00:00.001005 |                                                   | -
00:00:00.001010 |                                                   * 3
                v___________________________________________________v
                1                                                   3

`)
}

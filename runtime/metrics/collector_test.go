package metrics

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/runtime/output"
	"github.com/gobpftrace/gobpftrace/runtime/script"
)

func TestExposition(t *testing.T) {
	calls := newMap("@calls", nil, &lang.Type{Kind: lang.KCount})
	bycomm := newMap("@bycomm", tStr, &lang.Type{Kind: lang.KCount})
	bytes := newMap("@bytes", tuple(nil, tStr, lang.TUint64), &lang.Type{Kind: lang.KSum, Signed: true})
	lat := newMap("@lat", nil, &lang.Type{Kind: lang.KHist})
	lin := newMap("@lin", tuple([]string{"cpu"}, lang.TUint64), &lang.Type{Kind: lang.KLhist, LhistMin: 0, LhistMax: 30, LhistStep: 10})
	st := newMap("@st", nil, &lang.Type{Kind: lang.KStats, Signed: true})
	hi := newMap("@hi", lang.TUint64, &lang.Type{Kind: lang.KMax, Signed: true})
	avg := newMap("@avg", nil, &lang.Type{Kind: lang.KAvg})
	last := newMap("@", nil, lang.TInt64)
	names := newMap("@names", lang.TUint64, tStr)
	data := map[*codegen.Map][]output.Entry{
		calls:  {entry(calls, nil, u64(3), u64(4))},
		bycomm: {entry(bycomm, "bash", u64(2), u64(0)), entry(bycomm, "sshd", u64(1), u64(9))},
		bytes:  {entry(bytes, []any{"cat", 7}, i64(-5), i64(100))},
		// 0 once, 1 twice, 5 three times (bucket [4, 8)), -3 once.
		lat: {bucket(lat, nil, 1, 1, 0), bucket(lat, nil, 2, 1, 1), bucket(lat, nil, 4, 0, 3), bucket(lat, nil, 0, 1, 0)},
		// cpu 1: 15 twice ([10, 20)), 99 once (>= 30).
		lin:   {bucket(lin, []any{1}, 2, 2), bucket(lin, []any{1}, 4, 1)},
		st:    {entry(st, nil, pair(-10, 2), pair(40, 3))},
		hi:    {entry(hi, 1, pair(-7, 1), pair(-9, 1)), entry(hi, 2, pair(12, 1), pair(0, 0))},
		avg:   {entry(avg, nil, pair(10, 2), pair(20, 2))},
		last:  {entry(last, nil, i64(-42))},
		names: {entry(names, 1, encode(tStr, "init"))},
	}
	var warnings strings.Builder
	c := fixed(t, data, Config{}, &warnings)
	got := exposition(t, c)
	// @lat's 64 finite buckets end at -1 and 2^n - 1: checked apart.
	var latBuckets []string
	var rest strings.Builder
	for _, line := range strings.SplitAfter(got, "\n") {
		if strings.HasPrefix(line, "gobpftrace_lat_bucket") {
			latBuckets = append(latBuckets, line)
		} else {
			rest.WriteString(line)
		}
	}
	checkText(t, rest.String(), `# HELP gobpftrace_avg gobpftrace map @avg: avg()
# TYPE gobpftrace_avg gauge
gobpftrace_avg 7
# HELP gobpftrace_bycomm_total gobpftrace map @bycomm: count()
# TYPE gobpftrace_bycomm_total counter
gobpftrace_bycomm_total{key="bash"} 2
gobpftrace_bycomm_total{key="sshd"} 10
# HELP gobpftrace_bytes_total gobpftrace map @bytes: sum()
# TYPE gobpftrace_bytes_total counter
gobpftrace_bytes_total{key0="cat",key1="7"} 95
# HELP gobpftrace_calls_total gobpftrace map @calls: count()
# TYPE gobpftrace_calls_total counter
gobpftrace_calls_total 7
# HELP gobpftrace_hi gobpftrace map @hi: max()
# TYPE gobpftrace_hi gauge
gobpftrace_hi{key="1"} -7
gobpftrace_hi{key="2"} 12
# HELP gobpftrace_lat gobpftrace map @lat: hist(): le is the largest value of each power-of-two bucket
# TYPE gobpftrace_lat histogram
gobpftrace_lat_sum NaN
gobpftrace_lat_count 7
# HELP gobpftrace_lin gobpftrace map @lin: lhist(x, 0, 30, 10): le is the largest value of each bucket
# TYPE gobpftrace_lin histogram
gobpftrace_lin_bucket{cpu="1",le="-1"} 0
gobpftrace_lin_bucket{cpu="1",le="9"} 0
gobpftrace_lin_bucket{cpu="1",le="19"} 2
gobpftrace_lin_bucket{cpu="1",le="29"} 2
gobpftrace_lin_bucket{cpu="1",le="+Inf"} 3
gobpftrace_lin_sum{cpu="1"} NaN
gobpftrace_lin_count{cpu="1"} 3
# HELP gobpftrace_map gobpftrace map @: an integer
# TYPE gobpftrace_map gauge
gobpftrace_map -42
# HELP gobpftrace_st gobpftrace map @st: stats()
# TYPE gobpftrace_st summary
gobpftrace_st_sum 30
gobpftrace_st_count 5
`)
	want := []string{"gobpftrace_lat_bucket{le=\"-1\"} 1\n"}
	for n := 0; n <= 62; n++ {
		le := math.Ldexp(1, n) - 1
		count := 7 // -3, 0, 1, 1 and 5, 5, 5
		switch n {
		case 0:
			count = 2
		case 1, 2:
			count = 4
		}
		want = append(want, fmt.Sprintf("gobpftrace_lat_bucket{le=%q} %d\n", strconv.FormatFloat(le, 'g', -1, 64), count))
	}
	want = append(want, "gobpftrace_lat_bucket{le=\"+Inf\"} 7\n")
	checkText(t, strings.Join(latBuckets, ""), strings.Join(want, ""))
	checkText(t, warnings.String(), "WARNING: --metrics: @names holds string values, which are not numbers: it is not exported\n")
}

// Keys of every shape become label values as the exit print shows them.
func TestLabelValues(t *testing.T) {
	stack := script.Stack{Frames: []script.Frame{{Text: "vfs_read+12"}, {Text: "ksys_read+100"}}}
	pair := tuple(nil, lang.TInt64, tStr)
	cases := []struct {
		t    *lang.Type
		key  any
		want []string
	}{
		{nil, nil, nil},
		{lang.TInt64, int64(-3), []string{"-3"}},
		{lang.TUint64, uint64(7), []string{"7"}},
		{tStr, "bash", []string{"bash"}},
		{tStr, "bad \xff byte", []string{"bad \uFFFD byte"}},
		{&lang.Type{Kind: lang.KBool}, true, []string{"true"}},
		{&lang.Type{Kind: lang.KBuffer}, []byte("a\x00\xff"), []string{`a\x00\xff`}},
		{&lang.Type{Kind: lang.KStack}, stack, []string{"vfs_read+12\nksys_read+100"}},
		{pair, script.Tuple{int64(1), "x"}, []string{"1", "x"}},
		{tuple([]string{"a", "b"}, lang.TInt64, tStr), script.Record{{Name: "a", Value: int64(2)}, {Name: "b", Value: "y"}}, []string{"2", "y"}},
		{tuple(nil, pair, lang.TInt64), script.Tuple{script.Tuple{int64(1), "x"}, int64(5)}, []string{"(1, x)", "5"}},
		{&lang.Type{Kind: lang.KStruct}, script.Record{{Name: "x", Value: int64(1)}, {Name: "y", Value: []any{int64(1), int64(2)}}}, []string{"{ .x = 1, .y = [1,2] }"}},
	}
	for _, c := range cases {
		if got := labelValues(c.t, c.key); !slices.Equal(got, c.want) {
			t.Errorf("%v %#v: got %q, want %q", c.t, c.key, got, c.want)
		}
	}
}

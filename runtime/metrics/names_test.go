package metrics

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/runtime"
	"github.com/gobpftrace/gobpftrace/runtime/output"
	"github.com/gobpftrace/gobpftrace/runtime/script"
)

func TestNamesAndLabelsByFlag(t *testing.T) {
	pairs := newMap("@pairs", tuple(nil, tStr, lang.TUint64), &lang.Type{Kind: lang.KCount})
	rec := newMap("@rec", tuple([]string{"comm", "pid"}, tStr, lang.TUint64), &lang.Type{Kind: lang.KMin, Signed: true})
	lat := newMap("@lat", lang.TUint64, &lang.Type{Kind: lang.KLhist, LhistMin: 0, LhistMax: 10, LhistStep: 10})
	data := map[*codegen.Map][]output.Entry{
		pairs: {entry(pairs, []any{"cat", 12}, u64(5))},
		rec:   {entry(rec, []any{"ls", 3}, pair(-1, 1))},
		lat:   {bucket(lat, 4, 1, 2)},
	}
	prefix := "node_"
	cfg := Config{
		Prefix: &prefix,
		Names:  map[string]string{"@pairs": "opens", "@lat": "sched:latency"},
		Labels: map[string][]string{"@pairs": {"comm", "fd"}, "@lat": {"cpu"}},
	}
	checkText(t, exposition(t, fixed(t, data, cfg, nil)), `# HELP node_rec gobpftrace map @rec: min()
# TYPE node_rec gauge
node_rec{comm="ls",pid="3"} -1
# HELP opens_total gobpftrace map @pairs: count()
# TYPE opens_total counter
opens_total{comm="cat",fd="12"} 5
# HELP sched:latency gobpftrace map @lat: lhist(x, 0, 10, 10): le is the largest value of each bucket
# TYPE sched:latency histogram
sched:latency_bucket{cpu="4",le="-1"} 0
sched:latency_bucket{cpu="4",le="9"} 2
sched:latency_bucket{cpu="4",le="+Inf"} 2
sched:latency_sum{cpu="4"} NaN
sched:latency_count{cpu="4"} 2
`)
}

func TestNameErrors(t *testing.T) {
	count := &lang.Type{Kind: lang.KCount}
	a := newMap("@a", nil, count)
	aTotal := newMap("@a_total", nil, count)
	h := newMap("@h", tuple([]string{"le"}, lang.TUint64), &lang.Type{Kind: lang.KHist})
	st := newMap("@st", tuple(nil, lang.TUint64, lang.TUint64), &lang.Type{Kind: lang.KStats})
	bad := "9x"
	cases := []struct {
		maps []*codegen.Map
		cfg  Config
		want string
	}{
		{[]*codegen.Map{a}, Config{Names: map[string]string{"@b": "b"}},
			"--metric-name @b: the script has no map @b (its maps are @a)"},
		{[]*codegen.Map{a}, Config{Labels: map[string][]string{"@zz": {"x"}}},
			"--metric-labels @zz: the script has no map @zz (its maps are @a)"},
		{[]*codegen.Map{a}, Config{Names: map[string]string{"@a": "a-b"}},
			`--metric-name @a=a-b: "a-b" is not a valid Prometheus metric name (letters, digits, _ and :, not starting with a digit)`},
		{[]*codegen.Map{a}, Config{Prefix: &bad},
			`--metrics-prefix "9x": 9xa is not a valid Prometheus metric name (letters, digits, _ and :, not starting with a digit)`},
		{[]*codegen.Map{a, aTotal}, Config{},
			"--metrics: @a_total would be exported as gobpftrace_a_total, which @a already writes: name it with --metric-name @a_total=NAME"},
		{[]*codegen.Map{h}, Config{},
			`the label "le" of @h is the label of histogram buckets: name the labels with --metric-labels @h=NAME,...`},
		{[]*codegen.Map{st}, Config{Labels: map[string][]string{"@st": {"a"}}},
			"--metric-labels @st=a: @st's key has 2 parts, so it needs 2 label names"},
		{[]*codegen.Map{st}, Config{Labels: map[string][]string{"@st": {"a", "a"}}},
			`the label "a" of @st is used twice: name the labels with --metric-labels @st=NAME,...`},
		{[]*codegen.Map{st}, Config{Labels: map[string][]string{"@st": {"quantile", "b"}}},
			`the label "quantile" of @st is the label of summary quantiles: name the labels with --metric-labels @st=NAME,...`},
		{[]*codegen.Map{st}, Config{Labels: map[string][]string{"@st": {"__x", "b"}}},
			`the label "__x" of @st starts with __, which Prometheus keeps for itself: name the labels with --metric-labels @st=NAME,...`},
		{[]*codegen.Map{st}, Config{Labels: map[string][]string{"@st": {"a.b", "c"}}},
			`the label "a.b" of @st is not a valid Prometheus label name (letters, digits and _, not starting with a digit): name the labels with --metric-labels @st=NAME,...`},
		{[]*codegen.Map{newMap("@metrics_dropped_keys", lang.TUint64, lang.TInt64)}, Config{},
			"--metrics: @metrics_dropped_keys would be exported as gobpftrace_metrics_dropped_keys, which gobpftrace itself already writes: name it with --metric-name @metrics_dropped_keys=NAME"},
	}
	for _, c := range cases {
		_, err := New(c.maps, c.cfg, nil)
		if err == nil || err.Error() != c.want {
			t.Errorf("got error %v\nwant        %s", err, c.want)
		}
	}
}

// A scrape exports at most MaxSeries series: the keys with the largest
// values first, a warning the first time a map does not fit, and a gauge
// of the keys left out from then on.
func TestSeriesBound(t *testing.T) {
	calls := newMap("@calls", lang.TUint64, &lang.Type{Kind: lang.KCount})
	lat := newMap("@lat", nil, &lang.Type{Kind: lang.KLhist, LhistMin: 0, LhistMax: 20, LhistStep: 10})
	data := map[*codegen.Map][]output.Entry{
		calls: {entry(calls, 1, u64(10)), entry(calls, 2, u64(30)), entry(calls, 3, u64(20)), entry(calls, 4, u64(5))},
		lat:   {bucket(lat, nil, 1, 1)},
	}
	var warnings strings.Builder
	c := fixed(t, data, Config{MaxSeries: 6}, &warnings)
	// Maps take the budget in name order: @calls' 4 series fit, and
	// then @lat's 6 (3 buckets, +Inf, _sum, _count) do not.
	want := `# HELP gobpftrace_calls_total gobpftrace map @calls: count()
# TYPE gobpftrace_calls_total counter
gobpftrace_calls_total{key="1"} 10
gobpftrace_calls_total{key="2"} 30
gobpftrace_calls_total{key="3"} 20
gobpftrace_calls_total{key="4"} 5
# HELP gobpftrace_metrics_dropped_keys Keys of a map that the last scrape left out: a scrape exports at most 6 series (--metrics-max-series).
# TYPE gobpftrace_metrics_dropped_keys gauge
gobpftrace_metrics_dropped_keys{map="@lat"} 1
`
	checkText(t, exposition(t, c), want)
	checkText(t, exposition(t, c), want)
	checkText(t, warnings.String(), "WARNING: --metrics: @lat has 1 key, more than one scrape may export (at most 6 series, --metrics-max-series): 1 key with the smallest values is left out; gobpftrace_metrics_dropped_keys{map=\"@lat\"} counts them\n")

	warnings.Reset()
	c = fixed(t, data, Config{MaxSeries: 2}, &warnings)
	checkText(t, exposition(t, c), `# HELP gobpftrace_calls_total gobpftrace map @calls: count()
# TYPE gobpftrace_calls_total counter
gobpftrace_calls_total{key="2"} 30
gobpftrace_calls_total{key="3"} 20
# HELP gobpftrace_metrics_dropped_keys Keys of a map that the last scrape left out: a scrape exports at most 2 series (--metrics-max-series).
# TYPE gobpftrace_metrics_dropped_keys gauge
gobpftrace_metrics_dropped_keys{map="@calls"} 2
gobpftrace_metrics_dropped_keys{map="@lat"} 1
`)
	// Once it fits again, the gauge says 0.
	data[calls] = data[calls][:1]
	data[lat] = nil
	checkText(t, exposition(t, c), `# HELP gobpftrace_calls_total gobpftrace map @calls: count()
# TYPE gobpftrace_calls_total counter
gobpftrace_calls_total{key="1"} 10
# HELP gobpftrace_metrics_dropped_keys Keys of a map that the last scrape left out: a scrape exports at most 2 series (--metrics-max-series).
# TYPE gobpftrace_metrics_dropped_keys gauge
gobpftrace_metrics_dropped_keys{map="@calls"} 0
gobpftrace_metrics_dropped_keys{map="@lat"} 0
`)
	checkText(t, warnings.String(), `WARNING: --metrics: @calls has 4 keys, more than one scrape may export (at most 2 series, --metrics-max-series): 2 keys with the smallest values are left out; gobpftrace_metrics_dropped_keys{map="@calls"} counts them
WARNING: --metrics: @lat has 1 key, more than one scrape may export (at most 2 series, --metrics-max-series): 1 key with the smallest values is left out; gobpftrace_metrics_dropped_keys{map="@lat"} counts them
`)
}

// Before Attach and after Detach, a scrape reads no map.
func TestDetached(t *testing.T) {
	calls := newMap("@calls", nil, &lang.Type{Kind: lang.KCount})
	c, err := New([]*codegen.Map{calls}, Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkText(t, exposition(t, c), "")
	reads := 0
	c.Attach(func(string) (*script.Map, error) {
		reads++
		return typed(calls, []output.Entry{entry(calls, nil, u64(1))}), nil
	})
	checkText(t, exposition(t, c), "# HELP gobpftrace_calls_total gobpftrace map @calls: count()\n# TYPE gobpftrace_calls_total counter\ngobpftrace_calls_total 1\n")
	c.Detach()
	checkText(t, exposition(t, c), "")
	if reads != 1 {
		t.Errorf("%d reads, want 1", reads)
	}
	// Attached to a session that has ended, a scrape is empty.
	c.Attach(func(string) (*script.Map, error) {
		return nil, fmt.Errorf("could not read @calls: %w", runtime.ErrEnded)
	})
	checkText(t, exposition(t, c), "")
}

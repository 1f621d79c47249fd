package metrics

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/runtime/output"
	"github.com/gobpftrace/gobpftrace/runtime/script"
)

// Maps and entries laid out as codegen/layout.go says the kernel does.

func u64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }
func i64(v int64) []byte  { return u64(uint64(v)) }

// encode lays out v (int, string, or []any for tuples) as t.
func encode(t *lang.Type, v any) []byte {
	b := make([]byte, codegen.Sizeof(t))
	switch t.Kind {
	case lang.KInt:
		x := uint64(v.(int))
		for i := 0; i < t.Size; i++ {
			b[i] = byte(x >> (8 * i))
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

func tuple(names []string, elems ...*lang.Type) *lang.Type {
	t := &lang.Type{Kind: lang.KTuple, Elems: elems, Names: names}
	t.Size = codegen.Sizeof(t)
	return t
}

var tStr = lang.StringType(16)

// newMap describes a map as codegen makes it: aggregations per CPU, a
// hist/lhist key ending with its bucket index.
func newMap(name string, key, value *lang.Type) *codegen.Map {
	m := &codegen.Map{Name: "m" + name, ScriptName: name, Key: key, Value: value, PerCPU: value.IsAggregation()}
	m.KeySize = 8
	if key != nil {
		m.KeySize = codegen.Sizeof(key)
	}
	if value.Kind == lang.KHist || value.Kind == lang.KLhist {
		m.KeySize = (m.KeySize+7)/8*8 + 8
		if key == nil {
			m.KeySize = 8
		}
	}
	m.ValueSize = codegen.Sizeof(value)
	return m
}

// entry is one kernel entry: the key (nil for a map without keys) and one
// value per CPU.
func entry(m *codegen.Map, key any, cpus ...[]byte) output.Entry {
	k := u64(0)
	if m.Key != nil {
		k = encode(m.Key, key)
	}
	return output.Entry{Key: k, Values: cpus}
}

// bucket is the kernel entry of bucket idx of a hist/lhist key, one count
// per CPU.
func bucket(m *codegen.Map, key any, idx uint64, cpus ...uint64) output.Entry {
	var k []byte
	if m.Key != nil {
		k = encode(m.Key, key)
		k = append(k, make([]byte, (len(k)+7)/8*8-len(k))...)
	}
	k = append(k, u64(idx)...)
	e := output.Entry{Key: k}
	for _, c := range cpus {
		e.Values = append(e.Values, u64(c))
	}
	return e
}

// pair is one CPU's {int64; u64} of min/max (value, set) and avg/stats
// (sum, count).
func pair(a int64, b uint64) []byte { return append(i64(a), u64(b)...) }

var plain = &output.Formatter{TruncTrailer: ".."}

// fixed is a Collector attached to fixed entries.
func fixed(t *testing.T, data map[*codegen.Map][]output.Entry, cfg Config, warnings *strings.Builder) *Collector {
	t.Helper()
	var maps []*codegen.Map
	for m := range data {
		maps = append(maps, m)
	}
	c, err := New(maps, cfg, warnings)
	if err != nil {
		t.Fatal(err)
	}
	c.Attach(readFixed(data))
	return c
}

// readFixed reads fixed entries as a running session's maps.
func readFixed(data map[*codegen.Map][]output.Entry) ReadMap {
	return func(name string) (*script.Map, error) {
		for m, entries := range data {
			if m.ScriptName == name {
				return typed(m, entries), nil
			}
		}
		return nil, fmt.Errorf("no map %s", name)
	}
}

// typed decodes raw entries as script.Session.Map does.
func typed(m *codegen.Map, entries []output.Entry) *script.Map {
	out := &script.Map{Name: m.ScriptName}
	for _, e := range plain.TypedMap(m, output.EntriesOf(entries)) {
		out.Entries = append(out.Entries, script.Entry{Key: e.Key, Value: e.Value})
	}
	return out
}

// exposition is one scrape of c in the Prometheus text format. The text
// must be what Prometheus's own client writes for the same families: it
// is parsed with the client's parser, whose families the client's encoder
// writes again, families by name and series in the order parsed.
func exposition(t *testing.T, c *Collector) string {
	t.Helper()
	fams, errs := c.gather()
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	text := textOf(fams)
	checkByClient(t, string(text))
	if want := clientText(t, fams); string(text) != want {
		t.Errorf("Prometheus's client writes the same maps differently:\n%s\nours:\n%s", want, text)
	}
	return string(text)
}

// checkByClient parses text with Prometheus's client library and checks
// that its encoder writes the same bytes.
func checkByClient(t *testing.T, text string) {
	t.Helper()
	parser := expfmt.NewTextParser(model.LegacyValidation)
	mfs, err := parser.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("Prometheus's parser refuses the text: %v\n%s", err, text)
	}
	names := make([]string, 0, len(mfs))
	for name := range mfs {
		names = append(names, name)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	for _, name := range names {
		if _, err := expfmt.MetricFamilyToText(&buf, mfs[name]); err != nil {
			t.Fatal(err)
		}
	}
	if buf.String() != text {
		t.Errorf("Prometheus's encoder writes the families differently:\n%s\nours:\n%s", buf.String(), text)
	}
}

func checkText(t *testing.T, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// clientText writes fams with Prometheus's client library: const
// metrics registered in a pedantic registry, gathered and encoded as its
// HTTP handler does. The label values are handed over in the key's order
// (the client sorts them by label name) and the series in reverse, so
// that the client's ordering is what is compared.
func clientText(t *testing.T, fams []*textFamily) string {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(clientCollector(fams))
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	enc := expfmt.NewEncoder(&buf, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			t.Fatal(err)
		}
	}
	return buf.String()
}

type clientCollector []*textFamily

func (fs clientCollector) desc(f *textFamily) *prometheus.Desc {
	labels := slices.Clone(f.labels)
	slices.Reverse(labels)
	return prometheus.NewDesc(f.name, f.help, labels, nil)
}

func (fs clientCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, f := range fs {
		ch <- fs.desc(f)
	}
}

func (fs clientCollector) Collect(ch chan<- prometheus.Metric) {
	for _, f := range fs {
		d := fs.desc(f)
		for _, s := range slices.Backward(f.samples) {
			labels := slices.Clone(s.labels)
			slices.Reverse(labels)
			switch f.kind {
			case kindCounter:
				ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, s.value, labels...)
			case kindGauge:
				ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, s.value, labels...)
			case kindSummary:
				ch <- prometheus.MustNewConstSummary(d, uint64(s.value), s.sum, nil, labels...)
			case kindHistogram:
				buckets := map[float64]uint64{}
				for i, le := range f.bounds {
					buckets[le] = s.cumulative[i]
				}
				ch <- prometheus.MustNewConstHistogram(d, uint64(s.value), s.histSum(), buckets, labels...)
			}
		}
	}
}

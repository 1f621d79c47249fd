package metrics

import (
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/runtime"
	"github.com/gobpftrace/gobpftrace/runtime/script"
)

// family is one map exported as one metric family.
type family struct {
	m          *codegen.Map
	kind       familyKind
	name, help string
	// labels are the label names in the order they are written (sorted,
	// as Prometheus's client writes them); order[i] is the index in the
	// key of labels[i].
	labels []string
	order  []int
	bounds []float64 // histograms: `le` of each bucket index
}

// ReadMap reads a running script's map as Go values (script.Session.Map).
type ReadMap func(name string) (*script.Map, error)

// Collector reads a running script's maps at each scrape and writes them
// in the Prometheus text format (Gather). It is created from the compiled plan's maps (New checks
// the names then, before anything is loaded), reads nothing until Attach
// gives it the running session's maps, and nothing again after Detach.
type Collector struct {
	families  []*family
	maxSeries int
	warnings  io.Writer
	dropped   string // HELP of DroppedKeysName

	mu     sync.Mutex // one scrape at a time; Detach waits for it
	read   ReadMap
	warned map[string]bool
}

// New describes how maps (a codegen.Plan's) are exported. Maps whose
// values are not numbers are left out, with a warning on warnings.
func New(maps []*codegen.Map, cfg Config, warnings io.Writer) (*Collector, error) {
	if warnings == nil {
		warnings = io.Discard
	}
	if err := checkFlagsNameMaps(maps, cfg); err != nil {
		return nil, err
	}
	c := &Collector{maxSeries: cfg.MaxSeries, warnings: warnings, warned: map[string]bool{}}
	if c.maxSeries <= 0 {
		c.maxSeries = DefaultMaxSeries
	}
	ordered := append([]*codegen.Map(nil), maps...)
	sort.SliceStable(ordered, func(i, j int) bool { return ordered[i].ScriptName < ordered[j].ScriptName })
	owner := map[string]string{DroppedKeysName: "gobpftrace itself"}
	for _, m := range ordered {
		if m.Value == nil {
			continue
		}
		kind, ok := kindOf(m.Value)
		if !ok {
			fmt.Fprintf(warnings, "WARNING: --metrics: %s holds %s values, which are not numbers: it is not exported\n", m.ScriptName, typeName(m.Value))
			continue
		}
		name, err := metricName(m, kind, cfg)
		if err != nil {
			return nil, err
		}
		labels, err := labelNames(m, kind, cfg)
		if err != nil {
			return nil, err
		}
		for _, s := range seriesNames(name, kind) {
			if other, taken := owner[s]; taken {
				return nil, fmt.Errorf("--metrics: %s would be exported as %s, which %s already writes: name it with --metric-name %s=NAME", m.ScriptName, s, other, m.ScriptName)
			}
			owner[s] = m.ScriptName
		}
		f := &family{m: m, kind: kind, name: name, help: help(m)}
		f.order = make([]int, len(labels))
		for i := range f.order {
			f.order[i] = i
		}
		sort.SliceStable(f.order, func(i, j int) bool { return labels[f.order[i]] < labels[f.order[j]] })
		for _, i := range f.order {
			f.labels = append(f.labels, labels[i])
		}
		if kind == kindHistogram {
			f.bounds = histBounds(m.Value)
		}
		c.families = append(c.families, f)
	}
	c.dropped = fmt.Sprintf("Keys of a map that the last scrape left out: a scrape exports at most %d series (--metrics-max-series).", c.maxSeries)
	return c, nil
}

// typeName names a value type in a warning.
func typeName(t *lang.Type) string {
	switch t.Kind {
	case lang.KString:
		return "string"
	case lang.KStack:
		return "stack"
	case lang.KTuple:
		return "tuple"
	}
	return t.String()
}

// help is a family's HELP text: the map and the function that fills it.
func help(m *codegen.Map) string {
	what := "an integer"
	switch v := m.Value; v.Kind {
	case lang.KCount:
		what = "count()"
	case lang.KSum:
		what = "sum()"
	case lang.KMin:
		what = "min()"
	case lang.KMax:
		what = "max()"
	case lang.KAvg:
		what = "avg()"
	case lang.KStats:
		what = "stats()"
	case lang.KHist:
		what = "hist(): le is the largest value of each power-of-two bucket"
		if v.Bits > 0 {
			what = fmt.Sprintf("hist(x, %d): le is the largest value of each bucket", v.Bits)
		}
	case lang.KLhist:
		what = fmt.Sprintf("lhist(x, %d, %d, %d): le is the largest value of each bucket", v.LhistMin, v.LhistMax, v.LhistStep)
	case lang.KBool:
		what = "a bool (1 for true)"
	}
	return "gobpftrace map " + m.ScriptName + ": " + what
}

// Attach starts reading the running script's maps with read.
func (c *Collector) Attach(read ReadMap) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.read = read
}

// Detach stops reading the maps, once any scrape in progress is done.
func (c *Collector) Detach() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.read = nil
}

// Gather reads every exported map and returns the scrape in the text
// format (families by name, as Prometheus's client orders them); it stops
// adding keys once the scrape has MaxSeries series. errs are the maps
// that could not be read; the others are in text.
func (c *Collector) Gather() (text []byte, errs []error) {
	fams, errs := c.gather()
	return textOf(fams), errs
}

func textOf(fams []*textFamily) (text []byte) {
	for _, f := range fams {
		text = f.appendText(text)
	}
	return text
}

// gather reads the maps into families, sorted by name.
func (c *Collector) gather() (out []*textFamily, errs []error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.read == nil {
		return nil, nil
	}
	dropped := &textFamily{name: DroppedKeysName, help: c.dropped, kind: kindGauge, labels: []string{"map"}}
	budget := c.maxSeries
	for _, f := range c.families {
		m, err := c.read(f.m.ScriptName)
		if errors.Is(err, runtime.ErrEnded) || errors.Is(err, script.ErrNotRunning) {
			return nil, nil // the script has ended: nothing to export any more
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("reading %s: %w", f.m.ScriptName, err))
			continue
		}
		samples := samples(f, m)
		kept := 0
		for _, s := range samples {
			if s.series > budget {
				break
			}
			budget -= s.series
			kept++
		}
		out = append(out, &textFamily{name: f.name, help: f.help, kind: f.kind, labels: f.labels, bounds: f.bounds, samples: sortByLabels(samples[:kept])})
		left := len(samples) - kept
		if left > 0 && !c.warned[f.m.ScriptName] {
			c.warned[f.m.ScriptName] = true
			fmt.Fprintf(c.warnings, "WARNING: --metrics: %s has %d %s, more than one scrape may export "+
				"(at most %d series, --metrics-max-series): %d %s with the smallest values %s left out; "+
				"%s{map=%q} counts them\n", f.m.ScriptName, len(samples), plural(len(samples), "key", "keys"), c.maxSeries,
				left, plural(left, "key", "keys"), plural(left, "is", "are"), DroppedKeysName, f.m.ScriptName)
		}
		if c.warned[f.m.ScriptName] {
			// Once a map has overflowed, the gauge stays, 0 when it fits again.
			dropped.samples = append(dropped.samples, &sample{labels: []string{f.m.ScriptName}, value: float64(left)})
		}
	}
	out = append(out, dropped)
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, errs
}

// sortByLabels orders samples by their label values, as Prometheus's
// client writes them.
func sortByLabels(xs []*sample) []*sample {
	sort.Slice(xs, func(i, j int) bool { return compareLabels(xs[i].labels, xs[j].labels) < 0 })
	return xs
}

// sample is one key of a map, folded: its labels and numbers.
type sample struct {
	labels     []string
	value      float64 // counter, gauge; the summary's and histogram's count
	sum        float64 // summary; histogram when hasSum
	hasSum     bool
	cumulative []uint64 // histogram: the count at or below each `le`
	// order sorts samples, largest first: what is kept when a scrape is
	// full.
	order  float64
	series int // how many series the sample writes
}

// histSum is a histogram's _sum. The script keeps each key's sum when
// compiled for --metrics (script.Options.HistSums); without it there is
// none to give.
func (s *sample) histSum() float64 {
	if s.hasSum {
		return s.sum
	}
	return math.NaN()
}

// samples turns a map's entries into one sample per distinct label set,
// largest first. Keys that print the same (strings that differ after
// their end, say) are one series: counts add up, a gauge keeps the
// largest.
func samples(f *family, m *script.Map) []*sample {
	var xs []*sample
	byLabels := map[string]*sample{}
	for _, e := range m.Entries {
		s, ok := newSample(f, e.Value)
		if !ok {
			continue
		}
		s.labels = labelValues(f.m.Key, e.Key)
		if len(f.order) > 1 {
			sorted := make([]string, len(f.order))
			for i, k := range f.order {
				sorted[i] = s.labels[k]
			}
			s.labels = sorted
		}
		id := strings.Join(s.labels, "\x00")
		old := byLabels[id]
		switch {
		case old == nil:
			byLabels[id] = s
			xs = append(xs, s)
		case f.kind == kindGauge:
			if s.value > old.value {
				old.value, old.order = s.value, s.order
			}
		default:
			old.value += s.value
			old.sum += s.sum
			old.order += s.order
			for i := range old.cumulative {
				old.cumulative[i] += s.cumulative[i]
			}
		}
	}
	sort.SliceStable(xs, func(i, j int) bool {
		if xs[i].order != xs[j].order {
			return xs[i].order > xs[j].order
		}
		return compareLabels(xs[i].labels, xs[j].labels) < 0
	})
	return xs
}

// newSample folds one value of the family's kind; false for a value of
// another type.
func newSample(f *family, v any) (*sample, bool) {
	switch f.kind {
	case kindHistogram:
		h, ok := v.(script.Histogram)
		if !ok {
			return nil, false
		}
		// A bucket counts into every `le` at or above its largest value.
		s := &sample{cumulative: make([]uint64, len(f.bounds)), series: len(f.bounds) + 3}
		next := 0
		var below uint64
		for i, le := range f.bounds {
			for next < len(h.Buckets) && float64(h.Buckets[next].Max) <= le {
				below += h.Buckets[next].Count
				next++
			}
			s.cumulative[i] = below
		}
		s.value = float64(h.Total())
		s.sum, s.hasSum = float64(h.Sum), h.HasSum
		s.order = s.value
		return s, true
	case kindSummary:
		st, ok := v.(script.Stats)
		if !ok {
			return nil, false
		}
		sum := float64(st.Sum)
		if !st.Signed {
			sum = float64(uint64(st.Sum))
		}
		return &sample{value: float64(st.Count), sum: sum, order: float64(st.Count), series: 2}, true
	}
	var n float64
	switch x := v.(type) {
	case uint64:
		n = float64(x)
	case int64:
		n = float64(x)
	case bool:
		if x {
			n = 1
		}
	default:
		return nil, false
	}
	return &sample{value: n, order: n, series: 1}, true
}

func compareLabels(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if c := strings.Compare(a[i], b[i]); c != 0 {
			return c
		}
	}
	return len(a) - len(b)
}

// labelValues are a key's label values: one per part of a tuple key or
// field of a record key, as the exit print shows them, in valid UTF-8
// (which Prometheus requires).
func labelValues(t *lang.Type, key any) []string {
	var parts []any
	switch k := key.(type) {
	case nil:
		if t == nil {
			return nil
		}
		parts = []any{nil}
	case script.Tuple:
		if t.Kind == lang.KTuple {
			parts = k
		} else {
			parts = []any{k}
		}
	case script.Record:
		if t.Kind == lang.KTuple {
			for _, f := range k {
				parts = append(parts, f.Value)
			}
		} else {
			parts = []any{k} // a struct key
		}
	default:
		parts = []any{k}
	}
	out := make([]string, len(parts))
	for i, p := range parts {
		out[i] = strings.ToValidUTF8(valueText(p), "\uFFFD")
	}
	return out
}

// valueText renders a key part as the exit print does.
func valueText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case bool:
		return strconv.FormatBool(x)
	case []byte:
		var sb strings.Builder
		for _, c := range x {
			if c >= 32 && c <= 126 {
				sb.WriteByte(c)
			} else {
				fmt.Fprintf(&sb, "\\x%02x", c)
			}
		}
		return sb.String()
	case script.Stack:
		frames := make([]string, len(x.Frames))
		for i, f := range x.Frames {
			frames[i] = f.Text
		}
		return strings.Join(frames, "\n")
	case script.Tuple:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = valueText(e)
		}
		return "(" + strings.Join(parts, ", ") + ")"
	case script.Record:
		parts := make([]string, len(x))
		for i, f := range x {
			parts[i] = "." + f.Name + " = " + valueText(f.Value)
		}
		return "{ " + strings.Join(parts, ", ") + " }"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = valueText(e)
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	return fmt.Sprint(v)
}

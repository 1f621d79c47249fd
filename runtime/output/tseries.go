package output

import (
	"bytes"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
)

// Time series (tseries()): the kernel keeps, for each user key, one element
// per bucket (the key's last 8 bytes), each CPU's copy a {value, meta,
// epoch} of the interval epoch = TAI ns / interval (see codegen.Map).
// Printing folds the CPUs of each bucket, keeps the last num_intervals
// epochs of the whole map and draws each key as bpftrace v0.26 does.

// tseriesPoint is one interval of a series: its start (Unix ns) and its
// value, or no value (ok false) when nothing was written in it.
type tseriesPoint struct {
	start int64
	value uint64 // two's complement bits when the series is signed
	ok    bool
}

// tseriesEntry is one key's series, folded.
type tseriesEntry struct {
	key    []byte
	values map[uint64]uint64 // epoch -> folded value
	latest uint64
}

// TAIOffsetter is implemented by a UserSpace that knows the offset from
// the TAI clock (bpf_ktime_get_tai_ns, which tseries() uses) to Unix time;
// without it the two are taken as equal.
type TAIOffsetter interface {
	// TAIOffset is what to add to a TAI timestamp to get Unix time in ns.
	TAIOffset() int64
}

func (f *Formatter) taiOffset() int64 {
	if o, ok := f.UserSpace.(TAIOffsetter); ok {
		return o.TAIOffset()
	}
	return 0
}

// foldTseries folds one bucket's per-CPU {value, meta, epoch} elements:
// CPUs that wrote the bucket's latest epoch are combined as the series'
// aggregation says (the last-value series keeps the value written last,
// by its time in meta); older epochs a CPU still holds are ignored. ok is
// false when no CPU wrote the bucket.
func foldTseries(values Values, t *lang.Type) (epoch, value uint64, ok bool) {
	var val, meta uint64
	for c := range values.Len() {
		v := values.At(c)
		e := readUint(slice(v, 16, 8), 8)
		if e == 0 || e < epoch {
			continue
		}
		x, m := readUint(v, 8), readUint(slice(v, 8, 8), 8)
		if e > epoch {
			epoch, val, meta = e, x, m
			continue
		}
		switch t.TseriesAgg {
		case "":
			if m > meta {
				val, meta = x, m
			}
		case "avg":
			val += x
			meta += m
		case "sum":
			val += x
		case "min", "max":
			less := x < val
			if t.Signed {
				less = int64(x) < int64(val)
			}
			if less == (t.TseriesAgg == "min") && x != val {
				val = x
			}
		}
	}
	if epoch == 0 {
		return 0, 0, false
	}
	if t.TseriesAgg == "avg" && meta != 0 {
		val = divide(val, t.Signed, meta)
	}
	return epoch, val, true
}

// sortedTseriesEntries groups the kernel entries by user key, in the
// bytewise order of the keys (bpftrace collects them in a std::map).
func sortedTseriesEntries(m *codegen.Map, entries *Entries) []*tseriesEntry {
	keySize := 0
	if m.Key != nil {
		keySize = codegen.Sizeof(m.Key)
	}
	byKey := map[string]*tseriesEntry{}
	var xs []*tseriesEntry
	for i := range entries.Len() {
		k := string(slice(entries.Key(i), 0, keySize))
		x := byKey[k]
		if x == nil {
			x = &tseriesEntry{key: []byte(k), values: map[uint64]uint64{}}
			byKey[k] = x
			xs = append(xs, x)
		}
		epoch, v, ok := foldTseries(entries.Values(i), m.Value)
		if !ok {
			continue
		}
		x.values[epoch] = v
		x.latest = max(x.latest, epoch)
	}
	sort.SliceStable(xs, func(i, j int) bool { return bytes.Compare(xs[i].key, xs[j].key) < 0 })
	return xs
}

// tseriesPoints lays out the series of each entry over the last
// num_intervals epochs of the whole map: from the first epoch of that
// window holding a value of the key (the window's last epoch when none
// does) to the window's end, an interval without a value being a gap.
func (f *Formatter) tseriesPoints(t *lang.Type, xs []*tseriesEntry) [][]tseriesPoint {
	var last uint64
	for _, x := range xs {
		last = max(last, x.latest)
	}
	n := uint64(max(t.TseriesIntervals, 1))
	out := make([][]tseriesPoint, len(xs))
	if last+1 < n {
		// Only when no CPU wrote any bucket (zero(@m)): bpftrace's window
		// then wraps around and is empty.
		return out
	}
	first := last - n + 1
	off := f.taiOffset()
	for i, x := range xs {
		from := last
		for e := range x.values {
			if e >= first && e < from {
				from = e
			}
		}
		for e := from; e <= last; e++ {
			v, ok := x.values[e]
			start := int64(e)*t.TseriesInterval + off
			out[i] = append(out[i], tseriesPoint{start: start, value: v, ok: ok})
		}
	}
	return out
}

// tseriesRange is print(@m, min, max)'s fixed range of the chart.
type tseriesRange struct {
	set      bool
	min, max int64
}

// tseriesChart widths, as bpftrace draws them.
const (
	chartWidth   = 53 // the graph, both borders included
	chartPadding = 21 // the minimum's label column
)

// writeTseries draws one series: the range's labels, a time axis whose
// precision follows the interval, one line per interval with its value
// placed between the minimum and the maximum ('.' marks zero when the
// range spans it, '-' a gap), and the labels again.
func writeTseries(sb *strings.Builder, t *lang.Type, points []tseriesPoint, r tseriesRange) {
	if len(points) == 0 {
		sb.WriteString("<no data>")
		return
	}
	signed := t.Signed
	lo, hi, have := points[0].value, points[0].value, points[0].ok
	for _, p := range points {
		if !p.ok {
			continue
		}
		if !have {
			lo, hi, have = p.value, p.value, true
			continue
		}
		if less(p.value, lo, signed) {
			lo = p.value
		}
		if less(hi, p.value, signed) {
			hi = p.value
		}
	}
	if r.set {
		lo, hi, have = uint64(r.min), uint64(r.max), true
	} else if have && lo == hi {
		// Room on both sides of a flat line, unless at the type's bounds.
		if (signed && int64(lo) > math.MinInt64) || (!signed && lo > 0) {
			lo--
		}
		if (signed && int64(hi) < math.MaxInt64) || (!signed && hi < math.MaxUint64) {
			hi++
		}
	}
	label := func(v uint64) string {
		if !have {
			return "null" // bpftrace's text for a range without any value
		}
		return number(v, signed).text()
	}

	var interval int64
	if len(points) > 1 {
		interval = (points[len(points)-1].start - points[0].start) / int64(len(points)-1)
	}
	unit, digits := timeUnit(interval)
	timeFmt := "hh:mm:ss"
	timeSize := len(timeFmt)
	if digits > 0 {
		timeFmt += "." + unit
		timeSize += 1 + digits
	}

	pad := func(s string, width int, left bool) string {
		if len(s) >= width {
			return s
		}
		if left {
			return s + strings.Repeat(" ", width-len(s))
		}
		return strings.Repeat(" ", width-len(s)) + s
	}
	labels := func(indent int) {
		sb.WriteString(strings.Repeat(" ", indent))
		sb.WriteString(pad(label(lo), chartPadding, true))
		sb.WriteString(pad(label(hi), chartWidth-chartPadding, false))
		sb.WriteByte('\n')
	}
	labels(timeSize + 1)
	sb.WriteString(pad(timeFmt, timeSize+1, true))
	sb.WriteString("|" + strings.Repeat("_", chartWidth-2) + "|\n")

	span := distance(lo, hi, signed)
	zero := 0
	if have && distance(lo, 0, signed) < 0 && distance(0, hi, signed) < 0 {
		zero = int(float32(chartWidth) * float32(distance(lo, 0, signed)) / float32(span))
	}
	for _, p := range points {
		line := []byte(strings.Repeat(" ", chartWidth))
		line[0], line[chartWidth-1] = '|', '|'
		if zero > 0 {
			line[zero] = '.'
		}
		sb.WriteString(chartTime(p.start, digits))
		sb.WriteByte(' ')
		if !p.ok {
			sb.Write(line)
			sb.WriteString(" -\n")
			continue
		}
		at := chartWidth / 2
		if lo != hi {
			at = int(float32(chartWidth-1) * float32(distance(lo, p.value, signed)) / float32(span))
		}
		line[min(max(at, 0), chartWidth-1)] = '*'
		sb.Write(line)
		sb.WriteString(" " + number(p.value, signed).text() + "\n")
	}
	bottom := []byte(strings.Repeat("_", chartWidth))
	bottom[0], bottom[chartWidth-1] = 'v', 'v'
	sb.WriteString(strings.Repeat(" ", timeSize) + " " + string(bottom) + "\n")
	labels(timeSize + 1)
}

// less compares two values of a series.
func less(a, b uint64, signed bool) bool {
	if signed {
		return int64(a) < int64(b)
	}
	return a < b
}

// distance is a - b as bpftrace computes it for placing points: signed
// values subtract; an unsigned a is measured from the signed b.
func distance(a, b uint64, signed bool) int64 {
	if signed {
		return int64(a) - int64(b)
	}
	if int64(b) < 0 {
		return int64(a + uint64(-int64(b)))
	}
	if a > b {
		return int64(a - b)
	}
	return -int64(b - a)
}

// timeUnit is the unit the chart's times are shown in for an interval of
// ns nanoseconds, and its number of fraction digits (0 for seconds).
func timeUnit(ns int64) (string, int) {
	switch {
	case ns >= int64(time.Second):
		return "s", 0
	case ns >= int64(time.Millisecond):
		return "ms", 3
	case ns >= int64(time.Microsecond):
		return "μs", 6
	}
	return "ns", 9
}

// chartTime is an interval's start in local time, %H:%M:%S and digits of
// fraction.
func chartTime(unixNs int64, digits int) string {
	t := time.Unix(0, unixNs).Local()
	s := t.Format("15:04:05")
	if digits > 0 {
		frac := strconv.FormatInt(int64(t.Nanosecond())/int64(math.Pow10(9-digits)), 10)
		s += "." + strings.Repeat("0", digits-len(frac)) + frac
	}
	return s
}

// writeTseriesMap prints a tseries map as text: each key's chart under
// "@m[key]:", a blank line after each.
func (f *Formatter) writeTseriesMap(sb *strings.Builder, m *codegen.Map, entries *Entries, r tseriesRange) {
	xs := sortedTseriesEntries(m, entries)
	points := f.tseriesPoints(m.Value, xs)
	for i, x := range xs {
		if m.Key == nil {
			sb.WriteString(m.ScriptName + ":\n")
		} else {
			sb.WriteString(m.ScriptName + "[" + f.keyText(m.Key, x.key) + "]:\n")
		}
		writeTseries(sb, m.Value, points[i], r)
		sb.WriteString("\n")
		if m.Key == nil {
			return
		}
	}
}

// tseriesJSON writes one series as bpftrace's JSON list of
// {"interval_start": "<UTC time>", "value": v}, gaps left out.
func tseriesJSON(sb *strings.Builder, t *lang.Type, points []tseriesPoint) {
	sb.WriteByte('[')
	first := true
	for _, p := range points {
		if !p.ok {
			continue
		}
		if !first {
			sb.WriteByte(',')
		}
		first = false
		sb.WriteString(`{"interval_start":"`)
		sb.WriteString(time.Unix(0, p.start).UTC().Format("2006-01-02 15:04:05.000000000"))
		sb.WriteString(`","value":`)
		sb.WriteString(number(p.value, t.Signed).text())
		sb.WriteByte('}')
	}
	sb.WriteByte(']')
}

// tseriesMapJSON is the data of a tseries map's JSON line.
func (f *Formatter) tseriesMapJSON(sb *strings.Builder, m *codegen.Map, entries *Entries) {
	xs := sortedTseriesEntries(m, entries)
	points := f.tseriesPoints(m.Value, xs)
	if m.Key == nil {
		if len(xs) == 0 {
			sb.WriteString("[]")
			return
		}
		tseriesJSON(sb, m.Value, points[0])
		return
	}
	sb.WriteByte('{')
	for i, x := range xs {
		if i > 0 {
			sb.WriteString(", ")
		}
		f.jsonKey(sb, m.Key, x.key)
		sb.WriteString(": ")
		tseriesJSON(sb, m.Value, points[i])
	}
	sb.WriteByte('}')
}

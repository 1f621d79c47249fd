package output

import (
	"bytes"
	"io"
	"sort"
	"strconv"
	"strings"
	"unsafe"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
)

// byName orders maps as bpftrace prints them at exit: bytewise by name
// ("@" < "@A" < "@a" < "@b"), whatever the order of first use.
func byName(maps []*codegen.Map) []*codegen.Map {
	ordered := append([]*codegen.Map(nil), maps...)
	sort.SliceStable(ordered, func(i, j int) bool { return ordered[i].ScriptName < ordered[j].ScriptName })
	return ordered
}

// mapText is one map as print(@m) / print(@m, top, div) prints it: entries
// sorted (see sortmap.go), only the last top of them when top > 0, values
// divided by div when div > 1 (lhist ignores div, like bpftrace).
func (f *Formatter) mapText(m *codegen.Map, entries *Entries, top, div int64) string {
	var sb strings.Builder
	f.writeMap(&sb, m, entries, top, div)
	return sb.String()
}

// tseriesRangeText is print(@m, min, max) of a tseries map: its chart
// drawn between min and max.
func (f *Formatter) tseriesRangeText(m *codegen.Map, entries *Entries, lo, hi int64) string {
	var sb strings.Builder
	f.writeTseriesMap(&sb, m, entries, tseriesRange{set: true, min: lo, max: hi})
	return sb.String()
}

// textWriter is where map text goes: the printer's buffered output, or a
// strings.Builder. A map of a million keys is written line by line, not
// built as one string first.
type textWriter interface {
	io.Writer
	io.StringWriter
	io.ByteWriter
}

// writeMap writes mapText's text to w.
func (f *Formatter) writeMap(w textWriter, m *codegen.Map, entries *Entries, top, div int64) {
	switch {
	case m.Value != nil && (m.Value.Kind == lang.KHist || m.Value.Kind == lang.KLhist):
		f.writeHistMap(w, m, entries, top, uint64(max(div, 1)))
	case m.Value != nil && m.Value.Kind == lang.KTseries:
		var sb strings.Builder
		f.writeTseriesMap(&sb, m, entries, tseriesRange{})
		w.WriteString(sb.String())
	default:
		f.writeValueMap(w, m, entries, top, uint64(max(div, 1)))
	}
}

// keyText prints a key for "@m[...]". bpftrace drops the outer parentheses
// of a tuple key by looking at the text, so a string key that starts with
// '(' and ends with ')' loses them too (a v0.26 quirk we keep).
func (f *Formatter) keyText(t *lang.Type, key []byte) string {
	s := f.decode(t, slice(key, 0, codegen.Sizeof(t))).mapText()
	if len(s) >= 2 && s[0] == '(' && s[len(s)-1] == ')' {
		s = s[1 : len(s)-1]
	}
	return s
}

// appendKey appends keyText(t, key) to b; integer keys without an enum,
// the common large maps (@[tid], @[nsecs]), without building a string.
func (f *Formatter) appendKey(b []byte, t *lang.Type, key []byte) []byte {
	if t.Kind == lang.KInt && t.Enum == nil {
		b2 := slice(key, 0, t.Size)
		if t.Signed {
			return strconv.AppendInt(b, readInt(b2, t.Size), 10)
		}
		return strconv.AppendUint(b, readUint(b2, t.Size), 10)
	}
	return append(b, f.keyText(t, key)...)
}

// appendAggregate appends aggregateText(v, values, div) to b; counts and
// sums without building a string.
func (f *Formatter) appendAggregate(b []byte, v *lang.Type, values Values, div uint64) []byte {
	if v.Kind == lang.KCount || v.Kind == lang.KSum {
		return appendSum(b, v, sumU64(values), div)
	}
	return append(b, f.aggregateText(v, values, div)...)
}

// appendSum appends the text of a count or sum folded to bits.
func appendSum(b []byte, v *lang.Type, bits, div uint64) []byte {
	if v.Kind == lang.KSum && v.Signed {
		return strconv.AppendInt(b, int64(divide(bits, true, div)), 10)
	}
	return strconv.AppendUint(b, bits/div, 10)
}

// skipCount is how many of the first (smallest) sorted entries top hides.
func skipCount(total int, top int64) int {
	if top > 0 && int64(total) > top {
		return total - int(top)
	}
	return 0
}

type valueEntry struct {
	key    []byte
	values Values
	sortBy uint64 // folded sort key, two's complement bits
}

func (f *Formatter) writeValueMap(w textWriter, m *codegen.Map, entries *Entries, top int64, div uint64) {
	order := sortedValueOrder(m, entries)
	order = order[skipCount(len(order), top):]
	if m.Key == nil && len(order) > 1 {
		order = order[:1] // a map without keys prints its one value
	}
	if len(order) >= pipelineMin {
		f.writeLinesPipelined(w, m, entries, order, div)
		return
	}
	var line []byte
	for _, o := range order {
		line = f.appendValueLine(line[:0], m, entries, o, div)
		w.Write(line)
	}
}

// appendValueLine appends the line of entry o of a map that is not a
// histogram: "@m[key]: value\n".
func (f *Formatter) appendValueLine(line []byte, m *codegen.Map, entries *Entries, o sortedEntry, div uint64) []byte {
	v := valueType(m)
	line = append(line, m.ScriptName...)
	if m.Key != nil {
		line = append(line, '[')
		line = f.appendKey(line, m.Key, entries.Key(o.i))
		line = append(line, ']')
	}
	line = append(line, ": "...)
	if v.Kind == lang.KCount || v.Kind == lang.KSum {
		// Sorted by the sum: the sort key is the value, no second fold,
		// no second visit of the entry's values in random order.
		line = appendSum(line, v, o.sortBy, div)
	} else {
		line = f.appendAggregate(line, v, entries.Values(o.i), div)
	}
	return append(line, '\n')
}

// pipelineMin is the fewest lines of a map formatted by a goroutine while
// the caller writes what it formatted: a million lines are about 20 MB,
// and writing them to a pipe or a terminal takes about as long as making
// them.
const pipelineMin = 1 << 15

// writeLinesPipelined writes the lines of order as writeValueMap does,
// formatted meanwhile in chunks of about a megabyte by a goroutine.
func (f *Formatter) writeLinesPipelined(w textWriter, m *codegen.Map, entries *Entries, order []sortedEntry, div uint64) {
	const chunk = 1 << 20
	full := make(chan []byte, 2)
	free := make(chan []byte, 4)
	go func() {
		defer close(full)
		buf := make([]byte, 0, chunk)
		for _, o := range order {
			buf = f.appendValueLine(buf, m, entries, o, div)
			if len(buf) >= chunk-4096 {
				full <- buf
				select {
				case buf = <-free:
					buf = buf[:0]
				default:
					buf = make([]byte, 0, chunk)
				}
			}
		}
		if len(buf) > 0 {
			full <- buf
		}
	}()
	for b := range full {
		w.Write(b) // after an error, the writer's Write does nothing
		select {
		case free <- b:
		default:
		}
	}
}

func valueType(m *codegen.Map) *lang.Type {
	if m.Value == nil {
		return lang.TUint64
	}
	return m.Value
}

// sortedValueEntries orders the entries of a map that is not a histogram
// as bpftrace prints them.
func sortedValueEntries(m *codegen.Map, entries *Entries) []valueEntry {
	order := sortedValueOrder(m, entries)
	xs := make([]valueEntry, len(order))
	for n, o := range order {
		xs[n] = valueEntry{key: entries.Key(o.i), values: entries.Values(o.i), sortBy: o.sortBy}
	}
	return xs
}

// sortedEntry is an entry by its index, with its folded sort key.
type sortedEntry struct {
	sortBy uint64
	i      int
}

// sortedValueOrder is sortedValueEntries' order. Sorting 16-byte (key,
// index) pairs rather than the entries makes the same comparisons, hence
// the same order of ties, and moves fewer bytes.
func sortedValueOrder(m *codegen.Map, entries *Entries) []sortedEntry {
	v := valueType(m)
	var sortBy func(vs Values) uint64
	signed := v.Signed
	switch v.Kind {
	case lang.KCount, lang.KSum:
		sortBy = sumU64
		signed = v.Kind == lang.KSum && v.Signed
	case lang.KInt:
		sortBy = func(vs Values) uint64 {
			if v.Signed {
				return uint64(readInt(vs.First(), v.Size))
			}
			return readUint(vs.First(), v.Size)
		}
	case lang.KMin, lang.KMax:
		// bpftrace sorts min/max maps by the fold computed as uint64.
		sortBy = func(vs Values) uint64 { return minMax(vs, v.Kind == lang.KMax, false) }
		signed = false
	case lang.KAvg, lang.KStats:
		sortBy = func(vs Values) uint64 { return foldStats(vs, v.Signed).avg }
	}
	xs := allocSorted(entries)
	for n := range xs {
		xs[n].i = n
		if sortBy != nil {
			xs[n].sortBy = sortBy(entries.Values(n))
		}
	}
	switch {
	case sortBy == nil:
		sortByKey(xs, m.Key, func(x sortedEntry) []byte { return entries.Key(x.i) })
	case signed:
		sortByValue(xs, func(a, b sortedEntry) bool { return int64(a.sortBy) < int64(b.sortBy) })
	default:
		sortByValue(xs, func(a, b sortedEntry) bool { return a.sortBy < b.sortBy })
	}
	return xs
}

// allocSorted allocates the sort's pairs of entries with the entries'
// Alloc: a million of them are 16 MB that the process touches for the
// first time, where page faults cost more than the sort.
func allocSorted(entries *Entries) []sortedEntry {
	n := entries.Len()
	if entries.Alloc == nil || n == 0 {
		return make([]sortedEntry, n)
	}
	size := int(unsafe.Sizeof(sortedEntry{}))
	b := entries.Alloc(n * size)
	// Aligned as any allocation of this size; sortedEntry holds no
	// pointer for the garbage collector to see.
	return unsafe.Slice((*sortedEntry)(unsafe.Pointer(unsafe.SliceData(b))), n)
}

func pick[T any](cond bool, a, b T) T {
	if cond {
		return a
	}
	return b
}

// aggregateText folds one entry's per-CPU values and renders the result.
func (f *Formatter) aggregateText(v *lang.Type, values Values, div uint64) string {
	first := values.First()
	switch v.Kind {
	case lang.KCount:
		return uintItem(sumU64(values) / div).text()
	case lang.KSum:
		return number(divide(sumU64(values), v.Signed, div), v.Signed).text()
	case lang.KMin, lang.KMax:
		return number(divide(minMax(values, v.Kind == lang.KMax, v.Signed), v.Signed, div), v.Signed).text()
	case lang.KAvg:
		return number(divide(foldStats(values, v.Signed).avg, v.Signed, div), v.Signed).text()
	case lang.KStats:
		s := foldStats(values, v.Signed)
		return "count " + number(s.count, v.Signed).text() +
			", average " + number(divide(s.avg, v.Signed, div), v.Signed).text() +
			", total " + number(s.total, v.Signed).text()
	case lang.KInt:
		if v.Enum == nil {
			return plainInt(v, first, div).text()
		}
	}
	return f.decode(v, first).mapText()
}

type histEntry struct {
	key     []byte
	buckets []uint64
	total   uint64
	// sum is the sum of the values counted, kept under
	// codegen.HistSumBucket when the script was compiled for it.
	sum    int64
	summed bool
}

func (f *Formatter) writeHistMap(sb textWriter, m *codegen.Map, entries *Entries, top int64, div uint64) {
	xs := sortedHistEntries(m, entries)
	for n := skipCount(len(xs), top); n < len(xs); n++ {
		h := buildHistogram(m.Value, xs[n].buckets, div)
		if m.Key == nil {
			sb.WriteString(m.ScriptName + ":\n")
			h.write(sb)
			sb.WriteString("\n")
			return
		}
		sb.WriteString(m.ScriptName + "[" + f.keyText(m.Key, xs[n].key) + "]:\n")
		h.write(sb)
		sb.WriteString("\n")
	}
}

// sortedHistEntries groups the kernel entries (user key + u64 bucket index)
// by user key, orders keys bytewise (bpftrace collects them in a std::map)
// and then by the total of their buckets.
func sortedHistEntries(m *codegen.Map, entries *Entries) []*histEntry {
	// The bucket is the key's last 8 bytes (see codegen.Map).
	keySize, bucketOff := 0, m.KeySize-8
	if m.Key != nil {
		keySize = codegen.Sizeof(m.Key)
	}
	byKey := map[string]*histEntry{}
	var xs []*histEntry
	for i := range entries.Len() {
		key, values := entries.Key(i), entries.Values(i)
		k := string(slice(key, 0, keySize))
		h := byKey[k]
		if h == nil {
			h = &histEntry{key: []byte(k)}
			byKey[k] = h
			xs = append(xs, h)
		}
		idx := readUint(slice(key, bucketOff, 8), 8)
		if idx == codegen.HistSumBucket {
			h.sum += int64(sumU64(values))
			h.summed = true
			continue
		}
		if idx > 1<<20 {
			continue // not a bucket we could have written
		}
		for uint64(len(h.buckets)) <= idx {
			h.buckets = append(h.buckets, 0)
		}
		c := sumU64(values)
		h.buckets[idx] += c
		h.total += c
	}
	sort.SliceStable(xs, func(i, j int) bool { return bytes.Compare(xs[i].key, xs[j].key) < 0 })
	sortByValue(xs, func(a, b *histEntry) bool { return a.total < b.total })
	return xs
}

package output

import (
	"fmt"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
)

// histogram is what one hist/lhist key prints: the labels are the upper
// bounds of the buckets shown, lower the lower bound of the first one (nil
// for the "(..., x)" bucket of values below the range). When there is one
// more count than labels, the last bucket has no upper bound ("[x, ...)").
type histogram struct {
	lower  *item
	labels []item
	counts []uint64
}

// nonZeroRange returns the first and last bucket with a count, or -1.
// bpftrace tests the count after converting it to a C int, so a bucket
// whose count has bit 31 set (or is a multiple of 2^32) counts as empty;
// we keep that quirk.
func nonZeroRange(buckets []uint64) (int, int) {
	first, last := -1, -1
	for n, c := range buckets {
		if int32(c) > 0 {
			if first < 0 {
				first = n
			}
			last = n
		}
	}
	return first, last
}

// log2Label is the start of bucket index+1 of a hist with 2^k buckets per
// power of two, with a K/M/G/T/P/E suffix for the power of 1024.
func log2Label(index, k int) item {
	n := uint64(1) << uint(k)
	interval := uint64(index) & (n - 1)
	power := (index >> uint(k)) - 1
	value := (uint64(1) << uint(power)) * (n + interval)
	decade := power / 10
	suffixes := []string{"", "K", "M", "G", "T", "P", "E"}
	suffix := ""
	if decade < len(suffixes) {
		suffix = suffixes[decade]
	}
	power -= 10 * decade
	label := fmt.Sprintf("%d%s", (uint64(1)<<uint(power))*(n+interval), suffix)
	return item{kind: itemSymbol, s: label, u: value}
}

// buildLog2 keeps the buckets from the first to the last non-empty one.
// Bucket 0 holds negative values; bucket i <= 2^(k+1) holds the single value
// i-1; higher buckets are ranges.
func buildLog2(buckets []uint64, div uint64, k int) histogram {
	var h histogram
	first, last := nonZeroRange(buckets)
	if first < 0 {
		return h
	}
	single := 2 << uint(k)
	label := func(i int) item {
		if i <= single {
			return intItem(int64(i))
		}
		return log2Label(i, k)
	}
	if first != 0 {
		lb := label(first - 1)
		h.lower = &lb
	}
	if div == 0 {
		div = 1
	}
	for i := first; i <= last; i++ {
		h.labels = append(h.labels, label(i))
		h.counts = append(h.counts, buckets[i]/div)
	}
	return h
}

// linearLabel prints a bound of an lhist; with a step that is a multiple
// of 1024, round bounds get a K or M suffix.
func linearLabel(v, step int64) item {
	const kilo, mega = 1024, 1024 * 1024
	if step%kilo != 0 {
		return intItem(v)
	}
	s := fmt.Sprint(v)
	switch {
	case v == 0:
	case v%mega == 0:
		s = fmt.Sprintf("%dM", v/mega)
	case v%kilo == 0:
		s = fmt.Sprintf("%dK", v/kilo)
	}
	return item{kind: itemSymbol, s: s, u: uint64(v), signed: v < 0}
}

// buildLinear: bucket 0 holds v < min, bucket i holds
// [min+(i-1)*step, min+i*step), the last one v >= max. lhist ignores div.
func buildLinear(buckets []uint64, lo, hi, step int64) histogram {
	var h histogram
	first, last := nonZeroRange(buckets)
	if first < 0 {
		return h
	}
	if first != 0 {
		lb := linearLabel(lo+int64(first-1)*step, step)
		h.lower = &lb
	}
	for i := first; i <= last; i++ {
		if v := lo + int64(i)*step; v <= hi {
			h.labels = append(h.labels, linearLabel(v, step))
		}
		h.counts = append(h.counts, buckets[i])
	}
	return h
}

// adjacent reports whether a bucket [a, b) holds the single value a, which
// bpftrace prints as "[a]". Suffixed labels are never adjacent.
func adjacent(a, b item) bool {
	switch {
	case a.kind == itemInt && b.kind == itemInt:
		return a.i+1 == b.i
	case a.kind == itemUint && b.kind == itemUint:
		return a.u+1 == b.u
	}
	return false
}

const barWidth = 52

// write prints the table: a 16-wide left-aligned label, an 8-wide count,
// and a bar of '@' scaled so the largest count fills 52 columns.
func (h histogram) write(sb textWriter) {
	var maxCount uint64
	for _, c := range h.counts {
		maxCount = max(maxCount, c)
	}
	rows := max(len(h.counts), len(h.labels))
	for i := 0; i < rows; i++ {
		var label string
		switch {
		case i == 0 && h.lower == nil:
			label = "(..., " + h.labels[0].text() + ")"
		case i == 0 && len(h.labels) == 0:
			label = "[" + h.lower.text() + ", ...)"
		case i == 0 && adjacent(*h.lower, h.labels[0]):
			label = "[" + h.lower.text() + "]"
		case i == 0:
			label = "[" + h.lower.text() + ", " + h.labels[0].text() + ")"
		case i >= len(h.labels):
			label = "[" + h.labels[i-1].text() + ", ...)"
		case adjacent(h.labels[i-1], h.labels[i]):
			label = "[" + h.labels[i-1].text() + "]"
		default:
			label = "[" + h.labels[i-1].text() + ", " + h.labels[i].text() + ")"
		}
		var count uint64
		if i < len(h.counts) {
			count = h.counts[i]
		}
		fmt.Fprintf(sb, "%-16s%8d |%-52s|\n", label, count, strings.Repeat("@", barLength(count, maxCount)))
	}
}

// barLength computes the bar in single precision, as bpftrace does
// (count / (float)max * 52, truncated).
func barLength(count, maxCount uint64) int {
	if maxCount == 0 {
		return 0
	}
	ratio := float32(float32(count) / float32(maxCount))
	return int(float32(ratio * barWidth))
}

// histBuckets turns a hist map value type into its bucket labels.
func buildHistogram(v *lang.Type, buckets []uint64, div uint64) histogram {
	if v.Kind == lang.KLhist {
		return buildLinear(buckets, v.LhistMin, v.LhistMax, v.LhistStep)
	}
	return buildLog2(buckets, div, v.Bits)
}

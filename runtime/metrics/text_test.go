package metrics

import (
	"math"
	"testing"
)

// Label values and HELP texts with the characters the format escapes,
// numbers in every form the format writes, and histogram bounds past
// 2^53 that round to one float, written as Prometheus's client writes
// them.
func TestTextAsTheClientWritesIt(t *testing.T) {
	fams := []*textFamily{
		{name: "a_total", help: `back\slash and
newline`, kind: kindCounter, labels: []string{"key0", "key1"}, samples: []*sample{
			{labels: []string{"x\"y", "1"}, value: 12345678},
			{labels: []string{"line\nbreak", `c:\dir`}, value: 1e21},
			{labels: []string{"", "ü"}, value: 0.5},
		}},
		{name: "b", help: "gauge", kind: kindGauge, samples: []*sample{{value: -9.5e-7}}},
		{name: "c", help: "summary", kind: kindSummary, labels: []string{"key"}, samples: []*sample{
			{labels: []string{"z"}, value: 3, sum: -42},
			{labels: []string{"a"}, value: 1 << 40, sum: math.MaxUint64},
		}},
		{name: "d", help: "hist", kind: kindHistogram, labels: []string{"cpu"},
			bounds: []float64{-1, 0, 1, 1<<60 - 1, 1 << 60, 1<<61 - 1},
			samples: []*sample{
				{labels: []string{"1"}, cumulative: []uint64{0, 1, 1, 2, 3, 3}, value: 4, sum: 10, hasSum: true},
				{labels: []string{"0"}, cumulative: []uint64{1, 1, 1, 1, 1, 1}, value: 1},
			}},
		{name: "e", help: "empty family: not written", kind: kindGauge},
	}
	for _, f := range fams {
		f.samples = sortByLabels(f.samples)
	}
	text := string(textOf(fams))
	checkByClient(t, text)
	if want := clientText(t, fams); text != want {
		t.Errorf("Prometheus's client writes:\n%s\nours:\n%s", want, text)
	}
}

package metrics

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/runtime/output"
	"github.com/gobpftrace/gobpftrace/runtime/script"
)

// printedBound reads the one row of a printed hist/lhist and returns the
// largest value its bucket holds (+Inf for "[x, ...)").
func printedBound(t *testing.T, text string) float64 {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(text), "\n")
	if len(lines) != 2 {
		t.Fatalf("want a header and one row, got:\n%s", text)
	}
	label := lines[1][:strings.IndexAny(lines[1], ")]")+1]
	number := func(s string) float64 {
		mult := 1.0
		if i := strings.IndexAny(s, "KMGTPE"); i >= 0 {
			mult = math.Ldexp(1, 10*(1+strings.Index("KMGTPE", s[i:i+1])))
			s = s[:i]
		}
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("bucket label %q: %v", label, err)
		}
		return float64(v) * mult
	}
	inner := label[1 : len(label)-1]
	_, hi, isRange := strings.Cut(inner, ", ")
	switch {
	case !isRange:
		return number(inner) // "[x]"
	case hi == "...":
		return math.Inf(1)
	}
	return number(hi) - 1 // "[x, y)", "(..., y)"
}

// The `le` of each bucket is the largest value of the bucket the exit
// print shows for the same bucket index.
func TestBoundsMatchPrintedBuckets(t *testing.T) {
	var types []*lang.Type
	for k := 0; k <= 5; k++ {
		types = append(types, &lang.Type{Kind: lang.KHist, Bits: k})
	}
	types = append(types,
		&lang.Type{Kind: lang.KLhist, LhistMin: 0, LhistMax: 100, LhistStep: 10},
		&lang.Type{Kind: lang.KLhist, LhistMin: -50, LhistMax: 55, LhistStep: 20},
		&lang.Type{Kind: lang.KLhist, LhistMin: 0, LhistMax: 4096, LhistStep: 1024},
	)
	for _, v := range types {
		m := newMap("@h", nil, v)
		bounds := histBounds(v)
		if len(bounds) == 0 {
			t.Fatalf("%v: no bounds", v)
		}
		// Every bucket with a bound, and the first one without.
		for i := 0; i <= len(bounds); i++ {
			var text strings.Builder
			p := output.New("text", plain, output.Destination{Stdout: &text, Stderr: &text})
			if err := p.Map(m, output.EntriesOf([]output.Entry{bucket(m, nil, uint64(i), 1)}), 0, 0); err != nil {
				t.Fatal(err)
			}
			p.Flush()
			printed := printedBound(t, text.String())
			want := math.Inf(1)
			if i < len(bounds) {
				want = bounds[i]
			}
			// A bucket ending at 2^63 or later holds every larger int64.
			if printed >= math.Ldexp(1, 63)-1 {
				printed = math.Inf(1)
			}
			if printed != want {
				t.Errorf("%s bucket %d: le %v, but the print shows %s (largest value %v)", describe(v), i, want, strings.TrimSpace(text.String()), printed)
			}
			// The typed value (what the collector reads) agrees.
			h := typed(m, []output.Entry{bucket(m, nil, uint64(i), 1)}).Entries[0].Value.(script.Histogram)
			largest := float64(h.Buckets[0].Max)
			if largest >= math.Ldexp(1, 63)-2 {
				largest = math.Inf(1)
			}
			if len(h.Buckets) != 1 || largest != want {
				t.Errorf("%s bucket %d: le %v, but the typed histogram has %+v", describe(v), i, want, h.Buckets)
			}
		}
	}
}

func describe(v *lang.Type) string {
	if v.Kind == lang.KLhist {
		return fmt.Sprintf("lhist(x, %d, %d, %d)", v.LhistMin, v.LhistMax, v.LhistStep)
	}
	return fmt.Sprintf("hist(x, %d)", v.Bits)
}

package output

import (
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
)

func histType() *lang.Type { return &lang.Type{Kind: lang.KHist} }

func lhistType(lo, hi, step int64) *lang.Type {
	return &lang.Type{Kind: lang.KLhist, LhistMin: lo, LhistMax: hi, LhistStep: step}
}

func TestHistNegativesZeroOneAndSuffixes(t *testing.T) {
	// BEGIN { @h = hist(-1); @h = hist(0); @h = hist(1); @h = hist(1024); @h = hist(1048576*3); }
	h := newMap("@h", nil, histType())
	got := exitText(t, map[*codegen.Map][]Entry{h: histOf(h, nil, -1, 0, 1, 1024, 3<<20)}, h)
	checkText(t, got, v017(t, "hist"))
}

func TestHistBarScaling(t *testing.T) {
	// Bars are count/max*52 in single precision, truncated: 1/7 -> 7, 3/7 -> 22.
	h := newMap("@", nil, histType())
	got := exitText(t, map[*codegen.Map][]Entry{h: histOf(h, nil, 2, 4, 4, 4, 8, 8, 8, 8, 8, 8, 8)}, h)
	checkText(t, got, v017(t, "bars"))
}

func TestHistGigaLabels(t *testing.T) {
	// v0.17 truncated hist() arguments to 32 bits, so only [1G, 2G) of its
	// capture is usable; the rest follows bpftrace's label rule (power of
	// 1024 picks K M G T P E).
	h := newMap("@", nil, histType())
	got := exitText(t, map[*codegen.Map][]Entry{h: histOf(h, nil, 1<<30)}, h)
	checkText(t, got, "\n\n@:\n[1G, 2G)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n")
	// The capture of hist(1<<30), hist(1<<40), hist(1<<50), hist(1<<60),
	// hist(5000000000): the last four landed in [2G, 4G) in v0.17.
	if want := "[1G, 2G)               1 |"; !strings.Contains(v017(t, "bigvalues"), want) {
		t.Errorf("capture lacks %q", want)
	}
	got = exitText(t, map[*codegen.Map][]Entry{h: histOf(h, nil, 1<<40, 1<<50, 1<<62, 5<<30)}, h)
	for _, label := range []string{"[1T, 2T)", "[1P, 2P)", "[4E, 8E)", "[4G, 8G)", "[512T, 1P)", "[2E, 4E)"} {
		if !strings.Contains(got, "\n"+label+" ") {
			t.Errorf("missing %s in\n%s", label, got)
		}
	}
}

func TestHistDivAndTop(t *testing.T) {
	// print(@, top, div): hist counts are divided (buckets stay chosen by
	// the undivided counts); only the top keys by total are printed.
	h := newMap("@", tI64, histType())
	var es []Entry
	es = append(es, histOf(h, 1, 10)...)
	es = append(es, histOf(h, 2, 20, 20)...)
	es = append(es, histOf(h, 3, 30, 30, 30, 100)...)
	got := printed("text", plain, func(p Printer) {
		if err := p.Map(h, EntriesOf(es), 2, 2); err != nil {
			t.Fatal(err)
		}
	})
	checkText(t, got, "@[2]:\n"+
		"[16, 32)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n"+
		"@[3]:\n"+
		"[16, 32)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"+
		"[32, 64)               0 |                                                    |\n"+
		"[64, 128)              0 |                                                    |\n\n")
}

func TestKeyedHistOrderedByTotalThenKeyBytes(t *testing.T) {
	// BEGIN { @h["b"] = hist(3); @h["a"] = hist(3); @h["a"] = hist(100); @h["c"] = hist(1); }
	h := newMap("@h", tStr16, histType())
	var es []Entry
	es = append(es, histOf(h, "c", 1)...)
	es = append(es, histOf(h, "a", 3, 100)...)
	es = append(es, histOf(h, "b", 3)...)
	got := exitText(t, map[*codegen.Map][]Entry{h: es}, h)
	checkText(t, got, v017(t, "keyedhist"))
}

func TestLhist(t *testing.T) {
	l := newMap("@l", nil, lhistType(0, 100, 10))
	checkText(t, exitText(t, map[*codegen.Map][]Entry{l: histOf(l, nil, -5, 55, 150)}, l), v017(t, "lhist"))
	checkText(t, exitText(t, map[*codegen.Map][]Entry{l: histOf(l, nil, 55)}, l), v017(t, "lhistin"))
	checkText(t, exitText(t, map[*codegen.Map][]Entry{l: histOf(l, nil, 150)}, l), v017(t, "lhistover"))
}

func TestLhistKiloStep(t *testing.T) {
	l := newMap("@", nil, lhistType(0, 10240, 1024))
	checkText(t, exitText(t, map[*codegen.Map][]Entry{l: histOf(l, nil, 3000, 9000)}, l), v017(t, "lhistk"))
}

func TestLhistStepOneSingleValues(t *testing.T) {
	// BEGIN { @ = lhist(3, 0, 10, 1); @ = lhist(5, 0, 10, 1) x2 }
	// v0.17 printed "[3, 4)"; v0.26 labels step-1 buckets like hist's
	// single-value buckets: "[3]".
	l := newMap("@", nil, lhistType(0, 10, 1))
	got := exitText(t, map[*codegen.Map][]Entry{l: histOf(l, nil, 3, 5, 5)}, l)
	checkText(t, got, "\n\n@:\n"+
		"[3]                    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n"+
		"[4]                    0 |                                                    |\n"+
		"[5]                    2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n")
	checkText(t, v017(t, "lhiststep1"), "\n\n@:\n"+
		"[3, 4)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n"+
		"[4, 5)                 0 |                                                    |\n"+
		"[5, 6)                 2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n")
}

func TestHistPerCPUAndEmpty(t *testing.T) {
	h := newMap("@", nil, histType())
	got := exitText(t, map[*codegen.Map][]Entry{h: {histKV(h, nil, log2Index(5), 1, 2, 0)}}, h)
	checkText(t, got, "\n\n@:\n[4, 8)                 3 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n")
	// After zero(): the buckets exist with zero counts; bpftrace prints the
	// header and the blank line only.
	got = exitText(t, map[*codegen.Map][]Entry{h: {histKV(h, nil, 4, 0, 0)}}, h)
	checkText(t, got, "\n\n@:\n\n")
}

func TestLog2LabelsWithBits(t *testing.T) {
	// hist(n, 2): 4 buckets per power of two; indexes up to 2^(k+1) hold one
	// value each.
	cases := map[int]string{9: "10", 10: "12", 11: "14", 12: "16", 13: "20", 27: "224", 44: "4K"}
	for idx, want := range cases {
		if got := log2Label(idx, 2).text(); got != want {
			t.Errorf("log2Label(%d, 2) = %s, want %s", idx, got, want)
		}
	}
	h := newMap("@", nil, &lang.Type{Kind: lang.KHist, Bits: 2})
	got := exitText(t, map[*codegen.Map][]Entry{h: {histKV(h, nil, 8, 1), histKV(h, nil, 9, 1), histKV(h, nil, 10, 1)}}, h)
	checkText(t, got, "\n\n@:\n"+
		"[7]                    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"+
		"[8, 10)                1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"+
		"[10, 12)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n")
}

func TestKeyedHistTiesFollowLibstdcxxSort(t *testing.T) {
	// BEGIN { $i = 0; while ($i < 40) { @h[$i] = hist(1); $i++; } }
	// All totals tie: bpftrace's std::sort over keys in byte order scrambles
	// them the same way every run.
	h := newMap("@h", tI64, histType())
	var es []Entry
	for i := 39; i >= 0; i-- {
		es = append(es, histOf(h, i, 1)...)
	}
	checkText(t, exitText(t, map[*codegen.Map][]Entry{h: es}, h), v017(t, "histties"))

	// Totals 1, 2, 3 by i%3, with ties inside each group.
	es = nil
	for i := 0; i < 40; i++ {
		var vs []int64
		for j := 0; j <= i%3; j++ {
			vs = append(vs, 1)
		}
		es = append(es, histOf(h, i, vs...)...)
	}
	checkText(t, exitText(t, map[*codegen.Map][]Entry{h: es}, h), v017(t, "histmixed"))
}

func TestHistBarRounding(t *testing.T) {
	// 13, 7, 3, 1: bars 52, 28, 12, 4.
	h := newMap("@", nil, histType())
	es := []Entry{histKV(h, nil, 2, 13), histKV(h, nil, 3, 7), histKV(h, nil, 4, 3), histKV(h, nil, 5, 1)}
	checkText(t, exitText(t, map[*codegen.Map][]Entry{h: es}, h), v017(t, "barsround"))
}

func TestLhistMegaStep(t *testing.T) {
	l := newMap("@", nil, lhistType(0, 4<<20, 1<<20))
	checkText(t, exitText(t, map[*codegen.Map][]Entry{l: histOf(l, nil, 2<<20, 5000000, 100)}, l), v017(t, "lhistmega"))
}

func TestHistWideCount(t *testing.T) {
	// The count column is 8 wide and grows for bigger counts.
	h := newMap("@", nil, histType())
	got := exitText(t, map[*codegen.Map][]Entry{h: {histKV(h, nil, 2, 123456789)}}, h)
	checkText(t, got, "\n\n@:\n[1]             123456789 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n")
}

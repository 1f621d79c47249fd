package output

import (
	"testing"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
)

// The expectations below restate bpftrace's own unit tests of map printing
// (tests/bpftrace.cpp print_*_map, after the v0.24 output rewrite): the
// same inputs and the same expected text, with our byte layouts.

func TestUpstreamPrintBasicMap(t *testing.T) {
	m := newMap("m", tI64, tI64)
	var es []Entry
	for _, kv := range [][2]int64{{1, 5}, {3, 10}, {5, 4}, {7, 11}, {9, 7}} {
		es = append(es, entry(m, int(kv[0]), i64(kv[1])))
	}
	cases := []struct {
		top, div int64
		want     string
	}{
		{3, 0, "m[9]: 7\nm[3]: 10\nm[7]: 11\n"},
		{0, 0, "m[5]: 4\nm[1]: 5\nm[9]: 7\nm[3]: 10\nm[7]: 11\n"},
		{0, 2, "m[5]: 2\nm[1]: 2\nm[9]: 3\nm[3]: 5\nm[7]: 5\n"},
		{3, 2, "m[9]: 3\nm[3]: 5\nm[7]: 5\n"},
	}
	for _, c := range cases {
		checkText(t, mapText(t, m, es, c.top, c.div), c.want)
	}
}

func TestUpstreamPrintMaxMap(t *testing.T) {
	m := newMap("m", tI64, &lang.Type{Kind: lang.KMax})
	es := []Entry{
		entry(m, 1, minMaxCPU(5, true), minMaxCPU(8, true), minMaxCPU(3, true)),
		entry(m, 2, minMaxCPU(15, false), minMaxCPU(0, false), minMaxCPU(12, true)),
		entry(m, 3, minMaxCPU(100, false), minMaxCPU(80, false), minMaxCPU(20, true)),
	}
	checkText(t, mapText(t, m, es, 0, 0), "m[1]: 8\nm[2]: 12\nm[3]: 20\n")
	checkText(t, mapText(t, m, es, 2, 0), "m[2]: 12\nm[3]: 20\n")
	checkText(t, mapText(t, m, es, 0, 2), "m[1]: 4\nm[2]: 6\nm[3]: 10\n")
	checkText(t, mapText(t, m, es, 2, 2), "m[2]: 6\nm[3]: 10\n")
}

func TestUpstreamPrintAvgMap(t *testing.T) {
	m := newMap("m", tI64, &lang.Type{Kind: lang.KAvg})
	es := []Entry{
		entry(m, 1, statsCPU(5, 1), statsCPU(8, 1), statsCPU(3, 1)),
		entry(m, 2, statsCPU(16, 1), statsCPU(0, 0), statsCPU(12, 1)),
		entry(m, 3, statsCPU(100, 0), statsCPU(80, 0), statsCPU(20, 1)),
	}
	checkText(t, mapText(t, m, es, 0, 0), "m[1]: 5\nm[2]: 14\nm[3]: 200\n")
	checkText(t, mapText(t, m, es, 2, 0), "m[2]: 14\nm[3]: 200\n")
	checkText(t, mapText(t, m, es, 0, 2), "m[1]: 2\nm[2]: 7\nm[3]: 100\n")
	checkText(t, mapText(t, m, es, 2, 2), "m[2]: 7\nm[3]: 100\n")
}

func TestUpstreamPrintMapSortByKey(t *testing.T) {
	m := newMap("m", tI64, lang.StringType(32))
	es := []Entry{
		entry(m, 3, encode(m.Value, "hello")), entry(m, 1, encode(m.Value, "world")), entry(m, 2, encode(m.Value, "bpftrace")),
	}
	checkText(t, mapText(t, m, es, 0, 0), "m[1]: world\nm[2]: bpftrace\nm[3]: hello\n")
	checkText(t, mapText(t, m, es, 2, 2), "m[2]: bpftrace\nm[3]: hello\n")
}

func TestUpstreamSortByTupleKeys(t *testing.T) {
	k := tuple(tStr16, tStr16, tStr16)
	m := newMap("m", k, lang.StringType(8))
	var es []Entry
	for _, s := range []string{"zal", "aam", "zcn", "aco", "zbp", "abq"} {
		es = append(es, entry(m, []any{s[:1], s[1:2], s[2:]}, encode(m.Value, s)))
	}
	checkText(t, mapText(t, m, es, 0, 0),
		"m[a, a, m]: aam\nm[a, b, q]: abq\nm[a, c, o]: aco\nm[z, a, l]: zal\nm[z, b, p]: zbp\nm[z, c, n]: zcn\n")

	k2 := tuple(lang.TUint64, tStr16)
	m2 := newMap("m", k2, lang.StringType(8))
	es = nil
	for _, kv := range []struct {
		n int
		s string
	}{{1, "b"}, {2, "b"}, {3, "b"}, {1, "a"}, {2, "a"}, {3, "a"}} {
		es = append(es, entry(m2, []any{kv.n, kv.s}, encode(m2.Value, kv.s)))
	}
	checkText(t, mapText(t, m2, es, 0, 0), "m[1, a]: a\nm[1, b]: b\nm[2, a]: a\nm[2, b]: b\nm[3, a]: a\nm[3, b]: b\n")
}

// bucketsOf makes kernel entries from per-bucket counts of one user key.
func bucketsOf(m *codegen.Map, key any, counts ...uint64) []Entry {
	var es []Entry
	for idx, c := range counts {
		if c != 0 {
			es = append(es, histKV(m, key, uint64(idx), c))
		}
	}
	return es
}

func TestUpstreamPrintLhistMap(t *testing.T) {
	m := newMap("m", tI64, lhistType(0, 5*1024, 1024))
	es := append(bucketsOf(m, 0, 0, 10, 20, 30, 40, 50, 0), bucketsOf(m, 1, 0, 2, 2, 2, 2, 2, 0)...)
	one := "m[1]:\n" +
		"[0, 1K)                2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n" +
		"[1K, 2K)               2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n" +
		"[2K, 3K)               2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n" +
		"[3K, 4K)               2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n" +
		"[4K, 5K)               2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n"
	zero := "m[0]:\n" +
		"[0, 1K)               10 |@@@@@@@@@@                                          |\n" +
		"[1K, 2K)              20 |@@@@@@@@@@@@@@@@@@@@                                |\n" +
		"[2K, 3K)              30 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@                     |\n" +
		"[3K, 4K)              40 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@           |\n" +
		"[4K, 5K)              50 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n"
	checkText(t, mapText(t, m, es, 0, 0), one+zero)
	checkText(t, mapText(t, m, es, 1, 0), zero)
	checkText(t, mapText(t, m, es, 0, 2), one+zero) // div does not apply to lhist
}

func TestUpstreamPrintHistMapBits10(t *testing.T) {
	m := newMap("m", tI64, &lang.Type{Kind: lang.KHist, Bits: 10})
	es := append(bucketsOf(m, 0, 0, 10, 20, 30, 40, 50, 0), bucketsOf(m, 1, 0, 2, 2, 2, 2, 2, 0)...)
	row := func(label string, count string, bar int) string {
		s := label
		for len(s) < 16 {
			s += " "
		}
		for len(count) < 8 {
			count = " " + count
		}
		b := ""
		for i := 0; i < 52; i++ {
			if i < bar {
				b += "@"
			} else {
				b += " "
			}
		}
		return s + count + " |" + b + "|\n"
	}
	one := "m[1]:\n" + row("[0]", "2", 52) + row("[1]", "2", 52) + row("[2]", "2", 52) + row("[3]", "2", 52) + row("[4]", "2", 52) + "\n"
	zero := "m[0]:\n" + row("[0]", "10", 10) + row("[1]", "20", 20) + row("[2]", "30", 31) + row("[3]", "40", 41) + row("[4]", "50", 52) + "\n"
	checkText(t, mapText(t, m, es, 0, 0), one+zero)
	checkText(t, mapText(t, m, es, 1, 0), zero)
	oneDiv := "m[1]:\n" + row("[0]", "1", 52) + row("[1]", "1", 52) + row("[2]", "1", 52) + row("[3]", "1", 52) + row("[4]", "1", 52) + "\n"
	zeroDiv := "m[0]:\n" + row("[0]", "5", 10) + row("[1]", "10", 20) + row("[2]", "15", 31) + row("[3]", "20", 41) + row("[4]", "25", 52) + "\n"
	checkText(t, mapText(t, m, es, 0, 2), oneDiv+zeroDiv)
	checkText(t, mapText(t, m, es, 1, 2), zeroDiv)
}

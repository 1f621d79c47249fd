package output

import (
	"testing"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
)

// Each test rebuilds the kernel map contents a bpftrace v0.17 script left
// and compares ExitMaps with what that bpftrace printed (testdata/*.v017.txt,
// captured as root on this machine), adjusted for v0.26 where noted.

func TestExitOrderByName(t *testing.T) {
	// BEGIN { @b = 1; @a = 2; @c["x"] = 3; @ = 4; exit(); }
	b := newMap("@b", nil, tI64)
	a := newMap("@a", nil, tI64)
	c := newMap("@c", tStr16, tI64)
	at := newMap("@", nil, tI64)
	got := exitText(t, map[*codegen.Map][]Entry{
		b:  {entry(b, nil, i64(1))},
		a:  {entry(a, nil, i64(2))},
		c:  {entry(c, "x", i64(3))},
		at: {entry(at, nil, i64(4))},
	}, b, a, c, at)
	checkText(t, got, v017(t, "scalars"))
}

func TestEmptyMapsPrintNothing(t *testing.T) {
	// v0.17 printed a blank line for an empty map (e.g. after clear());
	// v0.26 prints nothing for it.
	x := newMap("@x", nil, tI64)
	y := newMap("@y", nil, tI64)
	got := exitText(t, map[*codegen.Map][]Entry{y: {entry(y, nil, i64(2))}}, x, y)
	checkText(t, got, "\n\n@y: 2\n")
	checkText(t, exitText(t, nil), "\n\n")
}

func TestIntValuesSortedWithStableTies(t *testing.T) {
	// BEGIN { @x[1] = 5; @x[2] = 5; @x[3] = 1; @x[4] = 5; @x[5] = -1; exit(); }
	// Ties keep the kernel's iteration order (2, 1, 4 in that run).
	x := newMap("@x", tI64, tI64)
	got := exitText(t, map[*codegen.Map][]Entry{x: {
		entry(x, 2, i64(5)), entry(x, 1, i64(5)), entry(x, 3, i64(1)), entry(x, 4, i64(5)), entry(x, 5, i64(-1)),
	}}, x)
	checkText(t, got, v017(t, "inttie"))
}

func TestStringValuesSortedByKey(t *testing.T) {
	s := newMap("@s", tStr16, lang.StringType(64))
	got := exitText(t, map[*codegen.Map][]Entry{s: {
		entry(s, "c", encode(s.Value, "aa")), entry(s, "b", encode(s.Value, "zz")), entry(s, "a", encode(s.Value, "yy")),
	}}, s)
	checkText(t, got, v017(t, "strvalues"))

	s2 := newMap("@s", tStr16, lang.StringType(64))
	got = exitText(t, map[*codegen.Map][]Entry{s2: {
		entry(s2, "bb", encode(s2.Value, "1")), entry(s2, "b", encode(s2.Value, "4")),
		entry(s2, "ab", encode(s2.Value, "3")), entry(s2, "a", encode(s2.Value, "2")),
	}}, s2)
	checkText(t, got, v017(t, "strkeys"))
}

func TestIntKeysSortedSigned(t *testing.T) {
	// BEGIN { @s[-3] = "a"; @s[10] = "b"; @s[2] = "c"; }
	// v0.17 printed 2, 10, -3 (keys compared unsigned); v0.26 compares the
	// key as a signed integer of its width.
	s := newMap("@s", tI64, lang.StringType(64))
	got := exitText(t, map[*codegen.Map][]Entry{s: {
		entry(s, 10, encode(s.Value, "b")), entry(s, -3, encode(s.Value, "a")), entry(s, 2, encode(s.Value, "c")),
	}}, s)
	checkText(t, got, "\n\n@s[-3]: a\n@s[2]: c\n@s[10]: b\n")
	checkText(t, v017(t, "intkeysort"), "\n\n@s[2]: c\n@s[10]: b\n@s[-3]: a\n")
}

func TestCountsFoldPerCPU(t *testing.T) {
	c := newMap("@c", tStr16, &lang.Type{Kind: lang.KCount})
	got := exitText(t, map[*codegen.Map][]Entry{c: {
		entry(c, "z", u64(1), u64(2), u64(0)), entry(c, "x", u64(0), u64(0), u64(1)), entry(c, "y", u64(1), u64(0), u64(1)),
	}}, c)
	checkText(t, got, v017(t, "counts"))
}

func TestSignedSums(t *testing.T) {
	s := newMap("@s", tStr16, &lang.Type{Kind: lang.KSum, Signed: true})
	got := exitText(t, map[*codegen.Map][]Entry{s: {
		entry(s, "a", i64(-5), i64(0)), entry(s, "b", i64(4), i64(6)), entry(s, "c", i64(3), i64(-20)),
	}}, s)
	checkText(t, got, v017(t, "sums"))
}

func TestTupleKeys(t *testing.T) {
	m := newMap("@", tuple(tI64, tStr16), &lang.Type{Kind: lang.KCount})
	got := exitText(t, map[*codegen.Map][]Entry{m: {
		entry(m, []any{2, "y"}, u64(2)), entry(m, []any{1, "x"}, u64(1)),
	}}, m)
	checkText(t, got, v017(t, "tuplekeys"))
}

func TestMinMaxAvgStats(t *testing.T) {
	// BEGIN { @m = min(-5); @m = min(7); @a = avg(-7); @a = avg(2);
	//         @st = stats(3); @st = stats(4); @n = max(9); @n = max(2); }
	// v0.17 printed a blank line after each avg/stats map; v0.26 does not
	// (avg/stats maps go through the common map printer since v0.22).
	mn := newMap("@m", nil, &lang.Type{Kind: lang.KMin, Signed: true})
	mx := newMap("@n", nil, &lang.Type{Kind: lang.KMax, Signed: true})
	av := newMap("@a", nil, &lang.Type{Kind: lang.KAvg, Signed: true})
	st := newMap("@st", nil, &lang.Type{Kind: lang.KStats, Signed: true})
	got := exitText(t, map[*codegen.Map][]Entry{
		mn: {entry(mn, nil, minMaxCPU(7, true), minMaxCPU(-5, true), minMaxCPU(-100, false))},
		mx: {entry(mx, nil, minMaxCPU(2, true), minMaxCPU(9, true), minMaxCPU(100, false))},
		av: {entry(av, nil, statsCPU(-7, 1), statsCPU(2, 1))},
		st: {entry(st, nil, statsCPU(3, 1), statsCPU(4, 1))},
	}, mn, mx, av, st)
	want := "\n\n@a: -2\n@m: -5\n@n: 9\n@st: count 2, average 3, total 7\n"
	checkText(t, got, want)
	// The capture, with v0.17's blank lines after @a and @st.
	checkText(t, v017(t, "aggs"), "\n\n@a: -2\n\n@m: -5\n@n: 9\n@st: count 2, average 3, total 7\n\n")
}

func TestMaxOfNegatives(t *testing.T) {
	// v0.17 lost max(-3) (its max started at 0); the fold over set CPUs gives -3.
	mx := newMap("@M", nil, &lang.Type{Kind: lang.KMax, Signed: true})
	got := exitText(t, map[*codegen.Map][]Entry{mx: {entry(mx, nil, minMaxCPU(0, false), minMaxCPU(-3, true))}}, mx)
	checkText(t, got, "\n\n@M: -3\n")
}

func TestMinMaxSortAsUnsigned(t *testing.T) {
	// bpftrace sorts min/max maps by the value read as uint64, so negative
	// minimums come last.
	m := newMap("@m", tI64, &lang.Type{Kind: lang.KMin, Signed: true})
	got := exitText(t, map[*codegen.Map][]Entry{m: {
		entry(m, 1, minMaxCPU(-1, true)), entry(m, 2, minMaxCPU(5, true)), entry(m, 3, minMaxCPU(1, true)),
	}}, m)
	checkText(t, got, "\n\n@m[3]: 1\n@m[2]: 5\n@m[1]: -1\n")
}

func TestAvgKeyedSortedByAverage(t *testing.T) {
	m := newMap("@", tStr16, &lang.Type{Kind: lang.KAvg, Signed: true})
	got := exitText(t, map[*codegen.Map][]Entry{m: {
		entry(m, "d", statsCPU(40, 1)), entry(m, "a", statsCPU(10, 1)), entry(m, "c", statsCPU(60, 2)), entry(m, "b", statsCPU(-20, 1)),
	}}, m)
	checkText(t, got, "\n\n@[b]: -20\n@[a]: 10\n@[c]: 30\n@[d]: 40\n")
	// Negative averages divide toward zero, like C.
	n := newMap("@n", nil, &lang.Type{Kind: lang.KAvg, Signed: true})
	checkText(t, exitText(t, map[*codegen.Map][]Entry{n: {entry(n, nil, statsCPU(-7, 2))}}, n), "\n\n@n: -3\n")
}

func TestStringTruncationAndParens(t *testing.T) {
	// A string that fills its buffer gets bpftrace's ".." trailer; a key
	// whose text is wrapped in parentheses loses them (v0.26 strips tuple
	// parentheses by looking at the text).
	m := newMap("@", lang.StringType(4), &lang.Type{Kind: lang.KCount})
	got := exitText(t, map[*codegen.Map][]Entry{m: {entry(m, "abcd", u64(2)), entry(m, "(x)", u64(1))}}, m)
	checkText(t, got, "\n\n@[x]: 1\n@[abcd..]: 2\n")
}

func TestValueTiesFollowKernelOrderThroughLibstdcxxSort(t *testing.T) {
	// BEGIN { $i = 0; while ($i < 40) { @c[$i] = count(); $i++; } } interval:s:3 { exit(); }
	// While it ran, `bpftool map dump` listed the keys in this order (the
	// kernel's iteration order, which bpftrace reads too); bpftrace then
	// printed testdata/valueties.v017.txt. All counts tie.
	kernelOrder := []int{23, 35, 14, 21, 29, 26, 17, 4, 9, 13, 24, 16, 27, 36, 15, 22, 25, 39, 31, 6,
		5, 11, 18, 8, 7, 33, 1, 30, 2, 19, 32, 0, 37, 28, 12, 20, 38, 34, 10, 3}
	c := newMap("@c", tI64, &lang.Type{Kind: lang.KCount})
	var es []Entry
	for _, k := range kernelOrder {
		es = append(es, entry(c, k, u64(1)))
	}
	checkText(t, exitText(t, map[*codegen.Map][]Entry{c: es}, c), v017(t, "valueties"))
}

package output

import (
	"testing"
	"time"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
)

func mapText(t *testing.T, m *codegen.Map, es []Entry, top, div int64) string {
	t.Helper()
	return printed("text", plain, func(p Printer) {
		if err := p.Map(m, EntriesOf(es), top, div); err != nil {
			t.Fatal(err)
		}
	})
}

func TestPrintTop(t *testing.T) {
	// BEGIN { @x[1] = 1; @x[2] = 3; @x[3] = 2; print(@x, 2, 1); } printed
	// "@x[3]: 2\n@x[2]: 3\n" (v0.17, same in v0.26): no blank line after.
	x := newMap("@x", tI64, tI64)
	es := []Entry{entry(x, 1, i64(1)), entry(x, 2, i64(3)), entry(x, 3, i64(2))}
	checkText(t, mapText(t, x, es, 2, 1), "@x[3]: 2\n@x[2]: 3\n")
	checkText(t, mapText(t, x, es, 0, 0), "@x[1]: 1\n@x[3]: 2\n@x[2]: 3\n")
	checkText(t, mapText(t, x, es, 10, 0), "@x[1]: 1\n@x[3]: 2\n@x[2]: 3\n")
}

func TestPrintAvgTopDiv(t *testing.T) {
	// bpftrace's runtime test print_avg_map_args:
	// @["a"] = avg(10) ... @["d"] = avg(40); print(@, 2, 10) -> @[c]: 3, @[d]: 4
	m := newMap("@", tStr16, &lang.Type{Kind: lang.KAvg, Signed: true})
	es := []Entry{entry(m, "b", statsCPU(20, 1)), entry(m, "d", statsCPU(40, 1)), entry(m, "a", statsCPU(10, 1)), entry(m, "c", statsCPU(30, 1))}
	checkText(t, mapText(t, m, es, 2, 10), "@[c]: 3\n@[d]: 4\n")
	checkText(t, mapText(t, m, es, 10, 10), "@[a]: 1\n@[b]: 2\n@[c]: 3\n@[d]: 4\n")
}

func TestPrintDivision(t *testing.T) {
	c := newMap("@c", tStr16, &lang.Type{Kind: lang.KCount})
	checkText(t, mapText(t, c, []Entry{entry(c, "a", u64(2500), u64(500))}, 0, 1000), "@c[a]: 3\n")
	s := newMap("@s", nil, &lang.Type{Kind: lang.KSum, Signed: true})
	checkText(t, mapText(t, s, []Entry{entry(s, nil, i64(-2500))}, 0, 1000), "@s: -2\n")
	st := newMap("@st", nil, &lang.Type{Kind: lang.KStats})
	// Only the average is divided.
	checkText(t, mapText(t, st, []Entry{entry(st, nil, statsCPU(3000, 2))}, 0, 1000), "@st: count 2, average 1, total 3000\n")
}

func TestPrintScalarAndTupleValues(t *testing.T) {
	tt := tuple(tI64, tStr16)
	m := newMap("@t", nil, tt)
	checkText(t, mapText(t, m, []Entry{entry(m, nil, encode(tt, []any{1, "abc"}))}, 0, 0), "@t: (1, abc)\n")
	// Tuple keys lose their outer parentheses, nested ones stay.
	k := tuple(tuple(tI64, tI64), tStr16)
	n := newMap("@n", k, tI64)
	checkText(t, mapText(t, n, []Entry{entry(n, []any{[]any{1, 2}, "x"}, i64(3))}, 0, 0), "@n[(1, 2), x]: 3\n")
}

func TestValue(t *testing.T) {
	cases := []struct {
		t    *lang.Type
		b    []byte
		want string
	}{
		{tI64, i64(-5), "-5"},
		{lang.TUint64, u64(1<<63 + 5), "9223372036854775813"},
		{lang.TInt32, []byte{0xfe, 0xff, 0xff, 0xff}, "-2"},
		{lang.TUint8, []byte{250}, "250"},
		{tStr16, encode(tStr16, "str"), "str"},
		// (1, "abc", -2) as print((1, "abc", -2)) printed it.
		{tuple(tI64, tStr16, tI64), encode(tuple(tI64, tStr16, tI64), []any{1, "abc", -2}), "(1, abc, -2)"},
		{lang.TBool, []byte{1}, "true"},
		{&lang.Type{Kind: lang.KArray, Elem: lang.TInt32, Len: 4}, []byte{1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0}, "[1,2,3,4]"},
		{&lang.Type{Kind: lang.KStruct, Size: 8, Fields: []*lang.Field{{Name: "m", Offset: 0, Type: lang.TInt32}, {Name: "n", Offset: 4, Type: lang.TInt32}}},
			[]byte{2, 0, 0, 0, 3, 0, 0, 0}, "{ .m = 2, .n = 3 }"},
		{&lang.Type{Kind: lang.KBuffer, Size: 8}, append([]byte{8, 0, 0, 0}, "ok_key\x00\x00"...), `ok_key\x00\x00`},
		{&lang.Type{Kind: lang.KPtr, Elem: lang.TInt32}, u64(0x1000), "0x1000"},
	}
	for _, c := range cases {
		if got := plain.Value(c.t, c.b); got != c.want {
			t.Errorf("Value(%s) = %q, want %q", c.t, got, c.want)
		}
	}
}

func TestTime(t *testing.T) {
	now := time.Date(2026, 11, 22, 4, 23, 52, 123456789, time.UTC)
	cases := map[string]string{
		"":                        "04:23:52\n",
		"%H:%M:%S\n":              "04:23:52\n",
		"%Y x %d\n":               "2026 x 22\n",
		"%a %b %e %j %p %I %y %%": "Sun Nov 22 326 AM 04 26 %",
		"%F %T %s":                "2026-11-22 04:23:52 1795321432",
		"%f %Q":                   "%f %Q", // %f is strftime()'s, not time()'s
	}
	for format, want := range cases {
		if got := Time(format, now); got != want {
			t.Errorf("Time(%q) = %q, want %q", format, got, want)
		}
	}
}

// An enum value prints its enumerator's name everywhere bpftrace v0.26
// does (print, map keys and values, tuples), its number in JSON, and the
// number when the enum has no name for it.
func TestEnumNames(t *testing.T) {
	state := &lang.Type{Kind: lang.KInt, Size: 4, Signed: true, Enum: &lang.Enum{Name: "enum state", Values: map[int64]string{0: "IDLE", 5: "RUNNING", -1: "BROKEN"}}}
	for _, c := range []struct {
		b    []byte
		want string
	}{
		{[]byte{5, 0, 0, 0}, "RUNNING"},
		{[]byte{0xff, 0xff, 0xff, 0xff}, "BROKEN"},
		{[]byte{7, 0, 0, 0}, "7"},
	} {
		if got := plain.Value(state, c.b); got != c.want {
			t.Errorf("Value(% x) = %q, want %q", c.b, got, c.want)
		}
	}
	if got := plain.Value(tuple(tI64, state), encode(tuple(tI64, lang.TInt32), []any{1, 5})); got != "(1, RUNNING)" {
		t.Errorf("tuple: %q", got)
	}
	k := newMap("@k", state, &lang.Type{Kind: lang.KCount})
	checkText(t, mapText(t, k, []Entry{entry(k, 5, u64(2)), entry(k, 0, u64(1))}, 0, 0), "@k[IDLE]: 1\n@k[RUNNING]: 2\n")
	v := newMap("@v", nil, state)
	checkText(t, mapText(t, v, []Entry{entry(v, nil, []byte{0xff, 0xff, 0xff, 0xff})}, 0, 0), "@v: BROKEN\n")
	checkText(t, jsonMap(t, v, []Entry{entry(v, nil, []byte{0xff, 0xff, 0xff, 0xff})}, 0, 0), `{"type": "map", "data": {"@v": -1}}`+"\n")
}

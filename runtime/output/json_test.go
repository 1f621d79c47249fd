package output

import (
	"strings"
	"testing"
	"time"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
)

// Exact JSON lines for every shape. The expected lines are bpftrace v0.26's
// (its runtime tests' json-output cases), built from the same map contents.

func jsonMap(t *testing.T, m *codegen.Map, entries []Entry, top, div int64) string {
	t.Helper()
	return printed("json", plain, func(p Printer) {
		if err := p.Map(m, EntriesOf(entries), top, div); err != nil {
			t.Fatal(err)
		}
	})
}

func checkJSON(t *testing.T, got, want string) {
	t.Helper()
	if got != want+"\n" {
		t.Errorf("got  %q\nwant %q", got, want+"\n")
	}
}

func TestJSONScalarAndKeyedMaps(t *testing.T) {
	// begin { @scalar = 5; }
	s := newMap("@scalar", nil, tI64)
	checkJSON(t, jsonMap(t, s, []Entry{entry(s, nil, i64(5))}, 0, 0), `{"type": "map", "data": {"@scalar": 5}}`)
	// begin { @scalar_str = "a b \n d e"; }
	ss := newMap("@scalar_str", nil, lang.StringType(16))
	checkJSON(t, jsonMap(t, ss, []Entry{entry(ss, nil, encode(ss.Value, "a b \n d e"))}, 0, 0),
		`{"type": "map", "data": {"@scalar_str": "a b \n d e"}}`)
	// begin { @map["key1"] = 2; @map["key2"] = 3; }
	m := newMap("@map", tStr16, tI64)
	checkJSON(t, jsonMap(t, m, []Entry{entry(m, "key2", i64(3)), entry(m, "key1", i64(2))}, 0, 0),
		`{"type": "map", "data": {"@map": {"key1": 2, "key2": 3}}}`)
	// begin { @complex[comm, 2] = 5; }: tuple keys lose parentheses and spaces.
	c := newMap("@complex", tuple(tStr16, tI64), tI64)
	checkJSON(t, jsonMap(t, c, []Entry{entry(c, []any{"bpftrace", 2}, i64(5))}, 0, 0),
		`{"type": "map", "data": {"@complex": {"bpftrace,2": 5}}}`)
	// count() maps are "map" too; print(@, top) keeps the last top.
	n := newMap("@", tStr16, &lang.Type{Kind: lang.KCount})
	es := []Entry{entry(n, "a", u64(1), u64(2)), entry(n, "b", u64(10)), entry(n, "c", u64(5))}
	checkJSON(t, jsonMap(t, n, es, 0, 0), `{"type": "map", "data": {"@": {"a": 3, "c": 5, "b": 10}}}`)
	checkJSON(t, jsonMap(t, n, es, 2, 0), `{"type": "map", "data": {"@": {"c": 5, "b": 10}}}`)
}

func TestJSONTupleValues(t *testing.T) {
	// begin { @ = (1, 2, "string", (4, 5)); }
	tt := tuple(tI64, tI64, tStr16, tuple(tI64, tI64))
	m := newMap("@", nil, tt)
	b := encode(tt, []any{1, 2, "string", []any{4, 5}})
	checkJSON(t, jsonMap(t, m, []Entry{entry(m, nil, b)}, 0, 0), `{"type": "map", "data": {"@": [1,2,"string",[4,5]]}}`)
	// begin { @ = (1, 2, "string with \"quotes\""); }
	tq := tuple(tI64, tI64, lang.StringType(32))
	mq := newMap("@", nil, tq)
	checkJSON(t, jsonMap(t, mq, []Entry{entry(mq, nil, encode(tq, []any{1, 2, `string with "quotes"`}))}, 0, 0),
		`{"type": "map", "data": {"@": [1,2,"string with \"quotes\""]}}`)
}

func TestJSONStats(t *testing.T) {
	// begin { @stats = stats(2); @stats = stats(10); }
	s := newMap("@stats", nil, &lang.Type{Kind: lang.KStats, Signed: true})
	checkJSON(t, jsonMap(t, s, []Entry{entry(s, nil, statsCPU(2, 1), statsCPU(10, 1))}, 0, 0),
		`{"type": "stats", "data": {"@stats": {"count": 2, "average": 6, "total": 12}}}`)
	// begin { @stats["curl"] = stats(2); @stats["zsh"] = stats(10); }
	k := newMap("@stats", tStr16, &lang.Type{Kind: lang.KStats, Signed: true})
	checkJSON(t, jsonMap(t, k, []Entry{entry(k, "zsh", statsCPU(10, 1)), entry(k, "curl", statsCPU(2, 1))}, 0, 0),
		`{"type": "stats", "data": {"@stats": {"curl": {"count": 1, "average": 2, "total": 2}, "zsh": {"count": 1, "average": 10, "total": 10}}}}`)
	// begin { @["a"] = avg(10); ... @["d"] = avg(40); print(@, 2, 10); }
	a := newMap("@", tStr16, &lang.Type{Kind: lang.KAvg, Signed: true})
	es := []Entry{entry(a, "a", statsCPU(10, 1)), entry(a, "b", statsCPU(20, 1)), entry(a, "c", statsCPU(30, 1)), entry(a, "d", statsCPU(40, 1))}
	checkJSON(t, jsonMap(t, a, es, 2, 10), `{"type": "stats", "data": {"@": {"c": 3, "d": 4}}}`)
	checkJSON(t, jsonMap(t, a, es, 10, 10), `{"type": "stats", "data": {"@": {"a": 1, "b": 2, "c": 3, "d": 4}}}`)
}

func TestJSONHist(t *testing.T) {
	// begin { @hist = hist(2); @hist = hist(1025); }
	h := newMap("@hist", nil, histType())
	checkJSON(t, jsonMap(t, h, histOf(h, nil, 2, 1025), 0, 0), `{"type": "hist", "data": {"@hist": [`+
		`{"min": 2, "max": 3, "count": 1},{"min": 4, "max": 7, "count": 0},{"min": 8, "max": 15, "count": 0},`+
		`{"min": 16, "max": 31, "count": 0},{"min": 32, "max": 63, "count": 0},{"min": 64, "max": 127, "count": 0},`+
		`{"min": 128, "max": 255, "count": 0},{"min": 256, "max": 511, "count": 0},{"min": 512, "max": 1023, "count": 0},`+
		`{"min": 1024, "max": 2047, "count": 1}]}}`)
	// begin { @hist = hist(2); zero(@hist); }
	checkJSON(t, jsonMap(t, h, []Entry{histKV(h, nil, log2Index(2), 0)}, 0, 0), `{"type": "hist", "data": {"@hist": []}}`)
	// Several keys; the bucket below zero has no min.
	k := newMap("@", tStr16, histType())
	es := append(histOf(k, "bpftrace", 2), histOf(k, "curl", -1, 0, 511, 1024, 1025)...)
	checkJSON(t, jsonMap(t, k, es, 0, 0), `{"type": "hist", "data": {"@": {"bpftrace": [{"min": 2, "max": 3, "count": 1}], "curl": [`+
		`{"max": -1, "count": 1},{"min": 0, "max": 0, "count": 1},{"min": 1, "max": 1, "count": 0},{"min": 2, "max": 3, "count": 0},`+
		`{"min": 4, "max": 7, "count": 0},{"min": 8, "max": 15, "count": 0},{"min": 16, "max": 31, "count": 0},`+
		`{"min": 32, "max": 63, "count": 0},{"min": 64, "max": 127, "count": 0},{"min": 128, "max": 255, "count": 0},`+
		`{"min": 256, "max": 511, "count": 1},{"min": 512, "max": 1023, "count": 0},{"min": 1024, "max": 2047, "count": 2}]}}}`)
	// begin { @[1] = hist(10); @[2] = hist(20); @[3] = hist(30); print(@, 2); }
	ik := newMap("@", tI64, histType())
	es = append(append(histOf(ik, 1, 10), histOf(ik, 2, 20)...), histOf(ik, 3, 30)...)
	checkJSON(t, jsonMap(t, ik, es, 2, 0), `{"type": "hist", "data": {"@": {"2": [{"min": 16, "max": 31, "count": 1}], "3": [{"min": 16, "max": 31, "count": 1}]}}}`)
}

func TestJSONLhist(t *testing.T) {
	// begin { @h = lhist(2, 0, 100, 10); @h = lhist(50, 0, 100, 10); @h = lhist(1000, 0, 100, 10); }
	h := newMap("@h", nil, lhistType(0, 100, 10))
	var want strings.Builder
	want.WriteString(`{"type": "hist", "data": {"@h": [`)
	counts := []int{1, 0, 0, 0, 0, 1, 0, 0, 0, 0}
	for i, c := range counts {
		if i > 0 {
			want.WriteString(",")
		}
		want.WriteString(`{"min": ` + itoa(i*10) + `, "max": ` + itoa(i*10+9) + `, "count": ` + itoa(c) + `}`)
	}
	want.WriteString(`,{"min": 100, "count": 1}]}}`)
	checkJSON(t, jsonMap(t, h, histOf(h, nil, 2, 50, 1000), 0, 0), want.String())
}

func itoa(n int) string { return plain.decode(tI64, i64(int64(n))).text() }

func TestJSONEvents(t *testing.T) {
	at := time.Date(2024, 1, 2, 12, 34, 56, 0, time.Local)
	got := printed("json", plain, func(p Printer) {
		p.Printf("test 5")
		p.Printf("test \r \n \t \\ \" bar\x01")
		p.Time("", at)
		p.Cat([]byte("1.0 2.0\n"))
		p.Join("/bin/echo,'A'")
		p.Attached(1)
		p.LostEvents(3)
		p.HelperError(lang.Span{Start: lang.Pos{Line: 1, Col: 37}}, "probe_read", -14)
		tt := tuple(tI64, tI64, tStr16)
		p.Value(tt, encode(tt, []any{1, 2, "string"}))
		p.Value(tI64, i64(5))
		p.Value(tuple(lang.TBool, lang.TBool), []byte{1, 0})
		p.Value(lang.TUint64, u64(1<<63+1))
	})
	want := `{"type": "printf", "data": "test 5"}
{"type": "printf", "data": "test \r \n \t \\ \" bar\u0001"}
{"type": "time", "data": "12:34:56\n"}
{"type": "cat", "data": "1.0 2.0\n"}
{"type": "join", "data": "/bin/echo,'A'"}
{"type": "attached_probes", "count": 1, "data": {"probes": 1}}
{"type": "lost_events", "count": 3, "data": {"events": 3}}
{"type": "helper_error", "msg": "Bad address", "helper": "probe_read", "retcode": -14, "filename": "stdin", "line": 1, "col": 37}
{"type": "value", "data": [1,2,"string"]}
{"type": "value", "data": 5}
{"type": "value", "data": [true,false]}
{"type": "value", "data": "9223372036854775809"}
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestJSONExitMaps(t *testing.T) {
	// begin { @map1["key1"] = 2; @map2["key2"] = 3; } plus an empty map.
	m2 := newMap("@map2", tStr16, tI64)
	m1 := newMap("@map1", tStr16, tI64)
	e := newMap("@empty", nil, tI64)
	data := map[*codegen.Map][]Entry{m1: {entry(m1, "key1", i64(2))}, m2: {entry(m2, "key2", i64(3))}}
	got := printed("json", plain, func(p Printer) {
		err := p.ExitMaps([]*codegen.Map{m2, e, m1}, func(m *codegen.Map) (*Entries, error) { return EntriesOf(data[m]), nil })
		if err != nil {
			t.Fatal(err)
		}
	})
	want := `{"type": "map", "data": {"@map1": {"key1": 2}}}
{"type": "map", "data": {"@map2": {"key2": 3}}}
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestJSONRuntimeError(t *testing.T) {
	var sb strings.Builder
	p := NewJSON(plain, Destination{Stdout: &sb, File: "my\tscript.bt"})
	p.RuntimeWarning(lang.Span{Start: lang.Pos{Line: 3, Col: 12}}, "Divide or modulo by 0 detected. \"1\" is used")
	p.Flush()
	want := `{"type": "runtime_error", "msg": "Divide or modulo by 0 detected. \"1\" is used", "filename": "my\tscript.bt", "line": 3, "col": 12}` + "\n"
	if sb.String() != want {
		t.Errorf("got\n%s\nwant\n%s", sb.String(), want)
	}
}

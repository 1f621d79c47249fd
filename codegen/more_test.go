package codegen

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang"
)

func TestTuplesAndStrings(t *testing.T) {
	l := runBegin(t, `BEGIN {
		$t = (1, "two", (int8)-3);
		@tv = $t;
		@k[$t.1] = $t.0;
		$x = 1 ? "a" : "bbb";
		$y = 0 ? "a" : "bbb";
		printf("%d %s %d %s %s\n", $t.0, $t.1, $t.2, $x, $y);
		print($t);
		@p = $1 + 1;
		printf("%s\n", $2);
	}`, "41", "param")
	recs := l.events()
	if len(recs) != 3 {
		t.Fatalf("%d records", len(recs))
	}
	r := recs[0]
	if r.int(0) != 1 || r.str(1) != "two" || r.int(2) != -3 || r.str(3) != "a" || r.str(4) != "bbb" {
		t.Errorf("got %d %q %d %q %q", r.int(0), r.str(1), r.int(2), r.str(3), r.str(4))
	}
	if recs[1].ev.Kind != EvPrintValue || recs[1].ev.Args[0].Type.Kind != lang.KTuple {
		t.Errorf("print($t) event %+v", recs[1].ev)
	}
	if recs[2].str(0) != "param" {
		t.Errorf("$2 = %q", recs[2].str(0))
	}
	if got := i64(l.value("@p", nil)); got != 42 {
		t.Errorf("@p = %d", got)
	}
	km, _ := l.scriptMap("@k")
	if got := i64(l.value("@k", strKey("two", km.KeySize))); got != 1 {
		t.Errorf(`@k["two"] = %d`, got)
	}
	tm, _ := l.scriptMap("@tv")
	v := l.value("@tv", nil)
	offs := TupleOffsets(tm.Value)
	if v[offs[0]] != 1 || string(v[offs[1]:offs[1]+3]) != "two" || int8(v[offs[2]]) != -3 {
		t.Errorf("@tv = %x (%s)", v, tm.Value)
	}
}

func TestLargeStrings(t *testing.T) {
	requireRoot(t)
	off := commOffset(t)
	p := compileScript(t, `config = { max_strlen = 4096 }
	BEGIN {
		$p = curtask + `+itoa(off)+`;
		$s = str($p);
		@k[str($p), $s] = count();
		printf("%s %s\n", str($p), $s);
	}`)
	l := load(t, p)
	l.run("BEGIN")
	recs := l.printfs()
	if len(recs) != 1 || recs[0].str(0) != "codegen.test" || recs[0].str(1) != "codegen.test" {
		t.Fatalf("records %v", recs)
	}
	if n := len(l.entries("@k")); n != 1 {
		t.Errorf("@k has %d entries", n)
	}
}

func TestOtherProgramTypes(t *testing.T) {
	p := compileScript(t, `interval:ms:100 { @i = count(); } END { @e = count(); printf("end\n"); }`)
	l := load(t, p)
	if typ := p.Spec.Programs[p.Programs[0].Name].Type.String(); typ != "PerfEvent" {
		t.Errorf("interval program type %s", typ)
	}
	l.run("END")
	if got := u64(l.value("@e", nil)); got != 1 {
		t.Errorf("@e = %d", got)
	}
}

func TestPositionedErrors(t *testing.T) {
	// Things the checker accepts that codegen does not do yet must come
	// back as positioned diagnostics, never a panic.
	cases := []struct{ src, msg string }{
		{`BEGIN { $x = @a; @a = count(); }`, ""},
		{`BEGIN { config = 1 }`, ""},
	}
	for _, c := range cases {
		_, err := tryCompile(c.src)
		if err == nil {
			if c.msg != "" {
				t.Errorf("%s: no error", c.src)
			}
			continue
		}
		var d *lang.Diagnostics
		if !errors.As(err, &d) {
			t.Errorf("%s: error %T %v", c.src, err, err)
			continue
		}
		if c.msg != "" && !strings.Contains(err.Error(), c.msg) {
			t.Logf("%s: %v", c.src, err)
		}
		for _, x := range d.List {
			if x.Span.Start.Line == 0 {
				t.Errorf("%s: unpositioned diagnostic %q", c.src, x.Msg)
			}
		}
	}
}

func TestMapDeclarations(t *testing.T) {
	p := compileScript(t, `let @a = lruhash(100); let @b = percpulruhash(50); let @c = hash(7);
	BEGIN { @a[1] = 2; @b[comm] = count(); @c = 3; }`)
	want := map[string]string{"@a": "LRUHash/100", "@b": "LRUCPUHash/50", "@c": "Hash/7"}
	for _, m := range p.Maps {
		spec := p.Spec.Maps[m.Name]
		if got := fmt.Sprintf("%s/%d", spec.Type, spec.MaxEntries); got != want[m.ScriptName] {
			t.Errorf("%s: %s, want %s", m.ScriptName, got, want[m.ScriptName])
		}
	}
	l := load(t, p)
	l.run("BEGIN")
	if got := i64(l.value("@a", le64(1))); got != 2 {
		t.Errorf("@a[1] = %d", got)
	}
	// percpuarray holds one aggregation without keys, in a per-CPU array.
	p = compileScript(t, `let @d = percpuarray(1); BEGIN { @d = count(); @d = count(); @e = count(); }`)
	for _, m := range p.Maps {
		spec := p.Spec.Maps[m.Name]
		if m.ScriptName == "@d" && (spec.Type.String() != "PerCPUArray" || spec.KeySize != 4 || spec.MaxEntries != 1) {
			t.Errorf("@d: %s key %d entries %d", spec.Type, spec.KeySize, spec.MaxEntries)
		}
	}
	l = load(t, p)
	l.run("BEGIN")
	_, dm := l.scriptMap("@d")
	var perCPU []uint64
	if err := dm.Lookup(uint32(0), &perCPU); err != nil {
		t.Fatal(err)
	}
	var total uint64
	for _, v := range perCPU {
		total += v
	}
	if total != 2 {
		t.Errorf("@d counts %d, want 2", total)
	}
	for src, want := range map[string]string{
		`let @d = percpuarray(4); BEGIN { @d = count(); }`:    "Max entries can only be 1 for map type percpuarray",
		`let @d = percpuarray(1); BEGIN { @d[1] = count(); }`: "Incompatible map types. Type from declaration: percpuarray. Type from value/key type: percpuhash",
		`let @d = hash(5); BEGIN { @d = count(); }`:           "Incompatible map types. Type from declaration: hash. Type from value/key type: percpuarray",
		`let @d = percpuhash(5); BEGIN { @d[1] = 1; }`:        "Incompatible map types. Type from declaration: percpuhash. Type from value/key type: hash",
		`let @d = array(5); BEGIN { @d[1] = 1; }`:             "Invalid bpf map type: array",
	} {
		if _, err := tryCompile(src); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", src, err, want)
		}
	}
}

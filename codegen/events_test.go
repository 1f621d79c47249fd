package codegen

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"
)

func TestPrintfRecords(t *testing.T) {
	l := runBegin(t, `BEGIN {
		printf("hello\n");
		printf("%d %s %d\n", (int8)-2, "ab", (uint16)65535);
		printf("%s|%d|%s\n", comm, pid, probe);
	}`)
	recs := l.events()
	if len(recs) != 3 {
		t.Fatalf("%d records", len(recs))
	}
	for i, r := range recs {
		if r.ev.Kind != EvPrintf {
			t.Errorf("record %d kind %d", i, r.ev.Kind)
		}
	}
	if recs[0].ev.Format != "hello\n" || len(recs[0].ev.Args) != 0 || recs[0].ev.Size != 8 {
		t.Errorf("first event %+v", recs[0].ev)
	}
	r := recs[1]
	if r.int(0) != -2 || r.str(1) != "ab" || r.int(2) != 65535 {
		t.Errorf("got %d %q %d", r.int(0), r.str(1), r.int(2))
	}
	for i, a := range r.ev.Args {
		if a.Offset < EventHeaderSize || a.Offset%Alignof(a.Type) != 0 {
			t.Errorf("arg %d at offset %d (%s)", i, a.Offset, a.Type)
		}
	}
	r = recs[2]
	if r.str(0) != "codegen.test" {
		t.Errorf("comm = %q", r.str(0))
	}
	if r.int(1) != int64(os.Getpid()) {
		t.Errorf("pid = %d, want %d", r.int(1), os.Getpid())
	}
	if r.str(2) != "BEGIN" {
		t.Errorf("probe = %q", r.str(2))
	}
}

func TestAsyncEvents(t *testing.T) {
	l := runBegin(t, `BEGIN {
		@m[1] = 2;
		print(@m);
		print(@m, 5, 2);
		print(42);
		print("text");
		clear(@m);
		zero(@m);
		time();
		time("%H\n");
		exit();
		printf("after exit\n");
		@after = 1;
	}`)
	recs := l.events()
	kinds := []EventKind{EvPrintMap, EvPrintMap, EvPrintValue, EvPrintValue, EvClear, EvZero, EvTime, EvTime, EvExit}
	if len(recs) != len(kinds) {
		t.Fatalf("%d records, want %d", len(recs), len(kinds))
	}
	for i, k := range kinds {
		if recs[i].ev.Kind != k {
			t.Errorf("record %d kind %d, want %d", i, recs[i].ev.Kind, k)
		}
	}
	if ev := recs[1].ev; ev.Map != "@m" || ev.Top != 5 || ev.Div != 2 {
		t.Errorf("print(@m, 5, 2) event %+v", ev)
	}
	if recs[2].int(0) != 42 || recs[3].str(0) != "text" {
		t.Errorf("print values %d %q", recs[2].int(0), recs[3].str(0))
	}
	if recs[4].ev.Map != "@m" || recs[6].ev.Format != "%H:%M:%S\n" || recs[7].ev.Format != "%H\n" {
		t.Errorf("clear/time events %+v %+v %+v", recs[4].ev, recs[6].ev, recs[7].ev)
	}
	if n := len(l.entries("@after")); n != 0 {
		t.Errorf("statements after exit() ran")
	}
}

func TestExitInBranch(t *testing.T) {
	l := runBegin(t, `BEGIN { $x = 1; if ($x == 1) { exit(); } @after = 1; }`)
	if n := len(l.entries("@after")); n != 0 {
		t.Errorf("statements after exit() ran")
	}
	recs := l.events()
	if len(recs) != 1 || recs[0].ev.Kind != EvExit {
		t.Errorf("records %v", recs)
	}
}

// commOffset finds task_struct.comm in the kernel's BTF, so that
// str(curtask + offset) reads a kernel string whose value we know.
func commOffset(t *testing.T) int {
	spec, err := btf.LoadKernelSpec()
	if err != nil {
		t.Skipf("no kernel BTF: %v", err)
	}
	var task *btf.Struct
	if err := spec.TypeByName("task_struct", &task); err != nil {
		t.Fatal(err)
	}
	for _, m := range task.Members {
		if m.Name == "comm" {
			return int(m.Offset.Bytes())
		}
	}
	t.Fatal("task_struct has no comm")
	return 0
}

func TestStrOfKernelString(t *testing.T) {
	requireRoot(t)
	off := commOffset(t)
	l := runBegin(t, `BEGIN {
		$p = curtask + `+itoa(off)+`;
		printf("%s\n", str($p));
		printf("%s\n", str($p, 3));
		@k[str($p)] = count();
		$s = str($p, 4);
		@v = $s;
	}`)
	recs := l.printfs()
	if len(recs) != 2 {
		t.Fatalf("%d printfs", len(recs))
	}
	if got := recs[0].str(0); got != "codegen.test" {
		t.Errorf("str = %q", got)
	}
	// str(p, n) holds n characters when its type has room (the checker
	// sizes a constant n's buffer).
	want := "codegen.test"[:min(3, recs[1].ev.Args[0].Type.Size-1)]
	if got := recs[1].str(0); got != want {
		t.Errorf("str(p, 3) = %q, want %q", got, want)
	}
	m, _ := l.scriptMap("@k")
	if got := u64(l.value("@k", strKey("codegen.test", m.KeySize))); got != 1 {
		t.Errorf("@k[str] = %d", got)
	}
	v := l.value("@v", nil)
	if n := strings.IndexByte(string(v), 0); n < 0 || !strings.HasPrefix("codegen.test", string(v[:n])) || n < len(v)-1 {
		t.Errorf("@v = %q", v)
	}
	for _, b := range v[strings.IndexByte(string(v), 0):] {
		if b != 0 {
			t.Errorf("@v not NUL-padded: %q", v)
			break
		}
	}
}

func TestElapsedAndMisc(t *testing.T) {
	p := compileScript(t, `BEGIN { printf("%d %d %d %d %d\n", elapsed, nsecs, cpu, tid, uid); @r = rand; @g = cgroup; @j = jiffies; }`)
	if p.Globals == "" {
		t.Fatal("elapsed did not declare the globals map")
	}
	l := load(t, p)
	start := uint64(1000)
	if err := l.coll.Maps[p.Globals].Put(uint32(0), [GlobalsSize / 8]uint64{start}); err != nil {
		t.Fatal(err)
	}
	l.run("BEGIN")
	r := l.printfs()[0]
	if el, ns := r.u64(0), r.u64(1); el+start > ns || ns-(el+start) > 1e9 {
		t.Errorf("elapsed %d nsecs %d", el, ns)
	}
	if r.int(3) != int64(os.Getpid()) && r.int(3) <= 0 {
		t.Errorf("tid = %d", r.int(3))
	}
	if r.int(4) != int64(os.Getuid()) {
		t.Errorf("uid = %d", r.int(4))
	}
	if u64(l.value("@g", nil)) == 0 {
		t.Errorf("cgroup = 0")
	}
}

func itoa(n int) string {
	return strconv.Itoa(n)
}

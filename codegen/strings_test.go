package codegen

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang/check"
	"github.com/gobpftrace/gobpftrace/lang/parser"
)

// String functions and records, run in the kernel.

func TestStrcontainsStrncmpAndRecords(t *testing.T) {
	l := runChecked(t, checked(t, `BEGIN {
		$h = "hello world"; $n = "o w";
		@a = strcontains($h, "o w"); @b = strcontains($h, "xyz"); @c = strcontains($h, $n);
		@d = strcontains("ab", ""); @e = strcontains("abcabd", "abd"); @f = strcontains("abc", "abcd");
		@g = strncmp($h, "help", 3); @h = strncmp($h, "help", 4);
		$r = (name = "x", n = 7);
		@i = $r.n; @j = $r.name == "x";
		@k = bswap((uint16)0x1234);
	}`))
	for name, want := range map[string]byte{"@a": 1, "@b": 0, "@c": 1, "@d": 1, "@e": 1, "@f": 0, "@g": 0, "@h": 1, "@i": 7, "@j": 1} {
		if got := l.value(name, nil)[0]; got != want {
			t.Errorf("%s = %d, want %d", name, got, want)
		}
	}
	if got := u64(l.value("@k", nil)); got != 0x3412 {
		t.Errorf("@k = %#x, want 0x3412", got)
	}
}

func TestStrOfPositionalParameter(t *testing.T) {
	src := `BEGIN { @s = str($1); @t = str($1, 2); }`
	prog, err := parser.Parse("test.bt", src)
	if err != nil {
		t.Fatal(err)
	}
	c, err := check.Check(prog, "test.bt", src, fakeEnv{}, check.Options{Params: []string{"abcdef"}})
	if err != nil {
		t.Fatal(err)
	}
	l := runChecked(t, c)
	if got := cstr(l.value("@s", nil)); got != "abcdef" {
		t.Errorf("@s = %q", got)
	}
	if got := cstr(l.value("@t", nil)); got != "ab" {
		t.Errorf("@t = %q", got)
	}
}

func cstr(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

func TestIntegerArrayCasts(t *testing.T) {
	l := runChecked(t, checked(t, `BEGIN {
		$b = (uint8[4])(uint32)0x04030201;
		@first = $b[0]; @last = $b[3]; @back = (uint32)$b;
		@arr = (int16[2])(uint32)0xfffe0001;
		$a = @arr;
		@neg = $a[1];
	}`))
	for name, want := range map[string]int64{"@first": 1, "@last": 4, "@back": 0x04030201, "@neg": -2} {
		if got := i64(l.value(name, nil)); got != want {
			t.Errorf("%s = %d, want %d", name, got, want)
		}
	}
}

// Strings longer than a plain loop can scan (maxInlineScan) compare and
// search in bpf_loop callbacks: the results must match the short path's.
func TestLongStringScans(t *testing.T) {
	long := strings.Repeat("abcdefghij", 40) // 400 bytes
	src := fmt.Sprintf(`config = { max_strlen = 4096 }
BEGIN {
  $a = "%[1]s"; $b = "%[1]s"; $c = "%[1]sX"; $d = "%[2]s";
  $n = "hij"; $m = "%[3]s"; $e = "";
  printf("%%d %%d %%d %%d\n", $a == $b, $a != $b, $a == $c, $a == $d);
  printf("%%d %%d %%d %%d %%d %%d\n", strcontains($a, "jab"), strcontains($a, "jj"),
    strcontains($c, "jX"), strcontains($a, $n), strcontains($c, $m), strcontains($a, $e));
}`, long, long[:390]+"Z", strings.Repeat("x", 80)+"j")
	l := runBegin(t, src)
	recs := l.printfs()
	if len(recs) != 2 {
		t.Fatalf("%d records", len(recs))
	}
	got := fmt.Sprint(recs[0].int(0), recs[0].int(1), recs[0].int(2), recs[0].int(3), "|",
		recs[1].int(0), recs[1].int(1), recs[1].int(2), recs[1].int(3), recs[1].int(4), recs[1].int(5))
	if want := "1 0 0 0|1 0 1 1 0 1"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// strstr gives the index of the first match, -1 when there is none and 0
// for an empty needle, on the straight-line path and on the bpf_loop paths
// (a haystack longer than maxInlineScan, a variable needle longer than
// maxInlineNeedle).
func TestStrstrInKernel(t *testing.T) {
	long := strings.Repeat("abcdefghij", 40) + "XYZ" // 403 bytes
	src := fmt.Sprintf(`config = { max_strlen = 4096 }
BEGIN {
  $h = "hello world"; $n = "o w"; $e = ""; $none = "xyz";
  printf("%%d %%d %%d %%d %%d %%d %%d %%d\n", strstr($h, "o w"), strstr($h, "l"), strstr($h, $n),
    strstr($h, $none), strstr("ab", ""), strstr($h, $e), strstr("abc", "abcd"), strstr("abcabd", "abd"));
  $l = "%[1]s"; $ln = "YZ"; $m = "%[2]s"; $k = "%[3]s";
  printf("%%d %%d %%d %%d %%d %%d\n", strstr($l, "XYZ"), strstr($l, "jj"), strstr($l, $ln),
    strstr($l, $e), strstr($l, $m), strstr($k, $m));
}`, long, strings.Repeat("x", 80)+"j", strings.Repeat("q", 300)+strings.Repeat("x", 80)+"j")
	l := runBegin(t, src)
	recs := l.printfs()
	if len(recs) != 2 {
		t.Fatalf("%d records", len(recs))
	}
	var got []string
	for _, r := range recs {
		var line []string
		for i := range r.ev.Args {
			line = append(line, fmt.Sprint(r.int(i)))
		}
		got = append(got, strings.Join(line, " "))
	}
	want := []string{"4 2 4 -1 0 0 -1 3", "400 -1 401 0 -1 300"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", got, want)
	}
}

// memcmp compares bytes in straight-line code up to maxInlineScan and in a
// bpf_loop callback beyond: both give the difference of the first
// differing bytes.
func TestMemcmpInKernel(t *testing.T) {
	long := strings.Repeat("a", 500)
	l := runBegin(t, fmt.Sprintf(`config = { max_strlen = 1024 }
BEGIN {
  $a = "abcd"; $b = "abxd"; $l = "%[1]sb"; $m = "%[1]sc";
  printf("%%d %%d %%d %%d %%d %%d %%d\n", memcmp($a, $b, 2), memcmp($a, $b, 4), memcmp($b, $a, 4),
    memcmp((1, "x"), (1, "x"), 3), memcmp($l, $m, 500), memcmp($l, $m, 502), memcmp($m, $l, 501));
}`, long))
	recs := l.printfs()
	if len(recs) != 1 {
		t.Fatalf("%d records", len(recs))
	}
	var got []string
	for i := range recs[0].ev.Args {
		got = append(got, fmt.Sprint(recs[0].int(i)))
	}
	if g, want := strings.Join(got, " "), "0 -21 21 0 0 -1 1"; g != want {
		t.Errorf("got %s, want %s", g, want)
	}
}

// A string compare's buffers are free once it has jumped: twenty compares
// of comm with comm in one expression (32 bytes each) fit in the frame
// (they were refused with "the loop needs more than 512 bytes of stack"
// once something in the statement needed a slot after them).
func TestStringComparesReuseSlots(t *testing.T) {
	src := "BEGIN { @m = max(1); @r = @m" + strings.Repeat(` + (comm == comm ? 1 : 0) + (probe != "x" ? 1 : 0)`, 10) + " + @m; }"
	l := runBeginFolding(t, src)
	if got := i64(l.value("@r", nil)); got != 22 {
		t.Errorf("@r = %d, want 22", got)
	}
}

// Two string literals are compared at compile time, with the run-time
// compare's result.
func TestLiteralStringCompare(t *testing.T) {
	l := runBegin(t, `BEGIN {
  printf("%d %d %d %d %d\n", "lit" == "lit", "lit" != "lit", "lit" == "sshd", "ab" == "abc", "" == "");
}`)
	recs := l.printfs()
	if len(recs) != 1 {
		t.Fatalf("%d records", len(recs))
	}
	got := fmt.Sprint(recs[0].int(0), recs[0].int(1), recs[0].int(2), recs[0].int(3), recs[0].int(4))
	if want := "1 0 0 0 1"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

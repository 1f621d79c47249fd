package codegen

import (
	"fmt"
	"strings"
	"testing"
)

// evalInts prints each expression with printf in BEGIN and returns the
// values the kernel computed.
func evalInts(t *testing.T, exprs []string) []record {
	t.Helper()
	var b strings.Builder
	b.WriteString("BEGIN {\n")
	for _, e := range exprs {
		fmt.Fprintf(&b, "  printf(\"%%d\\n\", %s);\n", e)
	}
	b.WriteString("}\n")
	l := runBegin(t, b.String())
	recs := l.printfs()
	if len(recs) != len(exprs) {
		t.Fatalf("%d printf records, want %d", len(recs), len(exprs))
	}
	return recs
}

func TestArithmetic(t *testing.T) {
	cases := []struct {
		expr string
		want int64
	}{
		{"7 / 2", 3},
		{"-7 / 2", -3},
		{"-7 % 3", -1},
		{"7 % -3", 1},
		{"(uint64)-7 / 2", int64(uint64(1<<63) - 4)},
		{"(uint32)-1", 4294967295},
		{"(int8)200", -56},
		{"(uint8)300", 44},
		{"(int16)40000", -25536},
		{"1 << 40", 1 << 40},
		{"-16 >> 2", -4},
		{"(uint64)-16 >> 60", 15},
		{"9223372036854775807 + 1", -9223372036854775808},
		{"(uint64)0xffffffffffffffff + 2", 1}, // a cast is not folded: it wraps
		{"0xffffffffffffffff - 1", -2},        // folded to a uint64 literal
		{"5 - 10", -5},
		{"3 * -4", -12},
		{"1000000 * 1000000", 1000000000000},
		{"~0", -1},
		{"-(3)", -3},
		{"6 & 3", 2},
		{"6 | 3", 7},
		{"6 ^ 3", 5},
		{"(2 + 3) * (4 + 5) - (6 - (7 - (8 * (9 + 1))))", 45 - (6 - (7 - 80))},
		{"((1 + 2) * (3 + 4)) * ((5 + 6) * (7 + 8))", 21 * 165},
		{"100 / (3 + 2) / 2", 10},
		{"(uint32)4294967295 + (uint32)1", 4294967296},
	}
	exprs := make([]string, len(cases))
	for i, c := range cases {
		exprs[i] = c.expr
	}
	for i, r := range evalInts(t, exprs) {
		if got := r.int(0); got != cases[i].want {
			t.Errorf("%s = %d (type %s), want %d", cases[i].expr, got, r.ev.Args[0].Type, cases[i].want)
		}
	}
}

func TestComparisonsAndLogic(t *testing.T) {
	cases := []struct {
		expr string
		want int64
	}{
		{"1 < 2", 1},
		{"2 <= 1", 0},
		{"-1 < 1", 1},
		{"(uint64)-1 > 1", 1},
		{"-5 >= -5", 1},
		{"3 == 3", 1},
		{"3 != 3", 0},
		{"!5", 0},
		{"!0", 1},
		{"1 && 0", 0},
		{"2 && 3", 1},
		{"0 || 3", 1},
		{"0 || 0", 0},
		{"!(1 < 2) || (3 > 2 && 2 > 1)", 1},
		{"1 ? 10 : 20", 10},
		{"0 ? 10 : 20", 20},
		{"1 < 2 ? (2 < 1 ? 1 : 2) : 3", 2},
		{"pid > 0", 1},
		{"comm == \"codegen.test\"", 1},
		{"comm != \"codegen.test\"", 0},
		{"comm == \"codegen\"", 0},
		{"\"abc\" == \"abc\"", 1},
		{"\"abc\" == \"abd\"", 0},
	}
	exprs := make([]string, len(cases))
	for i, c := range cases {
		exprs[i] = c.expr
	}
	for i, r := range evalInts(t, exprs) {
		if got := r.int(0); got != cases[i].want {
			t.Errorf("%s = %d, want %d", cases[i].expr, got, cases[i].want)
		}
	}
}

func TestSizeof(t *testing.T) {
	recs := evalInts(t, []string{"sizeof(uint32)", "sizeof(comm)", "sizeof(uint64)", "sizeof(pid)", "sizeof((1, comm))"})
	for i, want := range []int64{4, 16, 8, 4, 17} {
		if got := recs[i].int(0); got != want {
			t.Errorf("case %d: %d, want %d", i, got, want)
		}
	}
}

// A scratch variable set from a bare literal is an int64: counters do not
// wrap at 8 bits, a negative literal stays signed, a later uint64 store
// makes it unsigned; ++ gives an int64 (bpftrace v0.26), so a variable of
// a narrow cast type widens rather than wrapping.
func TestLiteralVariablesAreInt64(t *testing.T) {
	l := runBegin(t, `BEGIN {
  $i = 0; while ($i < 300) { $i++; }
  $d = -1; $d -= 1000;
  $u = 0; $u = (uint64)0xffffffffffffffff;
  $b = (uint8)255; $b++;
  $c = 0; $c += 70000;
  printf("%d %d %d %u %d %d %d %d\n", $i, sizeof($i), $d, $u, sizeof($u), $b, sizeof($b), $c);
}`)
	recs := l.printfs()
	if len(recs) != 1 {
		t.Fatalf("%d records", len(recs))
	}
	r := recs[0]
	got := []int64{r.int(0), r.int(1), r.int(2), int64(r.u64(3)), r.int(4), r.int(5), r.int(6), r.int(7)}
	want := []int64{300, 8, -1001, -1, 8, 256, 8, 70000}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// Arrays and strings in memory index with constants and with run-time
// indexes (bounded: out of range reads 0), in the kernel.
func TestMemoryIndexing(t *testing.T) {
	l := runBegin(t, `BEGIN {
  $a = (uint8[4])(uint32)0x04030201;
  $s = "/usr";
  @m[1] = $a;
  $i = 2; $far = 9; $neg = -1;
  printf("%d %d %d %d %d\n", $a[$i], $a[$far], $a[$neg], @m[1][$i], $a[3]);
  printf("%d %d %d %d\n", $s[0] == "/"[0], $s[$i], $s[$far], $s[4]);
}`)
	recs := l.printfs()
	if len(recs) != 2 {
		t.Fatalf("%d records", len(recs))
	}
	got := fmt.Sprint(recs[0].int(0), recs[0].int(1), recs[0].int(2), recs[0].int(3), recs[0].int(4), "|",
		recs[1].int(0), recs[1].int(1), recs[1].int(2), recs[1].int(3))
	if want := "3 0 0 3 4|1 115 0 0"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

package codegen

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/codegen/ir"
)

// needOfScript is the need of the first probe's predicate and body.
func needOfScript(t *testing.T, src string) stackNeed {
	t.Helper()
	c := checked(t, src)
	cc := &compiler{checked: c, spans: &ir.SpanTable{}}
	probe := c.Prog.Probes[0]
	g := newGen(cc, probe, nil, "test")
	return g.needOf(probe.Predicate, false).or(g.needOf(probe.Body, false))
}

func TestStackNeed(t *testing.T) {
	long := strings.Repeat("x", 300)
	for _, tc := range []struct {
		src  string
		want stackNeed
	}{
		{`BEGIN { $x = 1; for ($i : 0..3) { $x += $i; } }`, stackNeed{}}, // a plain loop
		// A run-time range (40 bytes of slots: context, scratch base,
		// return flag, start, count), a while (24) and a map loop (24),
		// one inside the other: 24 bytes of chain a level.
		{`BEGIN { @m[1] = 1; $n = 3; for ($i : 0..$n) { $w = 0; while ($w < 2) { $w++; for ($kv : @m) { $x = 1; } } } }`,
			stackNeed{chain: 72, shared: 88}},
		// Two loops one after the other need the larger.
		{`BEGIN { @m[1] = 1; $n = 3; for ($i : 0..$n) { } for ($kv : @m) { for ($kv2 : @m) { } } }`,
			stackNeed{chain: 48, shared: 48}},
		// A constant range whose body loops, and any range inside a
		// callback, runs under bpf_loop.
		{`BEGIN { $w = 0; for ($i : 0..3) { while ($w < 2) { $w++; } } }`, stackNeed{chain: 48, shared: 64}},
		{`BEGIN { $w = 0; while ($w < 2) { $w++; for ($i : 0..3) { } } }`, stackNeed{chain: 48, shared: 64}},
		// Reading a count() folds the CPUs' copies in a callback; writing
		// or printing it does not.
		{`BEGIN { @c = count(); print(@c); }`, stackNeed{}},
		{`BEGIN { @c = count(); if (@c > 1) { exit(); } }`, stackNeed{chain: 24, shared: 40}},
		{`BEGIN { @c = count(); @m[1] = 1; for ($kv : @m) { $x = @c; } }`, stackNeed{chain: 48, shared: 64}},
		// Strings longer than 256 bytes are compared in a byte loop, and a
		// long needle that is not a literal is searched in two.
		{fmt.Sprintf(`BEGIN { $a = "%s"; $b = "%s"; if ($a == $b) { exit(); } }`, long, long), stackNeed{chain: 24, shared: 40}},
		{fmt.Sprintf(`BEGIN { $a = "%s"; if ($a == "lit") { exit(); } }`, long), stackNeed{}},
		{fmt.Sprintf(`BEGIN { $a = "%s"; $b = "%s"; if (strcontains($a, $b)) { exit(); } }`, long, long), stackNeed{chain: 48, shared: 88}},
		{fmt.Sprintf(`BEGIN { $a = "%s"; if (strcontains($a, "x")) { exit(); } }`, long), stackNeed{chain: 24, shared: 40}},
		{`BEGIN { $a = "short"; if (strcontains($a, "x")) { exit(); } }`, stackNeed{}},
	} {
		if got := needOfScript(t, tc.src); got != tc.want {
			t.Errorf("%s:\nneed %+v, want %+v", tc.src, got, tc.want)
		}
	}
}

// Three nested callbacks under 60 variables that the innermost reads and
// writes: the variables that do not fit beside the room kept for the
// callbacks go to the scratch buffer, and the map loop's value pointer,
// for which no stack has room, is used from its register (this was
// refused: "the loop needs more than 512 bytes of stack").
func TestDeepCallbacksPlaceVariablesInScratch(t *testing.T) {
	const n = 60
	var b strings.Builder
	b.WriteString("BEGIN { @m[1] = 5; $n = 3;\n")
	var sum []string
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "$v%d = %d;\n", i, i)
		sum = append(sum, fmt.Sprintf("$v%d", i))
	}
	b.WriteString("for ($i : 0..$n) { $w = 0; while ($w < 2) { $w++; for ($kv : @m) {\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "$v%d = $v%d + $v%d + $kv.1 + $i;\n", i, i, (i+1)%n)
	}
	fmt.Fprintf(&b, "} } }\n@sum = %s; }\n", strings.Join(sum, " + "))
	plan := compileScript(t, b.String())
	// 63 integer variables and $kv's 16 bytes, 520 bytes: the probe's
	// frame keeps 88 bytes for the loops' slots, 8 for the scratch
	// lookup's key and the chain below it 72, so at least 520 - (512 -
	// 168) bytes of them are in the scratch buffer.
	m := plan.Spec.Maps[scratchName]
	if m == nil || m.ValueSize < 520-(512-168) {
		t.Fatalf("scratch buffer %+v, want the variables that do not fit", m)
	}
	l := load(t, plan)
	l.run("BEGIN")
	v := make([]int64, n)
	for i := range v {
		v[i] = int64(i)
	}
	for i := int64(0); i < 3; i++ {
		for w := 0; w < 2; w++ {
			for k := range v {
				v[k] = v[k] + v[(k+1)%n] + 5 + i
			}
		}
	}
	var want int64
	for _, x := range v {
		want += x
	}
	if got := i64(l.value("@sum", nil)); got != want {
		t.Errorf("@sum = %d, want %d", got, want)
	}
}

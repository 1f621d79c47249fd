package codegen

import "testing"

// Loops the verifier cannot bound run as bpf_loop / bpf_for_each_map_elem
// callbacks that work on the probe's own stack frame.

func TestForMapLenAndRunTimeRange(t *testing.T) {
	l := runChecked(t, checked(t, `BEGIN {
		for ($i : 0..1000) { @m[$i] = $i * 2; }
		$s = (uint64)0; $big = (uint64)0;
		for ($kv : @m) { $s += $kv.1; if ($kv.0 >= 500) { continue; } $big++; }
		@s = $s; @big = $big; @n = len(@m);
		$c = (uint64)0;
		for ($j : 0..pid) { $c++; }
		@c = $c == pid;
		$w = (uint64)0;
		while ($w < 1000) { $w++; }
		@w = $w;
	}`))
	for name, want := range map[string]uint64{"@s": 999000, "@big": 500, "@n": 1000, "@w": 1000} {
		if got := u64(l.value(name, nil)); got != want {
			t.Errorf("%s = %d, want %d", name, got, want)
		}
	}
	if got := l.value("@c", nil)[0]; got != 1 {
		t.Errorf("for over 0..pid ran a wrong number of times")
	}
}

func TestForMapStringsNestedAndReturn(t *testing.T) {
	l := runChecked(t, checked(t, `BEGIN {
		@s["a"] = "x"; @s["bb"] = "yy";
		for ($kv : @s) {
			@t[$kv.1] = $kv.0;
			for ($j : 0..pid) { if ($j > 2) { break; } @n[$kv.0, $j] = 1; }
		}
		@len = len(@n);
		for ($kv : @s) { if ($kv.0 == "bb") { return; } }
		@after = 1;
	}`))
	if got := u64(l.value("@len", nil)); got != 6 {
		t.Errorf("@len = %d, want 6", got)
	}
	if got := len(l.entries("@t")); got != 2 {
		t.Errorf("@t has %d entries, want 2", got)
	}
	if got := len(l.entries("@after")); got != 0 {
		t.Errorf("return inside the loop did not leave the probe")
	}
}

// unroll's count may be a positional parameter or a constant expression:
// the checker folds it, codegen repeats the body that many times.
func TestUnrollPositionalCount(t *testing.T) {
	l := runBegin(t, `BEGIN { $i = 0; unroll($1) { $i++; } unroll(2 + 1) { $i += 10; } @n = $i; }`, "4")
	if got := u64(l.value("@n", nil)); got != 34 {
		t.Errorf("@n = %d, want 34 (4 copies, then 3)", got)
	}
}

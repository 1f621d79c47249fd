package main

import (
	"fmt"
	"strings"
	"testing"
)

// Maps of 70,000 keys, large enough to be read in two halves at once
// (runtime/maps/parread.go: their 131,072 buckets are read from both
// ends of the middle), printed at exit: every key once, with its value.
// The sums have distinct values, so their order is known; the counts
// are all 1, so theirs is the kernel's, and they are compared as a set.
// The values are plain (preallocated hash maps), not count() and sum():
// a per-CPU aggregation map allocates each element on insert from a
// per-CPU cache the kernel refills between programs, and 140,000 inserts
// in one BEGIN run emptied it under load (ENOMEM, reported as updates
// refused while the map had room). runtime/maps' TestReadHalvesExact
// reads per-CPU maps in halves.
func TestBigMapPrintedExactly(t *testing.T) {
	requireRoot(t)
	const n = 70000
	res := trace(t, traceRun{noAttach: true, args: []string{"-e", fmt.Sprintf(`config = { max_map_keys = 100000 }
		BEGIN { for ($i : 0..%d) { @c[$i * 7919 %% %d] = 1; @s[$i] = $i - %d; } exit(); }`, n, n, n/2)}})
	mustExit(t, res, 0)
	lines := strings.Split(strings.TrimPrefix(res.stdout, "\n\n"), "\n")
	if len(lines) != 2*n+1 || lines[2*n] != "" {
		t.Fatalf("%d lines, want %d and a final newline; stderr:\n%s", len(lines), 2*n, res.stderr)
	}
	seen := make([]bool, n)
	for _, l := range lines[:n] {
		var k int
		if _, err := fmt.Sscanf(l, "@c[%d]: 1", &k); err != nil || k < 0 || k >= n || seen[k] || l != fmt.Sprintf("@c[%d]: 1", k) {
			t.Fatalf("count line %q (a key out of range, twice, or a value not 1)", l)
		}
		seen[k] = true
	}
	for i, l := range lines[n : 2*n] {
		if want := fmt.Sprintf("@s[%d]: %d", i, i-n/2); l != want {
			t.Fatalf("sum line %d is %q, want %q", i, l, want)
		}
	}
}

package main

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// Maps keyed by str() are split by string length in the kernel (codegen's
// strkeys.go) and read back as one map: every distinct string keeps its
// own count and sum, whatever its length, around every class boundary
// (64, 256 and 1024 bytes with the NUL), with long shared prefixes, and a
// string longer than max_strlen is printed cut, as before.
func TestStringKeysByLength(t *testing.T) {
	requireRoot(t)
	const maxStrlen = 1024
	var paths []string
	for _, n := range []int{1, 2, 15, 16, 17, 62, 63, 64, 65, 66, 100, 254, 255, 256, 257, 600, 1021, 1022, 1023, 1024, 1025, 1200} {
		// Strings of the same length that differ in one byte only, at the
		// end or in the middle, and one that is a prefix of the other.
		// The filler differs by length, so that what a longer string
		// left in the kernel's buffer differs from a shorter one's bytes.
		base := "/nonexistent-" + strings.Repeat(string(rune('a'+n%26)), max(n-len("/nonexistent-"), 0))
		base = base[:n]
		paths = append(paths, base)
		if n > 2 {
			paths = append(paths, base[:n-1]+"_", base[:n/2]+"_"+base[n/2+1:])
		}
	}
	// Expected: each distinct string once. A string of max_strlen bytes
	// or more is kept as its first max_strlen bytes (the last one marks
	// the cut) and, max_strlen being 1024, printed as max_strlen-1 bytes
	// without a trailer, as bpftrace v0.26 prints it: two such strings
	// that differ in their last kept byte print alike, as two entries.
	kept := func(s string) string { return s[:min(len(s), maxStrlen)] }
	shown := func(k string) string {
		if len(k) >= maxStrlen {
			return k[:maxStrlen-1]
		}
		return k
	}
	counts, sums := map[string]int{}, map[string]int{}
	seen := map[string]bool{}
	var unique []string
	for _, p := range paths {
		if !seen[p] {
			seen[p] = true
			unique = append(unique, p)
		}
	}
	res := trace(t, traceRun{
		args: []string{"-e", `tracepoint:syscalls:sys_enter_openat /pid == $1 && args.mode != 0/ {
			@c[str(args.filename)] = count();
			@s[str(args.filename)] = sum(args.mode);
		}`, strconv.Itoa(os.Getpid())},
		trigger: func(t *testing.T) {
			// Before each string, one of two long strings fills the
			// kernel's buffer with other bytes: what a longer string
			// left behind must never become part of a shorter one's key.
			open := func(i int, p string) {
				fd, err := unix.Open(p, unix.O_RDONLY, uint32(i+1))
				if err == nil {
					unix.Close(fd)
				}
				counts[kept(p)]++
				sums[kept(p)] += i + 1
			}
			noise := []string{"/" + strings.Repeat("X", 1100), "/" + strings.Repeat("Y", 1100)}
			for round := 0; round < 3; round++ {
				for i, p := range unique {
					if round <= i%3 {
						open(len(unique)+(i+round)%2, noise[(i+round)%2])
						open(i, p)
					}
				}
			}
		},
		stop: syscall.SIGINT,
	})
	mustExit(t, res, 0)
	for name, want := range map[string]map[string]int{"@c": counts, "@s": sums} {
		var wantLines, gotLines []string
		for k, v := range want {
			wantLines = append(wantLines, fmt.Sprintf("%s[%s]: %d", name, shown(k), v))
		}
		for _, line := range strings.Split(res.stdout, "\n") {
			if strings.HasPrefix(line, name+"[") {
				gotLines = append(gotLines, line)
			}
		}
		sort.Strings(wantLines)
		sort.Strings(gotLines)
		if len(gotLines) != len(wantLines) {
			t.Errorf("%s: %d entries, want %d", name, len(gotLines), len(wantLines))
		}
		for i := range min(len(gotLines), len(wantLines)) {
			if gotLines[i] != wantLines[i] {
				g, w := gotLines[i], wantLines[i]
				t.Errorf("%s: entry %d is %q (%d bytes), want %q (%d bytes)", name, i, g[max(0, len(g)-40):], len(g), w[max(0, len(w)-40):], len(w))
				break
			}
		}
	}
	if len(counts) < 50 {
		t.Fatalf("only %d distinct strings", len(counts))
	}
}

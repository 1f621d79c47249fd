package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Maps keyed by str() are split by string length in the kernel (codegen's
// strkeys.go) and read back as one map: every distinct string keeps its
// own count and sum, whatever its length, around every class boundary
// (64, 256 and 1024 bytes with the NUL), with long shared prefixes, and a
// string longer than max_strlen is printed cut, as before. A string of up
// to 63 bytes is read straight into a stack key, a longer one read again
// into the scratch buffer: both must give the same keys.
func TestStringKeysByLength(t *testing.T) {
	requireRoot(t)
	var paths []string
	for _, n := range []int{0, 1, 2, 15, 16, 17, 62, 63, 64, 65, 66, 100, 254, 255, 256, 257, 600, 1021, 1022, 1023, 1024, 1025, 1200} {
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
	checkStringCounts(t, res.stdout, "@c", counts, shown)
	checkStringCounts(t, res.stdout, "@s", sums, shown)
	if len(counts) < 50 {
		t.Fatalf("only %d distinct strings", len(counts))
	}
}

// checkStringCounts checks that the lines of map name in out are exactly
// want, each key printed as shown prints it.
func checkStringCounts(t *testing.T, out, name string, want map[string]int, shown func(string) string) {
	t.Helper()
	var wantLines, gotLines []string
	for k, v := range want {
		wantLines = append(wantLines, fmt.Sprintf("%s[%s]: %d", name, shown(k), v))
	}
	for _, line := range strings.Split(out, "\n") {
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

// The same with kernel strings (bpf_probe_read_kernel_str): the path a
// program was executed by, as sched_process_exec gives it, through
// symbolic links to true(1) at paths of every length around the classes'
// boundaries.
func TestKernelStringKeysByLength(t *testing.T) {
	requireRoot(t)
	target, err := exec.LookPath("true")
	if err != nil {
		t.Skip("no true(1) to execute")
	}
	// A short directory: the shortest path is 63 bytes.
	dir, err := os.MkdirTemp("", "gbtsk")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	// pathOf returns a path of n bytes under dir: directories of 100
	// bytes named after fill, then a link named after fill and last.
	pathOf := func(n int, fill byte, last string) string {
		p := dir
		for n-len(p) > 150 {
			p += "/" + strings.Repeat(string(fill), 99)
		}
		name := strings.Repeat(string(fill), n-len(p)-1-len(last)) + last
		return p + "/" + name
	}
	var paths []string
	for _, n := range []int{63, 64, 65, 66, 255, 256, 257, 1022, 1023, 1024, 1025, 1200} {
		fill := byte('a' + n%26)
		paths = append(paths, pathOf(n, fill, "1"), pathOf(n, fill, "2"))
	}
	noise := pathOf(1100, 'X', "")
	for _, p := range append(paths, noise) {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	counts, sums := map[string]int{}, map[string]int{}
	res := trace(t, traceRun{
		args: []string{"-e", `tracepoint:sched:sched_process_exec /curtask->real_parent->tgid == $1/ {
			@c[str(args.filename)] = count();
			@s[str(args.filename)] = sum(2);
		}`, strconv.Itoa(os.Getpid())},
		trigger: func(t *testing.T) {
			run := func(p string) {
				if err := exec.Command(p).Run(); err != nil {
					t.Fatalf("%s: %v", p, err)
				}
				counts[kept(p)]++
				sums[kept(p)] += 2
			}
			for round := 0; round < 2; round++ {
				for i, p := range paths {
					if round <= i%2 {
						run(noise)
						run(p)
					}
				}
			}
		},
		stop: syscall.SIGINT,
	})
	mustExit(t, res, 0)
	checkStringCounts(t, res.stdout, "@c", counts, shown)
	checkStringCounts(t, res.stdout, "@s", sums, shown)
}

// A long string that turns short between the two reads (into the stack,
// then into the scratch buffer) must keep one key: a writer flips byte 63
// of a path between NUL and 'x' while openat is called on it, so the
// tracer reads a 63-byte or a 99-byte string, sometimes each of them once
// for one event. Every event is counted under one of the two strings, and
// each string has one entry.
func TestStringKeyChangingWhileRead(t *testing.T) {
	requireRoot(t)
	buf := make([]byte, 128)
	copy(buf, "/nonexistent-"+strings.Repeat("r", 86)) // 99 bytes
	word := (*uint32)(unsafe.Pointer(&buf[60]))        // bytes 60-63
	shortWord := *word &^ 0xff000000                   // byte 63 NUL
	longWord := *word
	short, long := string(buf[:63]), string(buf[:99])
	const events = 200000
	res := trace(t, traceRun{
		args: []string{"-e", `tracepoint:syscalls:sys_enter_openat /pid == $1 && args.mode == 7/ {
			@c[str(args.filename)] = count();
		}`, strconv.Itoa(os.Getpid())},
		trigger: func(t *testing.T) {
			var stop atomic.Bool
			done := make(chan struct{})
			go func() {
				defer close(done)
				for !stop.Load() {
					atomic.StoreUint32(word, shortWord)
					atomic.StoreUint32(word, longWord)
				}
			}()
			fdcwd := unix.AT_FDCWD
			for range events {
				fd, _, errno := unix.Syscall6(unix.SYS_OPENAT, uintptr(fdcwd), uintptr(unsafe.Pointer(&buf[0])), unix.O_RDONLY, 7, 0, 0)
				if errno == 0 {
					unix.Close(int(fd))
				}
			}
			stop.Store(true)
			<-done
			runtime.KeepAlive(buf)
		},
		stop: syscall.SIGINT,
	})
	mustExit(t, res, 0)
	total := 0
	seen := map[string]bool{}
	for _, line := range strings.Split(res.stdout, "\n") {
		if !strings.HasPrefix(line, "@c[") {
			continue
		}
		k, v, ok := strings.Cut(strings.TrimPrefix(line, "@c["), "]: ")
		n, err := strconv.Atoi(v)
		if !ok || err != nil || (k != short && k != long) || seen[k] {
			t.Errorf("unexpected line %q", line)
			continue
		}
		seen[k] = true
		total += n
	}
	if total != events {
		t.Errorf("%d events counted, want %d", total, events)
	}
}

// maxStrlen is the default max_strlen the string-key tests run with.
const maxStrlen = 1024

// kept is what a map keyed by str() keeps of s at the default max_strlen:
// its first maxStrlen bytes.
func kept(s string) string { return s[:min(len(s), maxStrlen)] }

// shown is how such a kept key prints: a key of maxStrlen bytes (the last
// one marks the cut) as maxStrlen-1 bytes, without a trailer.
func shown(k string) string {
	if len(k) >= maxStrlen {
		return k[:maxStrlen-1]
	}
	return k
}

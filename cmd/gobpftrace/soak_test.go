package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSoak runs a syscall storm against a script with printf, a keyed
// count and a histogram for GOBPFTRACE_SOAK seconds (default 30; CI keeps
// the default, longer runs are for local use). The memory of gobpftrace
// must stay flat, and every event must be accounted for: printed, or
// counted in a "Lost N events" line.
func TestSoak(t *testing.T) {
	requireRoot(t)
	if testing.Short() {
		t.Skip("-short")
	}
	secs := 30
	if s := os.Getenv("GOBPFTRACE_SOAK"); s != "" {
		secs, _ = strconv.Atoi(s)
	}
	loop := uniqueLoop(t)
	comm := filepath.Base(loop)
	const perRun = 200000
	var runs int
	var rss []int // kB, one sample a second
	res := trace(t, traceRun{
		args: []string{"-e", `tracepoint:syscalls:sys_enter_getppid /comm == "` + comm + `"/ {
			@calls[tid] = count(); @h = hist(nsecs & 0xffff); @n = count();
			printf("%d %s %d\n", tid, comm, nsecs);
		}`},
		trigger: func(t *testing.T) {
			pid := findProcess(t, comm)
			deadline := time.Now().Add(time.Duration(secs) * time.Second)
			next := time.Now()
			for time.Now().Before(deadline) {
				runLoop(t, loop, perRun)
				runs++
				if time.Now().After(next) {
					rss = append(rss, rssKB(pid))
					next = time.Now().Add(time.Second)
				}
			}
		},
		stop: syscall.SIGINT,
	})
	mustExit(t, res, 0)
	total := runs * perRun
	printed := strings.Count(res.stdout, " "+comm+" ")
	lost := 0
	for _, m := range regexp.MustCompile(`(?m)^Lost (\d+) events$`).FindAllStringSubmatch(res.stderr, -1) {
		n, _ := strconv.Atoi(m[1])
		lost += n
	}
	if !strings.Contains(res.stdout, fmt.Sprintf("@n: %d\n", total)) {
		t.Errorf("@n is not %d", total)
	}
	if printed+lost != total {
		t.Errorf("%d events: %d printed + %d reported lost = %d", total, printed, lost, printed+lost)
	}
	t.Logf("%ds, %d events: %d printed, %d lost; RSS samples (kB): %v", secs, total, printed, lost, rss)
	if len(rss) >= 4 {
		// After warming up, memory must not keep growing.
		base, last := rss[len(rss)/4], rss[len(rss)-1]
		if last > base+20*1024 && last > base*3/2 {
			t.Errorf("RSS grew from %d kB to %d kB", base, last)
		}
	}
}

// findProcess finds the gobpftrace process whose arguments mention word.
func findProcess(t *testing.T, word string) int {
	t.Helper()
	cmdlines, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, f := range cmdlines {
		b, err := os.ReadFile(f)
		if err != nil || !strings.HasPrefix(string(b), binPath+"\x00") || !strings.Contains(string(b), word) {
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(f)))
		return pid
	}
	t.Fatalf("no gobpftrace process running with %q", word)
	return 0
}

// rssKB reads VmRSS of pid.
func rssKB(pid int) int {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	return 0
}

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// A map that refuses an update while it has room (the kernel is out of
// memory for a new element) is not reported as full. The test makes the
// kernel run out for real: gobpftrace starts inside a memory cgroup, so
// its maps' elements are charged to it; once attached, the cgroup's limit
// is lowered to what it uses plus 1 MiB and gobpftrace itself moves out
// (its own allocations are then not limited, the maps' still are). The
// per-CPU count map allocates an element per new key and soon fails.
func TestMapRefusedWithRoom(t *testing.T) {
	requireRoot(t)
	cg := newMemoryCgroup(t)
	res := trace(t, traceRun{
		args: []string{"-e", `config = { max_map_keys = 1000000 } tracepoint:raw_syscalls:sys_enter /comm == "sysloop"/ { @[nsecs] = count(); } END { printf("%d keys\n", len(@)); }`},
		wrap: []string{"sh", "-c", `echo $$ > "$0" && exec "$@"`, cg.procs()},
		attached: func(t *testing.T, pid int) {
			cg.limitToUsagePlus(t, 1<<20)
			cg.moveOut(t, pid)
		},
		trigger: func(t *testing.T) {
			if out, err := exec.Command(sysloopPath, "400000").CombinedOutput(); err != nil {
				t.Fatalf("sysloop: %v: %s", err, out)
			}
		},
		stop: os.Interrupt,
	})
	if res.code != 0 {
		t.Fatalf("exit code %d, stderr:\n%s", res.code, res.stderr)
	}
	keys := regexp.MustCompile(`(?m)^(\d+) keys$`).FindStringSubmatch(res.stdout)
	if keys == nil {
		t.Fatalf("no key count in stdout:\n%s", res.stdout)
	}
	if n, _ := strconv.Atoi(keys[1]); n >= 400000 {
		t.Fatalf("the map took every key (%d): the kernel never ran out of memory; stderr:\n%s", n, res.stderr)
	}
	if strings.Contains(res.stderr, "Map full") || strings.Contains(res.stderr, "because the map was full") {
		t.Errorf("a map with room was reported full:\n%s", res.stderr)
	}
	first := regexp.MustCompile(`(?m)^stdin:1:93-111: WARNING: can't update element although the map has room \(it holds \d+ of 1000000 keys\): the kernel could not allocate a new element, or found the map busy because a probe ran inside another on the same CPU$`)
	if !first.MatchString(res.stderr) {
		t.Errorf("no run-time warning for the refused update naming the map's fill (%s keys); stderr:\n%s", keys[1], res.stderr)
	}
	total := regexp.MustCompile(`(?m)^WARNING: [1-9]\d* updates of @ failed while the map had room \(it held ` + keys[1] + ` of 1000000 keys\): the kernel was out of memory for new elements or found the map busy$`)
	if !total.MatchString(res.stderr) {
		t.Errorf("no count of the refused updates at exit; stderr:\n%s", res.stderr)
	}
}

// memoryCgroup is a memory cgroup made for one test (v1's memory
// controller, or v2's where it is enabled), removed at its end.
type memoryCgroup struct {
	dir, root string
	v2        bool
}

func newMemoryCgroup(t *testing.T) *memoryCgroup {
	t.Helper()
	cg := &memoryCgroup{root: "/sys/fs/cgroup/memory"}
	if _, err := os.Stat(filepath.Join(cg.root, "memory.limit_in_bytes")); err != nil {
		ctl, err := os.ReadFile("/sys/fs/cgroup/cgroup.controllers")
		if err != nil || !strings.Contains(string(ctl), "memory") {
			t.Fatal("no memory cgroup controller (v1 at /sys/fs/cgroup/memory, or v2's at /sys/fs/cgroup)")
		}
		cg.root, cg.v2 = "/sys/fs/cgroup", true
		// v2: a child can only use memory when its parent delegates it.
		os.WriteFile(filepath.Join(cg.root, "cgroup.subtree_control"), []byte("+memory"), 0)
	}
	cg.dir = filepath.Join(cg.root, fmt.Sprintf("gobpftrace-test-%d", os.Getpid()))
	if err := os.Mkdir(cg.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Elements still charged to it (freed maps' memory is uncharged
		// lazily) keep the directory busy for a moment.
		for i := 0; i < 50 && os.Remove(cg.dir) != nil; i++ {
			exec.Command("sleep", "0.1").Run()
		}
	})
	return cg
}

func (cg *memoryCgroup) procs() string { return filepath.Join(cg.dir, "cgroup.procs") }

func (cg *memoryCgroup) limitToUsagePlus(t *testing.T, extra int64) {
	t.Helper()
	usageFile, limitFile := "memory.usage_in_bytes", "memory.limit_in_bytes"
	if cg.v2 {
		usageFile, limitFile = "memory.current", "memory.max"
	}
	raw, err := os.ReadFile(filepath.Join(cg.dir, usageFile))
	if err != nil {
		t.Fatal(err)
	}
	usage, err := strconv.ParseInt(strings.TrimSpace(string(raw)), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	limit := strconv.FormatInt(usage+extra, 10)
	if err := os.WriteFile(filepath.Join(cg.dir, limitFile), []byte(limit), 0); err != nil {
		t.Fatal(err)
	}
}

func (cg *memoryCgroup) moveOut(t *testing.T, pid int) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(cg.root, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0); err != nil {
		t.Fatal(err)
	}
}

package script_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cilium/ebpf"

	"github.com/gobpftrace/gobpftrace/runtime/internal/kerneltest"
	"github.com/gobpftrace/gobpftrace/runtime/script"
)

// Two sessions in one process at once, each with its own script, output
// format and events, read while both run: each sees exactly its own
// calls. Run with -race (.ci/run does).
func TestConcurrentSessions(t *testing.T) {
	kerneltest.RequireRoot(t)
	pid := os.Getpid()
	type run struct {
		sess   *script.Session
		out    strings.Builder
		events []string
		mu     sync.Mutex
	}
	start := func(src string, format string) *run {
		r := &run{}
		s := compile(t, src, script.Options{Format: format})
		sess, err := s.Start(context.Background(), script.RunOptions{
			Output: &r.out,
			OnEvent: func(e script.Event) {
				r.mu.Lock()
				r.events = append(r.events, e.String())
				r.mu.Unlock()
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		r.sess = sess
		return r
	}
	before := progIDs()
	getppid := start(fmt.Sprintf(`tracepoint:syscalls:sys_enter_getppid /pid == %d/ { @n = count(); }`, pid), "text")
	defer getppid.sess.Stop()
	seeks := start(fmt.Sprintf(`tracepoint:syscalls:sys_enter_lseek /pid == %d && (int32)args.fd == -1/ { @[args.offset %% 3] = count(); printf("%%d\n", args.offset); }`, pid), "json")
	defer seeks.sess.Stop()

	progs, maps := loaded(t, before, "p0_sys_enter_ge", "p0_sys_enter_ls")
	if len(progs) != 2 {
		t.Fatalf("the sessions loaded programs %v, want 2", progs)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				syscall.Getppid()
				seek(int64(g*25+i), 0)
			}
		}()
	}
	// Read both while the goroutines call: the counts only grow.
	for range 20 {
		for _, r := range []*run{getppid, seeks} {
			if _, err := r.sess.Maps(); err != nil {
				t.Fatal(err)
			}
		}
	}
	wg.Wait()
	if m, err := getppid.sess.Map("@n"); err != nil || !reflect.DeepEqual(m.Entries, []script.Entry{{Value: uint64(100)}}) {
		t.Errorf("@n while running: %+v %v", m, err)
	}
	if err := getppid.sess.Stop(); err != nil {
		t.Fatal(err)
	}
	// The other session goes on alone.
	seek(1000, 0)
	if err := seeks.sess.Stop(); err != nil {
		t.Fatal(err)
	}
	if got, want := getppid.out.String(), "\n\n@n: 100\n"; got != want {
		t.Errorf("getppid session printed %q, want %q", got, want)
	}
	m, err := seeks.sess.Map("@")
	if err != nil {
		t.Fatal(err)
	}
	want := []script.Entry{{Key: int64(0), Value: uint64(34)}, {Key: int64(1), Value: uint64(34)}, {Key: int64(2), Value: uint64(33)}}
	slices.SortFunc(m.Entries, func(a, b script.Entry) int { return int(a.Key.(int64) - b.Key.(int64)) })
	if !reflect.DeepEqual(m.Entries, want) {
		t.Errorf("@ = %+v, want %+v", m.Entries, want)
	}
	// 101 printf events, each number once, the JSON map at the end.
	var printed []string
	for _, e := range seeks.events[1:] { // after "Attached 1 probe"
		printed = append(printed, strings.TrimSuffix(e, "\n"))
	}
	slices.Sort(printed)
	var wantPrinted []string
	for n := range 100 {
		wantPrinted = append(wantPrinted, fmt.Sprint(n))
	}
	wantPrinted = append(wantPrinted, "1000")
	slices.Sort(wantPrinted)
	if !reflect.DeepEqual(printed, wantPrinted) || seeks.events[0] != "Attached 1 probe" {
		t.Errorf("events %q", seeks.events)
	}
	if !strings.HasSuffix(seeks.out.String(), "{\"type\": \"map\", \"data\": {\"@\": {\"2\": 33, \"0\": 34, \"1\": 34}}}\n") &&
		!strings.HasSuffix(seeks.out.String(), "{\"type\": \"map\", \"data\": {\"@\": {\"2\": 33, \"1\": 34, \"0\": 34}}}\n") {
		t.Errorf("JSON output ends with %q", seeks.out.String()[max(0, seeks.out.Len()-100):])
	}
	checkGone(t, progs, maps)
}

// Cancelling a session's context while its probes fire ends it: once Wait
// returns, no program or map it created is left in the kernel (by id, and
// in bpftool's list).
func TestCancelLeavesNothingLoaded(t *testing.T) {
	kerneltest.RequireRoot(t)
	progsBefore := progIDs()
	src := fmt.Sprintf(`tracepoint:syscalls:sys_enter_getppid /pid == %d/ { @[tid] = count(); @s[kstack] = count(); printf("x\n"); }
tracepoint:raw_syscalls:sys_enter { @all = count(); }`, os.Getpid())
	s := compile(t, src, script.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	events := make(chan script.Event, 16)
	sess, err := s.Start(ctx, script.RunOptions{OnEvent: func(e script.Event) {
		select {
		case events <- e:
		default:
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	// The session's programs: new since before, named after its probes;
	// and the maps they use.
	progs, maps := loaded(t, progsBefore, "p0_sys_enter_ge", "p1_sys_enter")
	if len(progs) != 2 || len(maps) == 0 {
		t.Fatalf("the session loaded programs %v, maps %v; want 2 programs", progs, maps)
	}
	stop := make(chan struct{})
	callerDone := make(chan struct{})
	go func() {
		defer close(callerDone)
		for {
			select {
			case <-stop:
				return
			default:
				syscall.Getppid()
			}
		}
	}()
	// Cancel once events flow.
	for got := 0; got < 10; got++ {
		select {
		case <-events:
		case <-time.After(10 * time.Second):
			t.Fatal("no events")
		}
	}
	cancel()
	err = sess.Wait()
	close(stop)
	<-callerDone
	if err != nil {
		t.Fatal(err)
	}
	checkGone(t, progs, maps)
	// The maps are still there to read, as the session ended.
	m, err := sess.Map("@")
	if err != nil || len(m.Entries) != 1 || m.Entries[0].Value.(uint64) < 10 {
		t.Errorf("@ after the end: %+v, %v", m, err)
	}
}

func progIDs() map[ebpf.ProgramID]bool {
	ids := map[ebpf.ProgramID]bool{}
	var id ebpf.ProgramID
	for {
		next, err := ebpf.ProgramGetNextID(id)
		if err != nil {
			return ids
		}
		ids[next], id = true, next
	}
}

func mapIDs() map[ebpf.MapID]bool {
	ids := map[ebpf.MapID]bool{}
	var id ebpf.MapID
	for {
		next, err := ebpf.MapGetNextID(id)
		if err != nil {
			return ids
		}
		ids[next], id = true, next
	}
}

// loaded returns the programs loaded since before whose names start with
// one of prefixes, and the maps they use.
func loaded(t *testing.T, before map[ebpf.ProgramID]bool, prefixes ...string) ([]ebpf.ProgramID, []ebpf.MapID) {
	var progs []ebpf.ProgramID
	var maps []ebpf.MapID
	for id := range progIDs() {
		if before[id] {
			continue
		}
		p, err := ebpf.NewProgramFromID(id)
		if err != nil {
			continue
		}
		info, err := p.Info()
		p.Close()
		if err != nil || !slices.ContainsFunc(prefixes, func(pre string) bool { return strings.HasPrefix(info.Name, pre) }) {
			continue
		}
		progs = append(progs, id)
		if ids, ok := info.MapIDs(); ok {
			for _, m := range ids {
				if !slices.Contains(maps, m) {
					maps = append(maps, m)
				}
			}
		}
	}
	return progs, maps
}

// checkGone fails if any of progs or maps is still in the kernel (by id,
// and for programs in bpftool's list), after the kernel's grace period.
func checkGone(t *testing.T, progs []ebpf.ProgramID, maps []ebpf.MapID) {
	t.Helper()
	var left []string
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		left = nil
		nowProgs, nowMaps := progIDs(), mapIDs()
		for _, id := range progs {
			if nowProgs[id] {
				left = append(left, fmt.Sprintf("program %d", id))
			}
		}
		for _, id := range maps {
			if nowMaps[id] {
				left = append(left, fmt.Sprintf("map %d", id))
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			break
		}
	}
	if len(left) > 0 {
		t.Errorf("left in the kernel after Wait: %v", left)
	}
	if path, err := exec.LookPath("bpftool"); err == nil {
		out, err := exec.Command(path, "prog", "list").CombinedOutput()
		if err != nil {
			t.Fatalf("bpftool prog list: %v\n%s", err, out)
		}
		for _, line := range strings.Split(string(out), "\n") {
			for _, id := range progs {
				if strings.HasPrefix(line, fmt.Sprintf("%d: ", id)) {
					t.Errorf("bpftool prog list still shows %s", line)
				}
			}
		}
	} else if os.Getenv("CI") == "true" {
		t.Error("bpftool is missing (.ci/run installs it)")
	}
}

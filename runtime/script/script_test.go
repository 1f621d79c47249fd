package script_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	goruntime "runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/runtime/internal/kerneltest"
	"github.com/gobpftrace/gobpftrace/runtime/script"
)

// seek calls lseek(-1, offset, whence): it fails (EBADF) without touching
// anything, and its arguments are ours to choose, so a probe on it counts
// exactly what the test did.
func seek(offset int64, whence int) {
	unix.Syscall(unix.SYS_LSEEK, ^uintptr(0), uintptr(offset), uintptr(whence))
}

// onThread runs f on a goroutine locked to its own OS thread and returns
// that thread's id once f has returned.
func onThread(f func()) int {
	tid := make(chan int)
	go func() {
		goruntime.LockOSThread() // the thread dies with the goroutine
		f()
		tid <- unix.Gettid()
	}()
	return <-tid
}

func compile(t *testing.T, src string, opts script.Options) *script.Script {
	t.Helper()
	s, err := script.Compile(src, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The test program traces its own syscalls: goroutines locked to threads
// of their own call getppid and lseek known numbers of times, and every
// map holds exactly what they did, read while the session runs and after
// it has ended, keys and values typed.
func TestTraceOwnSyscalls(t *testing.T) {
	kerneltest.RequireRoot(t)
	pid := os.Getpid()
	src := fmt.Sprintf(`
tracepoint:syscalls:sys_enter_getppid /pid == %[1]d/ {
	@calls[tid] = count();
	@comm[comm] = count();
	@stack[kstack(3)] = count();
}
tracepoint:syscalls:sys_enter_lseek /pid == %[1]d && (int32)args.fd == -1/ {
	@seeks[tid, args.whence] = count();
	@offsets = hist(args.offset);
	@linear = lhist(args.offset, 0, 100, 10);
	@sum = sum(args.offset);
	@min = min(args.offset);
	@stats = stats(args.offset);
	@last = (args.offset, "seek");
	printf("seek %%d %%s\n", args.offset, comm);
}`, pid)
	s := compile(t, src, script.Options{File: "self.bt"})
	before := progIDs()
	if got, want := s.Maps(), []string{"@calls", "@comm", "@stack", "@seeks", "@offsets", "@linear", "@sum", "@min", "@stats", "@last"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("maps %v, want %v", got, want)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var mu sync.Mutex
	var events []string
	var args []script.Printf
	var out strings.Builder
	sess, err := s.Start(ctx, script.RunOptions{
		Output: &out,
		OnEvent: func(e script.Event) {
			mu.Lock()
			defer mu.Unlock()
			switch e := e.(type) {
			case *script.Printf:
				events = append(events, e.Text)
				args = append(args, *e)
			case *script.Attached:
				events = append(events, fmt.Sprintf("attached %d", e.Probes))
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	progs, maps := loaded(t, before, "p0_sys_enter_ge", "p1_sys_enter_ls")
	if len(progs) != 2 {
		t.Fatalf("the session loaded programs %v, want 2", progs)
	}

	// Three threads call getppid 3, 5 and 7 times.
	want := map[uint64]uint64{}
	for _, n := range []int{3, 5, 7} {
		tid := onThread(func() {
			for range n {
				syscall.Getppid()
			}
		})
		want[uint64(tid)] = uint64(n)
	}
	// While it runs: @calls holds each thread's count, ascending.
	m, err := sess.Map("@calls")
	if err != nil {
		t.Fatal(err)
	}
	if m.Kind != "count" || len(m.Entries) != 3 {
		t.Fatalf("@calls: %+v", m)
	}
	for i, e := range m.Entries {
		tid, ok := e.Key.(uint64)
		if !ok {
			t.Fatalf("@calls key %#v is no uint64", e.Key)
		}
		if e.Value != want[tid] || e.Value != uint64(3+2*i) {
			t.Errorf("@calls[%d] = %#v, want %d", tid, e.Value, want[tid])
		}
	}

	// One thread seeks to 1, 2, 4, 8, 16, 32, 64 with whence 0, then to
	// 50 and 500 with whence 1.
	seeker := onThread(func() {
		for _, off := range []int64{1, 2, 4, 8, 16, 32, 64} {
			seek(off, 0)
		}
		seek(50, 1)
		seek(500, 1)
	})
	if err := sess.Stop(); err != nil {
		t.Fatal(err)
	}

	// After the end, the maps are as they were after END.
	check := func(name string, wantKind string, want []script.Entry) {
		t.Helper()
		m, err := sess.Map(name)
		if err != nil {
			t.Fatal(err)
		}
		if m.Name != name || m.Kind != wantKind || !reflect.DeepEqual(m.Entries, want) {
			t.Errorf("%s (%q) = %#v\nwant %#v", m.Name, m.Kind, m.Entries, want)
		}
	}
	comm := os.Args[0][strings.LastIndexByte(os.Args[0], '/')+1:]
	comm = comm[:min(len(comm), 15)]
	check("@comm", "count", []script.Entry{{Key: comm, Value: uint64(15)}})
	check("@seeks", "count", []script.Entry{
		{Key: script.Tuple{uint64(seeker), uint64(1)}, Value: uint64(2)},
		{Key: script.Tuple{uint64(seeker), uint64(0)}, Value: uint64(7)},
	})
	check("@offsets", "hist", []script.Entry{{Value: script.Histogram{Buckets: []script.Bucket{
		{Min: 1, Max: 1, Count: 1},
		{Min: 2, Max: 3, Count: 1},
		{Min: 4, Max: 7, Count: 1},
		{Min: 8, Max: 15, Count: 1},
		{Min: 16, Max: 31, Count: 1},
		{Min: 32, Max: 63, Count: 2},
		{Min: 64, Max: 127, Count: 1},
		{Min: 128, Max: 255, Count: 0},
		{Min: 256, Max: 511, Count: 1},
	}}}})
	check("@linear", "lhist", []script.Entry{{Value: script.Histogram{Buckets: []script.Bucket{
		{Min: 0, Max: 9, Count: 4},
		{Min: 10, Max: 19, Count: 1},
		{Min: 20, Max: 29, Count: 0},
		{Min: 30, Max: 39, Count: 1},
		{Min: 40, Max: 49, Count: 0},
		{Min: 50, Max: 59, Count: 1},
		{Min: 60, Max: 69, Count: 1},
		{Min: 70, Max: 79, Count: 0},
		{Min: 80, Max: 89, Count: 0},
		{Min: 90, Max: 99, Count: 0},
		{Min: 100, Max: math.MaxInt64, Count: 1},
	}}}})
	check("@sum", "sum", []script.Entry{{Value: int64(677)}})
	check("@min", "min", []script.Entry{{Value: int64(1)}})
	check("@stats", "stats", []script.Entry{{Value: script.Stats{Count: 9, Sum: 677, Average: 75, Signed: true}}})
	check("@last", "", []script.Entry{{Value: script.Tuple{int64(500), "seek"}}})

	// Every getppid came through the kernel's syscall entry.
	st, err := sess.Map("@stack")
	if err != nil {
		t.Fatal(err)
	}
	var total uint64
	for _, e := range st.Entries {
		stack := e.Key.(script.Stack)
		if stack.User || len(stack.Frames) == 0 || len(stack.Frames) > 3 {
			t.Errorf("@stack key %+v", stack)
		}
		for _, f := range stack.Frames {
			if f.Symbol == "" || f.Addr == 0 || !strings.HasPrefix(f.Text, f.Symbol+"+") {
				t.Errorf("frame %+v", f)
			}
		}
		total += e.Value.(uint64)
	}
	if total != 15 {
		t.Errorf("@stack counts %d calls, want 15", total)
	}

	wantEvents := []string{"attached 2"}
	var wantArgs []script.Printf
	for _, off := range []int64{1, 2, 4, 8, 16, 32, 64, 50, 500} {
		text := fmt.Sprintf("seek %d %s\n", off, comm)
		wantEvents = append(wantEvents, text)
		wantArgs = append(wantArgs, script.Printf{Text: text, Format: "seek %d %s\n", Args: []any{off, comm}})
	}
	mu.Lock()
	if !reflect.DeepEqual(events, wantEvents) {
		t.Errorf("events %q\nwant %q", events, wantEvents)
	}
	if !reflect.DeepEqual(args, wantArgs) {
		t.Errorf("printf events %+v\nwant %+v", args, wantArgs)
	}
	mu.Unlock()
	// The text output is the command's.
	if !strings.HasPrefix(out.String(), strings.Join(wantEvents[1:], "")+"\n\n@calls[") ||
		!strings.Contains(out.String(), "\n@sum: 677\n") {
		t.Errorf("output:\n%s", out.String())
	}
	if m, err := sess.Map("seeks"); err != nil || m.Name != "@seeks" {
		t.Errorf("a map named without its @: %v, %v", m, err)
	}
	if _, err := sess.Map("@nope"); err == nil || !strings.Contains(err.Error(), "no map @nope") {
		t.Errorf("reading a map the script lacks: %v", err)
	}
	checkGone(t, progs, maps)
}

// Diagnostics are values with their place in the script.
func TestCompileErrors(t *testing.T) {
	_, err := script.Compile("BEGIN { @x = nosuch(1); }\nEND { printf(\"%d\\n\"); }", script.Options{File: "bad.bt"})
	var ce *script.CompileError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v (%T) is no *script.CompileError", err, err)
	}
	var got []string
	for _, d := range ce.Diagnostics {
		got = append(got, fmt.Sprintf("%s %s:%d:%d-%d:%d %s", d.Severity, d.File, d.Line, d.Col, d.EndLine, d.EndCol, d.Message))
	}
	want := []string{
		"error bad.bt:1:14-1:23 Unknown function: nosuch",
		"error bad.bt:2:7-2:21 not enough arguments for format string (0 supplied, 1 expected)",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("diagnostics\n%q\nwant\n%q", got, want)
	}
	if !strings.HasPrefix(err.Error(), "bad.bt:1:14-23: ERROR: Unknown function: nosuch\nBEGIN { @x = nosuch(1); }\n             ~~~~~~~~~\n") {
		t.Errorf("error text %q", err.Error())
	}
}

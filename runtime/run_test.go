package runtime

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/runtime/host"
	"github.com/gobpftrace/gobpftrace/runtime/internal/kerneltest"
	"github.com/gobpftrace/gobpftrace/runtime/output"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// syncBuffer is one buffer for stdout and stderr, so tests see how the two
// interleave.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runPlan runs plan with output in one buffer. During runs onAttached (when
// set), then stops the run unless stop is false (the script stops itself).
func runPlan(t *testing.T, plan *codegen.Plan, onAttached func(), stop bool) (string, error) {
	t.Helper()
	requireRoot(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out syncBuffer
	opts := Options{Stdout: &out, Stderr: &out, OnAttached: func() {
		if onAttached != nil {
			onAttached()
		}
		if stop {
			cancel()
		}
	}}
	err := Run(ctx, plan, opts)
	if !stop && ctx.Err() != nil {
		t.Errorf("the run did not stop by itself")
	}
	checkNoLeaks(t)
	return out.String(), err
}

// requireRoot skips a privileged test outside CI and fails it in CI.
func requireRoot(t *testing.T) {
	t.Helper()
	kerneltest.RequireRoot(t)
}

// checkNoLeaks fails if a test program or map is still in the kernel.
func checkNoLeaks(t *testing.T) {
	t.Helper()
	kerneltest.CheckNoLeaks(t)
}

func exitMapsText(t *testing.T, maps []*codegen.Map, entries map[string][]output.Entry) string {
	var b bytes.Buffer
	p := output.NewText(&output.Formatter{}, output.Destination{Stdout: &b})
	err := p.ExitMaps(maps, func(m *codegen.Map) (*output.Entries, error) { return output.EntriesOf(entries[m.Name]), nil })
	if err != nil {
		t.Fatal(err)
	}
	p.Flush()
	return b.String()
}

// countEntry is a no-key count map entry holding n on the first CPU.
func countEntry(n uint64) []output.Entry {
	vals := make([][]byte, host.NumCPU())
	for i := range vals {
		vals[i] = make([]byte, 8)
	}
	vals[0][0] = byte(n)
	return []output.Entry{{Key: make([]byte, 8), Values: vals}}
}

func TestRunBeginPrintfExit(t *testing.T) {
	plan := newPlan().withRing().
		event(printfEvent("hello %d\n", 1)).
		event(&codegen.Event{Kind: codegen.EvExit, Size: 8}).
		prog("gbt_begin", begin(), concat(emitInsns(0, 42), emitInsns(1), ret())).
		prog("gbt_tp", tracepoint("raw_syscalls", "sys_enter"), ret()).plan
	out, err := runPlan(t, plan, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Attached 2 probes\nhello 42\n" + exitMapsText(t, nil, nil); out != want {
		t.Errorf("output:\n%q\nwant\n%q", out, want)
	}
}

func TestRunBeginOnlyDrains(t *testing.T) {
	plan := newPlan().withRing().
		event(printfEvent("begin %d\n", 1)).
		event(printfEvent("end %d\n", 1)).
		prog("gbt_begin", begin(), concat(emitInsns(0, 1), emitInsns(0, 2), ret())).
		prog("gbt_end", end(), concat(emitInsns(1, 3), ret())).plan
	out, err := runPlan(t, plan, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Attached 2 probes\nbegin 1\nbegin 2\nend 3\n" + exitMapsText(t, nil, nil); out != want {
		t.Errorf("output:\n%q\nwant\n%q", out, want)
	}
}

func TestRunCountsSyscallsAndRunsEnd(t *testing.T) {
	const n = 1000
	plan := newPlan().withRing().withCount(countName, "@c").
		event(printfEvent("bye %d\n", 1)).
		prog("gbt_getppid", tracepoint("syscalls", "sys_enter_getppid"),
			concat(onlyPid(os.Getpid()), countInsns(countName), ret())).
		prog("gbt_end", end(), concat(emitInsns(0, 7), ret())).plan
	out, err := runPlan(t, plan, func() {
		for i := 0; i < n; i++ {
			unix.Getppid()
		}
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	want := "Attached 2 probes\nbye 7\n" + exitMapsText(t, plan.Maps, map[string][]output.Entry{countName: countEntry(0)})
	want = strings.Replace(want, "@c: 0", "@c: "+strconv.Itoa(n), 1)
	if out != want {
		t.Errorf("output:\n%q\nwant\n%q", out, want)
	}
}

func TestRunIntervalExit(t *testing.T) {
	plan := newPlan().withRing().
		event(printfEvent("tick %d\n", 1)).
		event(&codegen.Event{Kind: codegen.EvExit, Size: 8}).
		prog("gbt_interval", interval(50), concat(emitInsns(0, 1), emitInsns(1), ret())).plan
	start := time.Now()
	out, err := runPlan(t, plan, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Attached 1 probe\ntick 1\n" + exitMapsText(t, nil, nil); out != want {
		t.Errorf("output:\n%q\nwant\n%q", out, want)
	}
	if d := time.Since(start); d < 40*time.Millisecond || d > 3*time.Second {
		t.Errorf("interval:ms:50 exited after %v", d)
	}
}

func TestRunProfile(t *testing.T) {
	plan := newPlan().withCount("gbt_prof", "@p").
		prog("gbt_profile", profileHz(997), concat(countInsns("gbt_prof"), ret())).plan
	out, err := runPlan(t, plan, func() {
		for start := time.Now(); time.Since(start) < 300*time.Millisecond; {
		}
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	head, rest, ok := strings.Cut(out, "\n\n\n@p: ")
	if !ok || head != "Attached 1 probe" {
		t.Fatalf("output: %q", out)
	}
	num, _, _ := strings.Cut(rest, "\n")
	if v, err := strconv.Atoi(num); err != nil || v < 10 {
		t.Errorf("profile:hz:997 fired %q times in 300ms", num)
	}
}

// print, zero and clear act on the map when their event is read: BEGIN's
// after BEGIN has run, END's after END has run.
func TestRunMapEvents(t *testing.T) {
	plan := newPlan().withRing().withCount(countName, "@c").
		event(&codegen.Event{Kind: codegen.EvPrintMap, Map: "@c", Size: 8}).
		event(&codegen.Event{Kind: codegen.EvZero, Map: "@c", Size: 8}).
		event(&codegen.Event{Kind: codegen.EvClear, Map: "@c", Size: 8}).
		prog("gbt_begin", begin(), concat(countInsns(countName), emitInsns(0), emitInsns(1), ret())).
		prog("gbt_end", end(), concat(emitInsns(0), emitInsns(2), ret())).plan
	out, err := runPlan(t, plan, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	want.WriteString("Attached 2 probes\n")
	// BEGIN's print sees 1 (the zero is read after it); END's print sees
	// the zeroed value; the clear empties the map before the exit print.
	p := output.NewText(&output.Formatter{}, output.Destination{Stdout: &want})
	for _, n := range []uint64{1, 0} {
		if err := p.Map(plan.Maps[0], output.EntriesOf(countEntry(n)), 0, 0); err != nil {
			t.Fatal(err)
		}
	}
	p.Flush()
	want.WriteString(exitMapsText(t, plan.Maps, nil))
	if out != want.String() {
		t.Errorf("output:\n%q\nwant\n%q", out, want.String())
	}
}

func TestRunErrors(t *testing.T) {
	cases := []struct {
		name string
		plan *codegen.Plan
		want string
	}{
		{"missing tracepoint",
			newPlan().prog("gbt_tp", tracepoint("nope", "nope"), ret()).plan,
			"tracepoint not found: nope:nope"},
		{"verifier",
			newPlan().prog("gbt_bad", tracepoint("raw_syscalls", "sys_enter"),
				concat(ret()[:0], asmMovR0R2())).plan,
			"Error loading BPF program for tracepoint:raw_syscalls:sys_enter: the kernel's verifier rejected it (R2 !read_ok); run with -v to see the verifier log"},
		{"kprobe",
			newPlan().prog("gbt_kp", kprobeAttach("vfs_read"), ret()).plan,
			"kprobe:vfs_read: kprobes are not available: this kernel was built without CONFIG_KPROBES"},
		{"no probes", newPlan().plan, "No probes to attach"},
		{"usdt",
			newPlan().prog("gbt_us", &lang.Resolved{Provider: "usdt", Name: "usdt:/bin/sh:p:m"}, ret()).plan,
			"usdt:/bin/sh:p:m: the USDT probe was not resolved to a location"},
		{"uprobe missing function",
			newPlan().prog("gbt_up", uprobeAttach("/bin/sh", "no_such_function"), ret()).plan,
			"uprobe:/bin/sh:no_such_function: could not find function no_such_function in /bin/sh"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := runPlan(t, c.plan, nil, true)
			if err == nil || err.Error() != c.want {
				t.Errorf("error: %v\nwant: %s", err, c.want)
			}
			if strings.Contains(out, "Attached") {
				t.Errorf("output %q", out)
			}
		})
	}
}

func TestVerboseVerifierLog(t *testing.T) {
	requireRoot(t)
	plan := newPlan().prog("gbt_bad", tracepoint("raw_syscalls", "sys_enter"), asmMovR0R2()).plan
	var stderr bytes.Buffer
	err := Run(context.Background(), plan, Options{Stderr: &stderr, Verbose: true})
	if err == nil || strings.Contains(err.Error(), "-v") {
		t.Errorf("error: %v", err)
	}
	if !strings.Contains(stderr.String(), "Verifier log") || !strings.Contains(stderr.String(), "R2 !read_ok") {
		t.Errorf("stderr: %q", stderr.String())
	}
	checkNoLeaks(t)
}

func TestDryRun(t *testing.T) {
	requireRoot(t)
	plan := newPlan().withRing().
		event(printfEvent("hello %d\n", 1)).
		prog("gbt_begin", begin(), concat(emitInsns(0, 1), ret())).
		prog("gbt_tp", tracepoint("raw_syscalls", "sys_enter"), ret()).plan
	var out bytes.Buffer
	if err := Run(context.Background(), plan, Options{Stdout: &out, Stderr: &out, DryRun: true}); err != nil {
		t.Fatal(err)
	}
	if out.Len() != 0 {
		t.Errorf("dry run printed %q", out.String())
	}
	checkNoLeaks(t)
}

func TestRunSoftwarePageFaults(t *testing.T) {
	const pages = 200
	sw := &lang.Resolved{Provider: probetype.Software, Name: "software:page-faults:1",
		Point: &lang.AttachPoint{Provider: string(probetype.Software), Parts: []string{"page-faults", "1"}}}
	plan := newPlan().withCount(countName, "@f").
		prog("gbt_faults", sw, concat(onlyPid(os.Getpid()), countInsns(countName), ret())).plan
	out, err := runPlan(t, plan, func() {
		mem, err := unix.Mmap(-1, 0, pages*4096, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
		if err != nil {
			t.Error(err)
			return
		}
		for i := 0; i < pages; i++ {
			mem[i*4096] = 1
		}
		unix.Munmap(mem)
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	head, rest, ok := strings.Cut(out, "\n\n\n@f: ")
	if !ok || head != "Attached 1 probe" {
		t.Fatalf("output: %q", out)
	}
	num, _, _ := strings.Cut(rest, "\n")
	if v, err := strconv.Atoi(num); err != nil || v < pages {
		t.Errorf("software:page-faults:1 counted %q faults for %d new pages", num, pages)
	}
}

func TestSignalContext(t *testing.T) {
	ctx, stop := SignalContext(context.Background())
	defer stop()
	if err := unix.Kill(os.Getpid(), unix.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("SIGINT did not cancel the context")
	}
}

// exit() under a flood of events: the run must still stop, and nothing
// after the exit is printed.
func TestRunExitUnderFlood(t *testing.T) {
	plan := newPlan().withRing().
		event(printfEvent("x %d\n", 1)).
		event(&codegen.Event{Kind: codegen.EvExit, Size: 8}).
		event(printfEvent("end %d\n", 1)).
		prog("gbt_flood", tracepoint("raw_syscalls", "sys_enter"), concat(emitInsns(0, 1), emitInsns(1), ret())).
		prog("gbt_end", end(), concat(emitInsns(2, 2), ret())).plan
	out, err := runPlan(t, plan, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	head, tail, ok := strings.Cut(out, "end 2\n")
	if !ok || tail != exitMapsText(t, nil, nil) {
		t.Fatalf("output: %q", out)
	}
	lines := strings.Split(strings.TrimSuffix(head, "\n"), "\n")
	if lines[0] != "Attached 2 probes" || len(lines) < 2 {
		t.Fatalf("output: %q", out)
	}
	for _, l := range lines[1:] {
		if l != "x 1" {
			t.Fatalf("output: %q", out)
		}
	}
}

// uprobeHelper builds a small Go program whose main.target a uprobe can
// find (go test strips its own binary's symbol table).
func uprobeHelper(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src := `package main

import (
	"os"
	"strconv"
)

//go:noinline
func target(n int) int { return n + 1 }

func main() {
	n, _ := strconv.Atoi(os.Args[1])
	s := 0
	for i := 0; i < n; i++ {
		s += target(i)
	}
	os.Exit(s * 0)
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module helper\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = "/usr/local/go/bin/go"
	}
	bin := filepath.Join(dir, "helper")
	cmd := exec.Command(goTool, "build", "-o", bin, ".")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the uprobe helper: %v\n%s", err, out)
	}
	return bin
}

func TestRunUprobe(t *testing.T) {
	const calls = 100
	requireRoot(t)
	bin := uprobeHelper(t)
	plan := newPlan().withCount(countName, "@u").
		prog("gbt_uprobe", uprobeAttach(bin, "main.target"), concat(countInsns(countName), ret())).plan
	out, err := runPlan(t, plan, func() {
		if out, err := exec.Command(bin, strconv.Itoa(calls)).CombinedOutput(); err != nil {
			t.Errorf("helper: %v %s", err, out)
		}
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	want := "Attached 1 probe\n" + exitMapsText(t, plan.Maps, map[string][]output.Entry{countName: countEntry(0)})
	want = strings.Replace(want, "@u: 0", "@u: "+strconv.Itoa(calls), 1)
	if out != want {
		t.Errorf("output:\n%q\nwant\n%q", out, want)
	}
}

func TestRunWritesStartTime(t *testing.T) {
	const globals = "gbt_globals"
	b := newPlan().withRing().event(printfEvent("%ld\n", 1))
	b.plan.Spec.Maps[globals] = &ebpf.MapSpec{Name: globals, Type: ebpf.Array, KeySize: 4,
		ValueSize: codegen.GlobalsSize, MaxEntries: 1}
	b.plan.Globals = globals
	insns := asm.Instructions{
		// r0 = &globals[0]
		asm.Mov.Imm(asm.R1, 0),
		asm.StoreMem(asm.RFP, -4, asm.R1, asm.Word),
		asm.LoadMapPtr(asm.R1, 0).WithReference(globals),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, -4),
		asm.FnMapLookupElem.Call(),
		asm.JEq.Imm(asm.R0, 0, "out"),
		// record {id 0, start} at fp-16
		asm.LoadMem(asm.R1, asm.R0, codegen.GlobalStartNs, asm.DWord),
		asm.StoreMem(asm.RFP, -8, asm.R1, asm.DWord),
		asm.Mov.Imm(asm.R1, 0),
		asm.StoreMem(asm.RFP, -16, asm.R1, asm.DWord),
		asm.LoadMapPtr(asm.R1, 0).WithReference(ringName),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, -16),
		asm.Mov.Imm(asm.R3, 16),
		asm.Mov.Imm(asm.R4, 0),
		asm.FnRingbufOutput.Call(),
	}
	plan := b.prog("gbt_begin", begin(), concat(insns, ret())).plan
	var before unix.Timespec
	unix.ClockGettime(unix.CLOCK_MONOTONIC, &before)
	out, err := runPlan(t, plan, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	var after unix.Timespec
	unix.ClockGettime(unix.CLOCK_MONOTONIC, &after)
	lines := strings.Split(out, "\n")
	if len(lines) < 2 || lines[0] != "Attached 1 probe" {
		t.Fatalf("output %q", out)
	}
	start, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || start < before.Nano() || start > after.Nano() {
		t.Errorf("start time %q not within [%d, %d]", lines[1], before.Nano(), after.Nano())
	}
}

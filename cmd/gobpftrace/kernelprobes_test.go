package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	goruntime "runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// stackloop is testdata/helpers/stackloop.c built with frame pointers: it
// spins in stack_outer -> stack_middle -> stack_leaf under comm
// "stackloop".
var stackloop struct {
	once sync.Once
	path string
	err  error
}

func stackloopPath(t *testing.T) string {
	t.Helper()
	stackloop.once.Do(func() {
		stackloop.path = filepath.Join(filepath.Dir(binPath), "stackloop")
		out, err := exec.Command("gcc", "-O1", "-fno-omit-frame-pointer", "-o", stackloop.path,
			"../../testdata/helpers/stackloop.c").CombinedOutput()
		if err != nil {
			stackloop.err = fmt.Errorf("building stackloop: %v: %s", err, out)
		}
	})
	if stackloop.err != nil {
		t.Fatal(stackloop.err)
	}
	return stackloop.path
}

// kpsysloop is a copy of the sysloop helper under its own comm, so that
// exact counts are not disturbed by sysloop runs of other tests on the
// machine.
var kpsysloop struct {
	once sync.Once
	path string
	err  error
}

func runKpSysloop(t *testing.T, n int) {
	t.Helper()
	kpsysloop.once.Do(func() {
		kpsysloop.path = filepath.Join(filepath.Dir(binPath), "kpsysloop")
		data, err := os.ReadFile(sysloopPath)
		if err == nil {
			err = os.WriteFile(kpsysloop.path, data, 0o755)
		}
		kpsysloop.err = err
	})
	if kpsysloop.err != nil {
		t.Fatal(kpsysloop.err)
	}
	if out, err := exec.Command(kpsysloop.path, strconv.Itoa(n)).CombinedOutput(); err != nil {
		t.Fatalf("kpsysloop: %v: %s", err, out)
	}
	time.Sleep(100 * time.Millisecond)
}

// runStackloop runs n stackloop processes in parallel for ms milliseconds.
func runStackloop(t *testing.T, n, ms int) {
	t.Helper()
	path := stackloopPath(t)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if out, err := exec.Command(path, strconv.Itoa(ms)).CombinedOutput(); err != nil {
				t.Errorf("stackloop: %v: %s", err, out)
			}
		}()
	}
	wg.Wait()
	time.Sleep(100 * time.Millisecond)
}

// mapCounts reads every `@name[key]: N` line of a map with one-line keys.
func mapCounts(out, name string) map[string]int {
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `\[(.*)\]: (\d+)$`)
	m := map[string]int{}
	for _, x := range re.FindAllStringSubmatch(out, -1) {
		n, _ := strconv.Atoi(x[2])
		m[x[1]] += n
	}
	return m
}

// perTick runs probe (counting @[cpu] and the first and last nsecs it fired
// at) for about a second while busy processes keep the CPUs busy (an idle
// CPU's clock events stop), and returns each CPU's count per 100ms of the
// time the probe fired over: the rate does not depend on how late the exit
// is handled on a loaded machine.
func perTick(t *testing.T, probe string, busy int) map[string]float64 {
	t.Helper()
	stackloopPath(t)
	res := trace(t, traceRun{
		args:    []string{"-e", probe + ` { @[cpu] = count(); @lo = min(nsecs); @hi = max(nsecs); } interval:s:1 { exit(); }`},
		trigger: func(t *testing.T) { runStackloop(t, busy, 1500) },
	})
	mustExit(t, res, 0)
	lo := regexp.MustCompile(`(?m)^@lo: (\d+)$`).FindStringSubmatch(res.stdout)
	hi := regexp.MustCompile(`(?m)^@hi: (\d+)$`).FindStringSubmatch(res.stdout)
	if lo == nil || hi == nil {
		t.Fatalf("no @lo/@hi:\n%s", res.stdout)
	}
	l, _ := strconv.ParseInt(lo[1], 10, 64)
	h, _ := strconv.ParseInt(hi[1], 10, 64)
	ticks := float64(h-l) / 1e8
	if ticks < 5 {
		t.Fatalf("the probe fired over %.0fms only:\n%s", ticks*100, res.stdout)
	}
	out := map[string]float64{}
	for cpu, n := range mapCounts(res.stdout, "@") {
		out[cpu] = float64(n) / ticks
	}
	return out
}

// profile:hz:99 fires about 99 times a second on every CPU (9.9 per 100ms
// tick); every CPU is kept busy (an idle CPU's clock event stops).
func TestProfileCountsEveryCPU(t *testing.T) {
	requireRoot(t)
	ncpu := goruntime.NumCPU()
	rates := perTick(t, `profile:hz:99`, ncpu)
	if len(rates) != ncpu {
		t.Fatalf("profile fired on %d CPUs, want %d: %v", len(rates), ncpu, rates)
	}
	for cpu, r := range rates {
		// Wide bounds: a loaded VM delays ticks; a unit or period/frequency
		// mix-up is off by 10x or more.
		if r < 5 || r > 15 {
			t.Errorf("profile:hz:99 fired %.1f times per 100ms on CPU %s, want about 9.9", r, cpu)
		}
	}
}

// profile with time units.
func TestProfileUnits(t *testing.T) {
	requireRoot(t)
	for _, c := range []struct {
		probe string
		want  float64 // per 100ms tick and CPU
	}{
		{"profile:ms:20", 5},
		{"profile:us:20000", 5},
		{"p:hz:50", 5},
		{"profile:20ms", 5},
	} {
		t.Run(c.probe, func(t *testing.T) {
			for cpu, r := range perTick(t, c.probe, goruntime.NumCPU()) {
				if r < c.want*0.5 || r > c.want*1.5 {
					t.Errorf("%s fired %.1f times per 100ms on CPU %s, want about %.1f", c.probe, r, cpu, c.want)
				}
			}
		})
	}
	// profile:s:1 fires about once in the second it runs.
	res := trace(t, traceRun{
		args:    []string{"-e", `profile:s:1 { @[cpu] = count(); } interval:ms:1500 { exit(); }`},
		trigger: func(t *testing.T) { runStackloop(t, goruntime.NumCPU(), 1700) },
	})
	mustExit(t, res, 0)
	for cpu, n := range mapCounts(res.stdout, "@") {
		if n > 3 {
			t.Errorf("profile:s:1 fired %d times in 1.5s on CPU %s", n, cpu)
		}
	}
}

// software events: a clock at a given count, page faults of a known
// process, an alias with its default count.
func TestSoftwareEvents(t *testing.T) {
	requireRoot(t)
	t.Run("cpu-clock", func(t *testing.T) {
		// A 10ms period: 10 per 100ms tick on each busy CPU.
		for cpu, r := range perTick(t, `software:cpu-clock:10000000`, goruntime.NumCPU()) {
			if r < 7.5 || r > 12.5 {
				t.Errorf("software:cpu-clock:10000000 fired %.1f times per 100ms on CPU %s, want about 10", r, cpu)
			}
		}
	})
	for _, probe := range []string{"software:page-faults:1", "software:faults:1", "s:minor-faults:1"} {
		t.Run(probe, func(t *testing.T) {
			res := trace(t, traceRun{
				args:    []string{"-e", probe + ` /comm == "kpsysloop"/ { @[probe] = count(); }`},
				trigger: func(t *testing.T) { runKpSysloop(t, 10) },
				stop:    syscall.SIGINT,
			})
			mustExit(t, res, 0)
			// Starting a process faults in its pages: dozens at least.
			name := strings.Replace(probe, "s:", "software:", 1)
			if strings.HasPrefix(probe, "software:") {
				name = probe
			}
			if n := countLine(t, res.stdout, name); n < 10 {
				t.Errorf("%s counted %d faults of a new process", probe, n)
			}
		})
	}
	t.Run("cs", func(t *testing.T) {
		res := trace(t, traceRun{args: []string{"-e", `software:cs:1 { @ = count(); exit(); } interval:s:3 { exit(); }`}})
		mustExit(t, res, 0)
		if !regexp.MustCompile(`(?m)^@: [1-9]\d*$`).MatchString(res.stdout) {
			t.Errorf("software:cs never fired:\n%s", res.stdout)
		}
	})
}

// interval in every unit: the third firing comes three periods after BEGIN.
func TestIntervalUnits(t *testing.T) {
	requireRoot(t)
	for _, probe := range []string{"interval:ms:100", "interval:us:100000", "interval:hz:10", "interval:100ms", "i:ms:100", "interval:ns:100000000"} {
		t.Run(probe, func(t *testing.T) {
			res := trace(t, traceRun{args: []string{"-e",
				`BEGIN { @s = nsecs; } ` + probe + ` { @n++; if (@n == 3) { printf("%d\n", (nsecs - @s) / 1000000); clear(@s); clear(@n); exit(); } }`}})
			mustExit(t, res, 0)
			ms, err := strconv.Atoi(strings.TrimSpace(res.stdout))
			// A timer never fires early, so 300 ms is a floor; the ceiling
			// only catches a unit read wrong (x1000), not a loaded machine.
			if err != nil || ms < 295 || ms > 3000 {
				t.Errorf("%s: third firing after %q ms, want 300 or a little more", probe, res.stdout)
			}
		})
	}
	res := trace(t, traceRun{args: []string{"-e", `BEGIN { @s = nsecs; } interval:s:1 { printf("%d\n", (nsecs - @s) / 1000000); clear(@s); exit(); }`}})
	mustExit(t, res, 0)
	if ms, err := strconv.Atoi(strings.TrimSpace(res.stdout)); err != nil || ms < 995 || ms > 10000 {
		t.Errorf("interval:s:1 first fired after %q ms", res.stdout)
	}
}

// rawtracepoint:sys_enter's arg1 is the syscall number (getppid is 110 on
// x86-64); arg0 is the pt_regs pointer, a kernel address.
func TestRawTracepointArgs(t *testing.T) {
	requireRoot(t)
	const n = 2000
	res := trace(t, traceRun{
		args: []string{"-e", `rawtracepoint:sys_enter /comm == "kpsysloop"/ { @[arg1] = count(); if (arg0 < 0xffff000000000000) { @bad = count(); } }
rt:sys_exit /comm == "kpsysloop" && arg1 >= 0/ { @exit[probe] = count(); }
rawtracepoint:vmlinux:sys_enter /comm == "kpsysloop" && args.id == 110/ { @typed = count(); }`},
		trigger: func(t *testing.T) { runKpSysloop(t, n) },
		stop:    syscall.SIGINT,
	})
	mustExit(t, res, 0)
	if got := countLine(t, res.stdout, "110"); got != n {
		t.Errorf("@[110] = %d getppid calls, want %d", got, n)
	}
	if m := regexp.MustCompile(`(?m)^@typed: (\d+)$`).FindStringSubmatch(res.stdout); m == nil || m[1] != strconv.Itoa(n) {
		t.Errorf("args.id == 110 counted %v, want %d", m, n)
	}
	if strings.Contains(res.stdout, "@bad") {
		t.Errorf("arg0 of sys_enter is not a kernel pointer:\n%s", res.stdout)
	}
	if got := mapCounts(res.stdout, "@exit")["rawtracepoint:vmlinux:sys_exit"]; got < n {
		t.Errorf("@exit = %d, want at least %d", got, n)
	}
}

// kallsymsNames is the set of kernel symbol names.
func kallsymsNames(t *testing.T) map[string]bool {
	t.Helper()
	f, err := os.Open("/proc/kallsyms")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	names := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fs := strings.Fields(sc.Text()); len(fs) >= 3 {
			names[fs[2]] = true
		}
	}
	return names
}

var frameRe = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_.]*)\+(\d+)$`)

// kstack of a syscall tracepoint: real kernel function names, as map key
// (4 spaces) and in printf (8 spaces), and in perf and raw modes.
func TestKstackSymbols(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{
		args: []string{"-e", `tracepoint:syscalls:sys_enter_getppid /comm == "kpsysloop"/ {
	@[kstack] = count(); @p[kstack(perf, 2)] = count(); @r[kstack(raw, 1)] = count();
	if (@once == 0) { @once = 1; printf("<%s>\n", kstack(3)); }
}`},
		trigger: func(t *testing.T) { runKpSysloop(t, 100) },
		stop:    syscall.SIGINT,
	})
	mustExit(t, res, 0)
	syms := kallsymsNames(t)
	// Map key: "@[\n    frame\n    frame\n]: 100".
	m := regexp.MustCompile(`(?s)\n@\[\n(.*?)\n\]: (\d+)\n`).FindStringSubmatch(res.stdout)
	if m == nil {
		t.Fatalf("no kstack key:\n%s", res.stdout)
	}
	if m[2] != "100" {
		t.Errorf("kstack count %s, want 100", m[2])
	}
	frames := strings.Split(m[1], "\n")
	for _, f := range frames {
		s, ok := strings.CutPrefix(f, "    ")
		fm := frameRe.FindStringSubmatch(s)
		if !ok || fm == nil || !syms[fm[1]] {
			t.Errorf("kstack frame %q is not '    symbol+offset' of a kallsyms symbol", f)
		}
	}
	if !strings.Contains(m[1], "    do_syscall_64+") {
		t.Errorf("kstack of a syscall has no do_syscall_64 frame:\n%s", m[1])
	}
	// printf: a newline, then 3 frames indented by 8.
	pm := regexp.MustCompile(`(?s)<\n((?:        [^\n]+\n){3})>\n`).FindStringSubmatch(res.stdout)
	if pm == nil {
		t.Errorf("printf of kstack(3) is not 3 frames indented by 8:\n%s", res.stdout)
	} else if !strings.HasPrefix(pm[1], "        "+strings.TrimPrefix(frames[0], "    ")+"\n") {
		t.Errorf("printf kstack starts with %q, map key with %q", pm[1], frames[0])
	}
	// perf mode: "\t<hex> symbol+offset".
	perf := regexp.MustCompile(`(?s)\n@p\[\n(\t[0-9a-f]+ [A-Za-z_][\w.]*\+\d+\n){2}\]: 100\n`)
	if !perf.MatchString(res.stdout) {
		t.Errorf("kstack(perf, 2) not printed as perf frames:\n%s", res.stdout)
	}
	raw := regexp.MustCompile(`(?s)\n@r\[\nffffffff[0-9a-f]{8}\n\]: 100\n`)
	if !raw.MatchString(res.stdout) {
		t.Errorf("kstack(raw, 1) not printed as one raw address:\n%s", res.stdout)
	}
}

// ustack of a profile probe on a frame-pointer binary names its functions,
// innermost first, after the process has exited.
func TestUstackSymbols(t *testing.T) {
	requireRoot(t)
	stackloopPath(t)
	res := trace(t, traceRun{
		args:    []string{"-e", `profile:hz:999 /comm == "stackloop"/ { @[ustack] = count(); @u[usym(reg("ip"))] = count(); @p[ustack(perf, 3)] = count(); }`},
		trigger: func(t *testing.T) { runStackloop(t, 1, 600) },
		stop:    syscall.SIGINT,
	})
	mustExit(t, res, 0)
	re := regexp.MustCompile(`(?m)^    stack_leaf\+\d+\n    stack_middle\+\d+\n    stack_outer\+\d+\n    main\+\d+\n`)
	if !re.MatchString(res.stdout) {
		t.Errorf("no ustack stack_leaf, stack_middle, stack_outer, main:\n%s", res.stdout)
	}
	if n := mapCounts(res.stdout, "@u")["stack_leaf"]; n < 50 {
		t.Errorf("@u[stack_leaf] = %d samples of usym(reg(\"ip\")), want most of ~600:\n%s", n, res.stdout)
	}
	perf := regexp.MustCompile(`(?m)^\t[0-9a-f]+ stack_leaf\+\d+ \(` + regexp.QuoteMeta(stackloopPath(t)) + `\)\n\t[0-9a-f]+ stack_middle\+\d+ \(`)
	if !perf.MatchString(res.stdout) {
		t.Errorf("ustack(perf, 3) frames not '\\t<hex> sym+off (path)':\n%s", res.stdout)
	}
}

// ksym of kaddr, func and probe of a raw tracepoint, ustack in printf.
func TestKsymKaddr(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{args: []string{"-e", `BEGIN { printf("%s %s %d\n", ksym(kaddr("vfs_read")), ksym(kaddr("vfs_read") + 5), kaddr("vfs_read") > 0); exit(); }`}, noAttach: true})
	mustExit(t, res, 0)
	if res.stdout != "vfs_read vfs_read 1\n\n\n" {
		t.Errorf("stdout %q", res.stdout)
	}
	res = trace(t, traceRun{args: []string{"-e", `BEGIN { printf("%d\n", kaddr("no_such_symbol_here")); }`}, noAttach: true})
	mustExit(t, res, 1)
	if !strings.Contains(res.stderr, "ERROR: Failed to resolve kernel symbol: no_such_symbol_here") {
		t.Errorf("stderr %q", res.stderr)
	}
}

// Providers this kernel lacks: one line naming what is missing.
func TestMissingKernelFeatures(t *testing.T) {
	requireRoot(t)
	for _, c := range []struct{ script, want string }{
		{`kprobe:vfs_read { @ = count(); }`, "ERROR: kprobe:vfs_read: kprobes are not available: this kernel was built without CONFIG_KPROBES\n"},
		{`kprobe:vfs_read+4 { @ = arg0; }`, "ERROR: kprobe:vfs_read+4: kprobes are not available: this kernel was built without CONFIG_KPROBES\n"},
		{`kretprobe:vfs_read { @ = retval; }`, "ERROR: kretprobe:vfs_read: kprobes are not available: this kernel was built without CONFIG_KPROBES\n"},
		{`fentry:vfs_read { @ = args.count; }`, "ERROR: fentry:vfs_read: fentry/fexit probes are not available: this kernel does not permit BPF tracing programs (BPF_PROG_TYPE_TRACING load failed with EPERM)\n"},
		{`kfunc:vfs_read { @ = count(); }`, "ERROR: fentry:vfs_read: fentry/fexit probes are not available: this kernel does not permit BPF tracing programs (BPF_PROG_TYPE_TRACING load failed with EPERM)\n"},
		{`fexit:vfs_read { @ = retval; }`, "ERROR: fexit:vfs_read: fentry/fexit probes are not available: this kernel does not permit BPF tracing programs (BPF_PROG_TYPE_TRACING load failed with EPERM)\n"},
		{`hardware:cache-misses:1000000 { @ = count(); }`, "ERROR: hardware:cache-misses:1000000: hardware events are not available: this machine has no hardware performance counters (no PMU)\n"},
		// A probe that works here and traces the same thing is named.
		{`kprobe:__x64_sys_openat { @ = count(); }`, "ERROR: kprobe:__x64_sys_openat: kprobes are not available: this kernel was built without CONFIG_KPROBES\nHINT: tracepoint:syscalls:sys_enter_openat traces the same syscall and works here (its arguments are args.NAME)\n"},
		{`kretprobe:__x64_sys_openat2 { @ = count(); }`, "ERROR: kretprobe:__x64_sys_openat2: kprobes are not available: this kernel was built without CONFIG_KPROBES\nHINT: tracepoint:syscalls:sys_exit_openat2 traces the same syscall and works here (the return value is args.ret)\n"},
		{`fentry:tcp_retransmit_skb { @ = count(); }`, "ERROR: fentry:tcp_retransmit_skb: fentry/fexit probes are not available: this kernel does not permit BPF tracing programs (BPF_PROG_TYPE_TRACING load failed with EPERM)\nHINT: tracepoint:tcp:tcp_retransmit_skb (or rawtracepoint:tcp_retransmit_skb) traces the same event and works here\n"},
		{`h:cycles { @ = count(); }`, "ERROR: hardware:cycles: hardware events are not available: this machine has no hardware performance counters (no PMU)\n"},
	} {
		t.Run(c.script, func(t *testing.T) {
			res := trace(t, traceRun{args: []string{"-e", c.script}, noAttach: true})
			mustExit(t, res, 1)
			if res.stderr != c.want {
				t.Errorf("stderr:\n%q\nwant:\n%q", res.stderr, c.want)
			}
		})
	}
}

// listing probes, compared with what bpftrace prints.
func TestListProbes(t *testing.T) {
	requireRoot(t)
	list := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(binPath, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v: %s", args, err, out)
		}
		return string(out)
	}
	if got := list("-l", "tracepoint:syscalls:sys_enter_getpp*"); got != "tracepoint:syscalls:sys_enter_getppid\n" {
		t.Errorf("-l tracepoint:syscalls:sys_enter_getpp*: %q", got)
	}
	want := "tracepoint:syscalls:sys_enter_read\n    int __syscall_nr\n    unsigned int fd\n    char * buf\n    size_t count\n"
	for _, args := range [][]string{{"-lv", "tracepoint:syscalls:sys_enter_read"}, {"-l", "-v", "t:syscalls:sys_enter_read"}} {
		if got := list(args...); got != want {
			t.Errorf("%v:\n%s\nwant:\n%s", args, got, want)
		}
	}
	start := time.Now()
	all := list("-l", "tracepoint:syscalls:*")
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("-l tracepoint:syscalls:* took %v", d)
	}
	if n := strings.Count(all, "\n"); n < 300 || !strings.Contains(all, "tracepoint:syscalls:sys_exit_openat\n") {
		t.Errorf("-l tracepoint:syscalls:* listed %d lines", n)
	}
	if got := list("-l", "software:*faults"); got != "software:alignment-faults:\nsoftware:emulation-faults:\nsoftware:faults:\nsoftware:major-faults:\nsoftware:minor-faults:\nsoftware:page-faults:\n" {
		t.Errorf("-l software:*faults: %q", got)
	}
	if got := list("-l", "hardware:cache*"); got != "hardware:cache-misses:\nhardware:cache-references:\n" {
		t.Errorf("-l hardware:cache*: %q", got)
	}
	if got := list("-l", "rawtracepoint:sched_switch"); got != "rawtracepoint:vmlinux:sched_switch\n" {
		t.Errorf("-l rawtracepoint:sched_switch: %q", got)
	}
	wantR := "rawtracepoint:vmlinux:sys_enter\n    struct pt_regs * regs\n    long int id\n"
	if got := list("-lv", "rawtracepoint:sys_enter"); got != wantR {
		t.Errorf("-lv rawtracepoint:sys_enter:\n%s\nwant:\n%s", got, wantR)
	}
	// This kernel has no kprobes: the kprobe list, of kernel BTF's
	// functions, comes with a warning on stderr; it leaves out what
	// bpftrace leaves out (rcu_*, .part.N clones).
	cmd := exec.Command(binPath, "-l", "kprobe:vfs_read")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if out, err := cmd.Output(); err != nil || string(out) != "kprobe:vfs_read\n" ||
		stderr.String() != "WARNING: this kernel has no kprobes (it was built without CONFIG_KPROBES): the kprobe and kretprobe probes listed, the functions of kernel BTF, cannot be attached here\n" {
		t.Errorf("-l kprobe:vfs_read: %q, %q, %v", out, stderr.String(), err)
	}
	if out, err := exec.Command(binPath, "-l", "kprobe:rcu_*").Output(); err != nil || len(out) != 0 {
		t.Errorf("-l kprobe:rcu_*: %q, %v", out, err)
	}
	if out, err := exec.Command(binPath, "-l", "fentry:*").Output(); err != nil || strings.Count(string(out), "\n") < 10000 ||
		!strings.Contains(string(out), "\nfentry:vmlinux:vfs_read\n") || strings.Contains(string(out), ".part.") {
		t.Errorf("-l fentry:*: %d lines, %v", strings.Count(string(out), "\n"), err)
	}
	wantF := "fentry:vmlinux:vfs_read\n    struct file * file\n    char * buf\n    size_t count\n    loff_t * pos\n    ssize_t retval\n"
	if got := list("-lv", "kfunc:vfs_read"); got != wantF {
		t.Errorf("-lv kfunc:vfs_read:\n%s\nwant:\n%s", got, wantF)
	}
	sl := stackloopPath(t)
	wantU := fmt.Sprintf("uprobe:%[1]s:stack_leaf\nuprobe:%[1]s:stack_middle\nuprobe:%[1]s:stack_outer\n", sl)
	if got := list("-l", "uprobe:"+sl+":stack_*"); got != wantU {
		t.Errorf("-l uprobe:...:stack_*:\n%s\nwant:\n%s", got, wantU)
	}
	cPath, _ := userHelpers(t)
	wantN := fmt.Sprintf("usdt:%[1]s:gbt:guarded\nusdt:%[1]s:gbt:tick\n", cPath)
	for _, pat := range []string{"usdt:" + cPath + ":*", "usdt:" + cPath, "U:" + cPath + ":gbt:*"} {
		if got := list("-l", pat); got != wantN {
			t.Errorf("-l %s:\n%s\nwant:\n%s", pat, got, wantN)
		}
	}
	if got := list("-l", "interval"); got != "interval:hz:\ninterval:ms:\ninterval:ns:\ninterval:s:\ninterval:us:\n" {
		t.Errorf("-l interval: %q", got)
	}
	if got := list("-l", "hardware"); strings.Count(got, "\n") != 12 || !strings.HasPrefix(got, "hardware:backend-stalls:\n") {
		t.Errorf("-l hardware: %q", got)
	}
	if got := list("-l", "tracepoint:sys_enter_getppid"); got != "tracepoint:syscalls:sys_enter_getppid\n" {
		t.Errorf("-l tracepoint:sys_enter_getppid: %q", got)
	}
	if got := list("-lv", "kretprobe:vfs_read"); !strings.HasSuffix(got, "\nkretprobe:vfs_read\n    ssize_t retval\n") {
		t.Errorf("-lv kretprobe:vfs_read: %q", got)
	}
	if got := list("-l", "*:sys_enter_getppid"); !strings.Contains(got, "tracepoint:syscalls:sys_enter_getppid\n") {
		t.Errorf("-l *:sys_enter_getppid: %q", got)
	}
}

// -l with one wildcard word matches the names after the provider, -l with
// an existing file lists that script's probes (as bpftrace lists them: no
// BEGIN or END, an interval without its rate), and a word that looks like
// a file name but names none is warned about, then read as a pattern.
func TestListWordAndFile(t *testing.T) {
	requireRoot(t)
	out, err := exec.Command(binPath, "-l", "*sys_enter_getppi*").Output()
	if err != nil {
		t.Fatalf("-l *sys_enter_getppi*: %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if !slices.Contains(lines, "tracepoint:syscalls:sys_enter_getppid") {
		t.Errorf("-l *sys_enter_getppi*: %q", out)
	}
	for _, l := range lines {
		if !strings.Contains(l, "sys_enter_getppi") {
			t.Errorf("-l *sys_enter_getppi* listed %q", l)
		}
	}
	script := filepath.Join(t.TempDir(), "ticks.bt")
	if err := os.WriteFile(script, []byte("interval:ms:250 { exit(); }\ntracepoint:syscalls:sys_enter_getpp* { }\nEND { }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = exec.Command(binPath, "-l", script).Output()
	if want := "interval:ms:\ntracepoint:syscalls:sys_enter_getppid\n"; err != nil || string(out) != want {
		t.Errorf("-l %s: %q, %v; want %q", script, out, err, want)
	}
	cmd := exec.Command(binPath, "-l", "absent.bt")
	cmd.Dir = t.TempDir()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err = cmd.Output()
	want := "WARNING: It appears that 'absent.bt' is a filename but the file does not exist. Treating 'absent.bt' as a search pattern.\nERROR: Invalid probe type: absent.bt\n"
	if err == nil || len(out) != 0 || stderr.String() != want {
		t.Errorf("-l absent.bt: %q, %q, %v; want %q", out, stderr.String(), err, want)
	}
}

// A tracepoint this kernel lacks, beside one it has, is a warning and
// the probe runs on the other (bpftrace v0.26); with missing_probes = warn
// a script left with no probe stops with bpftrace's "No probes to attach".
func TestMissingTracepointBesideAnother(t *testing.T) {
	requireRoot(t)
	src := `tracepoint:syscalls:sys_enter_getppid,tracepoint:nosuch:thing /comm == "sysloop"/ { printf("hit\n"); exit(); }`
	res := trace(t, traceRun{args: []string{"-e", src}, trigger: func(t *testing.T) { runSysloop(t, 1, "") }})
	warning := "stdin:1:39-62: WARNING: tracepoint not found: nosuch:thing\n" + src + "\n" + strings.Repeat(" ", 38) + strings.Repeat("~", 23) + "\n"
	wantOutput(t, res, "hit\n\n\n", warning+"Attached 1 probe\n")

	res = trace(t, traceRun{noAttach: true, args: []string{"-e", `config = { missing_probes = "warn" } tracepoint:nosuch:thing { }`}})
	mustExit(t, res, 1)
	if !strings.HasPrefix(res.stderr, "stdin:1:38-61: WARNING: tracepoint not found: nosuch:thing\n") || strings.Contains(res.stderr, "ERROR") || res.stdout != "No probes to attach\n" {
		t.Errorf("missing_probes = warn: stdout %q, stderr %q", res.stdout, res.stderr)
	}
}

// Wildcards in raw tracepoint and kernel function names expand from BTF;
// a raw tracepoint named without its module is looked for in vmlinux and
// every module with BTF, as bpftrace's rawtracepoint:*:EVENT, and the
// probe is named with the module it was found in.
func TestKernelWildcards(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{
		args:    []string{"-e", `rawtracepoint:sys_e* /comm == "kpsysloop"/ { @[probe] = count(); }`},
		trigger: func(t *testing.T) { runKpSysloop(t, 500) },
		stop:    syscall.SIGINT,
	})
	mustExit(t, res, 0)
	if res.stderr != "Attached 2 probes\n" {
		t.Errorf("stderr %q", res.stderr)
	}
	counts := mapCounts(res.stdout, "@")
	if counts["rawtracepoint:vmlinux:sys_enter"] < 500 || counts["rawtracepoint:vmlinux:sys_exit"] < 500 || len(counts) != 2 {
		t.Errorf("counts %v", counts)
	}
	res = trace(t, traceRun{args: []string{"-e", `kprobe:vfs_rea* { @[func] = count(); }`}, noAttach: true})
	mustExit(t, res, 1)
	if res.stderr != "ERROR: kprobe:vfs_read: kprobes are not available: this kernel was built without CONFIG_KPROBES\n" {
		t.Errorf("stderr %q", res.stderr)
	}

	// A wildcard in the module matches the modules with BTF (vmlinux
	// only here), the event's name with or without one.
	res = trace(t, traceRun{
		args:    []string{"-e", `rawtracepoint:vmlinu*:sys_exit, rt:*:sys_ent?r /comm == "kpsysloop"/ { @[probe] = count(); }`},
		trigger: func(t *testing.T) { runKpSysloop(t, 500) },
		stop:    syscall.SIGINT,
	})
	mustExit(t, res, 0)
	if res.stderr != "Attached 2 probes\n" {
		t.Errorf("stderr %q", res.stderr)
	}
	counts = mapCounts(res.stdout, "@")
	if counts["rawtracepoint:vmlinux:sys_enter"] < 500 || counts["rawtracepoint:vmlinux:sys_exit"] < 500 || len(counts) != 2 {
		t.Errorf("counts %v", counts)
	}
	// An expansion that matches nothing is dropped, as bpftrace drops it:
	// beside another probe the script runs, alone it has no probes.
	for _, script := range []string{`rawtracepoint:vmlinu*:sys_exitt { }`, `rawtracepoint:nonsense { }`, `rt:nonsense, kprobe:nope_* { }`} {
		res = trace(t, traceRun{args: []string{"-e", script}, noAttach: true})
		mustExit(t, res, 1)
		if want := "No probes to attach\n"; res.stdout != want || res.stderr != "" {
			t.Errorf("%s: stdout %q, stderr %q, want stdout %q", script, res.stdout, res.stderr, want)
		}
	}
	res = trace(t, traceRun{args: []string{"-e", `rt:nonsense { } BEGIN { printf("begin\n"); exit(); }`}})
	wantOutput(t, res, "begin\n\n\n", "Attached 1 probe\n")
	// The kernel finds a raw tracepoint by name; a module named is checked
	// against its BTF, as bpftrace checks it.
	res = trace(t, traceRun{args: []string{"-e", `rawtracepoint:nonsense:sys_exit { }`}, noAttach: true})
	mustExit(t, res, 1)
	if want := "ERROR: No BTF found for nonsense:sys_exit.\n"; res.stderr != want {
		t.Errorf("stderr %q, want %q", res.stderr, want)
	}
}

// uaddr of a position-dependent binary is the symbol's address; ustack in
// printf of a uprobe starts at the probed function.
func TestUaddr(t *testing.T) {
	requireRoot(t)
	np := filepath.Join(filepath.Dir(binPath), "stackloop-nopie")
	if out, err := exec.Command("gcc", "-O1", "-no-pie", "-fno-omit-frame-pointer", "-o", np, "../../testdata/helpers/stackloop.c").CombinedOutput(); err != nil {
		t.Fatalf("building: %v: %s", err, out)
	}
	nm, err := exec.Command("nm", np).Output()
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^0*([0-9a-f]+) B sink$`).FindSubmatch(nm)
	if m == nil {
		t.Fatalf("no sink in nm output:\n%s", nm)
	}
	res := trace(t, traceRun{
		args: []string{"-e", `uprobe:` + np + `:stack_leaf { printf("%p%s", uaddr("sink"), ustack(2)); exit(); }`},
		trigger: func(t *testing.T) {
			if out, err := exec.Command(np, "50").CombinedOutput(); err != nil {
				t.Errorf("%v: %s", err, out)
			}
		},
	})
	mustExit(t, res, 0)
	want := regexp.MustCompile(`^0x` + string(m[1]) + `\n        stack_leaf\+0\n        stack_middle\+\d+\n`)
	if !want.MatchString(res.stdout) {
		t.Errorf("stdout %q, want it to match %s", res.stdout, want)
	}
	// A position-independent binary: one error line.
	res = trace(t, traceRun{args: []string{"-e", `uprobe:` + stackloopPath(t) + `:stack_leaf { printf("%p\n", uaddr("sink")); }`}, noAttach: true})
	mustExit(t, res, 1)
	if !strings.Contains(res.stderr, "is position-independent, so its symbols' addresses are only known in a running process") {
		t.Errorf("stderr %q", res.stderr)
	}
}

// Tracepoint listings are identical to bpftrace's (v0.17 here; the format
// is unchanged in v0.26), with and without -v, and uprobe listings of a
// binary with symbols too.
func TestListLikeBpftrace(t *testing.T) {
	requireRoot(t)
	bt, err := exec.LookPath("bpftrace")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("bpftrace is not installed (CI installs it)")
		}
		t.Skip("bpftrace is not installed")
	}
	for _, args := range [][]string{
		{"-l", "tracepoint:*"},
		{"-lv", "tracepoint:syscalls:sys_enter_*"},
		{"-lv", "tracepoint:sched:*"},
		{"-l", "uprobe:" + stackloopPath(t) + ":*"},
	} {
		want, err := exec.Command(bt, args...).Output()
		if err != nil {
			t.Fatalf("bpftrace %v: %v", args, err)
		}
		got, err := exec.Command(binPath, args...).Output()
		if err != nil {
			t.Fatalf("gobpftrace %v: %v", args, err)
		}
		if string(got) != string(want) {
			gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
			for i := 0; i < len(gl) && i < len(wl); i++ {
				if gl[i] != wl[i] {
					t.Errorf("%v: line %d is %q, bpftrace prints %q", args, i+1, gl[i], wl[i])
					break
				}
			}
			t.Errorf("%v: %d lines, bpftrace prints %d", args, len(gl), len(wl))
		}
	}
}

// -p: profile and software events are opened for the process (bpftrace
// v0.26), so a busy process next to it is not sampled; a tracepoint filters
// on pid in BPF. Both stackloops spin for 3s; the run ends after 1s.
func TestTargetPIDPerfEvents(t *testing.T) {
	requireRoot(t)
	path := stackloopPath(t)
	var loops []*exec.Cmd
	for i := 0; i < 2; i++ {
		cmd := exec.Command(path, "3000")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		loops = append(loops, cmd)
	}
	defer func() {
		for _, cmd := range loops {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	target := strconv.Itoa(loops[0].Process.Pid)
	res := trace(t, traceRun{args: []string{"-p", target, "-e", `profile:hz:99 { @p[pid] = count(); }
software:cpu-clock:1000000 { @s[pid] = count(); }
tracepoint:sched:sched_switch { @t[pid] = count(); }
interval:s:1 { exit(); }`}})
	mustExit(t, res, 0)
	for _, name := range []string{"@p", "@s", "@t"} {
		counts := mapCounts(res.stdout, name)
		if len(counts) != 1 || counts[target] == 0 {
			t.Errorf("%s: want counts for pid %s only, got %v:\n%s", name, target, counts, res.stdout)
		}
	}
}

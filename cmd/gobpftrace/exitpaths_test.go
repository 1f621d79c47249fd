package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// exitScript counts the getppid calls of the process named comm and
// prints a line in END.
func exitScript(comm string) string {
	return `tracepoint:syscalls:sys_enter_getppid /comm == "` + filepath.Base(comm) + `"/ { @calls = count(); }
END { printf("end\n"); }`
}

// Every way a run ends: END runs once, the maps print once, and nothing
// the run loaded stays in the kernel (trace checks that).
func TestExitPaths(t *testing.T) {
	requireRoot(t)
	loop := uniqueLoop(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			res := trace(t, traceRun{
				args:    []string{"-e", exitScript(loop)},
				trigger: func(t *testing.T) { runLoop(t, loop, 10) },
				stop:    sig,
			})
			mustExit(t, res, 0)
			if want := "end\n\n\n@calls: 10\n"; res.stdout != want {
				t.Errorf("stdout %q, want %q", res.stdout, want)
			}
			if res.stderr != "Attached 2 probes\n" {
				t.Errorf("stderr %q", res.stderr)
			}
		})
	}
}

// exit() from a probe: END once, maps once, exit code 0.
func TestExitPathExitCall(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{
		args: []string{"-e", `tracepoint:syscalls:sys_enter_getppid /comm == "sysloop"/ { @calls = count(); exit(); }
			END { printf("end\n"); }`},
		trigger: func(t *testing.T) { runSysloop(t, 100, "") },
	})
	mustExit(t, res, 0)
	if strings.Count(res.stdout, "end\n") != 1 || strings.Count(res.stdout, "@calls: ") != 1 {
		t.Errorf("END or the map printed more or less than once:\n%s", res.stdout)
	}
}

// A script with only END has no probe to wait for: it ends by itself and
// runs END once.
func TestExitPathEndOnly(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{args: []string{"-e", `END { @n = 1; printf("end\n"); }`}, noAttach: true})
	mustExit(t, res, 0)
	if want := "end\n\n\n@n: 1\n"; res.stdout != want {
		t.Errorf("stdout %q, want %q", res.stdout, want)
	}
}

// A Go panic in the runtime, injected in the event loop or while the maps
// print: it is recovered, END still runs once, the maps print once (when
// the panic is not in their printing), everything is released, and the
// user gets one error line and exit code 1, never a stack trace.
func TestExitPathPanic(t *testing.T) {
	requireRoot(t)
	loop := uniqueLoop(t)
	script := `tracepoint:syscalls:sys_enter_getppid /comm == "` + filepath.Base(loop) + `"/ { @calls = count(); printf("event\n"); }
		END { printf("end\n"); }`
	for _, tc := range []struct{ where, stdout, errLine string }{
		// The first event panics and the run stops as after exit(): how
		// many of the 10 calls were counted by then varies.
		{"event", `^end\n\n\n@calls: ([1-9]|10)\n$`, "ERROR: internal error while handling an event: injected by GOBPFTRACE_TEST_PANIC\n"},
		{"maps", `^end\n$`, "ERROR: internal error: injected by GOBPFTRACE_TEST_PANIC\n"},
	} {
		t.Run(tc.where, func(t *testing.T) {
			res := trace(t, traceRun{
				args:    []string{"-e", script},
				env:     []string{"GOBPFTRACE_TEST_PANIC=" + tc.where},
				trigger: func(t *testing.T) { runLoop(t, loop, 10) },
				stop:    syscall.SIGINT,
			})
			mustExit(t, res, 1)
			out := strings.ReplaceAll(res.stdout, "event\n", "")
			if !regexp.MustCompile(tc.stdout).MatchString(out) {
				t.Errorf("stdout without event lines %q, want %s\nfull stdout:\n%s", out, tc.stdout, res.stdout)
			}
			if want := "Attached 2 probes\n" + tc.errLine; res.stderr != want {
				t.Errorf("stderr %q, want %q", res.stderr, want)
			}
		})
	}
}

// SIGKILL: nothing runs, and nothing stays in the kernel: the programs,
// maps and links die with the process's file descriptors (trace checks
// every one it saw, for up to 3s). With hundreds of tracepoints, the
// kernel used to spend 12s detaching them one by one in the dying
// process's exit, the programs still running; now their links and perf
// events are also held by gobpftrace-release, which detaches them
// concurrently once gobpftrace is gone and then closes the perf events.
func TestExitPathSIGKILL(t *testing.T) {
	requireRoot(t)
	stderr := killed(t, []string{"-e", `tracepoint:syscalls:sys_enter_* { @[probe] = count(); } interval:ms:50 { printf("tick\n"); }`},
		func(t *testing.T) { runSysloop(t, 10, "") })
	n := 0
	fmt.Sscanf(stderr, "Attached %d probes", &n)
	if n < 300 {
		t.Errorf("stderr %q: want hundreds of probes", stderr)
	}
	waitReleased(t, 60*time.Second)
}

// killed runs gobpftrace, sends SIGKILL once it attached and trigger ran,
// and checks that the programs, maps and links it held leave the kernel
// (within the 3s of stillLoaded) while the process dies, before it is
// reaped. Its output goes to files: nothing waits on pipes. It returns
// stderr.
func killed(t *testing.T, args []string, trigger func(t *testing.T)) string {
	t.Helper()
	dir := t.TempDir()
	errPath := filepath.Join(dir, "stderr")
	stdout, err1 := os.Create(filepath.Join(dir, "stdout"))
	stderr, err2 := os.Create(errPath)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	defer stdout.Close()
	defer stderr.Close()
	cmd := exec.Command(binPath, args...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	read := func() string { b, _ := os.ReadFile(errPath); return string(b) }
	for start := time.Now(); !strings.Contains(read(), "Attached "); time.Sleep(20 * time.Millisecond) {
		if time.Since(start) > 30*time.Second {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("gobpftrace did not attach within 30s: %s", read())
		}
	}
	held := heldObjects(cmd.Process.Pid)
	if len(held.progs) == 0 || len(held.links) == 0 {
		t.Errorf("the process holds no BPF program or link after it attached")
	}
	trigger(t)
	cmd.Process.Kill()
	// Checked before reaping: a dying process is reaped only once its
	// last thread has closed every descriptor.
	if left := held.stillLoaded(); left != "" {
		t.Errorf("after SIGKILL, still in the kernel: %s", left)
	}
	err := cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Errorf("gobpftrace ended with %v, want death by SIGKILL", err)
	}
	return read()
}

// SIGKILL of a uprobe script: single uprobes (a perf event each, more
// than enough to be handed to gobpftrace-release), a uretprobe, a
// uprobe_multi wildcard and a USDT probe. Besides the programs, maps and
// links (trace checks them), no perf event with a program and no uprobe
// (tracefs uprobe_events) on the target remains.
func TestExitPathSIGKILLUprobes(t *testing.T) {
	requireRoot(t)
	c, _ := userHelpers(t)
	target := uniqueCopy(t, c)
	var script strings.Builder
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&script, "uprobe:%s:gbt_add { @add%d = count(); }\n", target, i)
	}
	fmt.Fprintf(&script, "uretprobe:%[1]s:gbt_mul3 { @ret = sum(retval); }\nuprobe:%[1]s:gbt_* { @[probe] = count(); }\nusdt:%[1]s:gbt:tick { @tick = count(); }\n", target)
	stderr := killed(t, []string{"-e", script.String()}, func(t *testing.T) { runHelper(t, target, "3") })
	if stderr != "Attached 104 probes\n" {
		t.Errorf("stderr %q", stderr)
	}
	if out, err := exec.Command("bpftool", "perf", "list").CombinedOutput(); err != nil {
		t.Errorf("bpftool perf list: %v: %s", err, out)
	} else if strings.Contains(string(out), target) {
		t.Errorf("a program is still attached to a uprobe on %s:\n%s", target, out)
	}
	waitReleased(t, 60*time.Second)
	events, err := os.ReadFile("/sys/kernel/tracing/uprobe_events")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(events), target) {
		t.Errorf("uprobe_events still names %s:\n%s", target, events)
	}
}

// uniqueCopy copies an executable under a name no other test uses, so that
// what the kernel reports about it is this test's alone.
func uniqueCopy(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), fmt.Sprintf("gbtkill%d", os.Getpid()%1000000))
	if err := os.WriteFile(dst, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return dst
}

// A full map: the updates it refuses are counted in the kernel, for each
// map; the first one is reported with bpftrace's warning at the map's
// first write, and the count once at exit, whatever the kind of map: plain values,
// every per-CPU aggregation, keys that are tuples or strings, maps declared
// with their own size (an LRU map evicts instead). Histograms are the
// exception: their buckets are elements of the kernel map, which has room
// for every bucket of max_map_keys keys, so the 20 keys of @hist and @lhist
// all fit (bpftrace would keep 5 whole histograms and refuse the others).
func TestMapFullReported(t *testing.T) {
	requireRoot(t)
	loop := uniqueLoop(t)
	script := `config = { max_map_keys = 5 }
let @decl = hash(3); let @pcpu = percpuhash(3); let @lru = lruhash(2); let @lruhist = percpulruhash(2);
BEGIN {
	$i = 0;
	while ($i < 20) {
		@plain[$i] = 1; @count[$i] = count(); @sum[$i] = sum($i); @min[$i] = min($i);
		@max[$i] = max($i); @avg[$i] = avg($i); @stats[$i] = stats($i);
		@hist[$i] = hist($i); @lhist[$i] = lhist($i, 0, 100, 10);
		@tuple[$i, "x"] = $i; @tuplecount[$i, comm] = count(); @inc[$i]++; @add[$i] += 2;
		@decl[$i] = 1; @pcpu[$i] = count(); @lru[$i] = 1; @lruhist[$i % 2] = hist($i);
		$i++;
	}
}
tracepoint:syscalls:sys_enter_openat /comm == "` + filepath.Base(loop) + `" && args.flags == 0/ {
	@paths[str(args.filename)] = count(); @pathpid[str(args.filename), pid] = 1;
}`
	dir := t.TempDir()
	res := trace(t, traceRun{
		args: []string{"-e", script},
		trigger: func(t *testing.T) {
			// 8 different files opened: 8 keys for maps of 5.
			for i := 0; i < 8; i++ {
				if out, err := exec.Command(loop, "0", filepath.Join(dir, fmt.Sprint(i))).CombinedOutput(); err != nil {
					t.Fatalf("%v: %s", err, out)
				}
			}
			time.Sleep(100 * time.Millisecond)
		},
		stop: syscall.SIGINT,
	})
	mustExit(t, res, 0)
	var want strings.Builder
	// In the order the maps are declared or first used.
	want.WriteString("WARNING: Script is using an unstable feature: map declarations. To prevent this warning you must explicitly enable it in the config e.g. unstable_map_decl=enable\n")
	want.WriteString("Attached 2 probes\n")
	for _, m := range []string{"decl", "pcpu", "plain", "count", "sum", "min", "max", "avg", "stats", "tuple", "tuplecount", "inc", "add", "paths", "pathpid"} {
		want.WriteString(mapFullWarning(script, "@"+m+"["))
	}
	want.WriteString("WARNING: 17 updates of @decl failed because the map was full (declared with 3 entries)\n")
	want.WriteString("WARNING: 17 updates of @pcpu failed because the map was full (declared with 3 entries)\n")
	for _, m := range []string{"plain", "count", "sum", "min", "max", "avg", "stats", "tuple", "tuplecount", "inc", "add"} {
		fmt.Fprintf(&want, "WARNING: 15 updates of @%s failed because the map was full (max_map_keys is 5)\n", m)
	}
	want.WriteString("WARNING: 3 updates of @paths failed because the map was full (max_map_keys is 5)\n")
	want.WriteString("WARNING: 3 updates of @pathpid failed because the map was full (max_map_keys is 5)\n")
	if res.stderr != want.String() {
		t.Errorf("stderr:\n%s\nwant:\n%s", res.stderr, want.String())
	}
	for m, n := range map[string]int{"@plain[": 5, "@count[": 5, "@decl[": 3, "@pcpu[": 3, "@lru[": 2, "@paths[": 5, "@hist[": 20, "@lhist[": 20, "@lruhist[": 2} {
		if got := strings.Count(res.stdout, m); got != n {
			t.Errorf("%d %s entries, want %d", got, m, n)
		}
	}
}

// mapFullWarning is bpftrace's warning for a full map, pointing at the
// first statement of script that writes "@m[...]".
func mapFullWarning(script, mapAndBracket string) string {
	for n, line := range strings.Split(script, "\n") {
		i := strings.Index(line, mapAndBracket)
		if i < 0 {
			continue
		}
		end := i + strings.Index(line[i:], ";") - 1 // the statement
		underline := []byte(line[:i])
		for k, c := range underline {
			if c != '\t' {
				underline[k] = ' '
			}
		}
		return fmt.Sprintf("stdin:%d:%d-%d: WARNING: Map full; can't update element. Try increasing max_map_keys config or manually setting the max entries in a map declaration e.g. `let @a = hash(5000)`\n", n+1, i+1, end+2) +
			"Additional Info - helper: map_update_elem, retcode: -7\n" + line + "\n" + string(underline) + strings.Repeat("~", end+1-i) + "\n"
	}
	return "no " + mapAndBracket + " in the script"
}

package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	goruntime "runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// countLine finds `@[comm]: N` in out and returns N.
func countLine(t *testing.T, out, key string) int {
	t.Helper()
	re := regexp.MustCompile(`(?m)^@\[` + regexp.QuoteMeta(key) + `\]: (\d+)$`)
	m := re.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no line @[%s]: N in output:\n%s", key, out)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// The mission one-liner, in both block forms: every syscall of sysloop is
// counted under its comm, printed on Ctrl-C, and the program detaches.
func TestMissionOneLiner(t *testing.T) {
	requireRoot(t)
	for _, script := range []string{
		`tracepoint:raw_syscalls:sys_enter { @[comm] = count(); }`,
		`tracepoint:raw_syscalls:sys_enter < @[comm]=count(); >`,
	} {
		t.Run(script, func(t *testing.T) {
			const n = 5000
			res := trace(t, traceRun{
				args:    []string{"-e", script},
				trigger: func(t *testing.T) { runSysloop(t, n, "") },
				stop:    syscall.SIGINT,
			})
			mustExit(t, res, 0)
			if res.stderr != "Attached 1 probe\n" {
				t.Errorf("stderr = %q, want %q", res.stderr, "Attached 1 probe\n")
			}
			// n getppid calls plus the few of exec and process start-up.
			got := countLine(t, res.stdout, "sysloop")
			if got < n || got > n+100 {
				t.Errorf("@[sysloop] = %d, want %d..%d", got, n, n+100)
			}
			checkSortedAscending(t, res.stdout)
		})
	}
}

// checkSortedAscending checks that @[key]: N lines come in ascending N.
func checkSortedAscending(t *testing.T, out string) {
	t.Helper()
	re := regexp.MustCompile(`(?m)^@\[.*\]: (\d+)$`)
	prev := -1
	for _, m := range re.FindAllStringSubmatch(out, -1) {
		n, _ := strconv.Atoi(m[1])
		if n < prev {
			t.Fatalf("map not sorted ascending by value:\n%s", out)
		}
		prev = n
	}
}

// An exact count: one tracepoint, a predicate on comm, a known number of calls.
func TestExactCountWithPredicate(t *testing.T) {
	requireRoot(t)
	const n = 1234
	res := trace(t, traceRun{
		args:    []string{"-e", `tracepoint:syscalls:sys_enter_getppid /comm == "sysloop"/ { @[comm] = count(); @calls = count(); }`},
		trigger: func(t *testing.T) { runSysloop(t, n, "") },
		stop:    syscall.SIGTERM,
	})
	mustExit(t, res, 0)
	want := fmt.Sprintf("@[sysloop]: %d\n@calls: %d\n", n, n)
	if !strings.Contains(res.stdout, want) {
		t.Errorf("stdout:\n%s\nwant it to contain:\n%s", res.stdout, want)
	}
}

// TestScripts runs every testdata/scripts/NAME.bt that ends by itself and
// compares its stdout with NAME.out (and stderr with NAME.err when present).
// The expected files were checked against bpftrace's output for the same
// script, differing only where bpftrace v0.26 differs from v0.17
// (runtime/output/differences.go).
func TestScripts(t *testing.T) {
	requireRoot(t)
	scripts, _ := filepath.Glob("../../testdata/scripts/*.bt")
	if len(scripts) == 0 {
		t.Fatal("no scripts found")
	}
	for _, script := range scripts {
		name := strings.TrimSuffix(filepath.Base(script), ".bt")
		t.Run(name, func(t *testing.T) {
			want, err := os.ReadFile(strings.TrimSuffix(script, ".bt") + ".out")
			if err != nil {
				t.Fatal(err)
			}
			res := trace(t, traceRun{args: []string{script}})
			mustExit(t, res, 0)
			if res.stdout != string(want) {
				t.Errorf("stdout differs\n--- got\n%s\n--- want\n%s", res.stdout, want)
			}
			if wantErr, err := os.ReadFile(strings.TrimSuffix(script, ".bt") + ".err"); err == nil && res.stderr != string(wantErr) {
				t.Errorf("stderr differs\n--- got\n%s\n--- want\n%s", res.stderr, wantErr)
			}
		})
	}
}

// Tracepoint arguments from the format file, str() of a user pointer, a
// wildcard attach point, the probe builtin, and END on SIGINT.
func TestTracepointArgsAndWildcard(t *testing.T) {
	requireRoot(t)
	path := filepath.Join(t.TempDir(), "opened-by-sysloop")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	res := trace(t, traceRun{
		args: []string{"-e", `tracepoint:syscalls:sys_enter_openat* /comm == "sysloop"/ {
			@[probe] = count();
			printf("%s %s\n", probe, str(args.filename));
		}
		END { printf("end\n"); }`},
		trigger: func(t *testing.T) { runSysloop(t, 1, path) },
		stop:    syscall.SIGINT,
	})
	mustExit(t, res, 0)
	// sysloop's own open, after the loader's opens of its libraries.
	wantLine := "tracepoint:syscalls:sys_enter_openat " + path + "\n"
	if !strings.Contains(res.stdout, wantLine) {
		t.Errorf("no line %q in:\n%s", wantLine, res.stdout)
	}
	if !strings.Contains(res.stdout, "end\n\n\n@[tracepoint:syscalls:sys_enter_openat]: ") {
		t.Errorf("END output or map missing:\n%s", res.stdout)
	}
	if !strings.HasPrefix(res.stderr, "Attached 3 probes\n") {
		t.Errorf("stderr = %q, want openat, openat2 and END attached", res.stderr)
	}
}

// Integer tracepoint fields in lhist, hist and stats, and a tuple key of
// tid and comm; SIGTERM ends the run like Ctrl-C.
func TestTracepointAggregations(t *testing.T) {
	requireRoot(t)
	const n = 100
	var pid int
	res := trace(t, traceRun{
		args: []string{"-e", `tracepoint:raw_syscalls:sys_enter /comm == "sysloop" && args.id == 110/ {
			@l = lhist(args.id, 100, 120, 5);
			@h = hist(args.id);
			@s = stats(args.id);
			@t[tid, comm] = count();
		}`},
		trigger: func(t *testing.T) { pid = runSysloop(t, n, "") },
		stop:    syscall.SIGTERM,
	})
	mustExit(t, res, 0)
	bar := "|@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|"
	want := fmt.Sprintf("\n\n@h:\n[64, 128)            %3d %s\n\n@l:\n[110, 115)           %3d %s\n\n"+
		"@s: count %d, average 110, total %d\n@t[%d, sysloop]: %d\n", n, bar, n, bar, n, 110*n, pid, n)
	if res.stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", res.stdout, want)
	}
}

// interval probes, map reads in conditions, exit() from a probe, elapsed.
func TestIntervalExit(t *testing.T) {
	requireRoot(t)
	// The period leaves the runtime time to detach after exit() before a
	// fourth firing, even on a loaded machine.
	res := trace(t, traceRun{args: []string{"-e", `interval:ms:400 { @i++; if (@i == 3) { printf("three %d\n", @i); exit(); } }
		END { printf("elapsed ok %d\n", elapsed >= 1200000000 && elapsed < 10000000000); }`}})
	mustExit(t, res, 0)
	want := "three 3\nelapsed ok 1\n\n\n@i: 3\n"
	if res.stdout != want {
		t.Errorf("stdout:\n%q\nwant:\n%q", res.stdout, want)
	}
}

// pid, tid and uid of the traced process.
func TestProcessBuiltins(t *testing.T) {
	requireRoot(t)
	var pid int
	res := trace(t, traceRun{
		args:    []string{"-e", `tracepoint:syscalls:sys_enter_getppid /comm == "sysloop"/ { @[pid, tid, uid, gid] = count(); }`},
		trigger: func(t *testing.T) { pid = runSysloop(t, 7, "") },
		stop:    syscall.SIGINT,
	})
	mustExit(t, res, 0)
	want := fmt.Sprintf("\n\n@[%d, %d, 0, 0]: 7\n", pid, pid)
	if res.stdout != want {
		t.Errorf("stdout:\n%q\nwant:\n%q", res.stdout, want)
	}
}

// Errors a user can cause: one positioned message in bpftrace's layout,
// exit code 1, nothing on stdout.
func TestUserErrors(t *testing.T) {
	requireRoot(t)
	for _, tc := range []struct{ script, stderr string }{
		{`BEGIN { @x = ; }`, "stdin:1:14-15: ERROR: syntax error, unexpected ;\nBEGIN { @x = ; }\n             ~\n"},
		{`tracepoint:nosuch:thing { @ = count(); }`, "stdin:1:1-24: WARNING: tracepoint not found: nosuch:thing\ntracepoint:nosuch:thing { @ = count(); }\n~~~~~~~~~~~~~~~~~~~~~~~\nERROR: Unable to attach probe: tracepoint:nosuch:thing. If this is expected, set the 'missing_probes' config variable to 'warn'.\n"},
		{`BEGIN { foo(); }`, "stdin:1:9-14: ERROR: Unknown function: foo\nBEGIN { foo(); }\n        ~~~~~\n"},
	} {
		res := trace(t, traceRun{args: []string{"-e", tc.script}, noAttach: true})
		mustExit(t, res, 1)
		if res.stderr != tc.stderr || res.stdout != "" {
			t.Errorf("%s:\nstderr:\n%s\nwant:\n%s\nstdout: %q", tc.script, res.stderr, tc.stderr, res.stdout)
		}
	}
}

// A user without privileges gets one clear line.
func TestNotRoot(t *testing.T) {
	requireRoot(t)
	for _, script := range []string{`BEGIN { exit(); }`, `tracepoint:syscalls:sys_enter_getppid { @ = count(); }`} {
		cmd := exec.Command(binPath, "-e", script)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		out, err := cmd.CombinedOutput()
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) || exitErr.ExitCode() != 1 {
			t.Fatalf("err = %v, want exit code 1; output:\n%s", err, out)
		}
		want := "ERROR: gobpftrace must be run as root (user id 0), or with the capability CAP_SYS_ADMIN, or with both CAP_BPF and CAP_PERFMON\n"
		if string(out) != want {
			t.Errorf("%s: output %q, want %q", script, out, want)
		}
	}
}

// The binary mounts tracefs itself when it is missing. The test unmounts it
// in a private mount namespace, so the machine's own mount is untouched.
func TestMountsTracefs(t *testing.T) {
	requireRoot(t)
	unmountThenRun := `umount /sys/kernel/tracing 2>/dev/null
		if test -e /sys/kernel/tracing/events; then echo "tracefs still mounted" >&2; exit 1; fi
		exec "$@"`
	res := trace(t, traceRun{
		wrap:    []string{"unshare", "--mount", "--propagation", "private", "sh", "-c", unmountThenRun, "sh"},
		args:    []string{"-e", `tracepoint:syscalls:sys_enter_getppid /comm == "sysloop"/ { printf("seen\n"); exit(); }`},
		trigger: func(t *testing.T) { runSysloop(t, 1, "") },
	})
	mustExit(t, res, 0)
	if want := "seen\n\n\n"; res.stdout != want {
		t.Errorf("stdout %q, want %q (stderr %q)", res.stdout, want, res.stderr)
	}
}

// cgroup is the id of the process's cgroup v2: the inode of its directory.
// The test moves sysloop into a new cgroup before it makes its calls.
func TestCgroupBuiltin(t *testing.T) {
	requireRoot(t)
	root := cgroup2Mount(t)
	dir := filepath.Join(root, fmt.Sprintf("gobpftrace-test-%d", os.Getpid()))
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(dir)
	var st syscall.Stat_t
	if err := syscall.Stat(dir, &st); err != nil {
		t.Fatal(err)
	}
	res := trace(t, traceRun{
		args: []string{"-e", `tracepoint:syscalls:sys_enter_getppid /comm == "sysloop"/ { @[cgroup] = count(); }`},
		trigger: func(t *testing.T) {
			script := fmt.Sprintf(`echo $$ > %s/cgroup.procs && exec %s 5`, dir, sysloopPath)
			if out, err := exec.Command("sh", "-c", script).CombinedOutput(); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
		},
		stop: syscall.SIGINT,
	})
	mustExit(t, res, 0)
	if want := fmt.Sprintf("@[%d]: 5\n", st.Ino); !strings.Contains(res.stdout, want) {
		t.Errorf("stdout:\n%s\nwant a line %q", res.stdout, want)
	}
}

// cgroup2Mount finds where the cgroup v2 hierarchy is mounted.
func cgroup2Mount(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("/proc/mounts")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) > 2 && f[2] == "cgroup2" {
			return f[1]
		}
	}
	t.Fatal("no cgroup2 hierarchy mounted")
	return ""
}

// nsecs, cpu and rand in the kernel, checked by what must hold of them.
func TestClockCPURand(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{args: []string{"-e", `BEGIN {
		$a = nsecs; $b = nsecs;
		printf("%d %d\n", $b >= $a, $a > 0);
		@cpu[cpu] = count();
		@r[rand % 2] = count(); @r[rand % 2] = count(); @r[rand % 2] = count(); @r[rand % 2] = count();
		@r[rand % 2] = count(); @r[rand % 2] = count(); @r[rand % 2] = count(); @r[rand % 2] = count();
		exit();
	}`}})
	mustExit(t, res, 0)
	if !strings.HasPrefix(res.stdout, "1 1\n") {
		t.Errorf("nsecs: stdout %q", res.stdout)
	}
	m := regexp.MustCompile(`(?m)^@cpu\[(\d+)\]: 1$`).FindStringSubmatch(res.stdout)
	if m == nil {
		t.Fatalf("no @cpu line:\n%s", res.stdout)
	}
	if n, _ := strconv.Atoi(m[1]); n >= goruntime.NumCPU() {
		t.Errorf("cpu %d out of range", n)
	}
	total := 0
	for _, m := range regexp.MustCompile(`(?m)^@r\[[01]\]: (\d+)$`).FindAllStringSubmatch(res.stdout, -1) {
		n, _ := strconv.Atoi(m[1])
		total += n
	}
	if total != 8 {
		t.Errorf("rand %% 2 keys do not add up to 8:\n%s", res.stdout)
	}
}

// Aggregations live in per-CPU maps: calls made on every CPU (sysloop
// pinned to each in turn) are folded into one exact total. Two attach points
// share one body.
func TestPerCPUFoldAndSeveralAttachPoints(t *testing.T) {
	requireRoot(t)
	ncpu := goruntime.NumCPU()
	if ncpu < 2 {
		t.Fatalf("needs at least 2 CPUs to test folding, have %d", ncpu)
	}
	const n = 1000
	res := trace(t, traceRun{
		args: []string{"-e", `tracepoint:syscalls:sys_enter_getppid, tracepoint:syscalls:sys_enter_getpid /comm == "sysloop"/ {
			@calls = count(); @sum = sum(1); @avg = avg(2); @mn = min(cpu); @mx = max(cpu); @st = stats(3);
		}`},
		trigger: func(t *testing.T) {
			for cpu := 0; cpu < ncpu; cpu++ {
				out, err := exec.Command("taskset", "-c", fmt.Sprint(cpu), sysloopPath, fmt.Sprint(n)).CombinedOutput()
				if err != nil {
					t.Fatalf("taskset: %v: %s", err, out)
				}
			}
		},
		stop: syscall.SIGINT,
	})
	mustExit(t, res, 0)
	want := fmt.Sprintf("\n\n@avg: 2\n@calls: %d\n@mn: 0\n@mx: %d\n@st: count %d, average 3, total %d\n@sum: %d\n",
		n*ncpu, ncpu-1, n*ncpu, 3*n*ncpu, n*ncpu)
	if res.stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", res.stdout, want)
	}
	if !strings.HasPrefix(res.stderr, "Attached 2 probes\n") {
		t.Errorf("stderr %q", res.stderr)
	}
}

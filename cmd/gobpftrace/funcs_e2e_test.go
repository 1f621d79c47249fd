package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cilium/ebpf"
)

// getopt takes its values from --name=value after "--", mixed with
// positional parameters, and falls back to the defaults.
func TestGetopt(t *testing.T) {
	requireRoot(t)
	script := `BEGIN { printf("%d %s %d %d %s %d\n", getopt("count", 3), getopt("name", "none"), getopt("verbose"), getopt("on", true), str($1), $#); exit(); }`
	res := trace(t, traceRun{args: []string{"-e", script, "--", "--count=12", "first", "--name=web", "--verbose", "--on=false"}, noAttach: true})
	wantOutput(t, res, "12 web 1 0 first 1\n\n\n", "Attached 1 probe\n")
	res = trace(t, traceRun{args: []string{"-e", script}, noAttach: true})
	wantOutput(t, res, "3 none 0 1  0\n\n\n", "Attached 1 probe\n")
	res = trace(t, traceRun{args: []string{"-e", script, "--", "--count=many"}, noAttach: true})
	mustExit(t, res, 1)
	want := `stdin:1:39-57: ERROR: getopt(): --count takes an integer ("many" given)`
	if !strings.HasPrefix(res.stderr, want+"\n") {
		t.Errorf("stderr:\n%s\nwant it to start with:\n%s", res.stderr, want)
	}
}

// strftime formats nsecs as the wall clock: the date it prints is today's,
// and %f is six digits of microseconds.
func TestStrftimeWallClock(t *testing.T) {
	requireRoot(t)
	before := time.Now().Format("2006-01-02")
	res := trace(t, traceRun{args: []string{"-e", `BEGIN { printf("%s|%s\n", strftime("%Y-%m-%d", nsecs), strftime("%f", nsecs)); exit(); }`}, noAttach: true})
	after := time.Now().Format("2006-01-02")
	mustExit(t, res, 0)
	date, us, ok := strings.Cut(strings.TrimSuffix(res.stdout, "\n\n\n"), "|")
	if !ok || (date != before && date != after) {
		t.Errorf("stdout %q, want the date %s", res.stdout, before)
	}
	if len(us) != 6 || strings.Trim(us, "0123456789") != "" {
		t.Errorf("%%f printed %q, want 6 digits", us)
	}
}

// username, ncpus and cgroup/cgroupid/cgroup_path describe this machine
// and the test's own process (BEGIN runs in gobpftrace, a child of the
// test, in the test's cgroup).
func TestSystemBuiltins(t *testing.T) {
	requireRoot(t)
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	ncpus, err := ebpf.PossibleCPU()
	if err != nil {
		t.Fatal(err)
	}
	root, rel := cgroup2Of(t)
	script := fmt.Sprintf(`BEGIN { printf("%%s %%d %%d %%d\n", username, ncpus, cgroupid("%s") == cgroup, cgroup); print(cgroup_path(cgroup, "unified")); print(cgroup_path(cgroup)); print(cgroup_path(cgroup, "nothing*")); exit(); }`, filepath.Join(root, rel))
	res := trace(t, traceRun{args: []string{"-e", script}, noAttach: true})
	mustExit(t, res, 0)
	lines := strings.Split(res.stdout, "\n")
	if len(lines) < 4 {
		t.Fatalf("stdout:\n%s", res.stdout)
	}
	var name string
	var n, eq int
	var id uint64
	if _, err := fmt.Sscanf(lines[0], "%s %d %d %d", &name, &n, &eq, &id); err != nil || name != me.Username || n != ncpus || eq != 1 {
		t.Errorf("line %q, want %q, %d CPUs, cgroupid() == cgroup", lines[0], me.Username, ncpus)
	}
	if lines[1] != "unified:"+rel {
		t.Errorf("cgroup_path(cgroup, \"unified\") = %q, want %q", lines[1], "unified:"+rel)
	}
	// Without a filter: unified first, then every cgroup v1 hierarchy
	// (by its mount directory's name, in order) that has a cgroup whose
	// inode number is the id.
	parts := strings.Split(lines[2], ",")
	if parts[0] != "unified:"+rel {
		t.Errorf("cgroup_path(cgroup) = %q, want it to start with unified:%s", lines[2], rel)
	}
	v1 := cgroupV1Mounts(t)
	for i, p := range parts[1:] {
		h, path, _ := strings.Cut(p, ":")
		mount, ok := v1[h]
		var st syscall.Stat_t
		if !ok || syscall.Stat(filepath.Join(mount, path), &st) != nil || st.Ino != id {
			t.Errorf("cgroup_path(cgroup) element %q is no cgroup v1 directory with inode %d", p, id)
		}
		if i > 0 && parts[i] > p {
			t.Errorf("cgroup_path(cgroup) elements out of order: %q", lines[2])
		}
	}
	if lines[3] != "" {
		t.Errorf("cgroup_path(cgroup, \"nothing*\") = %q, want nothing", lines[3])
	}
}

// cgroupV1Mounts maps the names of the cgroup v1 hierarchies (their mount
// directory's base name) to where they are mounted.
func cgroupV1Mounts(t *testing.T) map[string]string {
	t.Helper()
	mounts, err := os.ReadFile("/proc/mounts")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, line := range strings.Split(string(mounts), "\n") {
		if f := strings.Fields(line); len(f) > 2 && f[0] == "cgroup" {
			out[filepath.Base(f[1])] = f[1]
		}
	}
	return out
}

// cgroup2Of returns where cgroup v2 is mounted and the test process's
// cgroup in it.
func cgroup2Of(t *testing.T) (root, rel string) {
	t.Helper()
	mounts, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(mounts), "\n") {
		if f := strings.Fields(line); len(f) > 2 && f[2] == "cgroup2" {
			root = f[1]
			break
		}
	}
	cg, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(cg), "\n") {
		if p, ok := strings.CutPrefix(line, "0::"); ok {
			rel = p
		}
	}
	if root == "" || rel == "" {
		t.Fatalf("no cgroup v2 hierarchy: mounts\n%s\ncgroup\n%s", mounts, cg)
	}
	return root, rel
}

// cat prints a file named printf-style, at most max_cat_bytes of it; a
// missing file is one error line, and tracing goes on.
func TestCat(t *testing.T) {
	requireRoot(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "f7"), []byte("line one\nline two\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	script := fmt.Sprintf(`BEGIN { cat("%s/f%%d", 7); cat("%s/missing"); printf("after\n"); exit(); }`, dir, dir)
	res := trace(t, traceRun{args: []string{"-e", script}, noAttach: true})
	wantOutput(t, res, "line one\nline two\nafter\n\n\n", "Attached 1 probe\nERROR: failed to open file '"+dir+"/missing' (No such file or directory)\n")
	res = trace(t, traceRun{args: []string{"-e", `config = { max_cat_bytes = 6 } ` + script}, noAttach: true})
	mustExit(t, res, 0)
	if res.stdout != "line oafter\n\n\n" {
		t.Errorf("with max_cat_bytes 6: %q", res.stdout)
	}
	res = trace(t, traceRun{args: []string{"-e", script}, env: []string{"BPFTRACE_MAX_CAT_BYTES=10"}, noAttach: true})
	if res.stdout != "line one\nlafter\n\n\n" {
		t.Errorf("with BPFTRACE_MAX_CAT_BYTES=10: %q", res.stdout)
	}
}

// errorf and warnf print their message as a diagnostic of the call.
func TestErrorfWarnf(t *testing.T) {
	requireRoot(t)
	script := `BEGIN { errorf("bad %d, %s", 10, "arg2"); warnf("odd %d", 3); printf("still running\n"); exit(); }`
	res := trace(t, traceRun{args: []string{"-e", script}, noAttach: true})
	wantOutput(t, res, "still running\n\n\n", `Attached 1 probe
stdin:1:9-41: ERROR: bad 10, arg2
`+script+`
        ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
stdin:1:43-61: WARNING: odd 3
`+script+`
                                          ~~~~~~~~~~~~~~~~~~
`)
}

// join prints the strings of execve's argv, with the default separator
// and with one given; buf reads the file name's first bytes and strlen
// counts the string the pointer points to.
func TestJoinExecArgv(t *testing.T) {
	requireRoot(t)
	loop := uniqueLoop(t)
	script := fmt.Sprintf(`tracepoint:syscalls:sys_enter_execve /str(args.filename) == "%s"/ { join(args.argv); join(args.argv, "--"); printf("%%r %%d\n", buf(args.filename, 4), strlen(args.filename)); }`, loop)
	res := trace(t, traceRun{
		args:    []string{"-e", script},
		trigger: func(t *testing.T) { runLoop(t, loop, 2) },
		stop:    syscall.SIGINT,
	})
	wantOutput(t, res, fmt.Sprintf("%s 2\n%s--2\n%s %d\n\n\n", loop, loop, loop[:4], len(loop)), "Attached 1 probe\n")
}

// system runs a command with --unsafe; the script waits for it.
func TestSystemUnsafe(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{args: []string{"--unsafe", "-e", `BEGIN { system("echo hello %d; echo err >&2", 42); printf("after\n"); exit(); }`}, noAttach: true})
	wantOutput(t, res, "hello 42\nafter\n\n\n", "Attached 1 probe\nerr\n")
	res = trace(t, traceRun{args: []string{"--unsafe", "-f", "json", "-e", `BEGIN { system("echo hello %d", 42); exit(); }`}, noAttach: true})
	wantOutput(t, res, `{"type": "attached_probes", "count": 1, "data": {"probes": 1}}`+"\n"+`{"type": "syscall", "data": "hello 42\n"}`+"\n", "")
}

// signal() sends a signal to the traced process: the helper dies of
// SIGTERM at its first gbt_add call.
func TestSignalUprobe(t *testing.T) {
	requireRoot(t)
	c, _ := userHelpers(t)
	var exitErr error
	res := trace(t, traceRun{
		args: []string{"--unsafe", "-e", fmt.Sprintf(`uprobe:%s:gbt_add { signal("SIGTERM"); @calls = count(); }`, c)},
		trigger: func(t *testing.T) {
			exitErr = exec.Command(c, "3").Run()
			time.Sleep(100 * time.Millisecond)
		},
		stop: syscall.SIGINT,
	})
	wantOutput(t, res, "\n\n@calls: 1\n", "Attached 1 probe\n")
	ee, ok := exitErr.(*exec.ExitError)
	if !ok {
		t.Fatalf("helper: %v, want it killed", exitErr)
	}
	if ws := ee.Sys().(syscall.WaitStatus); !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Errorf("helper ended with %v, want SIGTERM", ws)
	}
}

// JSON lines for cat, join, time, printf with strftime and errorf. The
// child of -c is a shell that executes the traced copy after attaching.
func TestFuncsJSON(t *testing.T) {
	requireRoot(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "f"), []byte("a \"quoted\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	loop := uniqueLoop(t)
	script := fmt.Sprintf(`BEGIN { cat("%s/f"); printf("%%s\n", strftime("", nsecs)); time("%%%%\n"); errorf("e%%d", 1); print(ntop(pton("::1"))); print(strerror(2)); }
tracepoint:syscalls:sys_enter_execve /str(args.filename) == "%s"/ { join(args.argv, ","); }`, dir, loop)
	res := trace(t, traceRun{args: []string{"-f", "json", "-e", script, "-c", "/bin/sh -c " + loop}, noAttach: true})
	want := `{"type": "attached_probes", "count": 2, "data": {"probes": 2}}
{"type": "cat", "data": "a \"quoted\"\n"}
{"type": "printf", "data": "\n"}
{"type": "time", "data": "%\n"}
{"type": "print_error", "msg": "e1", "filename": "stdin", "line": 1, "col": ` + fmt.Sprint(strings.Index(script, "errorf")+1) + `}
{"type": "value", "data": "::1"}
{"type": "value", "data": "No such file or directory"}
{"type": "join", "data": "` + loop + `"}
`
	wantOutput(t, res, want, "")
}

// missing_probes = warn or ignore skips what this kernel cannot attach
// (kprobes here); print_maps_on_exit = false prints no maps at exit;
// --no-warnings silences warnf.
func TestConfigMissingProbesAndMaps(t *testing.T) {
	requireRoot(t)
	script := `kprobe:vfs_read { @k = count(); } BEGIN { printf("begin\n"); @m = 1; exit(); }`
	res := trace(t, traceRun{args: []string{"-e", `config = { missing_probes = warn } ` + script}, noAttach: true})
	wantOutput(t, res, "begin\n\n\n@m: 1\n", "WARNING: kprobe:vfs_read: kprobes are not available: this kernel was built without CONFIG_KPROBES (skipped: missing_probes = warn)\nAttached 1 probe\n")
	res = trace(t, traceRun{args: []string{"-e", script}, env: []string{"BPFTRACE_MISSING_PROBES=ignore", "BPFTRACE_PRINT_MAPS_ON_EXIT=false"}, noAttach: true})
	wantOutput(t, res, "begin\n\n\n", "Attached 1 probe\n")
	res = trace(t, traceRun{args: []string{"-e", script}, noAttach: true})
	mustExit(t, res, 1)
	if res.stderr != "ERROR: kprobe:vfs_read: kprobes are not available: this kernel was built without CONFIG_KPROBES\n" {
		t.Errorf("without missing_probes: %q", res.stderr)
	}
	res = trace(t, traceRun{args: []string{"--no-warnings", "-e", `BEGIN { warnf("quiet"); printf("x\n"); exit(); }`}, noAttach: true})
	wantOutput(t, res, "x\n\n\n", "Attached 1 probe\n")
}

// ntop of a tracepoint's byte arrays: sock:inet_sock_set_state holds the
// addresses as __u8[4] and __u8[16]. The test connects over loopback, to
// 127.0.0.1 and to ::1, and the client side of each connection prints.
func TestNtopTracepointArrays(t *testing.T) {
	requireRoot(t)
	l4, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l4.Close()
	l6, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l6.Close()
	p4, p6 := l4.Addr().(*net.TCPAddr).Port, l6.Addr().(*net.TCPAddr).Port
	script := fmt.Sprintf(`tracepoint:sock:inet_sock_set_state /args.newstate == 1 && args.dport == %d/ { printf("%%s %%s %%s\n", ntop(args.saddr), ntop(args.daddr), ntop(args.daddr_v6)); }
tracepoint:sock:inet_sock_set_state /args.newstate == 1 && args.dport == %d/ { printf("%%s %%s %%s\n", ntop(args.saddr_v6), ntop(args.daddr_v6), ntop(10, args.daddr_v6)); }`, p4, p6)
	res := trace(t, traceRun{
		args: []string{"-e", script},
		trigger: func(t *testing.T) {
			for _, l := range []net.Listener{l4, l6} {
				c, err := net.Dial(l.Addr().Network(), l.Addr().String())
				if err != nil {
					t.Fatal(err)
				}
				a, err := l.Accept()
				if err != nil {
					t.Fatal(err)
				}
				c.Close()
				a.Close()
			}
			time.Sleep(100 * time.Millisecond)
		},
		stop: syscall.SIGINT,
	})
	wantOutput(t, res, "127.0.0.1 127.0.0.1 ::ffff:127.0.0.1\n::1 ::1 ::1\n\n\n", "Attached 2 probes\n")
}

// assert() that fails prints bpftrace's error with the position, runs END
// and exits with 1; fail() stops the compilation only where a positional
// parameter makes its branch run.
func TestAssertAndFail(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{args: []string{"-e", `BEGIN { assert(pid == 0, "pid is 0"); printf("not reached\n"); } END { printf("end\n"); }`}, noAttach: true})
	mustExit(t, res, 1)
	if res.stdout != "end\n\n\n" {
		t.Errorf("stdout %q", res.stdout)
	}
	wantErr := "Attached 2 probes\nstdin:1:9-37: ERROR: assert failed: pid is 0\n" +
		`BEGIN { assert(pid == 0, "pid is 0"); printf("not reached\n"); } END { printf("end\n"); }` + "\n" +
		"        ~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
	if res.stderr != wantErr {
		t.Errorf("stderr:\n%s\nwant:\n%s", res.stderr, wantErr)
	}
	res = trace(t, traceRun{args: []string{"-f", "json", "-e", `BEGIN { assert(pid == 0, "pid is 0"); }`}, noAttach: true})
	mustExit(t, res, 1)
	if want := `{"type": "print_error", "msg": "assert failed: pid is 0", "filename": "stdin", "line": 1, "col": 9}`; !strings.Contains(res.stdout, want) {
		t.Errorf("stdout %q, want it to hold %s", res.stdout, want)
	}

	script := `BEGIN { if ($1 < 2) { fail("Expected the first positional param to be greater than 1. Got %d", $1); } printf("%d\n", $1); exit(); }`
	res = trace(t, traceRun{args: []string{"-e", script, "5"}, noAttach: true})
	wantOutput(t, res, "5\n\n\n", "Attached 1 probe\n")
	res = trace(t, traceRun{args: []string{"-e", script, "1"}, noAttach: true})
	mustExit(t, res, 1)
	if want := "stdin:1:23-99: ERROR: Expected the first positional param to be greater than 1. Got 1\n"; !strings.HasPrefix(res.stderr, want) {
		t.Errorf("stderr:\n%s\nwant it to start with:\n%s", res.stderr, want)
	}
}

// debugf() writes its line, formatted by the kernel, to the trace buffer,
// where the test finds it by a marker of its own.
func TestDebugf(t *testing.T) {
	requireRoot(t)
	marker := fmt.Sprintf("gobpftrace-debugf-%d", time.Now().UnixNano())
	res := trace(t, traceRun{args: []string{"-e", `BEGIN { debugf("` + marker + ` %d %x|%5c\n", -5, 255, 65); exit(); }`}, noAttach: true})
	wantOutput(t, res, "\n\n", "Attached 1 probe\n")
	trace, err := os.ReadFile("/sys/kernel/tracing/trace")
	if err != nil {
		t.Fatal(err)
	}
	want := marker + " -5 ff|    A"
	for _, line := range strings.Split(string(trace), "\n") {
		if i := strings.Index(line, "bpf_trace_printk: "); i >= 0 && line[i+len("bpf_trace_printk: "):] == want {
			return
		}
	}
	t.Errorf("no line ending in %q in the trace buffer", want)
}

// write_user() needs --unsafe; with it, this project's kernel refuses the
// helper to tracing programs, which gobpftrace says with the place.
func TestWriteUserRefused(t *testing.T) {
	requireRoot(t)
	script := `tracepoint:syscalls:sys_enter_openat /comm == "cat"/ { $p = "/tmp/x"; @ok = write_user(args.filename, $p, 7); }`
	res := trace(t, traceRun{args: []string{"-e", script}, noAttach: true})
	mustExit(t, res, 1)
	if want := "stdin:1:77-109: ERROR: write_user() is an unsafe function being used in safe mode\n"; !strings.HasPrefix(res.stderr, want) {
		t.Errorf("stderr:\n%s\nwant it to start with:\n%s", res.stderr, want)
	}
	res = trace(t, traceRun{args: []string{"--unsafe", "-e", script}, noAttach: true})
	mustExit(t, res, 1)
	if want := "ERROR: the kernel's verifier rejected the program for tracepoint:syscalls:sys_enter_openat at instruction"; !strings.Contains(res.stderr, want) ||
		!strings.Contains(res.stderr, "cannot use helper bpf_probe_write_user") {
		t.Errorf("stderr:\n%s\nwant the verifier's refusal of bpf_probe_write_user", res.stderr)
	}
}

// percpu_kaddr() loads a per-CPU variable by its BTF id; this kernel's
// verifier resolves such loads through kallsyms, which lists no data
// symbols here, so the script is refused at the call, before loading. A
// name that is no per-CPU variable is refused too.
func TestPercpuKaddrRefused(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{args: []string{"-e", `BEGIN { $rq = (struct rq *)percpu_kaddr("runqueues", 0); exit(); }`}, noAttach: true})
	mustExit(t, res, 1)
	want := "stdin:1:28-56: ERROR: percpu_kaddr(\"runqueues\"): this kernel cannot resolve its per-CPU variables: /proc/kallsyms does not list runqueues (the kernel was built without CONFIG_KALLSYMS_ALL), so the verifier refuses the load\n" +
		"BEGIN { $rq = (struct rq *)percpu_kaddr(\"runqueues\", 0); exit(); }\n" +
		"                           ~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n" +
		"HINT: percpu_kaddr() needs a kernel built with CONFIG_KALLSYMS_ALL=y; on this one, reach the data through a pointer the probe has (ctx, args, curtask...)\n"
	if res.stderr != want || res.stdout != "" {
		t.Errorf("stderr:\n%s\nwant:\n%s", res.stderr, want)
	}
	res = trace(t, traceRun{args: []string{"-e", `BEGIN { $p = percpu_kaddr("vfs_read"); exit(); }`}, noAttach: true})
	mustExit(t, res, 1)
	want = "stdin:1:14-38: ERROR: percpu_kaddr(\"vfs_read\"): kernel BTF has no per-CPU variable vfs_read\n" +
		"BEGIN { $p = percpu_kaddr(\"vfs_read\"); exit(); }\n" +
		"             ~~~~~~~~~~~~~~~~~~~~~~~~\n" +
		"HINT: percpu_kaddr() takes a DEFINE_PER_CPU variable of the kernel, such as runqueues or process_counts\n"
	if res.stderr != want || res.stdout != "" {
		t.Errorf("stderr:\n%s\nwant:\n%s", res.stderr, want)
	}
}

// kfunc_allowed() asks the kernel's verifier, when the script is checked,
// whether the probe's program type may call the kfunc: this kernel lets
// every program call bpf_get_kmem_cache, lets iterators (tracing
// programs) but not raw tracepoints (BEGIN) call bpf_task_from_pid, and
// kprobe-session programs alone call bpf_session_cookie; a function that
// is no kfunc, or none at all, is not allowed. fentry programs cannot be
// loaded here, so the question cannot be asked for them.
func TestKfuncAllowed(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{args: []string{"-e", `BEGIN { printf("%d %d %d %d %d\n", kfunc_allowed("bpf_get_kmem_cache"), kfunc_allowed("bpf_task_from_pid"), kfunc_allowed("bpf_session_cookie"), kfunc_allowed("vfs_read"), kfunc_allowed("no_such_kfunc")); exit(); }`}, noAttach: true})
	wantOutput(t, res, "1 0 0 0 0\n\n\n", "Attached 1 probe\n")
	res = trace(t, traceRun{args: []string{"-e", fmt.Sprintf(`iter:task /ctx.task.pid == %d/ { printf("%%d %%d\n", kfunc_allowed("bpf_task_from_pid"), kfunc_allowed("bpf_session_cookie")); }`, os.Getpid())}})
	wantOutput(t, res, "1 0\n\n\n", "Attached 1 probe\n")
	res = trace(t, traceRun{args: []string{"-e", `fentry:vfs_read { printf("%d\n", kfunc_allowed("bpf_task_from_pid")); }`}, noAttach: true})
	mustExit(t, res, 1)
	want := "stdin:1:34-68: ERROR: kfunc_allowed(\"bpf_task_from_pid\"): the verifier cannot be asked about fentry programs here: they need a function to attach to, and this kernel refuses to load them\n" +
		"fentry:vfs_read { printf(\"%d\\n\", kfunc_allowed(\"bpf_task_from_pid\")); }\n" +
		"                                 ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
	if res.stderr != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", res.stderr, want)
	}
}

// Builtins given to print() print as values, as bpftrace prints them:
// comm as its text, nsecs (under each of its names) and the other integer
// builtins as numbers, in text and in JSON.
func TestBuiltinsPrintAsValues(t *testing.T) {
	requireRoot(t)
	script := `BEGIN { print(comm); print(__builtin_comm); print(nsecs); print(nsecs()); print(__builtin_nsecs); print(elapsed); print(cpu); print(pid); print(probe); exit(); }`
	res := trace(t, traceRun{args: []string{"-e", script}, noAttach: true})
	mustExit(t, res, 0)
	lines := strings.Split(strings.TrimSuffix(res.stdout, "\n\n\n"), "\n")
	if len(lines) != 9 || lines[0] != "gobpftrace" || lines[1] != "gobpftrace" || lines[8] != "BEGIN" {
		t.Fatalf("stdout %q", res.stdout)
	}
	for i, l := range lines[2:8] {
		if n, err := fmt.Sscan(l, new(uint64)); err != nil || n != 1 || strings.ContainsAny(l, " x") {
			t.Errorf("line %d %q is not a number", i+3, l)
		}
	}
	res = trace(t, traceRun{args: []string{"-f", "json", "-e", script}, noAttach: true})
	mustExit(t, res, 0)
	lines = strings.Split(strings.TrimSpace(res.stdout), "\n")
	if len(lines) != 10 || lines[1] != `{"type": "value", "data": "gobpftrace"}` || lines[9] != `{"type": "value", "data": "BEGIN"}` {
		t.Fatalf("json %q", res.stdout)
	}
	for _, l := range lines[3:9] {
		var v uint64
		if _, err := fmt.Sscanf(l, `{"type": "value", "data": %d}`, &v); err != nil {
			t.Errorf("json line %q is not a number value: %v", l, err)
		}
	}
}

package main

// End-to-end tests of user-space probes: uprobe, uretprobe and usdt on a C
// helper (testdata/helpers/uprobetarget.c, USDT notes written by hand), a
// Go helper (testdata/helpers/gotarget), libc by library name, python3.11's
// USDT probes (semaphores), and the -c and -p options.

import (
	"bufio"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	userHelpersOnce sync.Once
	userHelpersErr  error
	cTargetPath     string // testdata/helpers/uprobetarget.c, built
	goTargetPath    string // testdata/helpers/gotarget, built
)

// userHelpers builds the helpers once, next to the binary under test.
func userHelpers(t *testing.T) (cPath, goPath string) {
	t.Helper()
	userHelpersOnce.Do(func() {
		dir := filepath.Dir(binPath)
		cTargetPath = filepath.Join(dir, "uprobetarget")
		goTargetPath = filepath.Join(dir, "gotarget")
		wd, err := os.Getwd()
		if err != nil {
			userHelpersErr = err
			return
		}
		helpers := filepath.Join(wd, "..", "..", "testdata", "helpers")
		for _, args := range [][]string{
			{"gcc", "-O2", "-o", cTargetPath, filepath.Join(helpers, "uprobetarget.c")},
			{"go", "build", "-o", goTargetPath, "."},
		} {
			cmd := exec.Command(args[0], args[1:]...)
			if args[0] == "go" {
				cmd.Dir = filepath.Join(helpers, "gotarget")
				// The helper is its own main package outside the module.
				cmd.Env = append(os.Environ(), "GO111MODULE=off", "GOFLAGS=")
			}
			if out, err := cmd.CombinedOutput(); err != nil {
				userHelpersErr = fmt.Errorf("building %v: %v\n%s", args, err, out)
				return
			}
		}
	})
	if userHelpersErr != nil {
		t.Fatal(userHelpersErr)
	}
	return cTargetPath, goTargetPath
}

// runHelper runs a helper to completion.
func runHelper(t *testing.T, path string, args ...string) {
	t.Helper()
	if out, err := exec.Command(path, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v: %s", path, err, out)
	}
	time.Sleep(100 * time.Millisecond)
}

func wantOutput(t *testing.T, res result, stdout, stderr string) {
	t.Helper()
	mustExit(t, res, 0)
	if res.stdout != stdout {
		t.Errorf("stdout:\n%s\nwant:\n%s\n(%q)", res.stdout, stdout, res.stdout)
	}
	if res.stderr != stderr {
		t.Errorf("stderr:\n%s\nwant:\n%s", res.stderr, stderr)
	}
}

// uprobe arguments, probe and func; uretprobe's retval.
func TestUprobeArgsRetvalFunc(t *testing.T) {
	requireRoot(t)
	c, _ := userHelpers(t)
	script := fmt.Sprintf(`uprobe:%[1]s:gbt_add { printf("%%s %%s %%d %%d\n", probe, func, arg0, arg1); }
uretprobe:%[1]s:gbt_mul3 { @r[retval] = sum(retval); @f[func] = count(); }`, c)
	res := trace(t, traceRun{
		args:    []string{"-e", script},
		trigger: func(t *testing.T) { runHelper(t, c, "4") },
		stop:    syscall.SIGINT,
	})
	var want strings.Builder
	for i := 0; i < 4; i++ {
		fmt.Fprintf(&want, "uprobe:%s:gbt_add gbt_add %d 100\n", c, i)
	}
	want.WriteString("\n\n@f[gbt_mul3]: 4\n@r[0]: 0\n@r[3]: 3\n@r[6]: 6\n@r[9]: 9\n")
	wantOutput(t, res, want.String(), "Attached 2 probes\n")
}

// The u / ur aliases, func+offset and a raw address.
func TestUprobeAliasesOffsetAddress(t *testing.T) {
	requireRoot(t)
	c, _ := userHelpers(t)
	addr := symbolAddress(t, c, "gbt_add")
	script := fmt.Sprintf(`u:%[1]s:gbt_add+0 { @a = count(); } ur:%[1]s:gbt_add { @b = count(); } u:%[1]s:0x%[2]x { @c[func, probe] = count(); }`, c, addr)
	res := trace(t, traceRun{
		args:    []string{"-e", script},
		trigger: func(t *testing.T) { runHelper(t, c, "3") },
		stop:    syscall.SIGINT,
	})
	// func names the function that holds the address, as in bpftrace.
	wantOutput(t, res, fmt.Sprintf("\n\n@a: 3\n@b: 3\n@c[gbt_add, uprobe:%s:0x%x]: 3\n", c, addr), "Attached 3 probes\n")
}

// symbolAddress reads a function's address from the ELF symbol table.
func symbolAddress(t *testing.T, path, name string) uint64 {
	t.Helper()
	out, err := exec.Command("nm", path).Output()
	if err != nil {
		t.Fatalf("nm: %v", err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) == 3 && f[2] == name {
			var a uint64
			fmt.Sscanf(f[0], "%x", &a)
			return a
		}
	}
	t.Fatalf("no symbol %s in %s", name, path)
	return 0
}

// symbolSize reads a function's size from the ELF symbol table.
func symbolSize(t *testing.T, path, name string) uint64 {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	syms, _ := f.Symbols()
	for _, s := range syms {
		if s.Name == name {
			return s.Size
		}
	}
	t.Fatalf("no symbol %s in %s", name, path)
	return 0
}

// A wildcard over symbol names: one uprobe_multi program for the matches,
// where func and probe name the function that fired.
func TestUprobeWildcard(t *testing.T) {
	requireRoot(t)
	c, _ := userHelpers(t)
	script := fmt.Sprintf(`uprobe:%[1]s:gbt_* { @[func] = count(); @p[probe] = count(); }
uretprobe:%[1]s:gbt_* { @r[func] = sum(retval); }`, c)
	res := trace(t, traceRun{
		args:    []string{"-e", script},
		trigger: func(t *testing.T) { runHelper(t, c, "5") },
		stop:    syscall.SIGINT,
	})
	// gbt_add(i, 100) returns i+100, gbt_mul3(i) 3*i, for i in 0..4.
	want := fmt.Sprintf("\n\n@[gbt_add]: 5\n@[gbt_mul3]: 5\n@p[uprobe:%[1]s:gbt_add]: 5\n@p[uprobe:%[1]s:gbt_mul3]: 5\n@r[gbt_mul3]: 30\n@r[gbt_add]: 510\n", c)
	wantAnyOrder(t, res, want, "Attached 4 probes\n")
}

// A wildcard attaches once to functions at one address (odd_add is
// gbt_add), under the plainer name, and skips, with a warning, functions
// whose first instruction the kernel refuses: odd_lock (a lock prefix,
// known before attaching) and odd_int3 (found by splitting the
// uprobe_multi link the kernel refused). The kernel refuses odd_int3 only
// when a process it is attached for maps the file: -p, not -c (whose
// command, as in bpftrace, is exec'd after attaching).
func TestUprobeWildcardAliasesAndRefused(t *testing.T) {
	requireRoot(t)
	c, _ := userHelpers(t)
	script := fmt.Sprintf(`uprobe:%[1]s:odd_* { @o[func] = count(); } uprobe:%[1]s:*_add { @a[func] = count(); }`, c)
	helper := startWaiting(t, c, "4")
	defer helper.Wait()
	res := trace(t, traceRun{args: []string{"-p", fmt.Sprint(helper.Process.Pid), "-e", script},
		trigger: func(t *testing.T) { helper.Process.Signal(syscall.SIGUSR1) }})
	wantOutput(t, res, "\n\n@a[gbt_add]: 4\n@o[odd_add]: 4\n", fmt.Sprintf(
		"WARNING: uprobe:%[1]s:odd_lock: skipped: the kernel cannot place a uprobe on its first instruction\n"+
			"WARNING: uprobe:%[1]s:odd_int3: skipped: the kernel cannot place a uprobe on its first instruction\n"+
			"Attached 3 probes\n", c))
}

// uprobe:libc:* attaches to every function of libc (one uprobe_multi link,
// one probe for max_probes) and counts the helper's calls.
func TestUprobeLibcWildcard(t *testing.T) {
	requireRoot(t)
	c, _ := userHelpers(t)
	res := trace(t, traceRun{args: []string{"-c", c + " 7", "-e", `uprobe:libc:* { @[func] = count(); }`}})
	mustExit(t, res, 0)
	if n := countLine(t, res.stdout, "getpid"); n != 7 {
		t.Errorf("@[getpid] = %d, want 7:\n%s", n, res.stdout)
	}
	if n := countLine(t, res.stdout, "exit"); n != 1 {
		t.Errorf("@[exit] = %d, want 1:\n%s", n, res.stdout)
	}

	if !regexp.MustCompile(`^(WARNING: uprobe:/\S+/libc\.so\.6:\w+: skipped: (the kernel cannot place a uprobe on its first instruction|\w+ is an indirect function whose implementation is not known: .*)\n)*Attached \d{4} probes\n$`).MatchString(res.stderr) {
		t.Errorf("stderr:\n%s", res.stderr)
	}
}

// An indirect function (STT_GNU_IFUNC, libc's strlen) is probed at the
// implementation the dynamic loader chose, read from a process that has
// libc loaded; a bare symbol would put the uprobe on the resolver, which
// runs once at load.
func TestUprobeIndirectFunction(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{args: []string{"-c", "printf %s abc", "-e", `uprobe:libc:strlen { @[func] = count(); }`}})
	mustExit(t, res, 0)
	if !strings.HasPrefix(res.stdout, "abc") || countLine(t, res.stdout, "strlen") < 1 {
		t.Errorf("stdout %q", res.stdout)
	}
}

// wantAnyOrder is wantOutput for maps whose equal counts print in no fixed
// order: the lines are compared sorted.
func wantAnyOrder(t *testing.T, res result, stdout, stderr string) {
	t.Helper()
	mustExit(t, res, 0)
	sorted := func(s string) string {
		lines := strings.Split(s, "\n")
		sort.Strings(lines)
		return strings.Join(lines, "\n")
	}
	if sorted(res.stdout) != sorted(stdout) {
		t.Errorf("stdout:\n%s\nwant (in any order):\n%s", res.stdout, stdout)
	}
	if res.stderr != stderr {
		t.Errorf("stderr:\n%s\nwant:\n%s", res.stderr, stderr)
	}
}

// A library by name, resolved as the dynamic loader does. libc is shared
// by every process; -c limits the uprobe to the child, and the predicate
// says so too.
func TestUprobeLibcByName(t *testing.T) {
	requireRoot(t)
	c, _ := userHelpers(t)
	res := trace(t, traceRun{args: []string{"-c", c + " 7", "-e", `uprobe:libc:getpid /pid == cpid/ { @[probe] = count(); }`}})
	mustExit(t, res, 0)
	re := regexp.MustCompile(`^\n\n@\[uprobe:/[^:]*/libc\.so\.6:getpid\]: 7\n$`)
	if !re.MatchString(res.stdout) {
		t.Errorf("stdout:\n%q\nwant to match %s", res.stdout, re)
	}
}

// A Go binary: its function symbols (main.work) are probed; retval is the
// first result (ABIInternal returns it in rax, like the C ABI).
func TestUprobeGoBinary(t *testing.T) {
	requireRoot(t)
	_, g := userHelpers(t)
	script := fmt.Sprintf(`uprobe:%[1]s:main.work { @[func] = count(); } uretprobe:%[1]s:main.work { @sum = sum(retval); }`, g)
	res := trace(t, traceRun{
		args:    []string{"-e", script},
		trigger: func(t *testing.T) { runHelper(t, g, "5") },
		stop:    syscall.SIGINT,
	})
	// work(i, 7) = 10*i + 7 for i in 0..4.
	wantOutput(t, res, "\n\n@[main.work]: 5\n@sum: 135\n", "Attached 2 probes\n")
}

// USDT probes of the C helper: a register (-4@%ebx-like), a constant
// (4@$42) and memory operands (8@N(%rsp), and -4@N(%rsp) sign-extended); gbt:guarded only fires when its
// semaphore is counted up, which attaching does.
func TestUSDTHelper(t *testing.T) {
	requireRoot(t)
	c, _ := userHelpers(t)
	script := fmt.Sprintf(`usdt:%[1]s:gbt:tick { printf("%%s %%d %%d %%d %%d\n", probe, arg0, arg1, arg2, (int64)arg3); }
U:%[1]s:guarded { @g[arg0, (int64)arg1] = sum(arg0 + 1); }`, c)
	res := trace(t, traceRun{
		args:    []string{"-e", script},
		trigger: func(t *testing.T) { runHelper(t, c, "3") },
		stop:    syscall.SIGINT,
	})
	var want strings.Builder
	for i := 0; i < 3; i++ {
		fmt.Fprintf(&want, "usdt:%s:gbt:tick %d 42 %d %d\n", c, i, 2*i, -i)
	}
	want.WriteString("\n\n@g[0, 0]: 1\n@g[1, -1]: 2\n@g[2, -2]: 3\n")
	wantOutput(t, res, want.String(), "Attached 2 probes\n")
}

// A wildcard over USDT probe names.
func TestUSDTWildcard(t *testing.T) {
	requireRoot(t)
	c, _ := userHelpers(t)
	res := trace(t, traceRun{
		args:    []string{"-e", fmt.Sprintf(`usdt:%s:gbt:* { @[probe] = count(); }`, c)},
		trigger: func(t *testing.T) { runHelper(t, c, "2"); runHelper(t, c, "1") },
		stop:    syscall.SIGINT,
	})
	want := fmt.Sprintf("\n\n@[usdt:%[1]s:gbt:guarded]: 3\n@[usdt:%[1]s:gbt:tick]: 3\n", c)
	wantAnyOrder(t, res, want, "Attached 2 probes\n")
}

const python = "/usr/bin/python3.11"

// python3.11's USDT probes have semaphores: function__entry only fires
// once attaching counted its semaphore up. Its arguments are the file name,
// the function name and the line number. CPython 3.11 fires it for frames
// the interpreter enters from C (Python-to-Python calls are inlined), such
// as these functions of _collections_abc that start-up runs.
func TestUSDTPython(t *testing.T) {
	requireRoot(t)
	if _, err := os.Stat(python); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is needed in CI: %v", python, err)
		}
		t.Skip(err)
	}
	script := `usdt:` + python + `:python:function__entry /str(arg0) == "<frozen _collections_abc>"/ { printf("%s %s %d\n", str(arg0), str(arg1), arg2); }`
	res := trace(t, traceRun{args: []string{"-c", python + " -c pass", "-e", script}})
	want := "<frozen _collections_abc> <lambda> 62\n<frozen _collections_abc> _coro 64\n<frozen _collections_abc> _ag 70\n\n\n"
	wantOutput(t, res, want, "Attached 1 probe\n")
}

// -c: the child starts once every probe is attached, cpid is its pid, and
// the run ends when it exits (END runs, maps print). As in bpftrace v0.26
// its uprobes fire for the child only: the helper running meanwhile in
// another process is not counted.
func TestChildCommand(t *testing.T) {
	requireRoot(t)
	c, _ := userHelpers(t)
	other := exec.Command("/bin/sh", "-c", `while :; do "$0" 1; done`, c)
	if err := other.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { other.Process.Kill(); other.Wait() }()
	script := fmt.Sprintf(`uprobe:%s:gbt_add { @calls[pid == cpid] = count(); }
BEGIN { printf("begin %%d\n", cpid > 1); } END { printf("end\n"); }`, c)
	res := trace(t, traceRun{args: []string{"-c", c + " 6", "-e", script}})
	wantOutput(t, res, "begin 1\nend\n\n\n@calls[true]: 6\n", "Attached 3 probes\n")
}

// -c with a command that does not exist.
func TestChildCommandMissing(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{args: []string{"-c", "/nonexistent/cmd", "-e", "BEGIN { }"}, noAttach: true})
	mustExit(t, res, 1)
	if res.stderr != "ERROR: Failed to fork child: Path '/nonexistent/cmd' does not exist or is not executable\n" {
		t.Errorf("stderr %q", res.stderr)
	}
	// A name without a slash is looked for in $PATH; only ELF files run.
	res = trace(t, traceRun{args: []string{"-c", "gobpftrace-no-such-cmd x", "-e", "BEGIN { }"}, noAttach: true})
	mustExit(t, res, 1)
	if res.stderr != "ERROR: Failed to fork child: Path 'gobpftrace-no-such-cmd' does not exist or is not executable\n" {
		t.Errorf("stderr %q", res.stderr)
	}
	res = trace(t, traceRun{args: []string{"-c", "echo 'x", "-e", "BEGIN { }"}, noAttach: true})
	mustExit(t, res, 1)
	if res.stderr != "ERROR: Failed to fork child: the command has an unclosed single quote (')\n" {
		t.Errorf("stderr %q", res.stderr)
	}
}

// The -c command's user stacks resolve though it has exited when the maps
// print: its program's mappings are read while it is stopped at its exec.
func TestChildCommandUstackAfterExit(t *testing.T) {
	requireRoot(t)
	c, _ := userHelpers(t)
	res := trace(t, traceRun{args: []string{"-c", c + " 2", "-e", fmt.Sprintf(`uprobe:%s:gbt_add { @[ustack(1)] = count(); @s[usym(reg("ip"))] = count(); }`, c)}})
	wantOutput(t, res, "\n\n@[\n    gbt_add+0\n]: 2\n@s[gbt_add]: 2\n", "Attached 1 probe\n")
}

// As in bpftrace v0.26, a user stack key holds the process id: one stack
// in two processes of one binary gives two entries, printed alike.
func TestUstackKeyPerProcess(t *testing.T) {
	requireRoot(t)
	c, _ := userHelpers(t)
	a := startWaiting(t, c, "2", "linger")
	b := startWaiting(t, c, "3", "linger")
	defer func() {
		for _, p := range []*exec.Cmd{a, b} {
			p.Process.Kill()
			p.Wait()
		}
	}()
	res := trace(t, traceRun{
		args: []string{"-e", fmt.Sprintf(`uprobe:%s:gbt_add /pid == %d || pid == %d/ { @[ustack(1)] = count(); }`, c, a.Process.Pid, b.Process.Pid)},
		trigger: func(t *testing.T) {
			a.Process.Signal(syscall.SIGUSR1)
			b.Process.Signal(syscall.SIGUSR1)
			time.Sleep(300 * time.Millisecond)
		},
		stop: syscall.SIGINT,
	})
	wantOutput(t, res, "\n\n@[\n    gbt_add+0\n]: 2\n@[\n    gbt_add+0\n]: 3\n", "Attached 1 probe\n")
}

// --unsafe lets a uprobe inside an instruction attach, with bpftrace's
// warning (the program is not run: the breakpoint would corrupt it).
func TestUprobeInsideInstructionUnsafe(t *testing.T) {
	requireRoot(t)
	c, _ := userHelpers(t)
	script := `uprobe:` + c + `:gbt_add+1 { }`
	res := trace(t, traceRun{args: []string{"--unsafe", "--dry-run", "-e", script}, noAttach: true})
	mustExit(t, res, 0)
	if !strings.HasPrefix(res.stderr, "stdin:1:1-"+fmt.Sprint(len(script)-3)+": WARNING: Unsafe uprobe in the middle of the instruction: "+c+":gbt_add+1\n") {
		t.Errorf("stderr %q", res.stderr)
	}
}

// A position-dependent binary's addresses are the same in every process:
// user stacks and usym of processes that exited before their maps were
// read still resolve, through the probe's binary (as in bpftrace).
func TestUstackFixedBinaryAfterExit(t *testing.T) {
	requireRoot(t)
	c, _ := userHelpers(t)
	nopie := filepath.Join(filepath.Dir(c), "uprobetarget-nopie")
	wd, _ := os.Getwd()
	src := filepath.Join(wd, "..", "..", "testdata", "helpers", "uprobetarget.c")
	if out, err := exec.Command("gcc", "-O2", "-no-pie", "-fno-pie", "-o", nopie, src).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v: %s", err, out)
	}
	res := trace(t, traceRun{
		args:    []string{"-e", fmt.Sprintf(`uprobe:%s:gbt_add { @[ustack(1)] = count(); @u[usym(reg("ip"))] = count(); }`, nopie)},
		trigger: func(t *testing.T) { runHelper(t, nopie, "2"); runHelper(t, nopie, "3") },
		stop:    syscall.SIGINT,
	})
	wantOutput(t, res, "\n\n@[\n    gbt_add+0\n]: 2\n@[\n    gbt_add+0\n]: 3\n@u[gbt_add]: 2\n@u[gbt_add]: 3\n", "Attached 1 probe\n")
}

// -c splits its command as a shell would, without one: quotes group words
// and are removed, a backslash escapes; the program is found on $PATH.
func TestChildCommandQuoting(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{args: []string{"-c", `printf '%s|%s|%s\n' 'a  b' "c \"d\"" e\ f`, "-e", "END { printf(\"end\\n\"); }"}})
	wantOutput(t, res, "a  b|c \"d\"|e f\nend\n\n\n", "Attached 1 probe\n")
}

// -p: uprobes and usdt probes (whose semaphore is counted up in the running
// process) fire for that process only, and the run ends when it exits.
func TestTargetPID(t *testing.T) {
	requireRoot(t)
	c, _ := userHelpers(t)
	a := startWaiting(t, c, "4")
	b := startWaiting(t, c, "9")
	defer b.Wait()
	defer a.Wait()
	res := trace(t, traceRun{
		args: []string{"-p", fmt.Sprint(a.Process.Pid), "-e", fmt.Sprintf(`uprobe:%[1]s:gbt_add { @[pid] = count(); } usdt:%[1]s:gbt:guarded { @g[pid] = count(); }`, c)},
		trigger: func(t *testing.T) {
			b.Process.Signal(syscall.SIGUSR1)
			b.Wait()
			a.Process.Signal(syscall.SIGUSR1)
		},
	})
	wantOutput(t, res, fmt.Sprintf("\n\n@[%[1]d]: 4\n@g[%[1]d]: 4\n", a.Process.Pid), "Attached 2 probes\n")
}

// -p lets usdt probes leave the binary out (usdt:NAME, usdt::PROVIDER:NAME):
// every file the process has mapped is searched, as bpftrace does.
func TestTargetPIDUSDTWithoutBinary(t *testing.T) {
	requireRoot(t)
	c, _ := userHelpers(t)
	a := startWaiting(t, c, "3")
	defer a.Wait()
	res := trace(t, traceRun{
		args:    []string{"-p", fmt.Sprint(a.Process.Pid), "-e", `usdt:tick { @t[probe] = count(); } usdt::gbt:guarded { @g[probe] = count(); }`},
		trigger: func(t *testing.T) { a.Process.Signal(syscall.SIGUSR1) },
	})
	wantOutput(t, res, fmt.Sprintf("\n\n@g[usdt:%[1]s:gbt:guarded]: 3\n@t[usdt:%[1]s:gbt:tick]: 3\n", c), "Attached 2 probes\n")
	res = trace(t, traceRun{args: []string{"-e", `usdt::gbt:tick { }`}, noAttach: true})
	mustExit(t, res, 1)
	if !strings.Contains(res.stderr, "ERROR: usdt probe must specify at least path or pid to probe. To target all paths/pids set the path to '*'.\n") || !strings.Contains(res.stderr, "with -p PID the binary may be left out") {
		t.Errorf("stderr %q", res.stderr)
	}
}

// Listing uprobes and usdt probes resolves library names as attaching does,
// and with -p a wildcard binary stands for every file of the process.
func TestListUserProbes(t *testing.T) {
	requireRoot(t)
	c, _ := userHelpers(t)
	out, err := exec.Command(binPath, "-l", "uprobe:libc:getpid").Output()
	if err != nil || !regexp.MustCompile(`^uprobe:/\S*/libc\.so\.6:getpid\n$`).Match(out) {
		t.Errorf("-l uprobe:libc:getpid: %q, %v", out, err)
	}
	a := startWaiting(t, c, "1")
	defer func() { a.Process.Signal(syscall.SIGUSR1); a.Wait() }()
	pid := fmt.Sprint(a.Process.Pid)
	out, err = exec.Command(binPath, "-p", pid, "-l", "uprobe:*:gbt_*").Output()
	if want := fmt.Sprintf("uprobe:%[1]s:gbt_add\nuprobe:%[1]s:gbt_mul3\n", c); err != nil || string(out) != want {
		t.Errorf("-p %s -l uprobe:*:gbt_*: %q, %v; want %q", pid, out, err, want)
	}
	out, err = exec.Command(binPath, "-p", pid, "-l", "usdt:*").Output()
	if want := fmt.Sprintf("usdt:%[1]s:gbt:guarded\nusdt:%[1]s:gbt:tick\n", c); err != nil || string(out) != want {
		t.Errorf("-p %s -l usdt:*: %q, %v; want %q", pid, out, err, want)
	}
}

// A wildcard binary: with -p, the files of the process whose paths match
// (libc here, found by its base name); without, the files the pattern globs
// to.
func TestUprobeWildcardBinary(t *testing.T) {
	requireRoot(t)
	c, _ := userHelpers(t)
	a := startWaiting(t, c, "3")
	defer a.Wait()
	res := trace(t, traceRun{
		args:    []string{"-p", fmt.Sprint(a.Process.Pid), "-e", `uprobe:libc.so*:getpid { @[probe] = count(); } usdt:*:gbt:tick { @u[probe] = count(); }`},
		trigger: func(t *testing.T) { a.Process.Signal(syscall.SIGUSR1) },
	})
	mustExit(t, res, 0)
	re := regexp.MustCompile(`^\n\n@\[uprobe:/\S*/libc\.so\.6:getpid\]: 3\n@u\[usdt:` + regexp.QuoteMeta(c) + `:gbt:tick\]: 3\n$`)
	if !re.MatchString(res.stdout) || res.stderr != "Attached 2 probes\n" {
		t.Errorf("stdout %q, stderr %q", res.stdout, res.stderr)
	}
	res = trace(t, traceRun{args: []string{"-e", "uprobe:" + filepath.Dir(c) + "/uprobetarge?:gbt_add { @ = count(); }"},
		trigger: func(t *testing.T) { runHelper(t, c, "2") }, stop: syscall.SIGINT})
	wantOutput(t, res, "\n\n@: 2\n", "Attached 1 probe\n")
}

// startWaiting starts the C helper in its waiting mode and returns once it
// is ready for SIGUSR1.
func startWaiting(t *testing.T, path, n string, more ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(path, append([]string{n, "wait"}, more...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "ready\n" {
		cmd.Process.Kill()
		t.Fatalf("helper did not get ready: %q %v", line, err)
	}
	return cmd
}

// -p with a process that does not exist.
func TestTargetPIDMissing(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{args: []string{"-p", "4000000", "-e", "BEGIN { }"}, noAttach: true})
	mustExit(t, res, 1)
	if res.stderr != "ERROR: pid '4000000' does not exist\n" {
		t.Errorf("stderr %q", res.stderr)
	}
}

// Errors of user-space attach points, positioned on the attach point.
func TestUprobeErrors(t *testing.T) {
	requireRoot(t)
	c, _ := userHelpers(t)
	cases := []struct{ script, want string }{
		{`uprobe:/nonexistent/bin:f { }`,
			"stdin:1:1-26: ERROR: uprobe target file '/nonexistent/bin' does not exist or is not executable\n"},
		{`uprobe:` + c + `:no_such_fn { }`,
			"ERROR: Could not resolve symbol: " + c + ":no_such_fn\n"},
		{`usdt:` + c + `:gbt:nope { }`,
			"ERROR: No USDT probe matches gbt:nope in " + c + "\n"},
		{`uprobe:` + c + `:gbt_add { @ = retval; }`,
			"ERROR: The retval builtin can only be used with 'kretprobe' and 'uretprobe' and 'fexit' probes\n"},
		{`usdt:` + c + `:gbt:tick { @ = arg4; }`,
			"ERROR: usdt:" + c + ":gbt:tick has 4 arguments, so arg4 does not exist\n"},
		{`BEGIN { @ = cpid; }`,
			"ERROR: cpid cannot be used without child command\n"},
		{`uprobe:` + c + `:0x10 { }`,
			"ERROR: Could not resolve address: " + c + ":0x10\n"},
		{fmt.Sprintf("uretprobe:%s:0x%x { }", c, symbolAddress(t, c, "gbt_add")+1),
			"ERROR: uretprobes cannot be attached at function offset. (address resolved to: gbt_add+1)\n"},
		{`uprobe:` + c + `:gbt_add+1 { }`,
			"ERROR: Could not add uprobe into middle of instruction: " + c + ":gbt_add+1\n"},
		{fmt.Sprintf("uprobe:%s:0x%x { }", c, symbolAddress(t, c, "gbt_add")+1),
			"ERROR: Could not add uprobe into middle of instruction: " + c + ":gbt_add+1\n"},
		{`uprobe:` + c + `:gbt_add+4096 { }`,
			fmt.Sprintf("ERROR: Offset outside the function bounds ('gbt_add' size is %d)\n", symbolSize(t, c, "gbt_add"))},
	}
	for _, tc := range cases {
		t.Run(tc.script, func(t *testing.T) {
			res := trace(t, traceRun{args: []string{"-e", tc.script}, noAttach: true})
			mustExit(t, res, 1)
			first := strings.SplitAfterN(res.stderr, "\n", 2)[0]
			if !strings.HasSuffix(first, tc.want) || !strings.HasPrefix(first, "stdin:1:") {
				t.Errorf("stderr:\n%s\nwant first line ending in %q", res.stderr, tc.want)
			}
		})
	}
}

// -c, stopped with Ctrl-C while the command still runs: END runs, the maps
// print, and the command is terminated (SIGTERM) and reaped.
func TestChildCommandInterrupted(t *testing.T) {
	requireRoot(t)
	start := time.Now()
	res := trace(t, traceRun{
		args:    []string{"-c", "sleep 60", "-e", `BEGIN { printf("%d\n", cpid); } END { printf("end\n"); }`},
		trigger: func(t *testing.T) { time.Sleep(200 * time.Millisecond) },
		stop:    syscall.SIGINT,
	})
	mustExit(t, res, 0)
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("took %v", d)
	}
	var cpid int
	if _, err := fmt.Sscanf(res.stdout, "%d\nend\n", &cpid); err != nil || cpid <= 0 {
		t.Fatalf("stdout %q", res.stdout)
	}
	if _, err := os.Stat(fmt.Sprintf("/proc/%d", cpid)); err == nil {
		t.Errorf("the command (pid %d) still exists", cpid)
	}
}

// A function symbol of size 0 (the C runtime's _init) is refused in
// bpftrace's words, since where its first instruction ends cannot be told;
// --unsafe attaches at the symbol's address.
func TestUprobeZeroSizeSymbol(t *testing.T) {
	requireRoot(t)
	c, _ := userHelpers(t)
	script := fmt.Sprintf(`uprobe:%s:_init { printf("init %%d\n", arg0 > 0); exit(); }`, c)
	res := trace(t, traceRun{noAttach: true, args: []string{"-e", script}})
	mustExit(t, res, 1)
	want := "ERROR: Could not determine boundary for _init (symbol has size 0).\nUse --unsafe to force attachment. WARNING: This option could lead to data corruption in the target process.\n"
	if res.stderr != want || res.stdout != "" {
		t.Errorf("without --unsafe: stdout %q, stderr %q; want stderr %q", res.stdout, res.stderr, want)
	}
	res = trace(t, traceRun{
		args:    []string{"--unsafe", "-e", script},
		trigger: func(t *testing.T) { runHelper(t, c, "1") },
	})
	wantOutput(t, res, "init 1\n\n\n", "Attached 1 probe\n")
}

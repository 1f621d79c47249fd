package main

// End-to-end tests of how user-space probes find their files and how they
// are named and listed, as bpftrace v0.26 does: relative paths (with or
// without ./) and wildcards kept as written, -l -p PID, a process in
// another mount namespace, a shared library without the execute bit,
// USDT probes made with <sys/sdt.h> (several locations, wildcard
// providers, semaphores) and --no-feature uprobe_multi.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"testing"
)

// A relative path without ./ is a path (not a predicate), and probe names
// show every path as written: relative, globbed relative. (The globs end
// in t: other tests build uprobetarget-nopie in the same directory.)
func TestUprobeRelativePaths(t *testing.T) {
	requireRoot(t)
	c, _ := userHelpers(t)
	dir := filepath.Dir(c)
	rel := filepath.Base(dir) + "/uprobetarget"
	res := trace(t, traceRun{dir: filepath.Dir(dir),
		args:    []string{"-e", "uprobe:" + rel + ":gbt_add /arg1 == 100/ { @[probe] = count(); }"},
		trigger: func(t *testing.T) { runHelper(t, c, "2") }, stop: syscall.SIGINT})
	wantOutput(t, res, "\n\n@[uprobe:"+rel+":gbt_add]: 2\n", "Attached 1 probe\n")

	res = trace(t, traceRun{dir: dir,
		args:    []string{"-e", "uprobe:./uprobetarg*t:gbt_a* { @[probe] = count(); } usdt:./uprobetarge?:gbt:tick { @[probe] = count(); }"},
		trigger: func(t *testing.T) { runHelper(t, c, "2") }, stop: syscall.SIGINT})
	wantLines(t, res, "\n\n@[usdt:./uprobetarget:gbt:tick]: 2\n@[uprobe:./uprobetarget:gbt_add]: 2\n", "Attached 2 probes\n")

	res = trace(t, traceRun{dir: dir, args: []string{"-e", "uprobe:./uprobetarget:nope { }"}, noAttach: true})
	mustExit(t, res, 1)
	if !strings.HasPrefix(res.stderr, "stdin:1:1-27: ERROR: Could not resolve symbol: ./uprobetarget:nope\n") {
		t.Errorf("stderr %q", res.stderr)
	}
}

// Listings print the path as written, also for a wildcard path and a
// wildcard provider.
func TestListUserPathsAsWritten(t *testing.T) {
	requireRoot(t)
	c, _ := userHelpers(t)
	dir := filepath.Dir(c)
	for _, tc := range []struct{ pattern, want string }{
		{"uprobe:./uprobetarg*t:gbt_*", "uprobe:./uprobetarget:gbt_add\nuprobe:./uprobetarget:gbt_mul3\n"},
		{"usdt:./uprobetarget", "usdt:./uprobetarget:gbt:guarded\nusdt:./uprobetarget:gbt:tick\n"},
		// A * spans the ':' between a USDT provider and its name.
		{"*:./uprobetarget:gbt*", "uprobe:./uprobetarget:gbt_add\nuprobe:./uprobetarget:gbt_mul3\nusdt:./uprobetarget:gbt:guarded\nusdt:./uprobetarget:gbt:tick\n"},
		{"usdt:" + filepath.Base(dir) + "/uprobetarget:*:tick", "usdt:" + filepath.Base(dir) + "/uprobetarget:gbt:tick\n"},
	} {
		cmd := exec.Command(binPath, "-l", tc.pattern)
		cmd.Dir = dir
		if strings.HasPrefix(tc.pattern, "usdt:"+filepath.Base(dir)) {
			cmd.Dir = filepath.Dir(dir)
		}
		out, err := cmd.CombinedOutput()
		if err != nil || string(out) != tc.want {
			t.Errorf("-l %s: %v\n%s\nwant:\n%s", tc.pattern, err, out, tc.want)
		}
	}
}

// usdtMultiPath builds testdata/helpers/usdtmulti.c (<sys/sdt.h>).
func usdtMultiPath(t *testing.T) string { return buildCHelper(t, "usdtmulti", "-O2") }

// A USDT probe with several locations is one probe, attached at each of
// them; an empty provider is any provider; wildcards in the file,
// provider and name.
func TestUSDTLocationsAndWildcards(t *testing.T) {
	requireRoot(t)
	u := usdtMultiPath(t)
	dir := filepath.Dir(u)
	res := trace(t, traceRun{dir: dir,
		args: []string{"-e", `usdt:./usdtmulti:tracetest:testprobe* { @[probe, str(arg1)] = count(); }`, "-c", "./usdtmulti 2"}})
	wantLines(t, res, "\n\n"+
		"@[usdt:./usdtmulti:tracetest:testprobe, one]: 2\n"+
		"@[usdt:./usdtmulti:tracetest:testprobe, two]: 2\n"+
		"@[usdt:./usdtmulti:tracetest:testprobe2, three]: 2\n"+
		"@[usdt:./usdtmulti:tracetest:testprobe3, five]: 2\n"+
		"@[usdt:./usdtmulti:tracetest:testprobe3, four]: 2\n"+
		"@[usdt:./usdtmulti:tracetest:testprobe3, six]: 2\n", "Attached 3 probes\n")

	res = trace(t, traceRun{dir: dir,
		args: []string{"-e", `usdt:./usdtmult?::*probe2 { @[probe] = count(); }`, "-c", "./usdtmulti 3"}})
	wantLines(t, res, "\n\n@[usdt:./usdtmulti:tracetest2:testprobe2]: 3\n@[usdt:./usdtmulti:tracetest:testprobe2]: 3\n", "Attached 2 probes\n")

	// -p: usdt:::NAME searches every file of the process.
	a := startWaiting(t, u, "2")
	defer a.Wait()
	res = trace(t, traceRun{args: []string{"-p", fmt.Sprint(a.Process.Pid), "-e", `usdt:::*probe2 { @[probe] = count(); }`},
		trigger: func(t *testing.T) { a.Process.Signal(syscall.SIGUSR1) }})
	wantLines(t, res, fmt.Sprintf("\n\n@[usdt:%[1]s:tracetest2:testprobe2]: 2\n@[usdt:%[1]s:tracetest:testprobe2]: 2\n", u), "Attached 2 probes\n")
}

// A USDT probe passes as many arguments as its note describes (sys/sdt.h
// writes up to 12): arg6 to arg11 read like the others, where a uprobe
// stops at arg5, in bpftrace's words.
func TestUSDTManyArguments(t *testing.T) {
	requireRoot(t)
	u := usdtMultiPath(t)
	res := trace(t, traceRun{dir: filepath.Dir(u), args: []string{"-e",
		`usdt:./usdtmulti:tracetest:many { printf("%d %d %d %d %d %d %d %d %d %d %d %lx\n", arg0, arg1, arg2, arg3, arg4, arg5, arg6, arg7, arg8, arg9, arg10, arg11); }`,
		"-c", "./usdtmulti 2"}})
	wantOutput(t, res, "0 1 2 3 4 5 6 7 8 9 -10 7fffffffffffffff\n1 2 3 4 5 6 7 8 9 10 -11 7ffffffffffffffe\n\n\n", "Attached 1 probe\n")

	res = trace(t, traceRun{dir: filepath.Dir(u), args: []string{"-e", `uprobe:./usdtmulti:fire { print(arg6); }`}, noAttach: true})
	mustExit(t, res, 1)
	if want := "stdin:1:33-37: ERROR: x86_64 doesn't support arg6\n"; !strings.HasPrefix(res.stderr, want) {
		t.Errorf("stderr %q, want %q...", res.stderr, want)
	}
}

// Without -p, a target "*" is every file a running process maps, as in
// bpftrace, for attaching and for listing; probes name the file by its
// full path.
func TestUserTargetAllProcesses(t *testing.T) {
	requireRoot(t)
	u := usdtMultiPath(t)
	a := startWaiting(t, u, "2")
	defer a.Wait()
	out, err := exec.Command(binPath, "-l", "usdt:*:tracetest:many").Output()
	if want := "usdt:" + u + ":tracetest:many\n"; err != nil || !strings.Contains(string(out), want) {
		t.Errorf("-l usdt:*:tracetest:many: %v\n%s\nwant a line %q", err, out, want)
	}
	out, err = exec.Command(binPath, "-l", "uprobe:*:fire").Output()
	if want := "uprobe:" + u + ":fire\n"; err != nil || !strings.Contains(string(out), want) {
		t.Errorf("-l uprobe:*:fire: %v\n%s\nwant a line %q", err, out, want)
	}
	res := trace(t, traceRun{dir: t.TempDir(), args: []string{"-e", `usdt:*:tracetest:many { @[probe] = count(); } uprobe:*:fire { @[probe] = count(); }`},
		trigger: func(t *testing.T) { a.Process.Signal(syscall.SIGUSR1); a.Wait() }, stop: syscall.SIGINT})
	wantLines(t, res, fmt.Sprintf("\n\n@[uprobe:%[1]s:fire]: 2\n@[usdt:%[1]s:tracetest:many]: 2\n", u), "Attached 2 probes\n")

	res = trace(t, traceRun{args: []string{"-e", `usdt:::many { }`}, noAttach: true})
	mustExit(t, res, 1)
	if want := "stdin:1:1-12: ERROR: usdt probe must specify at least path or pid to probe. To target all paths/pids set the path to '*'.\n"; !strings.HasPrefix(res.stderr, want) {
		t.Errorf("stderr %q, want %q...", res.stderr, want)
	}
}

// A name without a '/' is first a file of the current directory (as in
// bpftrace), named as written; a wildcard without a '/' globs there and in
// $PATH's directories; a name that finds nothing is bpftrace's error.
func TestUserTargetInCurrentDirectory(t *testing.T) {
	requireRoot(t)
	u := usdtMultiPath(t)
	dir := filepath.Dir(u)
	res := trace(t, traceRun{dir: dir, args: []string{"-e", `uprobe:usdtmulti:fire { @[probe] = count(); } usdt:usdtmulti:tracetest:many { @[probe] = count(); }`, "-c", "./usdtmulti 2"}})
	wantLines(t, res, "\n\n@[uprobe:usdtmulti:fire]: 2\n@[usdt:usdtmulti:tracetest:many]: 2\n", "Attached 2 probes\n")
	for _, tc := range []struct{ pattern, want string }{
		{"usdt:usdtmult*:*:many", "usdt:usdtmulti:tracetest:many\n"},
		{"uprobe:usdtmulti:fir?", "uprobe:usdtmulti:fire\n"},
	} {
		cmd := exec.Command(binPath, "-l", tc.pattern)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil || string(out) != tc.want {
			t.Errorf("-l %s: %v %q, want %q", tc.pattern, err, out, tc.want)
		}
	}
	// bash is on $PATH, once however many of its directories hold it.
	cmd := exec.Command(binPath, "-l", "uprobe:bas?:readline")
	if out, err := cmd.CombinedOutput(); err != nil || !strings.HasSuffix(string(out), "/bash:readline\n") || !strings.HasPrefix(string(out), "uprobe:/") || strings.Count(string(out), "\n") != 1 {
		t.Errorf("-l uprobe:bas?:readline (on $PATH): %v %q", err, out)
	}
	res = trace(t, traceRun{dir: dir, args: []string{"-e", `usdt:nosuch:a:b { }`}, noAttach: true})
	mustExit(t, res, 1)
	if want := "stdin:1:1-16: ERROR: usdt target file 'nosuch' does not exist or is not executable\n"; !strings.HasPrefix(res.stderr, want) {
		t.Errorf("stderr %q, want %q...", res.stderr, want)
	}
}

// A wildcard probe type with a path stands for uprobe and usdt, each where
// the rest of the attach point fits (as bpftrace expands it); -l -e lists a
// USDT probe with several locations once.
func TestAnyUserProviderWildcard(t *testing.T) {
	requireRoot(t)
	u := usdtMultiPath(t)
	dir := filepath.Dir(u)
	res := trace(t, traceRun{dir: dir, args: []string{"-e", `*:./usdtmulti:fire, *:./usdtmulti:tracetest:many { @[probe] = count(); }`, "-c", "./usdtmulti 2"}})
	wantLines(t, res, "\n\n@[uprobe:./usdtmulti:fire]: 2\n@[usdt:./usdtmulti:tracetest:many]: 2\n", "Attached 2 probes\n")
	cmd := exec.Command(binPath, "-l", "-e", `*:./usdtmulti:fir? { } u*:./usdtmulti:tracetest:testprobe { }`)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil || string(out) != "uprobe:./usdtmulti:fire\nusdt:./usdtmulti:tracetest:testprobe\n" {
		t.Errorf("-l -e: %v %q", err, out)
	}
}

// A USDT semaphore is counted up in a process that was running before the
// probe attached, --usdt-file-activation or not (the kernel's uprobe
// reference counters), and down again after.
func TestUSDTSemaphoreFileActivation(t *testing.T) {
	requireRoot(t)
	u := usdtMultiPath(t)
	for _, flags := range [][]string{{"--usdt-file-activation"}, nil} {
		a := startWaiting(t, u, "2")
		res := trace(t, traceRun{dir: filepath.Dir(u),
			args:    append(flags, "-e", `usdt:./usdtmulti:tracetest:sema { printf("%d semaphore %d\n", arg0, arg1); }`),
			trigger: func(t *testing.T) { a.Process.Signal(syscall.SIGUSR1); a.Wait() }, stop: syscall.SIGINT})
		wantOutput(t, res, "0 semaphore 1\n1 semaphore 1\n\n\n", "Attached 1 probe\n")
	}
}

// -l -p PID lists the uprobes and usdt probes of every file the process
// has mapped (with the kernel's probes), and usdt:* those of the process.
func TestListProcessProbes(t *testing.T) {
	requireRoot(t)
	u := usdtMultiPath(t)
	a := startWaiting(t, u, "1")
	defer func() { a.Process.Signal(syscall.SIGUSR1); a.Wait() }()
	pid := fmt.Sprint(a.Process.Pid)
	out, err := exec.Command(binPath, "-l", "-p", pid).Output()
	if err != nil {
		t.Fatalf("-l -p %s: %v", pid, err)
	}
	for _, line := range []string{"uprobe:" + u + ":fire", "uprobe:" + u + ":main", "usdt:" + u + ":tracetest:sema", "usdt:" + u + ":tracetest2:testprobe2", "tracepoint:syscalls:sys_enter_openat"} {
		if !strings.Contains(string(out), "\n"+line+"\n") {
			t.Errorf("-l -p %s lists no %s", pid, line)
		}
	}
	if !strings.Contains(string(out), "/libc.so.6:getpid\n") {
		t.Errorf("-l -p %s lists no uprobe in libc", pid)
	}
	out, err = exec.Command(binPath, "-l", "-p", pid, "usdt:*:tracetest:testprobe*").Output()
	want := fmt.Sprintf("usdt:%[1]s:tracetest:testprobe\nusdt:%[1]s:tracetest:testprobe2\nusdt:%[1]s:tracetest:testprobe3\n", u)
	if err != nil || string(out) != want {
		t.Errorf("-l -p %s usdt:*:tracetest:testprobe*: %v\n%s\nwant:\n%s", pid, err, out, want)
	}
}

// A -p process in another mount namespace runs a file this namespace does
// not see at that path: it is found, attached and named through
// /proc/PID/root.
func TestUprobeOtherMountNamespace(t *testing.T) {
	requireRoot(t)
	c, _ := userHelpers(t)
	mnt := t.TempDir()
	// In its own mount namespace the helper runs from a tmpfs mounted on
	// mnt, which stays empty here.
	a := exec.Command("unshare", "-m", "--propagation", "private", "sh", "-c",
		fmt.Sprintf("mount -t tmpfs none %[1]s && cp %[2]s %[1]s/target && exec %[1]s/target 3 wait", mnt, c))
	pipe, err := a.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	defer a.Wait()
	buf := make([]byte, 6)
	if _, err := pipe.Read(buf); err != nil || string(buf) != "ready\n" {
		a.Process.Kill()
		t.Fatalf("helper in its mount namespace did not get ready: %q %v", buf, err)
	}
	if _, err := os.Stat(mnt + "/target"); err == nil {
		t.Fatal("the helper's file is visible outside its mount namespace")
	}
	pid := a.Process.Pid
	root := fmt.Sprintf("/proc/%d/root", pid)
	out, err := exec.Command(binPath, "-p", fmt.Sprint(pid), "-l", "uprobe:"+mnt+"/target:gbt_a*").CombinedOutput()
	if want := "uprobe:" + root + mnt + "/target:gbt_add\n"; err != nil || string(out) != want {
		t.Errorf("-l: %v %q, want %q", err, out, want)
	}
	res := trace(t, traceRun{args: []string{"-p", fmt.Sprint(pid), "-e",
		"uprobe:" + mnt + "/target:gbt_add { @[probe] = count(); } usdt:*:gbt:tick { @[probe] = count(); }"},
		trigger: func(t *testing.T) { a.Process.Signal(syscall.SIGUSR1) }})
	wantLines(t, res, fmt.Sprintf("\n\n@[uprobe:%[1]s%[2]s/target:gbt_add]: 3\n@[usdt:%[1]s%[2]s/target:gbt:tick]: 3\n", root, mnt), "Attached 2 probes\n")
}

// A shared library needs no execute bit: found by path and on $PATH.
func TestUprobeSharedLibraryNotExecutable(t *testing.T) {
	requireRoot(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "gbtlib.c")
	if err := os.WriteFile(src, []byte("int gbt_lib_twice(int x) { return 2 * x; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	lib := filepath.Join(dir, "libgbtlib.so")
	if out, err := exec.Command("gcc", "-shared", "-fPIC", "-o", lib, src).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v %s", err, out)
	}
	if err := os.Chmod(lib, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binPath, "-l", "uprobe:./libgbtlib.so:gbt_*")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil || string(out) != "uprobe:./libgbtlib.so:gbt_lib_twice\n" {
		t.Errorf("-l by path: %v %q", err, out)
	}
	cmd = exec.Command(binPath, "-l", "uprobe:libgbtlib.so:gbt_*")
	cmd.Env = append(os.Environ(), "PATH="+dir+":"+os.Getenv("PATH"))
	if out, err := cmd.CombinedOutput(); err != nil || string(out) != "uprobe:"+lib+":gbt_lib_twice\n" {
		t.Errorf("-l on $PATH: %v %q", err, out)
	}

	// Attached and fired in a program that links it.
	main := filepath.Join(dir, "gbtlibmain.c")
	if err := os.WriteFile(main, []byte("int gbt_lib_twice(int x);\nint main(void) { int s = 0; for (int i = 1; i <= 3; i++) s += gbt_lib_twice(i); return s == 12 ? 0 : 1; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("gcc", "-o", filepath.Join(dir, "gbtlibmain"), main, "-L"+dir, "-lgbtlib", "-Wl,-rpath,"+dir).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v %s", err, out)
	}
	res := trace(t, traceRun{dir: dir, args: []string{"-c", "./gbtlibmain", "-e",
		`uprobe:./libgbtlib.so:gbt_lib_twice { printf("%d ", arg0); } uretprobe:./libgbtlib.so:gbt_lib_twice { printf("%d\n", retval); }`}})
	wantOutput(t, res, "1 2\n2 4\n3 6\n\n\n", "Attached 2 probes\n")
}

// usdtLibSources are a shared library with a USDT probe (<sys/sdt.h>) and a
// program that calls it N times, first waiting for SIGUSR1 with "wait".
var usdtLibSources = map[string]string{
	"gbtusdt.c": `#include <sys/sdt.h>
void gbt_usdt_fire(long i) { DTRACE_PROBE2(gbtlib, lib_probe, i, i * 10); }
`,
	"usdtlibmain.c": `#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
void gbt_usdt_fire(long i);
static void on_usr1(int sig) { (void)sig; }
int main(int argc, char **argv) {
	long n = argc > 1 ? atol(argv[1]) : 1;
	if (argc > 2 && strcmp(argv[2], "wait") == 0) {
		sigset_t set, old;
		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		signal(SIGUSR1, on_usr1);
		sigprocmask(SIG_BLOCK, &set, &old);
		write(1, "ready\n", 6);
		sigsuspend(&old);
	}
	for (long i = 0; i < n; i++)
		gbt_usdt_fire(i);
	return 0;
}
`,
}

// A USDT probe in a shared library (not executable, as libraries are):
// by the library's path with -c, listed and attached with -p (the
// library's probes are among the process's), and by usdt:* for every
// running process.
func TestUSDTSharedLibrary(t *testing.T) {
	requireRoot(t)
	dir := t.TempDir()
	for name, src := range usdtLibSources {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	lib := filepath.Join(dir, "libgbtusdt.so")
	for _, args := range [][]string{
		{"-O1", "-shared", "-fPIC", "-o", lib, "gbtusdt.c"},
		{"-O1", "-o", "usdtlibmain", "usdtlibmain.c", "-L.", "-lgbtusdt", "-Wl,-rpath," + dir},
	} {
		cmd := exec.Command("gcc", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("gcc %v: %v %s", args, err, out)
		}
	}
	if err := os.Chmod(lib, 0o644); err != nil {
		t.Fatal(err)
	}
	res := trace(t, traceRun{dir: dir, args: []string{"-e", `usdt:./libgbtusdt.so:gbtlib:lib_probe { printf("%s %d %d\n", probe, arg0, arg1); }`, "-c", "./usdtlibmain 2"}})
	wantOutput(t, res, "usdt:./libgbtusdt.so:gbtlib:lib_probe 0 0\nusdt:./libgbtusdt.so:gbtlib:lib_probe 1 10\n\n\n", "Attached 1 probe\n")

	a := startWaiting(t, filepath.Join(dir, "usdtlibmain"), "3")
	defer a.Wait()
	pid := fmt.Sprint(a.Process.Pid)
	out, err := exec.Command(binPath, "-l", "-p", pid, "usdt:*").Output()
	if want := "usdt:" + lib + ":gbtlib:lib_probe\n"; err != nil || string(out) != want {
		t.Errorf("-l -p %s usdt:*: %v %q, want %q", pid, err, out, want)
	}
	out, err = exec.Command(binPath, "-l", "usdt:*:gbtlib:*").Output()
	if want := "usdt:" + lib + ":gbtlib:lib_probe\n"; err != nil || !strings.Contains(string(out), want) {
		t.Errorf("-l usdt:*:gbtlib:*: %v %q, want a line %q", err, out, want)
	}
	res = trace(t, traceRun{args: []string{"-p", pid, "-e", `usdt::gbtlib:lib_probe { @[probe] = sum(arg1); }`},
		trigger: func(t *testing.T) { a.Process.Signal(syscall.SIGUSR1) }})
	wantOutput(t, res, fmt.Sprintf("\n\n@[usdt:%s:gbtlib:lib_probe]: 30\n", lib), "Attached 1 probe\n")
}

// --no-feature uprobe_multi attaches a uprobe wildcard one uprobe (a perf
// link) per function instead of one uprobe_multi link.
func TestNoFeatureUprobeMulti(t *testing.T) {
	requireRoot(t)
	c, _ := userHelpers(t)
	for _, tc := range []struct {
		flags []string
		links string
	}{
		{nil, "uprobe_multi"},
		{[]string{"--no-feature", "uprobe_multi"}, "perf perf"},
	} {
		res := trace(t, traceRun{args: append(tc.flags, "-e", "uprobe:"+c+":gbt_* { @[probe] = count(); }"),
			attached: func(t *testing.T, pid int) {
				if got := linkTypes(pid); got != tc.links {
					t.Errorf("%v: links %q, want %q", tc.flags, got, tc.links)
				}
			},
			trigger: func(t *testing.T) { runHelper(t, c, "2") }, stop: syscall.SIGINT})
		wantLines(t, res, fmt.Sprintf("\n\n@[uprobe:%[1]s:gbt_add]: 2\n@[uprobe:%[1]s:gbt_mul3]: 2\n", c), "Attached 2 probes\n")
	}
}

// wantLines is wantOutput for maps whose entries have equal values, which
// print in no fixed order: stdout's lines are compared sorted.
func wantLines(t *testing.T, res result, stdout, stderr string) {
	t.Helper()
	sorted := func(s string) string {
		lines := strings.Split(s, "\n")
		sort.Strings(lines)
		return strings.Join(lines, "\n")
	}
	if sorted(res.stdout) == sorted(stdout) {
		res.stdout = stdout
	}
	wantOutput(t, res, stdout, stderr)
}

// linkTypes lists the types of the BPF links process pid holds (its
// fdinfo's link_type), sorted.
func linkTypes(pid int) string {
	files, _ := filepath.Glob(fmt.Sprintf("/proc/%d/fdinfo/*", pid))
	var types []string
	for _, f := range files {
		data, _ := os.ReadFile(f)
		for _, line := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(line, "link_type:"); ok {
				types = append(types, strings.TrimSpace(v))
			}
		}
	}
	sort.Strings(types)
	return strings.Join(types, " ")
}

// A program name found in two directories of $PATH is taken from the
// first, as the shell runs it, with bpftrace's warning naming the file
// used; one file under two names (a symlinked directory) is one match.
func TestUprobeProgramNameMatchesTwoFiles(t *testing.T) {
	requireRoot(t)
	c, _ := userHelpers(t)
	dir := t.TempDir()
	first, second := filepath.Join(dir, "first"), filepath.Join(dir, "second")
	for _, d := range []string{first, second} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(c)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "gbtapp"), data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(first, filepath.Join(dir, "alias")); err != nil {
		t.Fatal(err)
	}
	script := `uprobe:gbtapp:gbt_add { @[probe] = count(); }`
	warning := "stdin:1:1-22: WARNING: attaching to uprobe target file '" + filepath.Join(first, "gbtapp") + "' but matched 2 binaries\n" + script + "\n" + strings.Repeat("~", 21) + "\n"
	for _, tc := range []struct {
		path, run, stderr, stdout string
	}{
		// The second copy runs: the probe is in the first.
		{first + ":" + second, filepath.Join(second, "gbtapp") + " 2", warning, ""},
		{first + ":" + second, filepath.Join(first, "gbtapp") + " 2", warning, "@[uprobe:" + filepath.Join(first, "gbtapp") + ":gbt_add]: 2\n"},
		{first + ":" + filepath.Join(dir, "alias"), filepath.Join(first, "gbtapp") + " 2", "", "@[uprobe:" + filepath.Join(first, "gbtapp") + ":gbt_add]: 2\n"},
	} {
		res := trace(t, traceRun{args: []string{"-c", tc.run, "-e", script}, env: []string{"PATH=" + tc.path + ":" + os.Getenv("PATH")}})
		wantOutput(t, res, "\n\n"+tc.stdout, tc.stderr+"Attached 1 probe\n")
	}
}

// USDT arguments in the three forms GCC writes them, each size and sign
// (testdata/helpers/usdtargs.c): a constant ("-1@$-16"), a register
// ("-2@%cx") and a global variable, rip-relative to its symbol
// ("4@g_u32(%rip)", "-2@4+g_arr(%rip)"), read wherever the executable is
// loaded (position-independent or not).
func TestUSDTArgumentForms(t *testing.T) {
	requireRoot(t)
	pie := buildCHelper(t, "usdtargs", "-O2")
	dir := t.TempDir()
	nopie := filepath.Join(dir, "usdtargs")
	if out, err := exec.Command("gcc", "-O2", "-no-pie", "-o", nopie, "../../testdata/helpers/usdtargs.c").CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	const want = "-579005069656919568 -579005069656919568 4092785136 -202182160 61936 -3600 240 -16 "
	for _, bin := range []string{pie, nopie} {
		for _, form := range []string{"const", "reg", "addr"} {
			res := trace(t, traceRun{args: []string{"-e", fmt.Sprintf(`usdt:%s:usdt_args:%s_* { printf("%%lld ", arg0); }`, bin, form), "-c", bin}})
			wantOutput(t, res, want+"\n\n", "Attached 8 probes\n")
		}
		res := trace(t, traceRun{args: []string{"-e", fmt.Sprintf(`usdt:%s:usdt_args:arr_elem { printf("%%d\n", arg0); }`, bin), "-c", bin}})
		wantOutput(t, res, "-3\n\n\n", "Attached 1 probe\n")
	}
}

// -p of a process whose program was deleted (or replaced, as an upgrade
// replaces a running program) since it started: uprobe:*:FUNC and
// usdt:::NAME find its functions and probes through the process's
// /proc/PID/map_files link to the file it runs, for attaching and listing.
func TestTargetPIDDeletedBinary(t *testing.T) {
	requireRoot(t)
	bin := copyAs(t, usdtMultiPath(t), t.TempDir(), "usdtdel")
	a := startWaiting(t, bin, "3")
	defer a.Wait()
	if err := os.Remove(bin); err != nil {
		t.Fatal(err)
	}
	pid := fmt.Sprint(a.Process.Pid)
	link := regexp.QuoteMeta("/proc/"+pid+"/map_files/") + "[0-9a-f]+-[0-9a-f]+"
	out, err := exec.Command(binPath, "-l", "-p", pid, "uprobe:*:fir?,usdt:*:tracetest2:*").Output()
	if err != nil || !regexp.MustCompile(`^uprobe:`+link+`:fire\nusdt:`+link+`:tracetest2:testprobe2\n$`).Match(out) {
		t.Errorf("-l -p: %v\n%s", err, out)
	}
	res := trace(t, traceRun{args: []string{"-p", pid, "-e", `uprobe:*:fire { @f = count(); } usdt:::testprobe2 { @u[probe] = count(); }`},
		trigger: func(t *testing.T) { a.Process.Signal(syscall.SIGUSR1) }})
	mustExit(t, res, 0)
	// The two @u elements have the same count: either order.
	u1, u2 := `@u\[usdt:`+link+`:tracetest2:testprobe2\]: 3\n`, `@u\[usdt:`+link+`:tracetest:testprobe2\]: 3\n`
	re := regexp.MustCompile(`^\n\n@f: 3\n(` + u1 + u2 + `|` + u2 + u1 + `)$`)
	if !re.MatchString(res.stdout) || res.stderr != "Attached 3 probes\n" {
		t.Errorf("stdout:\n%s\nstderr:\n%s", res.stdout, res.stderr)
	}
}

package main

// The example tools of testdata/examples, each run end to end: the test
// triggers the events the tool reports (a process it starts, a file it
// reads, a signal it sends, a TCP connection in a cgroup it creates) and
// checks the lines for that trigger exactly where they are deterministic
// (its pid, comm and values), by shape otherwise.

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

const examplesDir = "../../testdata/examples"

// exampleTests has one test per tool; TestExamples fails for a tool
// without one.
var exampleTests = map[string]func(t *testing.T, script string){
	"bashreadline.bt": testBashreadline,
	"execsnoop.bt":    testExecsnoop,
	"killsnoop.bt":    testKillsnoop,
	"naptime.bt":      testNaptime,
	"opensnoop.bt":    testOpensnoop,
	"pagefaults.bt":   testPagefaults,
	"proclife.bt":     testProclife,
	"profile.bt":      testProfile,
	"readlatency.bt":  testReadlatency,
	"readsize.bt":     testReadsize,
	"runqlat.bt":      testRunqlat,
	"syscount.bt":     testSyscount,
	"tcpaccept.bt":    testTcpaccept,
}

func TestExamples(t *testing.T) {
	requireRoot(t)
	files, err := filepath.Glob(filepath.Join(examplesDir, "*.bt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples in %s (%v)", examplesDir, err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		name := filepath.Base(f)
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.SplitN(string(data), "\n", 3)
			if len(lines) < 3 || lines[0] != "#!/usr/bin/env gobpftrace" || !strings.HasPrefix(lines[1], "// "+strings.TrimSuffix(name, ".bt")+": ") {
				t.Errorf("%s must start with #!/usr/bin/env gobpftrace and a comment '// %s: what it does'", name, strings.TrimSuffix(name, ".bt"))
			}
			if !strings.Contains(string(data), "// Teaches: ") {
				t.Errorf("%s has no '// Teaches: ' comment", name)
			}
			test := exampleTests[name]
			if test == nil {
				t.Fatalf("no end-to-end test for %s", name)
			}
			test(t, f)
		})
	}
	for name := range exampleTests {
		if !seen[name] {
			t.Errorf("test for %s, which is not in %s", name, examplesDir)
		}
	}
}

// runExample runs a tool until trigger is done, then stops it with SIGINT.
func runExample(t *testing.T, script string, trigger func(t *testing.T), args ...string) result {
	t.Helper()
	res := trace(t, traceRun{args: append([]string{script}, args...), trigger: trigger, stop: syscall.SIGINT})
	mustExit(t, res, 0)
	return res
}

// wantLine fails unless out has the line exactly.
func wantLine(t *testing.T, out, line string) {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		if l == line {
			return
		}
	}
	t.Errorf("no line %q in the output:\n%s", line, out)
}

// wantHeader fails unless the output starts with the header line.
func wantHeader(t *testing.T, out, header string) {
	t.Helper()
	if first, _, _ := strings.Cut(out, "\n"); first != header {
		t.Errorf("first line %q, want %q", first, header)
	}
}

// testComm is the test binary's comm, which a child has until it execs.
func testComm() string {
	c, _ := os.ReadFile("/proc/self/comm")
	return strings.TrimSpace(string(c))
}

// runUnique runs a copy of sysloop made by uniqueLoop and returns its pid.
func runUnique(t *testing.T, path string, args ...string) int {
	t.Helper()
	cmd := exec.Command(path, args...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v: %s", path, err, out)
	}
	time.Sleep(100 * time.Millisecond)
	return cmd.Process.Pid
}

func testExecsnoop(t *testing.T, script string) {
	loop := uniqueLoop(t)
	var pid int
	res := runExample(t, script, func(t *testing.T) { pid = runUnique(t, loop, "1", "/etc/hostname") })
	wantHeader(t, res.stdout, "PID     COMM             ARGS")
	wantLine(t, res.stdout, fmt.Sprintf("%-7d %-16s %s 1 /etc/hostname", pid, testComm(), loop))
}

func testOpensnoop(t *testing.T, script string) {
	loop := uniqueLoop(t)
	missing := fmt.Sprintf("/nonexistent/gbt-%d", os.Getpid())
	var pid int
	res := runExample(t, script, func(t *testing.T) {
		pid = runUnique(t, loop, "1", missing)
		runUnique(t, loop, "1", "/etc/hostname")
	})
	wantHeader(t, res.stdout, "PID     COMM               FD PATH")
	wantLine(t, res.stdout, fmt.Sprintf("%-7d %-16s %4d %s", pid, filepath.Base(loop), -2, missing))
	// The open that succeeds gets the lowest free descriptor, 3.
	if !regexp.MustCompile(`(?m)^\d+ +` + regexp.QuoteMeta(filepath.Base(loop)) + ` +3 /etc/hostname$`).MatchString(res.stdout) {
		t.Errorf("no successful open of /etc/hostname with fd 3:\n%s", res.stdout)
	}
	if !strings.HasSuffix(res.stdout, "\n\n\n") || strings.Contains(res.stdout, "@filename") {
		t.Errorf("END should clear @filename:\n%s", res.stdout)
	}
}

func testSyscount(t *testing.T, script string) {
	loop := uniqueLoop(t)
	name := filepath.Base(loop)
	res := runExample(t, script, func(t *testing.T) { runUnique(t, loop, "5000") })
	// getppid (110) exactly as often as the loop calls it.
	wantLine(t, res.stdout, fmt.Sprintf("@by_syscall[%s, 110]: 5000", name))
	// All of the process's calls: the loop and its start-up (execve, mmap...).
	if n := mapCounts(res.stdout, "@by_process")[name]; n <= 5000 {
		t.Errorf("@by_process[%s] = %d, want more than the loop's 5000:\n%s", name, n, res.stdout)
	}
}

// runCatCopy runs a copy of cat with an empty environment (no locale
// files to read) on a file of size bytes, and returns the copy's comm.
func runCatCopy(t *testing.T, size int) string {
	t.Helper()
	dir := t.TempDir()
	data, err := os.ReadFile("/bin/cat")
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("cat%d", os.Getpid()%1000000)
	cat := filepath.Join(dir, name)
	file := filepath.Join(dir, "input")
	if err := os.WriteFile(cat, data, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, make([]byte, size), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(cat, file)
	cmd.Env = []string{}
	cmd.Stdout = io.Discard
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v", cat, err)
	}
	time.Sleep(100 * time.Millisecond)
	return name
}

// histBlock returns the rows of histogram name[key] in text output.
func histBlock(out, header string) string {
	_, rest, ok := strings.Cut(out, "\n"+header+"\n")
	if !ok {
		return ""
	}
	block, _, _ := strings.Cut(rest, "\n\n")
	return block
}

var histRow = regexp.MustCompile(`^\[[^\]]*[\])] +(\d+) \|[@ ]*\|$`)

// histTotal sums the counts of histogram rows; ok is false if a line is
// not a row.
func histTotal(block string) (total int, ok bool) {
	for _, l := range strings.Split(block, "\n") {
		m := histRow.FindStringSubmatch(l)
		if m == nil {
			return 0, false
		}
		n, _ := strconv.Atoi(m[1])
		total += n
	}
	return total, block != ""
}

func testReadsize(t *testing.T, script string) {
	var name string
	res := runExample(t, script, func(t *testing.T) { name = runCatCopy(t, 3000) })
	// The dynamic loader reads libc's ELF header (832 bytes), then cat
	// reads the file in one call; end-of-file (0) is filtered out.
	want := "[512, 1K)              1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n" +
		"[1K, 2K)               0 |                                                    |\n" +
		"[2K, 4K)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|"
	if got := histBlock(res.stdout, "@bytes["+name+"]:"); got != want {
		t.Errorf("@bytes[%s]:\n%s\nwant:\n%s\nall output:\n%s", name, got, want, res.stdout)
	}
}

func testReadlatency(t *testing.T, script string) {
	var name string
	res := runExample(t, script, func(t *testing.T) { name = runCatCopy(t, 3000) })
	// Three reads: libc's header, the file, end-of-file.
	wantLine(t, res.stdout, fmt.Sprintf("@reads[%s]: 3", name))
	if n, ok := histTotal(histBlock(res.stdout, "@usecs["+name+"]:")); !ok || n != 3 {
		t.Errorf("@usecs[%s] holds %d reads (rows well formed: %v), want 3:\n%s", name, n, ok, res.stdout)
	}
	if strings.Contains(res.stdout, "@start") {
		t.Errorf("END should clear @start:\n%s", res.stdout)
	}
}

func testRunqlat(t *testing.T, script string) {
	res := runExample(t, script, func(t *testing.T) { runStackloop(t, 2, 300) })
	// Two CPU-bound processes on two CPUs with everything else: tasks wait.
	if n, ok := histTotal(histBlock(res.stdout, "@usecs:")); !ok || n == 0 {
		t.Errorf("no run-queue latency histogram:\n%s", res.stdout)
	}
	if strings.Contains(res.stdout, "@queued") {
		t.Errorf("END should clear @queued:\n%s", res.stdout)
	}
}

func testBashreadline(t *testing.T, script string) {
	var pid int
	res := runExample(t, script, func(t *testing.T) {
		master, slave := ptyPair(t)
		defer master.Close()
		bash := exec.Command("/bin/bash", "--norc", "--noprofile", "-i")
		bash.Stdin, bash.Stdout, bash.Stderr = slave, slave, slave
		bash.Env = []string{"PS1=$ ", "TERM=dumb", "HOME=/tmp"}
		bash.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
		if err := bash.Start(); err != nil {
			t.Fatal(err)
		}
		slave.Close()
		pid = bash.Process.Pid
		go io.Copy(io.Discard, master)
		for _, line := range []string{"echo gbt-readline-test\n", "exit\n"} {
			time.Sleep(300 * time.Millisecond)
			master.WriteString(line)
		}
		done := make(chan error, 1)
		go func() { done <- bash.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			bash.Process.Kill()
			t.Errorf("bash did not exit")
		}
		time.Sleep(100 * time.Millisecond)
	})
	wantHeader(t, res.stdout, "PID     COMMAND")
	wantLine(t, res.stdout, fmt.Sprintf("%-7d %s", pid, "echo gbt-readline-test"))
	wantLine(t, res.stdout, fmt.Sprintf("%-7d %s", pid, "exit"))
}

func testProfile(t *testing.T, script string) {
	res := runExample(t, script, func(t *testing.T) { runStackloop(t, 1, 600) })
	// A key is the kernel stack (often empty: the CPU was in user mode),
	// the user stack innermost first, and the comm.
	re := regexp.MustCompile(`(?m)^\s+stack_leaf\+\d+\n\s+stack_middle\+\d+\n\s+stack_outer\+\d+\n\s+main\+\d+\n(?:\s+\S.*\n)*, stackloop\]: (\d+)$`)
	total := 0
	for _, m := range re.FindAllStringSubmatch(res.stdout, -1) {
		n, _ := strconv.Atoi(m[1])
		total += n
	}
	// 600 ms at 99 Hz is about 59 samples of stackloop when it has a CPU
	// to itself; on a loaded machine it gets fewer.
	if total < 3 {
		t.Errorf("%d samples of stackloop in stack_leaf, want several (about 59 on an idle machine):\n%s", total, res.stdout)
	}
}

// cgroup2Root is where the cgroup v2 hierarchy is mounted.
func cgroup2Root(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("/proc/mounts")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if f := strings.Fields(l); len(f) > 2 && f[2] == "cgroup2" {
			return f[1]
		}
	}
	t.Fatal("no cgroup2 mount")
	return ""
}

// newCgroup makes a cgroup v2 directory for the test and returns its path
// and id (its inode number).
func newCgroup(t *testing.T) (string, uint64) {
	t.Helper()
	dir := filepath.Join(cgroup2Root(t), fmt.Sprintf("gbt-test-%d", os.Getpid()))
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(dir) })
	var st syscall.Stat_t
	if err := syscall.Stat(dir, &st); err != nil {
		t.Fatal(err)
	}
	return dir, st.Ino
}

// A TCP server and its client in one python process, inside the cgroup.
const tcpPair = `import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
c = socket.create_connection(s.getsockname()); a, _ = s.accept()
print(s.getsockname()[1], a.fileno())`

func testTcpaccept(t *testing.T, script string) {
	dir, id := newCgroup(t)
	var pid int
	var port, fd string
	res := runExample(t, script, func(t *testing.T) {
		// The shell moves itself into the cgroup, then becomes python.
		cmd := exec.Command("/bin/sh", "-c", `echo $$ > "$1/cgroup.procs" && exec `+python+` -c "$2"`, "sh", dir, tcpPair)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("python: %v", err)
		}
		pid = cmd.Process.Pid
		f := strings.Fields(string(out))
		if len(f) != 2 {
			t.Fatalf("python printed %q", out)
		}
		port, fd = f[0], f[1]
		// Connections outside the cgroup are filtered out.
		exec.Command("/bin/sh", "-c", `exec `+python+` -c "$1"`, "sh", tcpPair).Run()
		time.Sleep(100 * time.Millisecond)
	}, strconv.FormatUint(id, 10))
	want := "PID     COMM             EVENT        PORT/FD CGROUP\n" +
		fmt.Sprintf("%-7d %-16s %-12s %-7s %d\n", pid, filepath.Base(python), "listen", port, id) +
		fmt.Sprintf("%-7d %-16s %-12s %-7s %d\n", pid, filepath.Base(python), "accept", fd, id) +
		fmt.Sprintf("\n\n@accepts[%d, %s]: 1\n", id, filepath.Base(python))
	if res.stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", res.stdout, want)
	}
}

func testPagefaults(t *testing.T, script string) {
	loop := uniqueLoop(t)
	res := runExample(t, script, func(t *testing.T) { runUnique(t, loop, "1") })
	// Loading the program and libc and touching the stack fault dozens of
	// pages in.
	if n := mapCounts(res.stdout, "@faults")[filepath.Base(loop)]; n < 10 {
		t.Errorf("@faults[%s] = %d, want dozens:\n%s", filepath.Base(loop), n, res.stdout)
	}
}

func testKillsnoop(t *testing.T, script string) {
	// A pid that existed and is gone: kill() then fails with ESRCH.
	gone := runUnique(t, uniqueLoop(t), "1")
	me := os.Getpid()
	res := runExample(t, script, func(t *testing.T) {
		if err := syscall.Kill(me, 0); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Kill(gone, 0); err != syscall.ESRCH {
			t.Fatalf("kill(%d, 0): %v, want ESRCH", gone, err)
		}
		time.Sleep(100 * time.Millisecond)
	})
	wantHeader(t, res.stdout, "PID     COMM              SIG TPID    RESULT")
	wantLine(t, res.stdout, fmt.Sprintf("%-7d %-16s %4d %-7d %d", me, testComm(), 0, me, 0))
	wantLine(t, res.stdout, fmt.Sprintf("%-7d %-16s %4d %-7d %d", me, testComm(), 0, gone, -3))
}

func testProclife(t *testing.T, script string) {
	loop := uniqueLoop(t)
	var pid int
	res := runExample(t, script, func(t *testing.T) { pid = runUnique(t, loop, "1") })
	wantHeader(t, res.stdout, "PID     COMM             LIFETIME(ms)")
	re := regexp.MustCompile(fmt.Sprintf(`(?m)^%-7d %-16s \d+$`, pid, regexp.QuoteMeta(filepath.Base(loop))))
	if !re.MatchString(res.stdout) {
		t.Errorf("no line for pid %d (%s):\n%s", pid, filepath.Base(loop), res.stdout)
	}
}

// The tools are executable scripts: run through their #! line, with the
// built gobpftrace first in PATH.
func TestExampleShebang(t *testing.T) {
	requireRoot(t)
	script, err := filepath.Abs(filepath.Join(examplesDir, "syscount.bt"))
	if err != nil {
		t.Fatal(err)
	}
	loop := uniqueLoop(t)
	cmd := exec.Command(script)
	cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(binPath)+":"+os.Getenv("PATH"))
	var stdout strings.Builder
	cmd.Stdout = &stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	attached := make([]byte, len("Attached 1 probe\n"))
	if _, err := io.ReadFull(stderr, attached); err != nil || string(attached) != "Attached 1 probe\n" {
		cmd.Process.Kill()
		t.Fatalf("stderr starts %q (%v)", attached, err)
	}
	runUnique(t, loop, "700")
	cmd.Process.Signal(syscall.SIGINT)
	io.Copy(io.Discard, stderr)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("%s: %v", script, err)
	}
	wantLine(t, stdout.String(), fmt.Sprintf("@by_syscall[%s, 110]: 700", filepath.Base(loop)))
}

// naptime: a copy of sleep(1) under a name of its own sleeps 0.25 s; its
// line names this test as the parent.
func testNaptime(t *testing.T, script string) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(sleep)
	if err != nil {
		t.Fatal(err)
	}
	napper := filepath.Join(t.TempDir(), "napper")
	if err := os.WriteFile(napper, data, 0o755); err != nil {
		t.Fatal(err)
	}
	var pid int
	res := runExample(t, script, func(t *testing.T) { pid = runUnique(t, napper, "0.25") })
	wantHeader(t, res.stdout, "TIME     PPID   PCOMM            PID    COMM             SECONDS")
	line := fmt.Sprintf("%-6d %-16s %-6d %-16s 0.250", os.Getpid(), testComm(), pid, "napper")
	re := regexp.MustCompile(`(?m)^\d\d:\d\d:\d\d ` + regexp.QuoteMeta(line) + `$`)
	if !re.MatchString(res.stdout) {
		t.Errorf("no line for pid %d (napper, parent %d):\n%s", pid, os.Getpid(), res.stdout)
	}
}

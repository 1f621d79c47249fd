package main

import (
	"bufio"
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

// The command line end to end: the built binary, real probes.

func TestJSONOutputEndToEnd(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{
		args: []string{"-f", "json", "-e", `BEGIN { @a["x", 1] = count(); @h = hist(5); @s = stats(3); @v = avg(4);
			printf("hi %d\n", 3); print((1, "a")); print(@a); exit(); }`},
		noAttach: true,
	})
	mustExit(t, res, 0)
	want := `{"type": "attached_probes", "count": 1, "data": {"probes": 1}}
{"type": "printf", "data": "hi 3\n"}
{"type": "value", "data": [1,"a"]}
{"type": "map", "data": {"@a": {"x,1": 1}}}
{"type": "map", "data": {"@a": {"x,1": 1}}}
{"type": "hist", "data": {"@h": [{"min": 4, "max": 7, "count": 1}]}}
{"type": "stats", "data": {"@s": {"count": 1, "average": 3, "total": 3}}}
{"type": "stats", "data": {"@v": 4}}
`
	if res.stdout != want || res.stderr != "" {
		t.Errorf("stdout:\n%s\nwant:\n%s\nstderr: %q", res.stdout, want, res.stderr)
	}
}

// In JSON mode the attached_probes line is part of the output on stdout.
func TestJSONTracepointAndSignal(t *testing.T) {
	requireRoot(t)
	cmd := exec.Command(binPath, "-f", "json", "-e",
		`tracepoint:syscalls:sys_enter_getppid /comm == "clisysloop"/ { @[comm] = count(); @h = lhist(3, 0, 10, 5); printf("%s\n", comm); }`)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(stdout)
	first, err := r.ReadString('\n')
	if err != nil || first != `{"type": "attached_probes", "count": 1, "data": {"probes": 1}}`+"\n" {
		cmd.Process.Kill()
		t.Fatalf("first line %q (%v); stderr %s", first, err, stderr.String())
	}
	runCLISysloop(t, 2)
	cmd.Process.Signal(syscall.SIGINT)
	rest, _ := io.ReadAll(r)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("%v: %s", err, stderr.String())
	}
	want := `{"type": "printf", "data": "clisysloop\n"}
{"type": "printf", "data": "clisysloop\n"}
{"type": "map", "data": {"@": {"clisysloop": 2}}}
{"type": "hist", "data": {"@h": [{"min": 0, "max": 4, "count": 2}]}}
`
	if string(rest) != want || stderr.String() != "" {
		t.Errorf("got:\n%s\nwant:\n%s\nstderr: %q", rest, want, stderr.String())
	}
}

func TestQuietAndOutputFile(t *testing.T) {
	requireRoot(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "out.txt")
	res := trace(t, traceRun{
		args:     []string{"-q", "-o", out, "-e", `BEGIN { printf("to the file\n"); @x = 7; exit(); }`},
		noAttach: true,
	})
	mustExit(t, res, 0)
	if res.stdout != "" || res.stderr != "" {
		t.Errorf("stdout %q stderr %q", res.stdout, res.stderr)
	}
	data, _ := os.ReadFile(out)
	if string(data) != "to the file\n\n\n@x: 7\n" {
		t.Errorf("file: %q", data)
	}

	// A symbolic link where the output should go is refused, untouched.
	link := filepath.Join(dir, "link")
	os.Symlink(out, link)
	res = trace(t, traceRun{args: []string{"-o", link, "-e", `BEGIN { exit(); }`}, noAttach: true})
	mustExit(t, res, 1)
	if want := "ERROR: could not open output file " + link + ": it is a symbolic link, which -o does not follow\n"; res.stderr != want {
		t.Errorf("stderr %q", res.stderr)
	}
	if data2, _ := os.ReadFile(out); string(data2) != string(data) {
		t.Errorf("the link's target changed: %q", data2)
	}
}

// Positional parameters after --, from a script file with #!, and from
// stdin; -B modes produce the same output.
func TestParamsScriptFileStdin(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{
		args:     []string{"-e", `BEGIN { printf("%d %d %s\n", $1, $#, $2); exit(); }`, "--", "-7", "a b"},
		noAttach: true,
	})
	mustExit(t, res, 0)
	if res.stdout != "-7 2 a b\n\n\n" || res.stderr != "Attached 1 probe\n" {
		t.Errorf("stdout %q stderr %q", res.stdout, res.stderr)
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "args.bt")
	os.WriteFile(script, []byte("#!/usr/bin/env gobpftrace\nBEGIN { printf(\"%d args, first %d\\n\", $#, $1); exit(); }\n"), 0o755)
	for _, mode := range []string{"none", "line", "full"} {
		res = trace(t, traceRun{args: []string{"-B", mode, script, "10", "20", "30"}, noAttach: true})
		mustExit(t, res, 0)
		if res.stdout != "3 args, first 10\n\n\n" {
			t.Errorf("-B %s: stdout %q", mode, res.stdout)
		}
	}
	res = trace(t, traceRun{args: []string{"-q", "-", "42"}, noAttach: true, wrap: []string{"sh", "-c", `exec "$0" "$@" < ` + script}})
	mustExit(t, res, 0)
	if res.stdout != "1 args, first 42\n\n\n" || res.stderr != "" {
		t.Errorf("stdin: stdout %q stderr %q", res.stdout, res.stderr)
	}
}

// Every -d stage, exactly where the output is stable.
func TestDebugStages(t *testing.T) {
	requireRoot(t)
	prog := "BEGIN {\n  @x = 1 + 2;\n}"
	res := trace(t, traceRun{args: []string{"-d", "types", "-e", prog}, noAttach: true})
	mustExit(t, res, 0)
	wantTypes := `BEGIN
  2:3-5      @x  :: int8
  2:8-13     1 + 2  :: int8
  2:8-9        1  :: int8
  2:12-13      2  :: int8
`
	if res.stdout != wantTypes {
		t.Errorf("-d types:\n%s\nwant:\n%s", res.stdout, wantTypes)
	}
	res = trace(t, traceRun{args: []string{"-d", "asm", "-e", prog}, noAttach: true})
	mustExit(t, res, 0)
	wantAsm := `p0_begin (BEGIN, RawTracepoint): 11 instructions
; 2: @x = 1 + 2;
	  0: StMemB dst: rfp src: r0 off: -8 imm: 3
	  1: StMemDW dst: rfp src: r0 off: -16 imm: 0
	  2: LoadMapPtr dst: r1 fd: 0 <m0_x> @x
	  4: MovReg dst: r2 src: rfp
	  5: AddImm dst: r2 imm: -16
	  6: MovReg dst: r3 src: rfp
	  7: AddImm dst: r3 imm: -8
	  8: MovImm dst: r4 imm: 0
	  9: Call FnMapUpdateElem
; 1: BEGIN {
	 10: MovImm dst: r0 imm: 0
	 11: Exit

map m0_x: Hash key 8 value 1 entries 1 (@x)
`
	if res.stdout != wantAsm {
		t.Errorf("-d asm:\n%s\nwant:\n%s", res.stdout, wantAsm)
	}
	res = trace(t, traceRun{args: []string{"-d", "ir", "-e", prog}, noAttach: true})
	mustExit(t, res, 0)
	// The IR as built. @x has one key, so its map holds every key it can
	// have and the update needs no counter of refused inserts. 1 + 2 is
	// the literal 3, an int8 kept in one byte.
	wantIR := `p0_begin (BEGIN): 1 function
func p0_begin: 2 blocks, 12 instructions
p0_begin:
; 2: @x = 1 + 2;
	MovImm dst: r7 imm: 3	; dst v4 (home r7)
	StXMemB dst: rfp src: r7 off: -8 imm: 0	; src v4 (home r7)
	StMemDW dst: rfp src: r0 off: -16 imm: 0
	LoadMapPtr dst: r1 fd: 0 <m0_x>
	MovReg dst: r2 src: rfp
	AddImm dst: r2 imm: -16
	MovReg dst: r3 src: rfp
	AddImm dst: r3 imm: -8
	MovImm dst: r4 imm: 0
	Call FnMapUpdateElem
exit:
; 1: BEGIN {
	MovImm dst: r0 imm: 0
	Exit

`
	if res.stdout != wantIR {
		t.Errorf("-d ir:\n%s\nwant:\n%s", res.stdout, wantIR)
	}
	res = trace(t, traceRun{args: []string{"-d", "verifier", "-e", prog}, noAttach: true})
	mustExit(t, res, 0)
	for _, want := range []string{"; BEGIN (p0_begin)\n", "9: (85) call bpf_map_update_elem#2", "processed 11 insns"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("-d verifier lacks %q:\n%s", want, res.stdout)
		}
	}
	res = trace(t, traceRun{args: []string{"-d", "ast,types", "-e", prog}, noAttach: true})
	mustExit(t, res, 0)
	if want := "=== ast ===\nBEGIN {\n  @x = 1 + 2;\n}\n=== types ===\n" + wantTypes; res.stdout != want {
		t.Errorf("-d ast,types:\n%s", res.stdout)
	}
}

func TestInfo(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{args: []string{"--info"}, noAttach: true})
	mustExit(t, res, 0)
	sections := regexp.MustCompile(`(?m)^[A-Za-z][a-z]+.*$`).FindAllString(res.stdout, -1)
	if strings.Join(sections, "|") != "System|Build|Kernel helpers|Kernel features|Map types|Probe types|gobpftrace" {
		t.Errorf("sections %q", sections)
	}
	// bpftrace's labels, which scripts grep, with what is known of the
	// machines of this project (ARCHITECTURE.md).
	for _, want := range []string{
		"\n  Arch: x86_64\n",
		"\n  libdw (DWARF support): yes\n  libsystemd (systemd notify support): yes\n  blazesym (advanced symbolization): no\n  dwunwind (DWARF stack unwinding): no\n",
		"\n  btf: yes\n",
		"\n  Loop support: yes\n",
		"\n  Instruction limit: 1000000\n",
		"\n  lookup_percpu_elem: yes\n",
		"\n  probe_read_kernel: yes\n",
		"\n  map batch: yes\n",
		"\n  ringbuf: yes\n",
		"\n  kprobe: no\n",
		"\n  tracepoint: yes\n",
		"\n  kfunc: no\n",
		"\n  uprobe_multi: yes\n",
		"\n  raw_tp_special: yes\n",
		"\n  iter: yes\n",
	} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("--info lacks %q:\n%s", want, res.stdout)
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(res.stdout), "\n") {
		if line != "" && strings.HasPrefix(line, "  ") && !regexp.MustCompile(`^  \S[^:]*: \S`).MatchString(line) {
			t.Errorf("line without a value: %q", line)
		}
	}
}

// Warnings can be silenced; the run is unchanged.
func TestNoWarningsAndSIGINT(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{
		args:    []string{"--no-warnings", "-e", `tracepoint:syscalls:sys_enter_getppid /comm == "clisysloop"/ { @n = count(); }`},
		trigger: func(t *testing.T) { runCLISysloop(t, 10) },
		stop:    syscall.SIGINT,
	})
	mustExit(t, res, 0)
	if res.stdout != "\n\n@n: 10\n" {
		t.Errorf("stdout %q", res.stdout)
	}
}

// runCLISysloop runs the sysloop helper under the comm "clisysloop", so
// that tests of other packages running sysloop at the same time do not
// count: n getppid calls.
func runCLISysloop(t *testing.T, n int) {
	t.Helper()
	dir := filepath.Dir(sysloopPath)
	path := filepath.Join(dir, "clisysloop")
	if _, err := os.Stat(path); err != nil {
		data, err := os.ReadFile(sysloopPath)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	out, err := exec.Command(path, strconv.Itoa(n)).CombinedOutput()
	if err != nil {
		t.Fatalf("clisysloop: %v: %s", err, out)
	}
	time.Sleep(100 * time.Millisecond)
}

// --dry-run loads and attaches, prints nothing, exits 0; -l -e lists the
// probes a program expands to.
func TestDryRunAndListProgram(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{args: []string{"--dry-run", "-e", `BEGIN { printf("never\n"); } tracepoint:syscalls:sys_enter_getppid { @n = count(); }`}, noAttach: true})
	mustExit(t, res, 0)
	if res.stdout != "" || res.stderr != "" {
		t.Errorf("stdout %q stderr %q", res.stdout, res.stderr)
	}
	res = trace(t, traceRun{args: []string{"-l", "-e", `tracepoint:syscalls:sys_enter_getppid, tracepoint:syscalls:sys_exit_getpp* { }`}, noAttach: true})
	mustExit(t, res, 0)
	if want := "tracepoint:syscalls:sys_enter_getppid\ntracepoint:syscalls:sys_exit_getppid\n"; res.stdout != want {
		t.Errorf("stdout %q", res.stdout)
	}
	// As bpftrace lists a program: BEGIN, END and self probes left out, a
	// timed or counted event without its rate or count.
	res = trace(t, traceRun{args: []string{"-l", "-e", `BEGIN { } END { } self:signal:SIGUSR1 { } interval:ms:100, profile:hz:99 { } software:faults { } software:cpu-clock:1000 { } hardware:cache-misses:10 { } tracepoint:syscalls:sys_enter_getppid { }`}, noAttach: true})
	mustExit(t, res, 0)
	if want := "interval:ms:\nprofile:hz:\nsoftware:faults:\nsoftware:cpu-clock:\nhardware:cache-misses:\ntracepoint:syscalls:sys_enter_getppid\n"; res.stdout != want || res.stderr != "" {
		t.Errorf("stdout %q, stderr %q", res.stdout, res.stderr)
	}
}

// exit(code) becomes the process's exit status; END still runs and the
// maps still print.
func TestExitCode(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{args: []string{"-q", "-e", `BEGIN { @x = 1; exit(3); } END { printf("end\n"); }`}, noAttach: true})
	mustExit(t, res, 3)
	if res.stdout != "end\n\n\n@x: 1\n" {
		t.Errorf("stdout %q", res.stdout)
	}
	res = trace(t, traceRun{args: []string{"-q", "-e", `BEGIN { exit(); }`}, noAttach: true})
	mustExit(t, res, 0)
}

// A script the checker accepts and the verifier rejects: the error names
// the script code of the rejected instruction and gives a hint.
func TestVerifierRejectionPointsAtScript(t *testing.T) {
	requireRoot(t)
	// 10,000 unrolled copies of a map update: too many branches to follow.
	res := trace(t, traceRun{args: []string{"-e", `BEGIN { unroll(100) { unroll(100) { @a[nsecs] = 1; printf("%d\n", nsecs); } } }`}, noAttach: true})
	mustExit(t, res, 1)
	re := regexp.MustCompile(`^stdin:1:37-50: ERROR: the kernel's verifier rejected the program for BEGIN at instruction \d+, generated for this code: The sequence of \d+ jumps is too complex.
BEGIN \{ unroll\(100\) \{ unroll\(100\) \{ @a\[nsecs\] = 1; printf\("%d\\n", nsecs\); \} \} \}
                                    ~~~~~~~~~~~~~
HINT: the probe is too big or its loops too long for the verifier: split it across probes or lower loop bounds \(-v shows the end of the verifier log, -d verifier all of it\)
$`)
	if !re.MatchString(res.stderr) || res.stdout != "" {
		t.Errorf("stderr:\n%s\nstdout %q", res.stderr, res.stdout)
	}
}

// A while loop runs under bpf_loop: one that never ends is stopped at
// bpf_loop's limit with a warning, and the probe goes on. (++ gives an
// int64, so the uint8 variable widens rather than wrapping.)
func TestWhileLoopLimit(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{args: []string{"-e", `BEGIN { $i = (uint8)0; $n = 0; while (1) { $i++; $n++; } printf("%d %d\n", $i, $n); exit(); }`}, noAttach: true})
	mustExit(t, res, 0)
	want := `stdin:1:32-57: WARNING: while loop stopped after 8388608 iterations, the most one bpf_loop call runs
BEGIN { $i = (uint8)0; $n = 0; while (1) { $i++; $n++; } printf("%d %d\n", $i, $n); exit(); }
                               ~~~~~~~~~~~~~~~~~~~~~~~~~
`
	if !strings.HasSuffix(res.stderr, want) || res.stdout != "8388608 8388608\n\n\n" {
		t.Errorf("stderr:\n%s\nstdout %q", res.stderr, res.stdout)
	}
}

// A for loop over a range longer than bpf_loop's limit runs up to the
// limit and warns, as a while loop does; at the limit exactly, or left by
// break, it does not warn.
func TestRangeLoopLimit(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{args: []string{"-e", `BEGIN { $n = 0; for ($i : 0..8388610) { $n++; } printf("%d\n", $n); exit(); }`}, noAttach: true})
	mustExit(t, res, 0)
	want := `stdin:1:17-48: WARNING: for loop stopped after 8388608 iterations, the most one bpf_loop call runs
BEGIN { $n = 0; for ($i : 0..8388610) { $n++; } printf("%d\n", $n); exit(); }
                ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
`
	if !strings.HasSuffix(res.stderr, want) || res.stdout != "8388608\n\n\n" {
		t.Errorf("stderr:\n%s\nstdout %q", res.stderr, res.stdout)
	}
	for _, c := range []struct{ script, out string }{
		{`BEGIN { $n = 0; for ($i : 0..8388608) { $n++; } printf("%d\n", $n); exit(); }`, "8388608\n\n\n"},
		{`BEGIN { $n = 0; for ($i : 0..9000000) { $n++; if ($n == 5) { break; } } printf("%d\n", $n); exit(); }`, "5\n\n\n"},
	} {
		res := trace(t, traceRun{args: []string{"-e", c.script}, noAttach: true})
		mustExit(t, res, 0)
		if strings.Contains(res.stderr, "WARNING") || res.stdout != c.out {
			t.Errorf("%s:\nstderr:\n%s\nstdout %q, want %q", c.script, res.stderr, res.stdout, c.out)
		}
	}
}

// -d ast, -h and -V need no privileges; --info and -d asm do.
func TestUnprivilegedStages(t *testing.T) {
	requireRoot(t)
	nobody := &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	for _, c := range []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"-d", "ast", "-e", "BEGIN{printf(\"x\\n\")}"}, 0, "BEGIN {\n  printf(\"x\\n\");\n}\n"},
		{[]string{"-V"}, 0, versionLine + "\n"},
		{[]string{"--info"}, 1, "ERROR: gobpftrace must be run as root (user id 0), or with the capability CAP_SYS_ADMIN, or with both CAP_BPF and CAP_PERFMON\n"},
		{[]string{"-d", "asm", "-e", "BEGIN{}"}, 1, "ERROR: gobpftrace must be run as root (user id 0), or with the capability CAP_SYS_ADMIN, or with both CAP_BPF and CAP_PERFMON\n"},
	} {
		cmd := exec.Command(binPath, c.args...)
		cmd.SysProcAttr = nobody
		out, err := cmd.CombinedOutput()
		code := 0
		if exitErr, ok := err.(*exec.ExitError); ok {
			code = exitErr.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != c.code || string(out) != c.out {
			t.Errorf("%q: exit %d, output %q", c.args, code, out)
		}
	}
}

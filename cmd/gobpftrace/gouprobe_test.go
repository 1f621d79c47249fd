package main

// End-to-end tests of Go-aware user-space probes on testdata/helpers/gogrow,
// whose main.outer runs while the runtime copies its goroutine's stack:
// uretprobes placed at the function's return instructions, and -p on a
// static Go, a PIE Go and a C program.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
)

var (
	goGrowOnce sync.Once
	goGrowErr  error
	goGrowPath string // testdata/helpers/gogrow, static (the default)
	goGrowPIE  string // the same, -buildmode=pie
)

// goGrowHelpers builds gogrow once, static and PIE, next to the binary
// under test.
func goGrowHelpers(t *testing.T) (static, pie string) {
	t.Helper()
	goGrowOnce.Do(func() {
		dir := filepath.Join(filepath.Dir(binPath), "gogrow")
		goGrowPath = filepath.Join(dir, "static", "gogrow")
		goGrowPIE = filepath.Join(dir, "pie", "gogrow")
		for _, args := range [][]string{
			{"go", "build", "-o", goGrowPath, "."},
			{"go", "build", "-buildmode=pie", "-o", goGrowPIE, "."},
		} {
			cmd := exec.Command(args[0], args[1:]...)
			cmd.Dir = filepath.Join("..", "..", "testdata", "helpers", "gogrow")
			// The helper is its own main package outside the module.
			cmd.Env = append(os.Environ(), "GO111MODULE=off", "GOFLAGS=")
			if out, err := cmd.CombinedOutput(); err != nil {
				goGrowErr = fmt.Errorf("building %v: %v\n%s", args, err, out)
				return
			}
		}
	})
	if goGrowErr != nil {
		t.Fatal(goGrowErr)
	}
	return goGrowPath, goGrowPIE
}

// A uretprobe on a Go function whose goroutine stack is copied while it
// runs: a kernel return probe makes the Go runtime stop the program
// ("unknown caller pc"); placed at the return instructions, the program
// runs to its end and retval is exact. gogrow 1000 returns i%5 from
// main.outer(i): each of 0..4 200 times. A uprobe on main.deep, whose
// stack check sends it to runtime.morestack and back to its first byte
// three times per call of outer, counts each of its 201 calls per outer
// once.
func TestUretprobeGoMovingStack(t *testing.T) {
	requireRoot(t)
	static, pie := goGrowHelpers(t)
	for _, g := range []string{static, pie} {
		script := fmt.Sprintf(`uprobe:%[1]s:main.deep { @deep = count(); } uretprobe:%[1]s:main.outer { @[retval] = sum(retval); @n = count(); }`, g)
		res := trace(t, traceRun{args: []string{"-v", "-c", g + " 1000", "-e", script}})
		res.stderr = offsets.ReplaceAllString(res.stderr, "+OFF")
		wantOutput(t, res, "sum 2000\n\n\n@[0]: 0\n@[1]: 200\n@[2]: 400\n@[3]: 600\n@[4]: 800\n@deep: 201000\n@n: 1000\n",
			fmt.Sprintf(`uprobe:%[1]s:main.deep: main.deep is a Go function: probed after its stack check (main.deep+OFF), which runs again when the goroutine's stack grows or it is preempted
uretprobe:%[1]s:main.outer: main.outer is a Go function: probed at its return instruction (main.outer+OFF), not with a return probe, which Go's moving stacks do not allow
Attached 2 probes
`, g))
	}
}

// offsets are offsets into functions in -v output, which depend on the Go
// compiler.
var offsets = regexp.MustCompile(`\+0x[0-9a-f]+`)

// Wildcards on Go functions: one uprobe_multi link each, uprobes after
// the functions' stack checks, uretprobes at their return instructions,
// func from the cookie. main.deep recurses 201 times per call of
// main.outer; main.spin is never called.
func TestUprobeGoWildcard(t *testing.T) {
	requireRoot(t)
	g, _ := goGrowHelpers(t)
	script := fmt.Sprintf(`uprobe:%[1]s:main.*p* { @e[func] = count(); } uretprobe:%[1]s:main.*e* { @r[func] = count(); }`, g)
	res := trace(t, traceRun{args: []string{"-v", "-c", g + " 100", "-e", script}})
	res.stderr = offsets.ReplaceAllString(res.stderr, "+OFF")
	wantOutput(t, res, "sum 200\n\n\n@e[main.deep]: 20100\n@r[main.outer]: 100\n@r[main.deep]: 20100\n", fmt.Sprintf(`uprobe:%[1]s:main.*p*: Go functions probed after their stack check, which runs again when the goroutine's stack grows or it is preempted: main.deep+OFF
uretprobe:%[1]s:main.*e*: Go functions probed at their return instructions, not with return probes, which Go's moving stacks do not allow: main.deep (main.deep+OFF, main.deep+OFF), main.outer (main.outer+OFF)
Attached 4 probes
`, g))
}

// A Go function without a return instruction: refused with why and what
// to do; --unsafe places a kernel return probe with a warning; in a
// wildcard the function is skipped with a warning.
func TestUretprobeGoNoReturn(t *testing.T) {
	requireRoot(t)
	g, _ := goGrowHelpers(t)
	res := trace(t, traceRun{args: []string{"-e", fmt.Sprintf(`uretprobe:%s:main.spin { }`, g)}, noAttach: true})
	mustExit(t, res, 1)
	want := fmt.Sprintf("ERROR: Error attaching probe: uretprobe:%[1]s:main.spin: main.spin is a Go function, which a return probe can crash (Go moves goroutine stacks), and it has no return instruction to probe instead (it never returns, or it ends with a jump to another function); if it ends with a jump, probe the function it jumps to, or use --unsafe for a return probe anyway\n", g)
	if res.stderr != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", res.stderr, want)
	}
	res = trace(t, traceRun{args: []string{"--unsafe", "-c", g + " 3", "-e", fmt.Sprintf(`uretprobe:%s:main.spin { }`, g)}})
	wantOutput(t, res, "sum 3\n\n\n", fmt.Sprintf("WARNING: uretprobe:%[1]s:main.spin: main.spin is a Go function and it has no return instruction to probe instead (it never returns, or it ends with a jump to another function): placed as a return probe (--unsafe), which crashes the program if Go moves the goroutine's stack while main.spin runs\nAttached 1 probe\n", g))
	res = trace(t, traceRun{args: []string{"-c", g + " 3", "-e", fmt.Sprintf(`uretprobe:%s:main.*p* { @[func, retval] = count(); }`, g)}})
	wantOutput(t, res, "sum 3\n\n\n@[main.deep, 0]: 603\n",
		fmt.Sprintf("WARNING: uretprobe:%[1]s:main.spin: skipped: main.spin is a Go function, which a return probe can crash (Go moves goroutine stacks), and it has no return instruction to probe instead (it never returns, or it ends with a jump to another function); --unsafe places a return probe anyway\nAttached 1 probe\n", g))
}

// -p PID counts the calls of that process exactly, whichever thread runs
// them (Go runs goroutines on several), for a static Go program, a PIE Go
// program and a C program; a second process running the same binary at
// the same time is not counted.
func TestTargetPIDGoAndC(t *testing.T) {
	requireRoot(t)
	static, pie := goGrowHelpers(t)
	c, _ := userHelpers(t)
	for _, tc := range []struct {
		name, path, fn, n string
		want              string
	}{
		{"static Go", static, "main.outer", "300", "@n: 300\n@r: 600\n"},
		{"PIE Go", pie, "main.outer", "300", "@n: 300\n@r: 600\n"},
		// gbt_mul3(i) returns 3*i for i in 0..6.
		{"C", c, "gbt_mul3", "7", "@n: 7\n@r: 63\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := startWaiting(t, tc.path, tc.n)
			b := startWaiting(t, tc.path, tc.n)
			defer b.Wait()
			defer a.Wait()
			script := fmt.Sprintf(`uprobe:%[1]s:%[2]s { @n = count(); } uretprobe:%[1]s:%[2]s { @r = sum(retval); }`, tc.path, tc.fn)
			res := trace(t, traceRun{
				args: []string{"-p", fmt.Sprint(a.Process.Pid), "-e", script},
				trigger: func(t *testing.T) {
					b.Process.Signal(syscall.SIGUSR1)
					b.Wait()
					a.Process.Signal(syscall.SIGUSR1)
				},
			})
			wantOutput(t, res, "\n\n"+tc.want, "Attached 2 probes\n")
		})
	}
}

// The probe's file must be the one the -p process runs: a rebuilt binary
// (a new file at the old path) or a copy is another file to the kernel,
// and its probes never fire in that process.
func TestTargetPIDOtherFile(t *testing.T) {
	requireRoot(t)
	g, _ := goGrowHelpers(t)
	cp := filepath.Join(t.TempDir(), "gogrow")
	data, err := os.ReadFile(g)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cp, data, 0o755); err != nil {
		t.Fatal(err)
	}
	a := startWaiting(t, g, "5")
	defer a.Wait()
	res := trace(t, traceRun{
		args:    []string{"-p", fmt.Sprint(a.Process.Pid), "-e", fmt.Sprintf(`uprobe:%s:main.outer { @n = count(); }`, cp)},
		trigger: func(t *testing.T) { a.Process.Signal(syscall.SIGUSR1) },
	})
	mustExit(t, res, 0)
	if !strings.Contains(res.stderr, fmt.Sprintf("WARNING: process %d does not map %s", a.Process.Pid, cp)) {
		t.Errorf("stderr %q", res.stderr)
	}
}

// Go's calling convention as docs/userspace.md shows it: main.show("gogrow",
// []int{1, 2, 3}) has the string in rax, rbx and the slice in rcx, rdi,
// rsi; arg0 draws a warning naming Go's register; args' error names them.
func TestUprobeGoArguments(t *testing.T) {
	requireRoot(t)
	g, _ := goGrowHelpers(t)
	// (A map, not printf: the command's own output would race with it.)
	script := fmt.Sprintf(`uprobe:%s:main.show { @[str(reg("ax"), reg("bx")), *(int64*)reg("cx"), reg("di"), reg("si")] = count(); }`, g)
	res := trace(t, traceRun{args: []string{"-e", script, "-c", g + " 3"}})
	wantOutput(t, res, "sum 3\n\n\n@[gogrow, 1, 3, 3]: 1\n", "Attached 1 probe\n")

	script = fmt.Sprintf(`uprobe:%s:main.outer { @[arg0, arg1, arg0] = count(); }`, g)
	res = trace(t, traceRun{args: []string{"-e", script, "-c", g + " 3"}})
	mustExit(t, res, 0)
	col := len("uprobe:"+g+":main.outer { @[") + 1
	want := fmt.Sprintf(`stdin:1:%[2]d-%[3]d: WARNING: arg0 reads register di, where the C calling convention passes argument 1 (as in bpftrace); main.outer is Go code, which passes it in ax: use reg("ax")
%[1]s
%[4]s~~~~
stdin:1:%[5]d-%[6]d: WARNING: arg1 reads register si, where the C calling convention passes argument 2 (as in bpftrace); main.outer is Go code, which passes it in bx: use reg("bx")
%[1]s
%[7]s~~~~
Attached 1 probe
`, script, col, col+4, strings.Repeat(" ", col-1), col+6, col+10, strings.Repeat(" ", col+5))
	if res.stderr != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", res.stderr, want)
	}

	// args reads Go's registers by the parameters' names in DWARF.
	script = fmt.Sprintf(`uprobe:%s:main.outer { @[args.i] = sum(args.i); }`, g)
	res = trace(t, traceRun{args: []string{"-e", script, "-c", g + " 3"}})
	wantOutput(t, res, "sum 3\n\n\n@[0]: 0\n@[1]: 1\n@[2]: 2\n", "Attached 1 probe\n")
	// A C function without debug information: the hint says how to get it.
	c, _ := userHelpers(t)
	res = trace(t, traceRun{args: []string{"-e", fmt.Sprintf(`uprobe:%s:gbt_add { @[args.a] = count(); }`, c)}, noAttach: true})
	mustExit(t, res, 1)
	if !strings.HasSuffix(res.stderr, "HINT: build "+c+" with -g, or give the directory of its separate debug file with --debuginfo DIR; arg0, arg1, ... read the integer arguments without it\n") {
		t.Errorf("stderr %q", res.stderr)
	}
}

// An empty kernel stack (a uprobe runs in user context) prints as bpftrace
// v0.26 prints it: its text is a newline with no frames after it.
func TestEmptyKernelStack(t *testing.T) {
	requireRoot(t)
	g, _ := goGrowHelpers(t)
	script := fmt.Sprintf(`uprobe:%s:main.outer { @[kstack] = count(); @k[kstack, 1] = count(); }`, g)
	res := trace(t, traceRun{args: []string{"-e", script, "-c", g + " 3"}})
	wantOutput(t, res, "sum 3\n\n\n@[\n]: 3\n@k[\n, 1]: 3\n", "Attached 1 probe\n")
}

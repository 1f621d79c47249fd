package main

import (
	"os"
	"path/filepath"
	"testing"
)

// Syscall tracepoint fields are 8-byte slots holding the register the
// argument came in; a field declared `int` is the int in the low half, so
// openat's AT_FDCWD is -100 and kill's negative pid (a process group)
// negative, as bpftrace prints them.
func TestTracepointIntFieldsSigned(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	script := `tracepoint:syscalls:sys_enter_openat /str(args.filename) == "` + file + `"/ { printf("dfd %d mode %d\n", args.dfd, args.mode); @dfd[args.dfd] = count(); }
tracepoint:syscalls:sys_enter_kill /cpid == pid/ { printf("kill %d %d\n", args.pid, args.sig); }`
	res := trace(t, traceRun{args: []string{"-e", script, "-c", "/bin/sh -c 'cat " + file + "; kill -0 -99999 2>/dev/null; true'"}})
	mustExit(t, res, 0)
	want := "dfd -100 mode 0\nkill -99999 0\n\n\n@dfd[-100]: 1\n"
	if res.stdout != want {
		t.Errorf("stdout %q, want %q (stderr %s)", res.stdout, want, res.stderr)
	}
}

// p - q between two pointers to a struct whose size is not a power of two
// divides by the size (struct task_struct from the kernel's BTF).
func TestPointerDifferenceOfStructs(t *testing.T) {
	res := trace(t, traceRun{args: []string{"-e", `BEGIN { $t = (struct task_struct *)0; $u = $t + 3; $u++; printf("%d %d\n", $u - $t, $t - $u); exit(); }`}, noAttach: true})
	mustExit(t, res, 0)
	if want := "4 -4\n\n\n"; res.stdout != want {
		t.Errorf("stdout %q, want %q (stderr %s)", res.stdout, want, res.stderr)
	}
}

package codegen

import (
	"os"
	"strings"
	"testing"

	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"
)

func TestTracepointProgramsLoad(t *testing.T) {
	scripts := []string{
		`tracepoint:raw_syscalls:sys_enter { @[comm] = count(); }`,
		`tracepoint:raw_syscalls:sys_enter /args.id == 257 && pid > 1/ { @[pid, comm] = count(); @h = hist(args.args[2]); @a[args.id] = sum(args.args[0]); }`,
		`tracepoint:syscalls:sys_enter_openat { printf("%s %s %d\n", comm, str(args.filename), args.flags); @f[str(args.filename)] = count(); }`,
		`tracepoint:sched:sched_process_exec { printf("%s\n", str(args.filename)); }`,
		`t:raw_syscalls:sys_enter { @s[tid] = stats(args.id); @m = max(args.id); @n = min(args.id); @l = lhist(args.id, 0, 400, 20); }`,
	}
	for _, src := range scripts {
		p := compileScript(t, src)
		load(t, p)
		if p.Programs[0].Attach.Provider != "tracepoint" || p.Spec.Programs[p.Programs[0].Name].Type.String() != "TracePoint" {
			t.Errorf("%s: program %+v", src, p.Programs[0])
		}
	}
}

func TestCountByCommAttached(t *testing.T) {
	p := compileScript(t, `tracepoint:raw_syscalls:sys_enter /pid == `+itoa(os.Getpid())+`/ { @[comm] = count(); @ids[args.id] = count(); }`)
	var b strings.Builder
	p.Dump(&b)
	t.Logf("%s", b.String())
	l := load(t, p)
	lk, err := link.Tracepoint("raw_syscalls", "sys_enter", l.coll.Programs[p.Programs[0].Name], nil)
	if err != nil {
		t.Fatalf("attach: %v", err)
	}
	for i := 0; i < 100; i++ {
		unix.Getppid()
	}
	lk.Close()
	m, _ := l.scriptMap("@")
	if got := u64(l.value("@", strKey("codegen.test", m.KeySize))); got < 100 {
		t.Errorf(`@["codegen.test"] = %d, want >= 100`, got)
	}
	if got := u64(l.value("@ids", le64(unix.SYS_GETPPID))); got < 100 {
		t.Errorf(`@ids[getppid] = %d, want >= 100`, got)
	}
}

func TestVariableIndexIntoArgs(t *testing.T) {
	p := compileScript(t, `tracepoint:raw_syscalls:sys_enter /pid == `+itoa(os.Getpid())+` && args.id == `+itoa(unix.SYS_GETPPID)+`/ { $i = 0; @v[0] = args.args[$i]; $i = 7; @v[7] = args.args[$i]; $i = 5; @v[5] = args.args[$i]; }`)
	l := load(t, p)
	lk, err := link.Tracepoint("raw_syscalls", "sys_enter", l.coll.Programs[p.Programs[0].Name], nil)
	if err != nil {
		t.Fatalf("attach: %v", err)
	}
	unix.Syscall6(unix.SYS_GETPPID, 11, 0, 0, 0, 0, 66)
	lk.Close()
	vals := l.entries("@v")
	if len(vals) != 3 || u64(vals[string(le64(0))]) != 11 || u64(vals[string(le64(7))]) != 0 || u64(vals[string(le64(5))]) != 66 {
		for k, v := range vals {
			t.Logf("%x: %d", k, u64(v))
		}
		t.Errorf("@v has %d entries", len(vals))
	}
}

package codegen

import (
	"os"
	"strings"
	"testing"

	"github.com/cilium/ebpf/asm"
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

// The tracepoints of a probe that does not use args share one program:
// one spec, a Program per attach point with its cookie, `probe` looked up
// by cookie, and `-d asm` showing the program once. A probe that uses
// args keeps a program per tracepoint (its offsets may differ).
func TestSharedTracepointProgram(t *testing.T) {
	plan := compileScript(t, `tracepoint:raw_syscalls:sys_enter, tracepoint:syscalls:sys_enter_openat, t:sched:sched_process_exec { @[probe] = count(); }
tracepoint:raw_syscalls:sys_enter, tracepoint:syscalls:sys_enter_openat { @c[probe] = sum(args.common_pid); }`)
	if len(plan.Programs) != 5 || len(plan.Spec.Programs) != 3 {
		t.Fatalf("%d programs, %d specs; want 5 attach points, 3 programs", len(plan.Programs), len(plan.Spec.Programs))
	}
	shared := plan.Programs[0].Name
	for i, p := range plan.Programs[:3] {
		if p.Name != shared || p.Cookie != uint64(i) {
			t.Errorf("%s: program %s cookie %d, want %s and %d", p.Attach.Name, p.Name, p.Cookie, shared, i)
		}
	}
	if !calls(plan.Spec.Programs[shared].Instructions, asm.FnGetAttachCookie) {
		t.Error("shared program: probe is not looked up by cookie")
	}
	names := plan.Spec.Maps["u0_probe"]
	if names == nil || len(names.Contents) != 3 || !strings.HasPrefix(string(names.Contents[2].Value.([]byte)), "tracepoint:sched:sched_process_exec\x00") {
		t.Errorf("names of the shared program: %+v", names)
	}
	if a, b := plan.Programs[3], plan.Programs[4]; a.Name == b.Name || a.Name == shared || a.Cookie != 0 || b.Cookie != 0 ||
		calls(plan.Spec.Programs[a.Name].Instructions, asm.FnGetAttachCookie) {
		t.Errorf("a probe using args shares its program: %s %d, %s %d", a.Name, a.Cookie, b.Name, b.Cookie)
	}
	var b strings.Builder
	plan.Dump(&b)
	dump := b.String()
	if n := strings.Count(dump, "(tracepoint:"); n != 3 {
		t.Errorf("-d asm shows %d programs, want 3:\n%s", n, dump)
	}
	if !strings.Contains(dump, "p0_sys_enter (tracepoint:raw_syscalls:sys_enter, TracePoint): ") ||
		!strings.Contains(dump, "; one program for 3 attach points, tracepoint:raw_syscalls:sys_enter to tracepoint:sched:sched_process_exec, each attached with its index as attach cookie (probe reads its name by it)\n") {
		t.Errorf("-d asm does not explain the shared program:\n%s", dump)
	}
}

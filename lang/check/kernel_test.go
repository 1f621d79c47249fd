package check

import (
	"fmt"
	"path"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/parser"
)

// kernelEnv adds BTF and kallsyms answers to the tracepoint test env, and
// counts the BTF questions.
type kernelEnv struct {
	fakeEnv
	funcCalls *int
}

func (e kernelEnv) KernelFunc(module, name string) (*lang.Type, *lang.Type, error) {
	*e.funcCalls++
	if name != "vfs_read" {
		return nil, nil, fmt.Errorf("function %s not found in kernel BTF", name)
	}
	return &lang.Type{Kind: lang.KStruct, Name: "struct vfs_read_args", Size: 32, Fields: []*lang.Field{
		{Name: "file", Offset: 0, Type: &lang.Type{Kind: lang.KPtr, Size: 8, Elem: &lang.Type{Kind: lang.KStruct, Name: "struct file"}}},
		{Name: "buf", Offset: 8, Type: &lang.Type{Kind: lang.KPtr, Size: 8, Elem: lang.TInt8}},
		{Name: "count", Offset: 16, Type: lang.TUint64},
		{Name: "pos", Offset: 24, Type: &lang.Type{Kind: lang.KPtr, Size: 8, Elem: lang.TInt64}},
	}}, lang.TInt64, nil
}

func (e kernelEnv) RawTracepointArgs(module, event string) (*lang.Type, error) {
	*e.funcCalls++
	if event != "sys_enter" {
		return nil, fmt.Errorf("raw tracepoint %s not found in kernel BTF", event)
	}
	return &lang.Type{Kind: lang.KStruct, Name: "struct sys_enter_args", Size: 16, Fields: []*lang.Field{
		{Name: "regs", Offset: 0, Type: lang.TUint64},
		{Name: "id", Offset: 8, Type: lang.TInt64},
	}}, nil
}

func (kernelEnv) MatchKernel(kind lang.KernelSymbolKind, module, pattern string) ([]string, error) {
	names := map[lang.KernelSymbolKind][]string{
		lang.KernelFunc:          {"vfs_read", "vfs_readlink", "vfs_readv", "vfs_write"},
		lang.KernelRawTracepoint: {"sched_switch", "sched_wakeup", "sys_enter"},
	}[kind]
	if kind == lang.KernelRawTracepoint && module != "" && module != "vmlinux" {
		// A module's BTF describes its own raw tracepoints.
		names = map[string][]string{"ext4": {"ext4_sync_file_enter", "sched_wakeup"}, "xfs": {"sched_wakeup"}}[module]
	}
	var out []string
	for _, n := range names {
		if ok, _ := path.Match(pattern, n); ok {
			out = append(out, n)
		}
	}
	return out, nil
}

func (kernelEnv) MatchKernelModules(pattern string) ([]string, error) {
	var out []string
	for _, m := range []string{"vmlinux", "ext4", "xfs"} {
		if ok, _ := path.Match(pattern, m); ok {
			out = append(out, m)
		}
	}
	return out, nil
}

func (kernelEnv) KernelSymbol(name string) (uint64, error) {
	if name == "vfs_read" {
		return 0xffffffff81234560, nil
	}
	return 0, fmt.Errorf("kernel symbol %s not found", name)
}

func runKernel(t *testing.T, src string) (*lang.Checked, int, error) {
	t.Helper()
	prog, err := parser.Parse("stdin", src)
	if err != nil {
		t.Fatalf("parse %q: %v", src, err)
	}
	calls := 0
	out, err := Check(prog, "stdin", src, kernelEnv{testEnv, &calls}, Options{})
	return out, calls, err
}

func TestKernelAttach(t *testing.T) {
	tests := []struct{ src, want string }{
		{`kprobe:vfs_read, k:vfs_read+0x10, kprobe:ext4:ext4_file_open {}`, `
			kprobe kprobe:vfs_read func=vfs_read
			kprobe kprobe:vfs_read+0x10 func=vfs_read off=16
			kprobe kprobe:ext4:ext4_file_open func=ext4_file_open mod=ext4`},
		{`kretprobe:vfs_read, kr:ext4:ext4_file_open {}`, `
			kretprobe kretprobe:vfs_read func=vfs_read
			kretprobe kretprobe:ext4:ext4_file_open func=ext4_file_open mod=ext4`},
		{`fentry:vfs_read, kfunc:vfs_read, f:ext4:ext4_file_open, fexit:vfs_read, kretfunc:vfs_read, fr:vfs_read {}`, `
			fentry fentry:vfs_read func=vfs_read
			fentry fentry:vfs_read func=vfs_read
			fentry fentry:ext4:ext4_file_open func=ext4_file_open mod=ext4
			fexit fexit:vfs_read func=vfs_read
			fexit fexit:vfs_read func=vfs_read
			fexit fexit:vfs_read func=vfs_read`},
		// Without a module, a raw tracepoint is looked for in vmlinux and
		// in every module with BTF, as bpftrace does (rawtracepoint:*:EVENT).
		{`rawtracepoint:sys_enter, rt:vmlinux:sched_switch, rt:ext4_sync_file_enter {}`, `
			rawtracepoint rawtracepoint:vmlinux:sys_enter event=sys_enter mod=vmlinux
			rawtracepoint rawtracepoint:vmlinux:sched_switch event=sched_switch mod=vmlinux
			rawtracepoint rawtracepoint:ext4:ext4_sync_file_enter event=ext4_sync_file_enter mod=ext4`},
		// Wildcards expand through the Env (kernel BTF), sorted.
		{`kprobe:vfs_rea*, kretfunc:vfs_w* {}`, `
			kprobe kprobe:vfs_read func=vfs_read
			kprobe kprobe:vfs_readlink func=vfs_readlink
			kprobe kprobe:vfs_readv func=vfs_readv
			fexit fexit:vfs_write func=vfs_write`},
		{`rawtracepoint:sched_* {}`, `
			rawtracepoint rawtracepoint:vmlinux:sched_switch event=sched_switch mod=vmlinux
			rawtracepoint rawtracepoint:vmlinux:sched_wakeup event=sched_wakeup mod=vmlinux
			rawtracepoint rawtracepoint:ext4:sched_wakeup event=sched_wakeup mod=ext4
			rawtracepoint rawtracepoint:xfs:sched_wakeup event=sched_wakeup mod=xfs`},
		// A wildcard module expands to the modules with BTF, vmlinux first.
		{`rawtracepoint:vmlinu*:sys_enter, rt:*:sched_w* {}`, `
			rawtracepoint rawtracepoint:vmlinux:sys_enter event=sys_enter mod=vmlinux
			rawtracepoint rawtracepoint:vmlinux:sched_wakeup event=sched_wakeup mod=vmlinux
			rawtracepoint rawtracepoint:ext4:sched_wakeup event=sched_wakeup mod=ext4
			rawtracepoint rawtracepoint:xfs:sched_wakeup event=sched_wakeup mod=xfs`},
		{`kprobe:x*:vfs_read, fentry:e?t4:vfs_w* {}`, `
			kprobe kprobe:xfs:vfs_read func=vfs_read mod=xfs
			fentry fentry:ext4:vfs_write func=vfs_write mod=ext4`},
		{`software:faults, s:cpu-clock:1000, software:cs:1, hardware:cycles, h:branch-misses:5 {}`, `
			software software:faults perf=2/100
			software software:cpu-clock:1000 perf=0/1000
			software software:cs:1 perf=3/1
			hardware hardware:cycles perf=0/1000000
			hardware hardware:branch-misses:5 perf=5/5`},
	}
	for _, tc := range tests {
		out, calls, err := runKernel(t, tc.src)
		if err != nil {
			t.Fatalf("%s: %v", tc.src, err)
		}
		if calls != 0 {
			t.Errorf("%s: %d BTF lookups for a probe that uses neither args nor retval", tc.src, calls)
		}
		var b strings.Builder
		for _, p := range out.Probes {
			for _, a := range p.Attach {
				fmt.Fprintf(&b, "%s %s", a.Provider, a.Name)
				if a.Func != "" {
					fmt.Fprintf(&b, " func=%s", a.Func)
				}
				if a.Event != "" {
					fmt.Fprintf(&b, " event=%s", a.Event)
				}
				if a.Offset != 0 {
					fmt.Fprintf(&b, " off=%d", a.Offset)
				}
				if a.Module != "" {
					fmt.Fprintf(&b, " mod=%s", a.Module)
				}
				if a.PerfCount != 0 {
					fmt.Fprintf(&b, " perf=%d/%d", a.PerfConfig, a.PerfCount)
				}
				b.WriteByte('\n')
			}
		}
		want := ""
		for _, l := range strings.Split(strings.TrimSpace(tc.want), "\n") {
			want += strings.TrimSpace(l) + "\n"
		}
		if b.String() != want {
			t.Errorf("%s:\n%s\nwant:\n%s", tc.src, b.String(), want)
		}
	}
}

func TestKernelBuiltinTypes(t *testing.T) {
	typeOf := func(src string) (*lang.Type, int) {
		t.Helper()
		out, calls, err := runKernel(t, src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		for _, m := range out.Maps {
			if m.Name == "@x" {
				return m.Value, calls
			}
		}
		t.Fatalf("%s: no @x", src)
		return nil, 0
	}
	for _, c := range []struct{ src, want string }{
		{`fentry:vfs_read { @x = args.count; }`, "uint64"},
		{`fentry:vfs_read { @x = args.buf; }`, "int8 *"},
		{`fexit:vfs_read { @x = retval; }`, "int64"},
		{`kretprobe:vfs_read { @x = retval; }`, "uint64"},
		{`kprobe:vfs_read { @x = arg5; }`, "uint64"},
		{`rawtracepoint:sys_enter { @x = arg1; }`, "uint64"},
		{`rawtracepoint:sys_enter { @x = args.id; }`, "int64"},
		{`kprobe:vfs_read, kretprobe:ext4_file_open { @x = func; }`, "string[15]"},
		{`kprobe:vfs_read { @x = kaddr("vfs_read"); }`, "uint64"},
		{`profile:hz:99 { @x = reg("ip"); }`, "uint64"},
		{`kprobe:vfs_read { @x = ksym(reg("ip")); }`, "ksym_t"},
	} {
		got, _ := typeOf(c.src)
		if got.String() != c.want {
			t.Errorf("%s: @x is %s, want %s", c.src, got, c.want)
		}
	}
	if _, calls := typeOf(`fentry:vfs_read { @x = args.count; @y = args.pos; }`); calls != 1 {
		t.Errorf("vfs_read's prototype was looked up %d times, want once", calls)
	}
	out, _, err := runKernel(t, `BEGIN { @x = kaddr("vfs_read"); }`)
	if err != nil || out.KAddrs["vfs_read"] != 0xffffffff81234560 {
		t.Errorf("KAddrs %v, %v", out.KAddrs, err)
	}
}

func TestKernelDiagnostics(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{`kretprobe:vfs_read+4 {}`, "kretprobe probes can not have an offset: kretprobe:vfs_read+4"},
		{`kprobe:vfs_*+4 {}`, "a kprobe with an offset can not have wildcards: kprobe:vfs_*+4"},
		{`kprobe:a:b:c {}`, "kprobe probe type requires 1 or 2 arguments"},
		{`kprobe:vfs_read+x {}`, "invalid offset 'x' in kprobe:vfs_read+x"},
		{`software:nope {}`, "software:nope is not a software event"},
		{`hardware:cycles:0 {}`, "hardware probe needs a positive integer count, not '0'"},
		{`fentry:nope { @ = args.x; }`, "function nope not found in kernel BTF"},
		{`fexit:nope { @ = retval; }`, "function nope not found in kernel BTF"},
		{`fentry:vfs_read { @ = args.nope; }`, "does not contain a field named 'nope'"},
		{`rawtracepoint:vmlinux:nope { @ = args.id; }`, "raw tracepoint nope not found in kernel BTF"},
		{`fentry:vfs_read { @ = arg0; }`, "The arg0 builtin can only be used with"},
		{`kprobe:vfs_read { @ = retval; }`, "The retval builtin can only be used with"},
		{`BEGIN { @ = kaddr("nope"); }`, "Failed to resolve kernel symbol: nope"},
		{`tracepoint:syscalls:sys_enter_openat { @ = reg("ip"); }`, `reg() can not be used with "tracepoint" probes`},
		{`profile:hz:99 { @ = reg("rip"); }`, `stdin:1:25-30: ERROR: unknown register "rip"`},
		{`profile:hz:99 { @ = reg("spp"); }`, `HINT: did you mean "sp"? reg() takes an x86-64 pt_regs member: r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss`},
	} {
		_, _, err := runKernel(t, c.src)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v\nwant: %s", c.src, err, c.want)
		}
	}
}

func TestStackModeConfig(t *testing.T) {
	for _, c := range []struct {
		src  string
		env  map[string]string
		want string
	}{
		{`BEGIN { @x = kstack; }`, nil, "bpftrace"},
		{`config = { stack_mode = perf } BEGIN { @x = kstack; }`, nil, "perf"},
		{`config = { stack_mode = perf } BEGIN { @x = ustack(raw); }`, nil, "raw"},
		{`BEGIN { @x = kstack(3); }`, map[string]string{"BPFTRACE_STACK_MODE": "raw"}, "raw"},
		{`BEGIN { @x = ustack(build_id, 3); }`, nil, "build_id"},
		{`config = { stack_mode = build_id } BEGIN { @x = ustack; }`, nil, "build_id"},
		{`config = { stack_mode = build_id } BEGIN { @x = ustack(5); }`, nil, "build_id"},
		{`BEGIN { @x = ustack(); }`, map[string]string{"BPFTRACE_STACK_MODE": "build_id"}, "build_id"},
		{`config = { stack_mode = build_id } BEGIN { @x = ustack(perf); }`, nil, "perf"},
		// The kernel records build ids of user frames only: a bare kstack
		// is raw, with a warning (TestStackBuildIDKernel).
		{`config = { stack_mode = build_id } BEGIN { @x = kstack; }`, nil, "raw"},
		{`config = { stack_mode = build_id } BEGIN { @x = kstack(perf); }`, nil, "perf"},
	} {
		prog, err := parser.Parse("stdin", c.src)
		if err != nil {
			t.Fatal(err)
		}
		out, err := Check(prog, "stdin", c.src, testEnv, Options{Env: c.env})
		if err != nil {
			t.Fatalf("%s: %v", c.src, err)
		}
		if got := out.Maps[0].Value.StackMode; got != c.want {
			t.Errorf("%s %v: mode %s, want %s", c.src, c.env, got, c.want)
		}
	}
}

// A kernel stack in build_id mode: bpftrace v0.26 falls back to raw with a
// warning for a bare kstack in the config's mode, and refuses a kstack()
// call in that mode, given or from the config.
func TestStackBuildIDKernel(t *testing.T) {
	src := `config = { stack_mode = build_id } BEGIN { @x = kstack; }`
	prog, err := parser.Parse("stdin", src)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Check(prog, "stdin", src, testEnv, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := "'build_id' stack mode can only be used for ustack. Falling back to 'raw' mode."
	if len(out.Warnings) != 1 || out.Warnings[0].Msg != want || out.Warnings[0].Span.Start.Col != strings.Index(src, "kstack")+1 {
		t.Errorf("warnings %+v, want %q at kstack", out.Warnings, want)
	}
	for _, c := range []struct {
		src string
		env map[string]string
	}{
		{`BEGIN { @x = kstack(build_id, 5); }`, nil},
		{`config = { stack_mode = build_id } BEGIN { @x = kstack(5); }`, nil},
		{`BEGIN { @x = kstack(); }`, map[string]string{"BPFTRACE_STACK_MODE": "build_id"}},
	} {
		prog, err := parser.Parse("stdin", c.src)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Check(prog, "stdin", c.src, testEnv, Options{Env: c.env})
		start := strings.Index(c.src, "kstack(")
		end := strings.Index(c.src[start:], ")") + start + 1
		want := fmt.Sprintf("stdin:1:%d-%d: ERROR: 'build_id' stack mode can only be used for ustack\n%s\n%s%s\nHINT: the kernel records build ids of user frames only: use ustack(build_id), or kstack(raw) for kernel addresses\n",
			start+1, end+1, c.src, strings.Repeat(" ", start), strings.Repeat("~", end-start))
		if err == nil || strings.TrimSpace(err.Error()) != strings.TrimSpace(want) {
			t.Errorf("%s: %q\nwant %q", c.src, err, want)
		}
	}
}

// An invalid stack_mode lists the valid ones, build_id among them.
func TestStackModeConfigInvalid(t *testing.T) {
	src := `config = { stack_mode = fast } BEGIN { }`
	prog, err := parser.Parse("stdin", src)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Check(prog, "stdin", src, testEnv, Options{})
	if err == nil || !strings.Contains(err.Error(), "ERROR: Invalid value for stack_mode: valid values are bpftrace, raw, perf and build_id.") {
		t.Errorf("stack_mode = fast: %v", err)
	}
	_, err = Check(prog, "stdin", `BEGIN { }`, testEnv, Options{Env: map[string]string{"BPFTRACE_STACK_MODE": "fast"}})
	if err == nil || !strings.Contains(err.Error(), "ERROR: Invalid value for BPFTRACE_STACK_MODE: valid values are bpftrace, raw, perf and build_id.") {
		t.Errorf("BPFTRACE_STACK_MODE=fast: %v", err)
	}
}

// A raw tracepoint, kprobe or fentry wildcard (or a raw tracepoint named
// without its module) that matches nothing is dropped, as bpftrace drops
// it: a probe left without attach points is dropped, and the runtime stops
// a script left without probes with "No probes to attach".
func TestKernelExpansionMatchingNothing(t *testing.T) {
	out, _, err := runKernel(t, `rawtracepoint:nonsense, kprobe:nope_*, fentry:*:nope, rt:sys_enter { @ = count(); }`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range out.Probes[0].Attach {
		names = append(names, r.Name)
	}
	if got := strings.Join(names, ","); got != "rawtracepoint:vmlinux:sys_enter" {
		t.Errorf("attach points %s, want rawtracepoint:vmlinux:sys_enter alone", got)
	}
	out, _, err = runKernel(t, `rawtracepoint:nonsense { @ = count(); }`)
	if err != nil || len(out.Probes) != 0 || len(out.Warnings) != 0 {
		t.Errorf("rawtracepoint:nonsense: %v, %+v", err, out)
	}
}

package codegen

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/check"
	"github.com/gobpftrace/gobpftrace/lang/parser"
)

// btfEnv adds what BTF and kallsyms would say to fakeEnv: vfs_read's
// prototype, ssize_t vfs_read(struct file *file, char *buf, size_t count,
// loff_t *pos), and one kernel symbol.
type btfEnv struct{ fakeEnv }

func (btfEnv) KernelFunc(module, name string) (*lang.Type, *lang.Type, error) {
	if name != "vfs_read" || module != "" {
		return nil, nil, fmt.Errorf("function %s not found in kernel BTF", name)
	}
	ptr := func(elem *lang.Type) *lang.Type { return &lang.Type{Kind: lang.KPtr, Size: 8, Elem: elem} }
	args := &lang.Type{Kind: lang.KStruct, Name: "struct vfs_read_args", Size: 32, Fields: []*lang.Field{
		{Name: "file", Offset: 0, Type: ptr(&lang.Type{Kind: lang.KStruct, Name: "struct file", Size: 200})},
		{Name: "buf", Offset: 8, Type: ptr(lang.TInt8)},
		{Name: "count", Offset: 16, Type: lang.TUint64},
		{Name: "pos", Offset: 24, Type: ptr(lang.TInt64)},
	}}
	return args, lang.TInt64, nil
}

func (btfEnv) RawTracepointArgs(module, event string) (*lang.Type, error) {
	if event != "sys_enter" {
		return nil, fmt.Errorf("raw tracepoint %s not found in kernel BTF", event)
	}
	return &lang.Type{Kind: lang.KStruct, Name: "struct sys_enter_args", Size: 16, Fields: []*lang.Field{
		{Name: "regs", Offset: 0, Type: &lang.Type{Kind: lang.KPtr, Size: 8, Elem: &lang.Type{Kind: lang.KStruct, Name: "struct pt_regs", Size: 168}}},
		{Name: "id", Offset: 8, Type: lang.TInt64},
	}}, nil
}

func (btfEnv) KernelSymbol(name string) (uint64, error) {
	if name == "vfs_read" {
		return 0xffffffff81234560, nil
	}
	return 0, fmt.Errorf("kernel symbol %s not found", name)
}

// KernelPercpuVar knows one per-CPU variable, runqueues, by a BTF id.
func (btfEnv) KernelPercpuVar(name string) (uint32, error) {
	if name == "runqueues" {
		return 10659, nil
	}
	return 0, fmt.Errorf("kernel BTF has no per-CPU variable %s", name)
}

func compileKernel(t *testing.T, src string) *Plan {
	t.Helper()
	return compileKernelOpts(t, src, check.Options{})
}

// compileKernelUnsafe compiles as --unsafe does.
func compileKernelUnsafe(t *testing.T, src string) *Plan {
	t.Helper()
	return compileKernelOpts(t, src, check.Options{Unsafe: true})
}

func compileKernelOpts(t *testing.T, src string, opts check.Options) *Plan {
	t.Helper()
	prog, err := parser.Parse("test.bt", src)
	if err != nil {
		t.Fatal(err)
	}
	checked, err := check.Check(prog, "test.bt", src, btfEnv{}, opts)
	if err != nil {
		t.Fatalf("check %q: %v", src, err)
	}
	plan, err := Compile(checked)
	if err != nil {
		t.Fatalf("compile %q: %v", src, err)
	}
	return plan
}

// sameInsns compares opcodes, registers, offsets, constants and map
// references.
func sameInsns(t *testing.T, what string, got, want asm.Instructions) {
	t.Helper()
	ok := len(got) == len(want)
	for i := 0; ok && i < len(got); i++ {
		g, w := got[i], want[i]
		ok = g.OpCode == w.OpCode && g.Dst == w.Dst && g.Src == w.Src && g.Offset == w.Offset &&
			g.Constant == w.Constant && (!w.IsLoadFromMap() || g.Reference() == w.Reference())
	}
	if !ok {
		t.Errorf("%s: instructions\n%v\nwant\n%v", what, got, want)
	}
}

func onlyProgram(t *testing.T, plan *Plan) *ebpf.ProgramSpec {
	t.Helper()
	if len(plan.Programs) != 1 {
		t.Fatalf("%d programs", len(plan.Programs))
	}
	return plan.Spec.Programs[plan.Programs[0].Name]
}

// A variable assigned from one value: the value's instructions, then the
// store to the variable's slot and `return 0`.
// A context read before any call reads R1 directly (the context is saved
// in R6 only when a read comes after R1 changes).
func storeTo(load ...asm.Instruction) asm.Instructions {
	var out asm.Instructions
	for _, in := range load {
		if in.Src == asm.R6 {
			in.Src = asm.R1
		}
		out = append(out, in)
	}
	return append(out,
		asm.StoreMem(asm.RFP, -8, asm.R7, asm.DWord),
		asm.Mov.Imm(asm.R0, 0),
		asm.Return(),
	)
}

func TestKprobeArgs(t *testing.T) {
	for n, off := range []int16{112, 104, 96, 88, 72, 64} { // di si dx cx r8 r9
		src := fmt.Sprintf("kprobe:vfs_read { $x = arg%d; }", n)
		spec := onlyProgram(t, compileKernel(t, src))
		if spec.Type != ebpf.Kprobe || spec.AttachTo != "vfs_read" {
			t.Errorf("%s: type %v attach to %q", src, spec.Type, spec.AttachTo)
		}
		sameInsns(t, src, spec.Instructions, storeTo(asm.LoadMem(asm.R7, asm.R6, off, asm.DWord)))
	}
	// Offset and module: the program still attaches to the function; the
	// offset and module travel in the attach point.
	plan := compileKernel(t, "kprobe:vfs_read+16 { $x = arg0; } kprobe:ext4:ext4_file_open { $y = arg1; }")
	for i, want := range []struct {
		fn, mod string
		off     uint64
	}{{"vfs_read", "", 16}, {"ext4_file_open", "ext4", 0}} {
		p := plan.Programs[i]
		if p.Attach.Func != want.fn || p.Attach.Module != want.mod || p.Attach.Offset != want.off || plan.Spec.Programs[p.Name].AttachTo != want.fn {
			t.Errorf("program %d: %+v", i, p.Attach)
		}
	}
}

func TestKretprobeRetval(t *testing.T) {
	spec := onlyProgram(t, compileKernel(t, "kretprobe:vfs_read { $x = retval; }"))
	if spec.Type != ebpf.Kprobe || spec.AttachTo != "vfs_read" {
		t.Errorf("type %v attach to %q", spec.Type, spec.AttachTo)
	}
	sameInsns(t, "retval", spec.Instructions, storeTo(asm.LoadMem(asm.R7, asm.R6, 80, asm.DWord)))
}

func TestKprobeFuncAndReg(t *testing.T) {
	spec := onlyProgram(t, compileKernel(t, `kprobe:vfs_read { $x = reg("ip"); }`))
	sameInsns(t, "reg", spec.Instructions, storeTo(asm.LoadMem(asm.R7, asm.R6, 128, asm.DWord)))
	// func is the function's name, a constant string.
	spec = onlyProgram(t, compileKernel(t, `kretprobe:vfs_read { $f = func; }`))
	sameInsns(t, "func", spec.Instructions, asm.Instructions{
		asm.LoadImm(asm.R0, 0x646165725f736676, asm.DWord), // "vfs_read"
		asm.StoreMem(asm.RFP, -16, asm.R0, asm.DWord),
		asm.StoreImm(asm.RFP, -8, 0, asm.Byte),
		asm.Mov.Imm(asm.R0, 0),
		asm.Return(),
	})
}

func TestFentryArgs(t *testing.T) {
	spec := onlyProgram(t, compileKernel(t, "fentry:vfs_read { $x = args.count; }"))
	if spec.Type != ebpf.Tracing || spec.AttachType != ebpf.AttachTraceFEntry || spec.AttachTo != "vfs_read" {
		t.Errorf("type %v attach type %v to %q", spec.Type, spec.AttachType, spec.AttachTo)
	}
	sameInsns(t, "args.count", spec.Instructions, storeTo(asm.LoadMem(asm.R7, asm.R6, 16, asm.DWord)))
	// kfunc is fentry's old name; a pointer argument is 8 bytes at its slot.
	spec = onlyProgram(t, compileKernel(t, "kfunc:vfs_read { $p = args.buf; }"))
	sameInsns(t, "args.buf", spec.Instructions, storeTo(asm.LoadMem(asm.R7, asm.R6, 8, asm.DWord)))
}

func TestFexitRetval(t *testing.T) {
	plan := compileKernel(t, "fexit:vfs_read { $x = retval; }")
	spec := onlyProgram(t, plan)
	if spec.Type != ebpf.Tracing || spec.AttachType != ebpf.AttachTraceFExit || spec.AttachTo != "vfs_read" {
		t.Errorf("type %v attach type %v to %q", spec.Type, spec.AttachType, spec.AttachTo)
	}
	// Four arguments: retval is the fifth u64 of the context.
	sameInsns(t, "retval", spec.Instructions, storeTo(asm.LoadMem(asm.R7, asm.R6, 32, asm.DWord)))
	if rt := plan.Programs[0].Attach.Ret; rt == nil || !rt.Equal(lang.TInt64) {
		t.Errorf("retval type %v, want int64 (ssize_t)", rt)
	}
	if _, err := tryCompileKernel("fexit:no_such_fn { $x = retval; }"); err == nil {
		t.Errorf("fexit of an unknown function compiled")
	}
}

func tryCompileKernel(src string) (*Plan, error) {
	prog, err := parser.Parse("test.bt", src)
	if err != nil {
		return nil, err
	}
	checked, err := check.Check(prog, "test.bt", src, btfEnv{}, check.Options{})
	if err != nil {
		return nil, err
	}
	return Compile(checked)
}

func TestRawTracepointArgs(t *testing.T) {
	spec := onlyProgram(t, compileKernel(t, "rawtracepoint:sys_enter { $x = arg1; }"))
	if spec.Type != ebpf.RawTracepoint || spec.AttachTo != "sys_enter" {
		t.Errorf("type %v attach to %q", spec.Type, spec.AttachTo)
	}
	sameInsns(t, "arg1", spec.Instructions, storeTo(asm.LoadMem(asm.R7, asm.R6, 8, asm.DWord)))
	// args from BTF: the same slot, by name.
	spec = onlyProgram(t, compileKernel(t, "rawtracepoint:sys_enter { $x = args.id; }"))
	sameInsns(t, "args.id", spec.Instructions, storeTo(asm.LoadMem(asm.R7, asm.R6, 8, asm.DWord)))
	if _, err := tryCompileKernel("rawtracepoint:nope { $x = args.id; }"); err == nil || !strings.Contains(err.Error(), "raw tracepoint nope not found in kernel BTF") {
		t.Errorf("args of an unknown raw tracepoint: %v", err)
	}
}

func TestPerfEventPrograms(t *testing.T) {
	for _, c := range []struct {
		src           string
		config, count uint64
	}{
		{"hardware:cache-misses:1000 { $x = cpu; }", 3, 1000},
		{"hardware:cycles { $x = cpu; }", 0, 1000000},
		{"h:branches { $x = cpu; }", 4, 100000},
		{"software:faults { $x = cpu; }", 2, 100},
		{"software:cpu-clock:5000 { $x = cpu; }", 0, 5000},
	} {
		plan := compileKernel(t, c.src)
		spec := onlyProgram(t, plan)
		a := plan.Programs[0].Attach
		if spec.Type != ebpf.PerfEvent || a.PerfConfig != c.config || a.PerfCount != c.count {
			t.Errorf("%s: type %v config %d count %d", c.src, spec.Type, a.PerfConfig, a.PerfCount)
		}
		sameInsns(t, c.src, spec.Instructions, asm.Instructions{
			asm.FnGetSmpProcessorId.Call(),
			asm.Mov.Reg32(asm.R0, asm.R0),
			asm.StoreMem(asm.RFP, -8, asm.R0, asm.DWord),
			asm.Mov.Imm(asm.R0, 0),
			asm.Return(),
		})
	}
}

func TestStacks(t *testing.T) {
	plan := compileKernel(t, "hardware:cycles { $k = kstack(3); $u = ustack(perf); }")
	spec := onlyProgram(t, plan)
	if plan.StackMaps[3] != "stack3" || plan.StackMaps[127] != "stack127" || len(plan.StackMaps) != 2 {
		t.Fatalf("stack maps %v", plan.StackMaps)
	}
	for limit, name := range plan.StackMaps {
		m := plan.Spec.Maps[name]
		if m.Type != ebpf.StackTrace || m.KeySize != 4 || m.ValueSize != uint32(8*limit) {
			t.Errorf("stack map %s: %+v", name, m)
		}
	}
	// A failure but EFAULT (no such stack here) is reported, with -k or
	// without: the helper-error record (event id, return code) in a slot
	// that is free again after it.
	report := func(event int32) asm.Instructions {
		return asm.Instructions{
			asm.JSGE.Imm(asm.R0, 0, "ok"),
			asm.JEq.Imm(asm.R0, -14, "ok"),
			asm.StoreMem(asm.RFP, -32, asm.R0, asm.DWord),
			{OpCode: asm.StoreImmOp(asm.DWord), Dst: asm.RFP, Offset: -40, Constant: int64(event)},
			asm.LoadMapPtr(asm.R1, 0).WithReference("events"),
			asm.Mov.Reg(asm.R2, asm.RFP),
			asm.Add.Imm(asm.R2, -40),
			asm.Mov.Imm(asm.R3, 16),
			asm.Mov.Imm(asm.R4, 0),
			asm.FnRingbufOutput.Call(),
			asm.JEq.Imm(asm.R0, 0, "sent"),
			asm.LoadMapValue(asm.R1, 0, 8).WithReference("drops"),
			asm.Mov.Imm(asm.R2, 1),
			asm.StoreXAdd(asm.R1, asm.R2, asm.DWord),
			asm.LoadMem(asm.R0, asm.RFP, -32, asm.DWord),
		}
	}
	// A stack not recorded (but for EFAULT) keeps the error in the lower
	// half of its value and its length, measured with bpf_get_stack into
	// the per-CPU buffer stacklen, in the upper half.
	length := func(off int16, size, flags int32) asm.Instructions {
		return asm.Instructions{
			asm.JSGE.Imm(asm.R0, 0, "done"),
			asm.JEq.Imm(asm.R0, -14, "done"),
			asm.LSh.Imm(asm.R0, 32),
			asm.RSh.Imm(asm.R0, 32),
			asm.StoreMem(asm.RFP, off, asm.R0, asm.DWord),
			asm.StoreImm(asm.RFP, -32, 0, asm.Word),
			asm.LoadMapPtr(asm.R1, 0).WithReference("stacklen"),
			asm.Mov.Reg(asm.R2, asm.RFP),
			asm.Add.Imm(asm.R2, -32),
			asm.FnMapLookupElem.Call(),
			asm.JEq.Imm(asm.R0, 0, "done"),
			asm.Mov.Reg(asm.R2, asm.R0),
			asm.Mov.Reg(asm.R1, asm.R6),
			asm.Mov.Imm(asm.R3, size),
			asm.Mov.Imm(asm.R4, flags),
			asm.FnGetStack.Call(),
			asm.JSLE.Imm(asm.R0, 0, "done"),
			asm.Div.Imm(asm.R0, 8),
			asm.StoreMem(asm.RFP, off+4, asm.R0, asm.Word),
		}
	}
	if m := plan.Spec.Maps["stacklen"]; m == nil || m.Type != ebpf.PerCPUArray || m.ValueSize != 32*127 || m.MaxEntries != 1 {
		t.Errorf("stacklen buffer %+v", m)
	}
	var want asm.Instructions
	want = append(want,
		asm.Mov.Reg(asm.R6, asm.R1),
		// $k: bpf_get_stackid(ctx, stack3, 0)
		asm.Mov.Reg(asm.R1, asm.R6),
		asm.LoadMapPtr(asm.R2, 0).WithReference("stack3"),
		asm.Mov.Imm(asm.R3, 0),
		asm.FnGetStackid.Call())
	want = append(want, report(0)...)
	want = append(want, asm.StoreMem(asm.RFP, -8, asm.R0, asm.DWord))
	want = append(want, length(-8, 24, 0)...)
	want = append(want,
		// $u: bpf_get_stackid(ctx, stack127, BPF_F_USER_STACK), then the pid.
		asm.Mov.Reg(asm.R1, asm.R6),
		asm.LoadMapPtr(asm.R2, 0).WithReference("stack127"),
		asm.Mov.Imm(asm.R3, 256),
		asm.FnGetStackid.Call())
	want = append(want, report(1)...)
	want = append(want, asm.StoreMem(asm.RFP, -24, asm.R0, asm.DWord))
	want = append(want, length(-24, 1016, 256)...)
	want = append(want,
		asm.FnGetCurrentPidTgid.Call(),
		asm.RSh.Imm(asm.R0, 32),
		asm.StoreMem(asm.RFP, -16, asm.R0, asm.DWord),
		asm.Mov.Imm(asm.R0, 0),
		asm.Return())
	sameInsns(t, "stacks", spec.Instructions, want)
}

func TestKaddr(t *testing.T) {
	spec := onlyProgram(t, compileKernel(t, `BEGIN { $a = kaddr("vfs_read"); }`))
	sameInsns(t, "kaddr", spec.Instructions, asm.Instructions{
		// 0xffffffff81234560 is a sign-extended 32-bit immediate,
		// stored as one.
		{OpCode: asm.StoreImmOp(asm.DWord), Dst: asm.RFP, Offset: -8, Constant: -0x7edcbaa0},
		asm.Mov.Imm(asm.R0, 0),
		asm.Return(),
	})
}

// percpu_kaddr(name) loads the variable by its BTF id (BPF_PSEUDO_BTF_ID,
// a ksym) into R1 and calls bpf_this_cpu_ptr; with a CPU, that CPU goes
// in R2 and bpf_per_cpu_ptr is called. The verifier of this machine's
// kernel cannot resolve per-CPU variables (no data symbols in kallsyms),
// so the program is checked here, at the instruction level.
func TestPercpuKaddr(t *testing.T) {
	spec := onlyProgram(t, compileKernel(t, `BEGIN { @a = percpu_kaddr("runqueues"); @b = percpu_kaddr("runqueues", 3); }`))
	var calls []asm.BuiltinFunc
	loads := 0
	for i, in := range spec.Instructions {
		if in.OpCode == asm.LoadImmOp(asm.DWord) && in.Src == asm.R3 {
			if in.Dst != asm.R1 || in.Constant != 10659 {
				t.Errorf("insn %d: ksym load %v, want r1 = BTF id 10659", i, in)
			}
			loads++
		}
		if in.IsBuiltinCall() {
			fn := asm.BuiltinFunc(in.Constant)
			if fn == asm.FnThisCpuPtr || fn == asm.FnPerCpuPtr {
				calls = append(calls, fn)
			}
			if fn == asm.FnPerCpuPtr {
				// The CPU is set in R2 after the previous call.
				setR2 := false
				for j := i - 1; j >= 0 && !spec.Instructions[j].IsBuiltinCall(); j-- {
					if in := spec.Instructions[j]; in.Dst == asm.R2 && in.OpCode.Class().IsALU() {
						setR2 = true
					}
				}
				if !setR2 {
					t.Errorf("bpf_per_cpu_ptr without a CPU in r2:\n%v", spec.Instructions)
				}
			}
		}
	}
	if loads != 2 || len(calls) != 2 || calls[0] != asm.FnThisCpuPtr || calls[1] != asm.FnPerCpuPtr {
		t.Errorf("%d ksym loads, calls %v; want 2 loads, this_cpu_ptr then per_cpu_ptr:\n%v", loads, calls, spec.Instructions)
	}
}

// -p PID: as in bpftrace, the probes that are not opened per process start
// with `if (pid != PID) return 0`; profile (opened for the process by the
// runtime) and BEGIN do not.
func TestPIDFilter(t *testing.T) {
	compile := func(src string) *Plan {
		t.Helper()
		prog, err := parser.Parse("test.bt", src)
		if err != nil {
			t.Fatal(err)
		}
		checked, err := check.Check(prog, "test.bt", src, btfEnv{}, check.Options{TargetPID: 4242})
		if err != nil {
			t.Fatal(err)
		}
		plan, err := Compile(checked)
		if err != nil {
			t.Fatal(err)
		}
		return plan
	}
	plan := compile(`kprobe:vfs_read, fentry:vfs_read, rawtracepoint:sys_enter { $x = 1; } profile:hz:99, BEGIN { $y = 1; }`)
	filter := asm.Instructions{
		asm.FnGetCurrentPidTgid.Call(),
		asm.RSh.Imm(asm.R0, 32),
		asm.JNE.Imm(asm.R0, 4242, "exit"),
	}
	for _, p := range plan.Programs {
		insns := plan.Spec.Programs[p.Name].Instructions
		filtered := len(insns) > 3 && insns[0].IsBuiltinCall() && insns[0].Constant == int64(asm.FnGetCurrentPidTgid)
		want := p.Attach.Provider == "kprobe" || p.Attach.Provider == "fentry" || p.Attach.Provider == "rawtracepoint"
		if filtered != want {
			t.Errorf("%s: filtered %v, want %v:\n%v", p.Attach.Name, filtered, want, insns)
			continue
		}
		if want {
			sameInsns(t, p.Attach.Name, insns[:3], filter)
			if exit := insns[len(insns)-2]; insns[2].Reference() == "" || insns[2].Reference() != exit.Symbol() || exit.Constant != 0 {
				t.Errorf("%s: the filter does not jump to `return 0`:\n%v", p.Attach.Name, insns)
			}
		}
	}
}

// path() and socket_cookie() are helpers the kernel gives to fentry/fexit
// programs only (which this kernel cannot load): checked at the
// instruction level, and refused with a positioned error elsewhere.
func TestPathAndSocketCookieInstructions(t *testing.T) {
	spec := onlyProgram(t, compileKernel(t, "fentry:vfs_read { @[path(args.file, 64)] = count(); @c = socket_cookie(args.file); }"))
	var calls []asm.BuiltinFunc
	sizeBeforeDPath := int64(-1)
	for i, ins := range spec.Instructions {
		if ins.IsBuiltinCall() {
			calls = append(calls, asm.BuiltinFunc(ins.Constant))
			if asm.BuiltinFunc(ins.Constant) == asm.FnDPath && i > 0 {
				if prev := spec.Instructions[i-1]; prev.Dst == asm.R3 {
					sizeBeforeDPath = prev.Constant
				}
			}
		}
	}
	has := func(f asm.BuiltinFunc) bool {
		for _, c := range calls {
			if c == f {
				return true
			}
		}
		return false
	}
	if !has(asm.FnDPath) || !has(asm.FnGetSocketCookie) {
		t.Errorf("calls %v, want bpf_d_path and bpf_get_socket_cookie", calls)
	}
	if sizeBeforeDPath != 64 {
		t.Errorf("bpf_d_path size %d, want 64", sizeBeforeDPath)
	}
	for src, want := range map[string]string{
		`tracepoint:raw_syscalls:sys_enter { $p = path(0); }`:          `path() can not be used with "tracepoint" probes`,
		`tracepoint:raw_syscalls:sys_enter { $c = socket_cookie(0); }`: `socket_cookie() can not be used with "tracepoint" probes`,
		`fentry:vfs_read { $c = socket_cookie(1); }`:                   `socket_cookie() expects a struct sock pointer (int8 provided)`,
		`fentry:vfs_read { $p = path(args.file, 0); }`:                 `path() size must be between 1 and max_strlen`,
	} {
		if _, err := tryCompileKernel(src); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", src, err, want)
		}
	}
}

// write_user() calls bpf_probe_write_user with the value's address and a
// length clamped to its size; it needs --unsafe.
func TestWriteUserInstructions(t *testing.T) {
	spec := onlyProgram(t, compileKernelUnsafe(t, `tracepoint:syscalls:sys_enter_openat { $p = "/tmp/x"; @ok = write_user(args.filename, $p, 7); }`))
	found := false
	for _, ins := range spec.Instructions {
		if ins.IsBuiltinCall() && asm.BuiltinFunc(ins.Constant) == asm.FnProbeWriteUser {
			found = true
		}
	}
	if !found {
		t.Errorf("no bpf_probe_write_user call:\n%v", spec.Instructions)
	}
	if _, err := tryCompileKernel(`tracepoint:syscalls:sys_enter_openat { $p = "x"; write_user(args.filename, $p, 2); }`); err == nil ||
		!strings.Contains(err.Error(), "write_user() is an unsafe function being used in safe mode") {
		t.Errorf("safe mode: %v", err)
	}
}

package codegen

import (
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/check"
	"github.com/gobpftrace/gobpftrace/lang/parser"
)

// userEnv adds a user-space program to the fake environment: /opt/app
// with functions f and g, and USDT probes with each kind of argument.
type userEnv struct{ fakeEnv }

func (userEnv) FindBinary(target string, pid int) (string, error) { return "/opt/app", nil }

func (userEnv) MatchFunctions(path, pattern string) ([]string, error) {
	switch pattern {
	case "*":
		return []string{"f", "g"}, nil
	case "f", "g":
		return []string{pattern}, nil
	}
	return nil, nil
}

func (userEnv) FileOffset(path string, addr uint64) (uint64, error) { return addr, nil }

var usdtArgs = []*lang.USDTArg{
	{Kind: lang.USDTReg, Size: 4, Signed: true, Reg: "rax"},                                   // -4@%eax
	{Kind: lang.USDTMem, Size: 8, Reg: "rbp", Value: -16},                                     // 8@-16(%rbp)
	{Kind: lang.USDTConst, Size: 4, Value: 5},                                                 // 4@$5
	{Kind: lang.USDTReg, Size: 8, Reg: "rdi"},                                                 // 8@%rdi
	{Kind: lang.USDTMem, Size: 2, Signed: true, Reg: "rax", Value: 8, Index: "rdx", Scale: 4}, // -2@8(%rax,%rdx,4)
}

func (userEnv) USDTProbes(path string) ([]*lang.USDTProbe, error) {
	return []*lang.USDTProbe{{Provider: "app", Name: "p", Address: 0x1000, FileOffset: 0x100, Semaphore: 0x2000, Args: usdtArgs}}, nil
}

func compileUser(t *testing.T, src string) *Plan {
	t.Helper()
	prog, err := parser.Parse("test.bt", src)
	if err != nil {
		t.Fatal(err)
	}
	checked, err := check.Check(prog, "test.bt", src, userEnv{}, check.Options{Command: true})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := Compile(checked)
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

// loadsFromCtx reports whether insns read a u64 at off of the saved ctx.
func loadsFromCtx(insns asm.Instructions, off int16) bool {
	for _, ins := range insns {
		if ins.OpCode == asm.LoadMemOp(asm.DWord) && (ins.Src == asm.R6 || ins.Src == asm.R1) && ins.Offset == off {
			return true
		}
	}
	return false
}

func calls(insns asm.Instructions, fn asm.BuiltinFunc) bool {
	for _, ins := range insns {
		if ins.IsBuiltinCall() && ins.Constant == int64(fn) {
			return true
		}
	}
	return false
}

func TestUprobePrograms(t *testing.T) {
	plan := compileUser(t, `uprobe:/opt/app:* { @[func] = count(); @a = sum(arg0 + arg1 + arg5); printf("%s\n", str(arg2)); }
uretprobe:/opt/app:f { @r = sum(retval); @c = sum(cpid); }
usdt:/opt/app:app:p { printf("%d %d %d %d %d\n", arg0, arg1, arg2, arg3, arg4); }`)
	if len(plan.Programs) != 3 {
		t.Fatalf("%d programs, want 3 (uprobe_multi f+g, uretprobe f, usdt)", len(plan.Programs))
	}
	multi := plan.Programs[0]
	if len(multi.Group) != 2 || multi.Group[0] != multi.Attach || multi.Group[1].Symbol != "g" {
		t.Errorf("wildcard group: %+v", multi.Group)
	}
	if at := plan.Spec.Programs[multi.Name].AttachType; at != ebpf.AttachTraceUprobeMulti {
		t.Errorf("wildcard attach type %v", at)
	}
	if !calls(plan.Spec.Programs[multi.Name].Instructions, asm.FnGetAttachCookie) {
		t.Error("wildcard: func is not looked up by cookie")
	}
	if names := plan.Spec.Maps["u0_func"]; names == nil || len(names.Contents) != 2 || string(names.Contents[1].Value.([]byte)[:2]) != "g\x00" {
		t.Errorf("wildcard: function names %+v", names)
	}
	if plan.Programs[1].Group != nil || plan.Programs[2].Group != nil {
		t.Error("a single function or a usdt probe is grouped")
	}
	for _, p := range plan.Programs {
		if typ := plan.Spec.Programs[p.Name].Type; typ != ebpf.Kprobe {
			t.Errorf("%s: program type %v, want Kprobe", p.Attach.Name, typ)
		}
	}
	up := plan.Spec.Programs[plan.Programs[0].Name].Instructions
	for _, off := range []int16{112, 104, 64} { // di, si, r9
		if !loadsFromCtx(up, off) {
			t.Errorf("uprobe: no read of pt_regs at %d", off)
		}
	}
	if !calls(up, asm.FnProbeReadUserStr) {
		t.Error("uprobe: str(arg2) does not read user memory")
	}
	ret := plan.Spec.Programs[plan.Programs[1].Name].Instructions
	if !loadsFromCtx(ret, 80) {
		t.Error("uretprobe: retval is not read from ax")
	}
	if plan.Globals == "" {
		t.Error("cpid did not declare the globals")
	}
	us := plan.Spec.Programs[plan.Programs[2].Name].Instructions
	for _, off := range []int16{80, 32, 112, 96} { // ax, bp, di, dx
		if !loadsFromCtx(us, off) {
			t.Errorf("usdt: no read of pt_regs at %d", off)
		}
	}
	if !calls(us, asm.FnProbeReadUser) {
		t.Error("usdt: memory arguments are not read from user memory")
	}
	var dump strings.Builder
	plan.Dump(&dump)
	if !strings.Contains(dump.String(), "ArSh") {
		t.Errorf("usdt: signed arguments are not sign-extended:\n%s", dump.String())
	}
	// The verifier accepts every program.
	load(t, plan)
}

func TestUprobeProgramNames(t *testing.T) {
	plan := compileUser(t, `uprobe:/opt/app:f {} usdt:/opt/app:p {}`)
	if got := plan.Programs[0].Name; got != "p0_f" {
		t.Errorf("uprobe program name %q", got)
	}
	if got := plan.Programs[1].Name; got != "p1_p" {
		t.Errorf("usdt program name %q", got)
	}
}

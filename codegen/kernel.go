package codegen

import (
	"fmt"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
	"github.com/gobpftrace/gobpftrace/stdlib/ptregs"
)

// argN emits argN: a register saved in pt_regs for kprobes and uprobes, a
// slot of the u64 argument array for raw tracepoints and fentry/fexit.
func (g *gen) argN(x *lang.Ident, n int) asm.Register {
	if g.res.Provider == probetype.USDT {
		if n >= len(g.res.USDTArgs) {
			failf(x.Span, "%s has only %d arguments", g.res.Name, len(g.res.USDTArgs))
		}
		return g.usdtArg(x, g.res.USDTArgs[n])
	}
	g.usesCtx = true
	r := g.allocReg()
	switch g.res.Provider {
	case probetype.Kprobe, probetype.Uprobe:
		off, ok := ptregs.Arg(n)
		if !ok {
			failf(x.Span, "%s is not in a register: only arg0 to arg%d can be read", x.Name, len(ptregs.ArgNames)-1)
		}
		g.emit(asm.LoadMem(r, regCtx, off, asm.DWord))
	case probetype.RawTracepoint, probetype.Fentry, probetype.Fexit:
		g.emit(asm.LoadMem(r, regCtx, int16(8*n), asm.DWord))
	default:
		failf(x.Span, "%s is not available in %s probes", x.Name, g.res.Provider)
	}
	return r
}

// retval emits the traced function's return value: pt_regs' ax for return
// probes, the slot after the arguments for fexit.
func (g *gen) retval(x *lang.Ident) asm.Register {
	g.usesCtx = true
	r := g.allocReg()
	switch g.res.Provider {
	case probetype.Kretprobe, probetype.Uretprobe:
		g.emit(asm.LoadMem(r, regCtx, ptregs.Offset("ax"), asm.DWord))
	case probetype.Fexit:
		if g.res.Args == nil {
			failf(x.Span, "retval of %s needs the function's BTF prototype, which is unknown", g.res.Name)
		}
		g.emit(asm.LoadMem(r, regCtx, int16(8*g.res.NumArgs), asm.DWord))
		g.normalize(r, x.Type())
	default:
		failf(x.Span, "retval is not available in %s probes", g.res.Provider)
	}
	return r
}

// reg emits reg("name"): the register saved in the probe's pt_regs (at the
// start of the context for kprobes and uprobes, and of struct
// bpf_perf_event_data for profile probes).
func (g *gen) reg(x *lang.Call, name string) asm.Register {
	pr, ok := ptregs.Lookup(name)
	if !ok {
		failf(x.Span, "unknown register %s", name)
	}
	off := pr.Offset
	switch g.res.Provider {
	case probetype.Kprobe, probetype.Kretprobe, probetype.Uprobe, probetype.Uretprobe, probetype.Profile:
	default:
		failf(x.Span, "reg() is not available in %s probes", g.res.Provider)
	}
	g.usesCtx = true
	r := g.allocReg()
	g.emit(asm.LoadMem(r, regCtx, off, asm.DWord))
	return r
}

// bpf_get_stackid flags.
const (
	stackUser = 1 << 8 // BPF_F_USER_STACK
)

// stackMap declares (once) the stack trace map for frame limit limit; with
// buildID, the one that records user frames as build ids and offsets.
func (cc *compiler) stackMap(limit int, buildID bool) string {
	maps, name, frame, flags := &cc.plan.StackMaps, fmt.Sprintf("stack%d", limit), uint32(8), uint32(0)
	if buildID {
		maps, name, frame, flags = &cc.plan.BuildIDStackMaps, fmt.Sprintf("stackbid%d", limit), buildIDFrameSize, stackBuildID
	}
	if name, ok := (*maps)[limit]; ok {
		return name
	}
	if *maps == nil {
		*maps = map[int]string{}
	}
	(*maps)[limit] = name
	cc.plan.Spec.Maps[name] = &ebpf.MapSpec{
		Name: name, Type: ebpf.StackTrace, KeySize: 4, Flags: flags,
		ValueSize: frame * uint32(limit), MaxEntries: cc.maxMapKeys(),
	}
	return name
}

// stackLength follows a bpf_get_stackid whose result is stored at dst:
// when the stack could not be recorded (any error but EFAULT, which means
// the probe has no such stack), the value keeps the error in its lower
// half and the stack's length in frames in its upper half, measured with
// bpf_get_stack into a per-CPU buffer, for the error that printing the
// stack gives (bpftrace v0.26's "failed to look up stack id: ID stack
// length: N"). A stack recorded costs nothing more.
func (g *gen) stackLength(dst loc, limit int, buildID bool, flags int32) {
	frame := 8
	if buildID {
		frame, flags = buildIDFrameSize, flags|userBuildID
	}
	done := g.newLabel("stacklen_done")
	// R0 is still get_stackid's result: a recorded stack jumps at once.
	g.emit(asm.JSGE.Imm(asm.R0, 0, done), asm.JEq.Imm(asm.R0, -efault, done))
	// The error in the lower half, no length yet.
	g.emit(asm.LSh.Imm(asm.R0, 32), asm.RSh.Imm(asm.R0, 32))
	g.store(dst, asm.R0, 8)
	m := g.mark()
	key := g.alloc(8)
	g.storeImm(key, 0, 4)
	g.mapPtr(asm.R1, g.cc.stackLengthBuffer())
	g.addr(asm.R2, key)
	g.call(asm.FnMapLookupElem)
	g.emit(asm.JEq.Imm(asm.R0, 0, done))
	g.emit(asm.Mov.Reg(asm.R2, asm.R0), asm.Mov.Reg(asm.R1, regCtx))
	g.emit(asm.Mov.Imm(asm.R3, int32(frame*limit)), asm.Mov.Imm(asm.R4, flags))
	g.call(asm.FnGetStack)
	g.emit(asm.JSLE.Imm(asm.R0, 0, done))
	// The length into the upper half (little-endian), with no register
	// taken from an expression that may hold them all.
	g.emit(asm.Div.Imm(asm.R0, int32(frame)))
	g.store(dst.at(4), asm.R0, 4)
	g.release(m)
	g.label(done)
}

// stackLengthBuffer declares (once) the per-CPU buffer stackLength
// measures a stack in, as large as the largest stack (127 build-id
// frames).
func (cc *compiler) stackLengthBuffer() string {
	const name = "stacklen"
	if _, ok := cc.plan.Spec.Maps[name]; !ok {
		cc.plan.Spec.Maps[name] = &ebpf.MapSpec{Name: name, Type: ebpf.PerCPUArray, KeySize: 4, ValueSize: buildIDFrameSize * 127, MaxEntries: 1}
	}
	return name
}

// userBuildID is BPF_F_USER_BUILD_ID: bpf_get_stack records user frames
// as build ids and offsets.
const userBuildID = 1 << 11

// BPF_F_STACK_BUILD_ID, and the size of the struct bpf_stack_build_id such
// a map records per frame.
const (
	stackBuildID     = 1 << 5
	buildIDFrameSize = 32
)

// evalKernelValue writes a kstack/ustack or usym() value at dst (see
// lang/layout.go for their layouts).
func (g *gen) evalKernelValue(e lang.Expr, t *lang.Type, dst loc) {
	if g.copyStoredValue(e, t, dst, g.evalKernelValue) {
		return
	}
	if t.Kind == lang.KSym {
		call, ok := e.(*lang.Call)
		if !ok || call.Name != "usym" || len(call.Args) != 1 {
			failf(e.Pos(), "this usym value is not supported yet")
		}
		r := g.evalInt(call.Args[0])
		g.store(dst, r, 8)
		g.freeReg(r)
		g.storePid(dst.at(8))
		return
	}
	g.stack(e, t, dst)
}

// storePid writes the current process id as a u64 at dst (the u32 pid and
// the zero padding after it).
func (g *gen) storePid(dst loc) {
	g.call(asm.FnGetCurrentPidTgid)
	g.emit(asm.RSh.Imm(asm.R0, 32))
	g.store(dst, asm.R0, 8)
}

// stack emits kstack/ustack: bpf_get_stackid(ctx, map, flags) into the
// stack map of the type's frame limit, then (ustack) the pid.
func (g *gen) stack(e lang.Expr, t *lang.Type, dst loc) {
	switch x := e.(type) {
	case *lang.Ident:
	case *lang.Call:
		if x.Name != "kstack" && x.Name != "ustack" {
			failf(e.Pos(), "this stack value is not supported yet")
		}
	default:
		failf(e.Pos(), "this stack value is not supported yet")
	}
	limit := t.StackLimit
	if limit <= 0 {
		limit = 127
	}
	name := g.cc.stackMap(limit, t.StackMode == "build_id")
	g.usesCtx = true
	g.emit(asm.Mov.Reg(asm.R1, regCtx))
	g.mapPtr(asm.R2, name)
	var flags int32
	if t.UserSpace {
		flags = stackUser
	}
	g.emit(asm.Mov.Imm(asm.R3, flags))
	g.call(asm.FnGetStackid)
	g.checkStackid(g.span)
	g.store(dst, asm.R0, 8)
	g.stackLength(dst, limit, t.StackMode == "build_id", flags)
	if t.UserSpace {
		g.storePid(dst.at(8))
	}
}

// usermode is 1 when the probe interrupted user-space code: the privilege
// level in the low bits of the saved cs is 3. Only probes whose context is
// the interrupted registers can tell; every other probe (tracepoints,
// BEGIN...) runs in the kernel on behalf of the task, where it is 0.
func (g *gen) usermode() asm.Register {
	r := g.allocReg()
	switch g.res.Provider {
	case probetype.Kprobe, probetype.Kretprobe, probetype.Uprobe, probetype.Uretprobe, probetype.Profile, probetype.USDT:
	case probetype.Begin, probetype.End:
		// They run on behalf of gobpftrace, a user process, as in
		// bpftrace (whose begin/end are probes of its own code).
		g.emit(asm.Mov.Imm(r, 1))
		return r
	default:
		g.emit(asm.Mov.Imm(r, 0))
		return r
	}
	g.usesCtx = true
	g.emit(asm.LoadMem(r, regCtx, ptregs.Offset("cs"), asm.DWord))
	g.emit(asm.And.Imm(r, 3))
	g.flagIf(r, asm.JEq, 3) // CPL 3: user mode
	return r
}

// flagIf sets r to 1 when `r op imm` holds, else to 0.
func (g *gen) flagIf(r asm.Register, op asm.JumpOp, imm int32) {
	yes, done := g.newLabel("flag"), g.newLabel("flagged")
	g.emit(op.Imm(r, imm, yes), asm.Mov.Imm(r, 0))
	g.jump(done)
	g.label(yes)
	g.emit(asm.Mov.Imm(r, 1))
	g.label(done)
}

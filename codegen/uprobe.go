package codegen

import (
	"fmt"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
	"github.com/gobpftrace/gobpftrace/stdlib/ptregs"
)

// User-space probes (uprobe, uretprobe, usdt) run as kprobe-type programs
// whose context is the user task's struct pt_regs (x86-64).

// userProbe reports whether the program runs in user context, where plain
// integer addresses (arg0, retval...) point to user memory.
func (g *gen) userProbe() bool { return g.res.Provider.UserSpace() }

// ptRegs reads a register of the probed task, named as USDT notes name it
// (rax, rdi, r8).
func (g *gen) ptRegs(x *lang.Ident, reg string) asm.Register {
	if !g.res.Provider.PtRegs() {
		failf(x.Span, "%s is not available in %s probes", x.Name, g.res.Provider)
	}
	pr, ok := ptregs.LookupAsm(reg)
	off := pr.Offset
	if !ok {
		failf(x.Span, "internal error: unknown register %s", reg)
	}
	g.usesCtx = true
	r := g.allocReg()
	g.emit(asm.LoadMem(r, regCtx, off, asm.DWord))
	return r
}

// usdtArg evaluates one USDT argument: a constant, a register, or a value
// in user memory at base + displacement (+ index*scale); then it is
// truncated or sign-extended to the note's size, as a u64/s64.
func (g *gen) usdtArg(x *lang.Ident, a *lang.USDTArg) asm.Register {
	if a.Size != 1 && a.Size != 2 && a.Size != 4 && a.Size != 8 {
		failf(x.Span, "usdt argument of %d bytes is not supported", a.Size)
	}
	switch a.Kind {
	case lang.USDTConst:
		r := g.allocReg()
		g.loadConst(r, a.Value)
		g.extend(r, a.Size, a.Signed)
		return r
	case lang.USDTReg:
		if a.Reg == "rip" {
			failf(x.Span, "usdt argument relative to %%rip is not supported yet")
		}
		r := g.ptRegs(x, a.Reg)
		g.extend(r, a.Size, a.Signed)
		return r
	case lang.USDTMem:
		// rip is the probe's address here, which only a displacement
		// resolved from a symbol (a.Symbol) is made relative to.
		if a.Reg == "rip" && a.Symbol == "" || a.Index == "rip" {
			failf(x.Span, "usdt argument relative to %%rip is not supported yet")
		}
		addr := g.ptRegs(x, a.Reg)
		if a.Value != 0 {
			g.addConst(addr, a.Value)
		}
		if a.Index != "" {
			ix := g.ptRegs(x, a.Index)
			if a.Scale > 1 {
				g.emit(asm.Mul.Imm(ix, int32(a.Scale)))
			}
			g.emit(asm.Add.Reg(addr, ix))
			g.freeReg(ix)
		}
		tmp := g.alloc(8)
		g.emit(asm.Mov.Imm(asm.R0, 0))
		g.store(tmp, asm.R0, 8)
		g.addr(asm.R1, tmp)
		g.emit(asm.Mov.Imm(asm.R2, int32(a.Size)))
		g.emit(asm.Mov.Reg(asm.R3, addr))
		g.call(asm.FnProbeReadUser)
		g.checkHelper(asm.FnProbeReadUser, g.span)
		g.load(addr, tmp, 8)
		g.extend(addr, a.Size, a.Signed)
		return addr
	}
	failf(x.Span, "internal error: unknown usdt argument kind")
	return 0
}

// addConst adds a 64-bit constant to r.
func (g *gen) addConst(r asm.Register, v int64) {
	if v >= -1<<31 && v < 1<<31 {
		g.emit(asm.Add.Imm(r, int32(v)))
		return
	}
	t := g.allocReg()
	g.loadConst(t, v)
	g.emit(asm.Add.Reg(r, t))
	g.freeReg(t)
}

// extend keeps the low size bytes of r, sign-extending them when signed.
func (g *gen) extend(r asm.Register, size int, signed bool) {
	if size == 8 {
		return
	}
	shift := int32(64 - 8*size)
	g.emit(asm.LSh.Imm(r, shift))
	if signed {
		g.emit(asm.ArSh.Imm(r, shift))
	} else {
		g.emit(asm.RSh.Imm(r, shift))
	}
}

// multiGroup returns the attach points at the start of list that one
// uprobe_multi program serves: the matches of one uprobe or uretprobe
// wildcard (function entries, no offsets). Fewer than two means none.
func multiGroup(list []*lang.Resolved) []*lang.Resolved {
	first := list[0]
	if (first.Provider != probetype.Uprobe && first.Provider != probetype.Uretprobe) || first.Symbol == "" || first.Offset != 0 ||
		first.Point == nil || len(first.Point.Parts) == 0 || !strings.ContainsAny(first.Point.Parts[len(first.Point.Parts)-1], "*?") {
		return nil
	}
	n := 1
	for n < len(list) {
		r := list[n]
		if r.Point != first.Point || r.Provider != first.Provider || r.Binary != first.Binary || r.Symbol == "" || r.Offset != 0 {
			break
		}
		n++
	}
	return list[:n]
}

// groupString writes the probe name or function name ("probe", "func") of
// the group member that fired: the uprobe_multi cookie indexes a read-only
// array of the names.
func (g *gen) groupString(what string, dst loc, size int) {
	name, valueSize := g.groupNames(what)
	g.usesCtx = true
	g.emit(asm.Mov.Reg(asm.R1, regCtx))
	g.call(asm.FnGetAttachCookie)
	key := g.alloc(8)
	g.store(key, asm.R0, 4)
	g.mapPtr(asm.R1, name)
	g.addr(asm.R2, key)
	g.call(asm.FnMapLookupElem)
	miss, end := g.newLabel("nameless"), g.newLabel("named")
	g.emit(asm.JEq.Imm(asm.R0, 0, miss))
	r := g.allocReg()
	g.emit(asm.Mov.Reg(r, asm.R0))
	g.copyString(dst, size, loc{base: r, off: 0}, valueSize)
	g.freeReg(r)
	g.jump(end)
	g.label(miss)
	g.zero(dst, size)
	g.label(end)
}

// bpfFRdonlyProg is BPF_F_RDONLY_PROG: programs may only read the map.
const bpfFRdonlyProg = 1 << 7

// bpfFNoPrealloc is BPF_F_NO_PREALLOC: hash map elements are allocated on
// insert rather than all at creation.
const bpfFNoPrealloc = 1 << 0

// groupNames declares (once) the array of names for groupString.
func (g *gen) groupNames(what string) (string, int) {
	name := fmt.Sprintf("u%d_%s", g.progIndex, what)
	names := make([]string, len(g.group))
	size := 1
	for i, r := range g.group {
		names[i] = r.Name
		if what == "func" {
			names[i] = r.FuncName()
		}
		size = max(size, len(names[i])+1)
	}
	size = alignUp(size, 8)
	if _, ok := g.cc.plan.Spec.Maps[name]; ok {
		return name, size
	}
	spec := &ebpf.MapSpec{Name: name, Type: ebpf.Array, KeySize: 4, ValueSize: uint32(size),
		MaxEntries: uint32(len(names)), Flags: bpfFRdonlyProg}
	for i, n := range names {
		v := make([]byte, size)
		copy(v, n)
		spec.Contents = append(spec.Contents, ebpf.MapKV{Key: uint32(i), Value: v})
	}
	g.cc.plan.Spec.Maps[name] = spec
	return name, size
}

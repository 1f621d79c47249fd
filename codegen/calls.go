package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang"
)

// callInt emits a builtin function whose value is a scalar.
func (g *gen) callInt(x *lang.Call) asm.Register {
	arg := func(i int) lang.Expr {
		if i >= len(x.Args) {
			failf(x.Span, "%s() needs %d arguments", x.Name, i+1)
		}
		return x.Args[i]
	}
	switch x.Name {
	case "kptr", "uptr", "ksym", "usym":
		// The value is the address itself; ksym/usym are resolved in
		// user space.
		return g.evalInt(arg(0))
	case "reg":
		return g.reg(x, stringArg(x, 0))
	case "uaddr":
		name := stringArg(x, 0)
		addr, ok := g.cc.checked.UAddrs[lang.UAddrKey(g.res.Binary, name)]
		if !ok {
			failf(x.Span, "the address of %s in %s is unknown", name, g.res.Binary)
		}
		r := g.allocReg()
		g.loadConst(r, int64(addr))
		return r
	case "kaddr":
		name := stringArg(x, 0)
		addr, ok := g.cc.checked.KAddrs[name]
		if !ok {
			failf(x.Span, "the address of kernel symbol %s is unknown", name)
		}
		r := g.allocReg()
		g.loadConst(r, int64(addr))
		return r
	case "bswap":
		r := g.evalInt(arg(0))
		size := scalarSize(arg(0).Type())
		if size > 1 {
			g.emit(asm.BSwap(r, sizeOp(size)))
		}
		return r
	case "has_key":
		m, ok := arg(0).(*lang.MapExpr)
		if !ok {
			failf(x.Span, "has_key() needs a map")
		}
		target := *m
		target.Keys = x.Args[1:]
		_, km := g.mapOf(&target)
		key := g.buildKey(&target)
		g.lookup(km, key)
		r := g.allocReg()
		g.emit(asm.Mov.Reg(r, asm.R0))
		yes := g.newLabel("haskey")
		g.emit(asm.JEq.Imm(r, 0, yes), asm.Mov.Imm(r, 1))
		g.label(yes)
		return r
	case "delete":
		g.deleteKey(x)
		// bpf_map_delete_elem returns 0 when the key existed.
		r := g.allocReg()
		g.emit(asm.Mov.Imm(r, 1))
		ok := g.newLabel("deleted")
		g.emit(asm.JEq.Imm(asm.R0, 0, ok), asm.Mov.Imm(r, 0))
		g.label(ok)
		return r
	case "strncmp":
		return g.strncmp(x)
	}
	failf(x.Span, "%s() as a value is not supported yet", x.Name)
	return 0
}

// strncmp(a, b, n) is 0 when the first n bytes of a and b (up to a NUL)
// are equal, 1 otherwise.
func (g *gen) strncmp(x *lang.Call) asm.Register {
	if len(x.Args) != 3 {
		failf(x.Span, "strncmp() takes three arguments")
	}
	n := intArgOf(x.Args[2])
	a, b := x.Args[0], x.Args[1]
	if a.Type().Kind != lang.KString || b.Type().Kind != lang.KString {
		failf(x.Span, "strncmp() compares strings")
	}
	la, lb := g.evalMem(a), g.evalMem(b)
	n = min(n, int64(a.Type().Size), int64(b.Type().Size))
	differ, done := g.newLabel("differ"), g.newLabel("cmpdone")
	r := g.allocReg()
	g.emit(asm.Mov.Imm(r, 0))
	for i := 0; i < int(n); i++ {
		g.load(asm.R1, la.at(i), 1)
		g.load(asm.R2, lb.at(i), 1)
		g.emit(asm.JNE.Reg(asm.R1, asm.R2, differ))
		g.emit(asm.JEq.Imm(asm.R1, 0, done))
	}
	g.jump(done)
	g.label(differ)
	g.emit(asm.Mov.Imm(r, 1))
	g.label(done)
	return r
}

package codegen

import (
	"strings"

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
	case "strftime":
		return g.evalInt(arg(1))
	case "strerror", "cgroup_path", "syscall_name":
		return g.evalInt(arg(0))
	case "cgroupid":
		return g.cgroupid(x)
	case "getopt":
		return g.getoptInt(x)
	case "strlen":
		return g.strlen(x)
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
	case "strcontains":
		return g.strcontains(x)
	case "len":
		return g.mapLen(x)
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

// strcontains(haystack, needle) scans the haystack with a bounded loop; at
// each position the needle's bytes are compared in straight-line code (a
// literal needle against immediates).
func (g *gen) strcontains(x *lang.Call) asm.Register {
	if len(x.Args) != 2 {
		failf(x.Span, "strcontains() takes two arguments")
	}
	h, n := x.Args[0], x.Args[1]
	if h.Type().Kind != lang.KString || n.Type().Kind != lang.KString {
		failf(x.Span, "strcontains() searches strings")
	}
	lit, isLit := n.(*lang.StrLit)
	lh, sh := g.evalMem(h), h.Type().Size
	var ln loc
	nlen := n.Type().Size
	if isLit {
		nlen = len(lit.Value)
		if i := strings.IndexByte(lit.Value, 0); i >= 0 {
			nlen = i
		}
	} else {
		ln = g.evalMem(n)
	}
	r := g.allocReg()
	if nlen == 0 {
		g.emit(asm.Mov.Imm(r, 1))
		return r
	}
	if sh > maxInlineScan || (!isLit && nlen > maxInlineNeedle) {
		g.strcontainsLoop(r, lh, sh, ln, nlen, lit, isLit)
		return r
	}
	found, notFound, done := g.newLabel("found"), g.newLabel("notfound"), g.newLabel("scandone")
	top, next := g.newLabel("scan"), g.newLabel("scannext")
	if !isLit {
		g.load(asm.R4, ln, 1)
		g.emit(asm.JEq.Imm(asm.R4, 0, found))
	}
	g.emit(asm.Mov.Imm(asm.R1, 0))
	g.label(top)
	g.emit(asm.JGE.Imm(asm.R1, int32(sh), notFound))
	g.addr(asm.R2, lh)
	g.emit(asm.Add.Reg(asm.R2, asm.R1))
	g.emit(asm.LoadMem(asm.R3, asm.R2, 0, asm.Byte))
	g.emit(asm.JEq.Imm(asm.R3, 0, notFound))
	for j := 0; j < nlen; j++ {
		if !isLit && j > 0 {
			g.load(asm.R4, ln.at(j), 1)
			g.emit(asm.JEq.Imm(asm.R4, 0, found))
		}
		if j > 0 {
			// Past the end of the haystack: no match here.
			g.emit(asm.JGE.Imm(asm.R1, int32(sh-j), next))
			g.emit(asm.LoadMem(asm.R3, asm.R2, int16(j), asm.Byte))
		}
		if isLit {
			g.emit(asm.JNE.Imm(asm.R3, int32(lit.Value[j]), next))
		} else {
			g.emit(asm.JNE.Reg(asm.R3, asm.R4, next))
		}
	}
	g.jump(found)
	g.label(next)
	g.emit(asm.Add.Imm(asm.R1, 1))
	g.jump(top)
	g.label(found)
	g.emit(asm.Mov.Imm(r, 1))
	g.jump(done)
	g.label(notFound)
	g.emit(asm.Mov.Imm(r, 0))
	g.label(done)
	return r
}

// strcontainsLoop is strcontains over a haystack too long for a plain
// loop: the positions are tried in a bpf_loop callback, which sets a flag
// in the caller's frame when the needle is found there.
func (g *gen) strcontainsLoop(r asm.Register, lh loc, sh int, ln loc, nlen int, lit *lang.StrLit, isLit bool) {
	res := g.allocShared(4)
	if !res.onStack() {
		failf(g.span, "the scan needs more than %d bytes of stack", maxStack)
	}
	lh = g.shared(lh, sh)
	if !isLit {
		ln = g.shared(ln, nlen)
	}
	g.storeImm(res, 0, 4)
	scanned := g.newLabel("scanned")
	if !isLit {
		// An empty needle is always found.
		search := g.newLabel("search")
		g.load(asm.R4, ln, 1)
		g.emit(asm.JNE.Imm(asm.R4, 0, search))
		g.storeImm(res, 1, 4)
		g.jump(scanned)
		g.label(search)
	}
	if !isLit && nlen > maxInlineNeedle {
		g.strcontainsLoops(res, lh, sh, ln, nlen)
		g.label(scanned)
		g.load(r, res, 4)
		return
	}
	g.byteLoop(sh, func() {
		next, stop := g.loopNext(), g.loopStop()
		g.addr(asm.R2, lh)
		g.emit(asm.Add.Reg(asm.R2, asm.R1))
		g.emit(asm.LoadMem(asm.R3, asm.R2, 0, asm.Byte))
		g.emit(asm.JEq.Imm(asm.R3, 0, stop))
		found := g.newLabel("found")
		for j := 0; j < nlen; j++ {
			if !isLit {
				g.load(asm.R4, ln.at(j), 1)
				if j > 0 {
					g.emit(asm.JEq.Imm(asm.R4, 0, found))
				}
			}
			if j > 0 {
				// The address is computed after the bound check, so that the
				// verifier knows it stays inside the haystack.
				g.emit(asm.JGE.Imm(asm.R1, int32(sh-j), next))
				g.addr(asm.R2, lh)
				g.emit(asm.Add.Reg(asm.R2, asm.R1))
				g.emit(asm.LoadMem(asm.R3, asm.R2, int16(j), asm.Byte))
			}
			if isLit {
				g.emit(asm.JNE.Imm(asm.R3, int32(lit.Value[j]), next))
			} else {
				g.emit(asm.JNE.Reg(asm.R3, asm.R4, next))
			}
		}
		g.label(found)
		g.storeImm(res, 1, 4)
		g.jump(stop)
	})
	g.label(scanned)
	g.load(r, res, 4)
}

// strcontainsLoops is strcontains with a long needle that is not a
// literal: both the positions and the needle's bytes are walked by
// bpf_loop callbacks, one inside the other.
func (g *gen) strcontainsLoops(res loc, lh loc, sh int, ln loc, nlen int) {
	pos, match := g.allocShared(8), g.allocShared(4)
	if !pos.onStack() || !match.onStack() {
		failf(g.span, "the scan needs more than %d bytes of stack", maxStack)
	}
	g.byteLoop(sh, func() {
		stop := g.loopStop()
		g.addr(asm.R2, lh)
		g.emit(asm.Add.Reg(asm.R2, asm.R1))
		g.emit(asm.LoadMem(asm.R3, asm.R2, 0, asm.Byte))
		g.emit(asm.JEq.Imm(asm.R3, 0, stop))
		g.store(pos, asm.R1, 8)
		g.storeImm(match, 1, 4)
		g.byteLoop(nlen, func() {
			stop := g.loopStop()
			g.addr(asm.R2, ln)
			g.emit(asm.Add.Reg(asm.R2, asm.R1))
			g.emit(asm.LoadMem(asm.R4, asm.R2, 0, asm.Byte))
			// The needle ends: it matched at pos.
			g.emit(asm.JEq.Imm(asm.R4, 0, stop))
			miss := g.newLabel("miss")
			g.load(asm.R3, pos, 8)
			g.emit(asm.Add.Reg(asm.R3, asm.R1))
			g.emit(asm.JGE.Imm(asm.R3, int32(sh), miss))
			g.addr(asm.R2, lh)
			g.emit(asm.Add.Reg(asm.R2, asm.R3))
			g.emit(asm.LoadMem(asm.R3, asm.R2, 0, asm.Byte))
			g.emit(asm.JEq.Reg(asm.R3, asm.R4, g.loopNext()))
			g.label(miss)
			g.storeImm(match, 0, 4)
			g.jump(stop)
		})
		g.load(asm.R1, match, 4)
		g.emit(asm.JEq.Imm(asm.R1, 0, g.loopNext()))
		g.storeImm(res, 1, 4)
		g.jump(stop)
	})
}

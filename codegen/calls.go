package codegen

import (
	"strings"

	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/check"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
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
	case "nsecs":
		return g.clock(x.Args[0].(*lang.Ident).Name)
	case "strftime":
		return g.evalInt(arg(1))
	case "strerror", "cgroup_path", "syscall_name", "signal_name":
		return g.evalInt(arg(0))
	case "cgroupid":
		return g.cgroupid(x)
	case "getopt":
		return g.getoptInt(x)
	case "strlen":
		return g.strlen(x)
	case "kfunc_exist":
		// Looked up in kernel BTF by the checker.
		r := g.allocReg()
		g.emit(asm.Mov.Imm(r, int32(b2i(g.cc.checked.Kfuncs[stringArg(x, 0)]))))
		return r
	case "kfunc_allowed":
		// Asked of the kernel's verifier by the checker, for this probe
		// type.
		iter := ""
		if g.res.Provider == probetype.Iter {
			iter = g.res.Func
		}
		r := g.allocReg()
		g.emit(asm.Mov.Imm(r, int32(b2i(g.cc.checked.KfuncsAllowed[lang.KfuncAllowedKey(string(g.res.Provider), iter, stringArg(x, 0))]))))
		return r
	case "strcap":
		if n, ok := check.StrCap(x); ok {
			r := g.allocReg()
			g.loadConst(r, n)
			return r
		}
		return g.strlen(x) // a char pointer: the length of its string
	case "is_array", "is_integer", "is_unsigned_integer", "is_ptr", "is_str", "is_literal":
		// Known from the argument's type; the argument is not evaluated.
		r := g.allocReg()
		if check.TypePredicate(x) {
			g.emit(asm.Mov.Imm(r, 1))
		} else {
			g.emit(asm.Mov.Imm(r, 0))
		}
		return r
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
	case "percpu_kaddr":
		return g.percpuKaddr(x)
	case "kaddr":
		name := stringArg(x, 0)
		addr, ok := g.cc.checked.KAddrs[name]
		if !ok {
			failf(x.Span, "the address of kernel symbol %s is unknown", name)
		}
		r := g.allocReg()
		g.loadConst(r, int64(addr))
		return r
	case "is_err":
		// The kernel's IS_ERR(): -4095 <= x <= -1, that is x + 4095 below
		// 4095 as an unsigned number.
		r := g.evalInt(arg(0))
		g.emit(asm.Add.Imm(r, 4095))
		g.flagIf(r, asm.JLT, 4095)
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
		return g.foundFlag()
	case "__has_key":
		return g.externalHasKey(x)
	case "__delete":
		return g.externalDelete(x)
	case "__elem_count":
		return g.externalElemCount(x)
	case "find":
		return g.find(x)
	case "write_user":
		return g.writeUser(x)
	case "socket_cookie":
		p := g.evalInt(arg(0))
		g.emit(asm.Mov.Reg(asm.R1, p))
		g.freeReg(p)
		return g.callInto(asm.FnGetSocketCookie)
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
	case "memcmp":
		return g.memcmp(x)
	case "strcontains":
		return g.strsearch(x, false)
	case "strstr":
		return g.strsearch(x, true)
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
	n := g.intArgOf(x.Args[2])
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

// memcmp(a, b, n) compares the first n bytes of two values in memory: 0
// when they are equal, else a's first differing byte minus b's. Up to
// maxInlineScan bytes are compared in straight-line code, more in a
// bpf_loop callback.
func (g *gen) memcmp(x *lang.Call) asm.Register {
	n := int(g.intArgOf(x.Args[2]))
	la, lb := g.evalMem(x.Args[0]), g.evalMem(x.Args[1])
	r := g.allocReg()
	if n <= maxInlineScan {
		differ, done := g.newLabel("memdiffer"), g.newLabel("memdone")
		for i := 0; i < n; i++ {
			g.load(asm.R1, la.at(i), 1)
			g.load(asm.R2, lb.at(i), 1)
			g.emit(asm.JNE.Reg(asm.R1, asm.R2, differ))
		}
		g.emit(asm.Mov.Imm(r, 0))
		g.jump(done)
		g.label(differ)
		g.emit(asm.Mov.Reg(r, asm.R1), asm.Sub.Reg(r, asm.R2))
		g.label(done)
		return r
	}
	res := g.allocShared(8)
	la, lb = g.shared(la, n), g.shared(lb, n)
	g.storeImm(res, 0, 8)
	g.byteLoop(n, func() {
		g.addr(asm.R2, la)
		g.emit(asm.Add.Reg(asm.R2, asm.R1), asm.LoadMem(asm.R3, asm.R2, 0, asm.Byte))
		g.addr(asm.R2, lb)
		g.emit(asm.Add.Reg(asm.R2, asm.R1), asm.LoadMem(asm.R4, asm.R2, 0, asm.Byte))
		g.emit(asm.JEq.Reg(asm.R3, asm.R4, g.loopNext()))
		g.emit(asm.Sub.Reg(asm.R3, asm.R4))
		g.store(res, asm.R3, 8)
		g.jump(g.loopStop())
	})
	g.load(r, res, 8)
	return r
}

// strsearch is strcontains(haystack, needle) (index false: whether the
// needle is there) and strstr(haystack, needle) (index true: where it
// first starts, -1 when nowhere; an empty needle is at 0). It scans the
// haystack with a bounded loop; at each position the needle's bytes are
// compared in straight-line code (a literal needle against immediates).
func (g *gen) strsearch(x *lang.Call, index bool) asm.Register {
	if len(x.Args) != 2 {
		failf(x.Span, "%s() takes two arguments", x.Name)
	}
	h, n := x.Args[0], x.Args[1]
	if h.Type().Kind != lang.KString || n.Type().Kind != lang.KString {
		failf(x.Span, "%s() searches strings", x.Name)
	}
	// What the result is when the needle is found at the position in R1,
	// and when it is not found.
	foundAt := func(r asm.Register) {
		if index {
			g.emit(asm.Mov.Reg(r, asm.R1))
		} else {
			g.emit(asm.Mov.Imm(r, 1))
		}
	}
	missing := int32(0)
	if index {
		missing = -1
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
		// An empty needle is found at the start.
		g.emit(asm.Mov.Imm(asm.R1, 0))
		foundAt(r)
		return r
	}
	if sh > maxInlineScan || (!isLit && nlen > maxInlineNeedle) {
		g.strsearchLoop(r, lh, sh, ln, nlen, lit, isLit, index)
		return r
	}
	found, notFound, done := g.newLabel("found"), g.newLabel("notfound"), g.newLabel("scandone")
	top, next := g.newLabel("scan"), g.newLabel("scannext")
	g.emit(asm.Mov.Imm(asm.R1, 0))
	if !isLit {
		g.load(asm.R4, ln, 1)
		g.emit(asm.JEq.Imm(asm.R4, 0, found))
	}
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
	foundAt(r)
	g.jump(done)
	g.label(notFound)
	g.emit(asm.Mov.Imm(r, missing))
	g.label(done)
	return r
}

// strsearchLoop is strsearch over a haystack too long for a plain loop:
// the positions are tried in a bpf_loop callback, which sets the result
// in the caller's frame (1, or the position for index) when the needle is
// found there.
func (g *gen) strsearchLoop(r asm.Register, lh loc, sh int, ln loc, nlen int, lit *lang.StrLit, isLit, index bool) {
	res := g.allocShared(8)
	lh = g.shared(lh, sh)
	if !isLit {
		ln = g.shared(ln, nlen)
	}
	// setFound stores the result for a match at the position in R1.
	setFound := func() {
		if index {
			g.store(res, asm.R1, 8)
		} else {
			g.storeImm(res, 1, 8)
		}
	}
	if index {
		g.storeImm(res, -1, 8)
	} else {
		g.storeImm(res, 0, 8)
	}
	scanned := g.newLabel("scanned")
	if !isLit {
		// An empty needle is always found, at the start.
		search := g.newLabel("search")
		g.load(asm.R4, ln, 1)
		g.emit(asm.JNE.Imm(asm.R4, 0, search))
		empty := int32(1)
		if index {
			empty = 0
		}
		g.storeImm(res, empty, 8)
		g.jump(scanned)
		g.label(search)
	}
	if !isLit && nlen > maxInlineNeedle {
		g.strsearchLoops(res, lh, sh, ln, nlen, index)
		g.label(scanned)
		g.load(r, res, 8)
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
		setFound()
		g.jump(stop)
	})
	g.label(scanned)
	g.load(r, res, 8)
}

// strsearchLoops is strsearch with a long needle that is not a literal:
// both the positions and the needle's bytes are walked by bpf_loop
// callbacks, one inside the other.
func (g *gen) strsearchLoops(res loc, lh loc, sh int, ln loc, nlen int, index bool) {
	pos, match := g.allocShared(8), g.allocShared(4)
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
		if index {
			g.load(asm.R1, pos, 8)
			g.store(res, asm.R1, 8)
		} else {
			g.storeImm(res, 1, 8)
		}
		g.jump(stop)
	})
}

// pseudoBTFID is BPF_PSEUDO_BTF_ID: the source of a 64-bit load of a
// kernel variable by its BTF type id (a ksym), which the verifier turns
// into the variable's address.
const pseudoBTFID = asm.R3

// percpuKaddr is percpu_kaddr(name[, cpu]): the per-CPU variable's
// address on this CPU (bpf_this_cpu_ptr) or on CPU cpu (bpf_per_cpu_ptr,
// NULL for a CPU that does not exist).
func (g *gen) percpuKaddr(x *lang.Call) asm.Register {
	name := stringArg(x, 0)
	id, ok := g.cc.checked.PercpuVars[name]
	if !ok {
		failf(x.Span, "the BTF id of per-CPU variable %s is unknown", name)
	}
	fn := asm.FnThisCpuPtr
	if len(x.Args) == 2 {
		cpu := g.evalInt(x.Args[1])
		g.emit(asm.Mov.Reg(asm.R2, cpu))
		g.freeReg(cpu)
		fn = asm.FnPerCpuPtr
	}
	g.emit(asm.Instruction{OpCode: asm.LoadImmOp(asm.DWord), Dst: asm.R1, Src: pseudoBTFID, Constant: int64(id)})
	return g.callInto(fn)
}

// foundFlag turns the value pointer a lookup left in R0 into 1 (found)
// or 0.
func (g *gen) foundFlag() asm.Register {
	r := g.allocReg()
	g.emit(asm.Mov.Reg(r, asm.R0))
	yes := g.newLabel("haskey")
	g.emit(asm.JEq.Imm(r, 0, yes), asm.Mov.Imm(r, 1))
	g.label(yes)
	return r
}

// externalHasKey is __has_key((void *)&@m, (void *)&$k), bpftrace's C
// function behind has_key(): has_key(@m, $k), $k's value made a key of @m
// (bpftrace keeps integer keys in 64 bits, where the bytes of $k are its
// value; gobpftrace's keys may be narrower). The checker made sure the
// arguments name a map and a variable, and merged $k's type into @m's
// keys.
func (g *gen) externalHasKey(x *lang.Call) asm.Register {
	km, key := g.externalKey(x, "__has_key", "look up", "looks up a key")
	g.lookup(km, key)
	return g.foundFlag()
}

// externalKey checks the (void *)&@m, (void *)&$k arguments of
// __has_key or __delete (fn) and builds $k's value as a key of @m. verb
// and does say what fn does with the key, for the messages.
func (g *gen) externalKey(x *lang.Call, fn, verb, does string) (*Map, loc) {
	m, isMap := check.AddrTarget(x.Args[0]).(*lang.MapExpr)
	v, isVar := check.AddrTarget(x.Args[1]).(*lang.Var)
	if !isMap || !isVar {
		failf(x.Span, "internal error: %s() needs (void *)&@map and (void *)&$key", fn)
	}
	_, km := g.mapOf(m)
	if bucketKeyed(km.Value) {
		failf(x.Args[0].Pos(), "%s() cannot %s %s: a %s map keeps each bucket under a key of its own", fn, verb, m.Name, km.Value)
	}
	if km.Key == nil {
		failf(x.Args[0].Pos(), "%s has no explicit keys (scalar map): %s() %s", m.Name, fn, does)
	}
	target := *m
	target.Keys = []lang.Expr{v}
	return km, g.buildKey(&target)
}

// externalDelete is __delete((void *)&@m, (void *)&$k), bpftrace's C
// function behind delete(): bpf_map_delete_elem of $k's value made a key
// of @m (as externalHasKey builds it), whose result it returns as it is
// (0, or a negative errno), without delete()'s warning.
func (g *gen) externalDelete(x *lang.Call) asm.Register {
	km, key := g.externalKey(x, "__delete", "delete from", "deletes a key")
	g.mapPtr(asm.R1, km.Name)
	g.addr(asm.R2, key)
	g.call(asm.FnMapDeleteElem)
	r := g.allocReg()
	g.emit(asm.Mov.Reg(r, asm.R0))
	return r
}

// externalElemCount is __elem_count((void *)&@m), bpftrace's C function
// behind len(): the number of elements of @m, counted as len(@m) counts.
func (g *gen) externalElemCount(x *lang.Call) asm.Register {
	m, isMap := check.AddrTarget(x.Args[0]).(*lang.MapExpr)
	if !isMap {
		failf(x.Span, "internal error: __elem_count() needs (void *)&@map")
	}
	return g.mapLenOf(m, x.Span)
}

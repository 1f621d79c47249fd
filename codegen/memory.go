package codegen

import (
	"github.com/cilium/ebpf/asm"
	"math/bits"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// Kernel and user memory reached through pointers: struct members, array
// elements and dereferences (curtask->real_parent->tgid, p[i], *p). The
// address is computed in a register and every read goes through
// bpf_probe_read_kernel (or _user for user pointers) into the stack, so a
// bad pointer reads zeroes instead of failing the verifier or the probe.

// inMemory reports whether e is a place in kernel or user memory: a
// struct member or array element reached through a pointer, or *p.
func inMemory(e lang.Expr) bool {
	switch x := e.(type) {
	case *lang.FieldAccess:
		if x.Expand != nil {
			// A uprobe's parameter passed on the stack: a read of
			// user memory.
			return inMemory(x.Expand)
		}
		if x.Member == nil {
			return false
		}
		if t := x.X.Type(); t != nil && t.Kind == lang.KPtr {
			return true
		}
		return inMemory(x.X)
	case *lang.Index:
		if t := x.X.Type(); t != nil && t.Kind == lang.KPtr {
			return true
		}
		return inMemory(x.X)
	case *lang.Unary:
		return x.Op == "*"
	}
	return false
}

// memAddr computes the address of an in-memory place into a fresh
// register, and says whether it is a user-space address.
func (g *gen) memAddr(e lang.Expr) (asm.Register, bool) {
	e = expanded(e)
	var base lang.Expr
	switch x := e.(type) {
	case *lang.FieldAccess:
		base = x.X
	case *lang.Index:
		base = x.X
	case *lang.Unary:
		r := g.evalInt(x.X)
		xt := x.X.Type()
		// An integer address is in the probe's address space.
		return r, xt.UserSpace || xt.Kind == lang.KInt && g.userProbe()
	default:
		failf(e.Pos(), "internal error: %T is not in memory", e)
	}
	var r asm.Register
	var user bool
	if bt := base.Type(); bt.Kind == lang.KPtr {
		r, user = g.evalInt(base), bt.UserSpace
	} else {
		r, user = g.memAddr(base)
	}
	switch x := e.(type) {
	case *lang.FieldAccess:
		if x.Member.Offset != 0 {
			g.emit(asm.Add.Imm(r, int32(x.Member.Offset)))
		}
	case *lang.Index:
		size := elemSize(base.Type())
		if n, ok := smallConst(x.Index); ok {
			if n != 0 {
				g.emit(asm.Add.Imm(r, n*int32(size)))
			}
			return r, user
		}
		k := g.keep(r)
		ri := g.evalInt(x.Index)
		// An array's index is checked: out of bounds warns at run time
		// and reads from address 0, which reads zeroes.
		var oob string
		if bt := base.Type(); bt.Kind == lang.KArray {
			oob = g.newLabel("oob")
			g.emit(asm.JGE.Imm(ri, int32(bt.Len), oob))
		}
		if size != 1 {
			g.emit(asm.Mul.Imm(ri, int32(size)))
		}
		r = g.into(k, asm.R0)
		g.emit(asm.Add.Reg(ri, r))
		if !k.spilled {
			g.freeReg(k.reg)
		}
		if oob != "" {
			done := g.newLabel("inbounds")
			g.jump(done)
			g.label(oob)
			g.warnOutOfBounds(x)
			g.emit(asm.Mov.Imm(ri, 0))
			g.label(done)
		}
		return ri, user
	}
	return r, user
}

// elemSize is the size of what a pointer or array's elements take.
func elemSize(t *lang.Type) int {
	el := t.Elem
	if t.Kind == lang.KString {
		return 1
	}
	if el == nil || el.Kind == lang.KVoid {
		return 1
	}
	if el.Kind == lang.KStruct {
		return max(el.Size, 1)
	}
	return max(Sizeof(el), 1)
}

// readFn is the helper that reads memory of the given address space.
func readFn(user bool) asm.BuiltinFunc {
	if user {
		return asm.FnProbeReadUser
	}
	return asm.FnProbeReadKernel
}

// memRead reads the scalar at in-memory place e into a fresh register,
// extended to 64 bits per its type (bitfields shifted and masked).
func (g *gen) memRead(e lang.Expr) asm.Register {
	t := e.Type()
	var bits *lang.Field
	if fa, ok := e.(*lang.FieldAccess); ok && fa.Member.BitSize > 0 {
		bits = fa.Member
	}
	addr, user := g.memAddr(e)
	size := scalarSize(t)
	tmp := g.alloc(8)
	g.emit(asm.Mov.Reg(asm.R3, addr))
	g.freeReg(addr)
	g.addr(asm.R1, tmp)
	g.emit(asm.Mov.Imm(asm.R2, int32(size)))
	g.call(readFn(user))
	// -k: a bad address (bpftrace's "Bad address", retcode -14) is
	// reported at the expression.
	g.checkHelper(readFn(user), e.Pos())
	r := g.allocReg()
	if bits != nil {
		g.load(r, tmp, size)
		g.dropTemp(tmp, 8)
		g.extractBits(r, bits, t)
		return r
	}
	g.loadScalar(r, tmp, t)
	g.dropTemp(tmp, 8)
	return r
}

// extractBits turns the storage unit of a bitfield, loaded in r, into the
// bitfield's value: shifted down and masked, so zero-extended as bpftrace
// v0.26 reads it (`short a:4` holding binary 1101 reads as 13, not -3).
// Only a bitfield as wide as its type is sign-extended, as its type's
// value is.
func (g *gen) extractBits(r asm.Register, bits *lang.Field, t *lang.Type) {
	if bits.BitOffset > 0 {
		g.emit(asm.RSh.Imm(r, int32(bits.BitOffset)))
	}
	if bits.BitSize >= 64 {
		return
	}
	switch {
	case t.Kind == lang.KInt && t.Signed && bits.BitSize == 8*t.Size:
		g.emit(asm.LSh.Imm(r, int32(64-bits.BitSize)), asm.ArSh.Imm(r, int32(64-bits.BitSize)))
	case bits.BitSize < 32:
		g.emit(asm.And.Imm(r, int32(1)<<bits.BitSize-1))
	default:
		g.emit(asm.LSh.Imm(r, int32(64-bits.BitSize)), asm.RSh.Imm(r, int32(64-bits.BitSize)))
	}
}

// memCopy copies n bytes from in-memory place e to dst.
func (g *gen) memCopy(e lang.Expr, dst loc, n int) {
	addr, user := g.memAddr(e)
	g.emit(asm.Mov.Reg(asm.R3, addr))
	g.freeReg(addr)
	g.addr(asm.R1, dst)
	g.emit(asm.Mov.Imm(asm.R2, int32(n)))
	g.call(readFn(user))
	g.checkHelper(readFn(user), e.Pos())
}

// memString reads a char array member into a string buffer of size
// bytes. A buffer of the array's size holds it whole (C does not require
// a NUL in char name[N]; the string then ends with the buffer, as in
// bpftrace); a shorter one is NUL-terminated.
func (g *gen) memString(e lang.Expr, dst loc, size int) {
	n := min(Sizeof(e.Type()), size)
	if n < size {
		g.zero(dst.at(n), size-n)
	}
	g.memCopy(e, dst, n)
	if n == size && !(e.Type().CharArray && size == Sizeof(e.Type())) {
		g.storeImm(dst.at(size-1), 0, 1)
	}
}

// addrOf is &e: the address of an in-memory place.
func (g *gen) addrOf(x *lang.Unary) asm.Register {
	switch t := x.X.(type) {
	case *lang.Var:
		// &$x: where the variable lives (the probe's frame or scratch).
		// (&@m appears only in __has_key's arguments, which
		// externalHasKey reads without evaluating them.)
		r := g.allocReg()
		g.addr(r, g.varLoc(t))
		return r
	}
	if !inMemory(x.X) {
		failf(x.Span, "the address of this expression cannot be taken")
	}
	r, _ := g.memAddr(x.X)
	return r
}

// ptrArith is ptr + n and ptr - n: n counts elements, as in C.
// ptrDiff emits p - q for two pointers to one type: the bytes between them
// divided by the element's size (signed, as in C).
func (g *gen) ptrDiff(x *lang.Binary) asm.Register {
	rx := g.evalInt(x.X)
	k := g.keep(rx)
	ry := g.evalInt(x.Y)
	res := g.into(k, asm.R0)
	g.emit(asm.Sub.Reg(res, ry))
	if k.spilled {
		g.emit(asm.Mov.Reg(ry, asm.R0))
		res = ry
	} else {
		g.freeReg(ry)
	}
	scaleDown(g.emitter, res, elemSize(x.X.Type()))
	return res
}

// scaleDown divides the signed byte count in r by size.
func scaleDown(e *emitter, r asm.Register, size int) {
	switch {
	case size <= 1:
	case size&(size-1) == 0:
		e.emit(asm.ArSh.Imm(r, int32(bits.TrailingZeros(uint(size)))))
	default:
		e.emit(asm.SDiv.Imm(r, int32(size)))
	}
}

func (g *gen) ptrArith(x *lang.Binary) asm.Register {
	p, n := x.X, x.Y
	if k := p.Type().Kind; k != lang.KPtr && k != lang.KArray {
		p, n = n, p
	}
	size := elemSize(p.Type())
	// ptr - n is ptr + (-n): the verifier refuses any subtraction from a
	// pointer to the stack (&$x), and adding a negated offset is the same
	// for every pointer.
	minus := x.Op == "-"
	var rp asm.Register
	if p.Type().Kind == lang.KArray {
		// An array in memory decays to the address of its first element.
		rp, _ = g.memAddr(p)
	} else {
		rp = g.evalInt(p)
	}
	if c, ok := smallConst(n); ok {
		off := int64(c) * int64(size)
		if minus {
			off = -off
		}
		if off == int64(int32(off)) {
			g.emit(asm.Add.Imm(rp, int32(off)))
			return rp
		}
	}
	k := g.keep(rp)
	rn := g.evalInt(n)
	if size != 1 {
		g.emit(asm.Mul.Imm(rn, int32(size)))
	}
	if minus {
		g.emit(asm.Neg.Imm(rn, 0))
	}
	res := g.into(k, asm.R0)
	g.emit(asm.Add.Reg(res, rn))
	if k.spilled {
		g.emit(asm.Mov.Reg(rn, asm.R0))
		return rn
	}
	g.freeReg(rn)
	return res
}

// evalStructValue copies a struct or array kept in program memory (a
// variable, a map value, a member of either, a ternary's choice) or a
// tracepoint's whole args record.
func (g *gen) evalStructValue(e lang.Expr, t *lang.Type, dst loc) {
	n := Sizeof(t)
	if id, ok := e.(*lang.Ident); ok && id.Name == "args" && g.res.Provider == probetype.Tracepoint && g.res.Args != nil {
		// The record, common fields included, at the fields' offsets
		// (read with probe_read: ctx cannot be a helper's memory
		// argument).
		g.usesCtx = true
		g.addr(asm.R1, dst)
		g.emit(asm.Mov.Imm(asm.R2, int32(n)))
		g.emit(asm.Mov.Reg(asm.R3, regCtx))
		g.call(asm.FnProbeReadKernel)
		return
	}
	if g.copyStoredValue(e, t, dst, g.evalInto) {
		return
	}
	if l, _, ok := g.tupleField(e); ok {
		g.copyMem(dst, l, n)
		return
	}
	if t.Kind == lang.KArray && t.Elem != nil && isScalar(t.Elem) {
		g.evalArray(e, t, dst)
		return
	}
	failf(e.Pos(), "values of type %s are not supported here yet", t)
}

package codegen

import (
	"strconv"
	"strings"

	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/check"
)

// Strings, tuples and other aggregates live in memory. Strings are
// NUL-padded to their full size (so that they can be map keys), except
// where only user space reads them (event records): see gen.noPad.

// pad zeroes a string buffer that a helper fills only up to its NUL.
func (g *gen) pad(dst loc, size int) {
	if !g.noPad {
		g.zero(dst, size)
	}
}

// bigZero is the size above which zeroByHelper is shorter and faster than
// stores.
const bigZero = 64

// zeroByHelper zeroes size bytes at dst (on the stack or in the scratch
// buffer) with bpf_probe_read_kernel from address 0: the read fails and
// the helper fills the destination with zeroes. It clobbers R0-R5.
func (g *gen) zeroByHelper(dst loc, size int) {
	g.addr(asm.R1, dst)
	g.emit(asm.Mov.Imm(asm.R2, int32(size)), asm.Mov.Imm(asm.R3, 0))
	g.call(asm.FnProbeReadKernel)
}

// evalInto writes the value of e, converted to type t, at dst.
func (g *gen) evalInto(e lang.Expr, t *lang.Type, dst loc) {
	e = expanded(e)
	g.within(e, func() {
		switch {
		case isScalar(t):
			r := g.evalInt(e)
			g.store(dst, r, scalarSize(t))
			g.freeReg(r)
		case t.Kind == lang.KString:
			g.evalString(e, dst, t.Size)
		case t.Kind == lang.KTuple:
			g.evalTuple(e, t, dst)
		case t.Kind == lang.KStack || t.Kind == lang.KSym:
			g.evalKernelValue(e, t, dst)
		case (t.Kind == lang.KArray || t.Kind == lang.KStruct) && inMemory(e):
			g.memCopy(e, dst, Sizeof(t))
		case t.Kind == lang.KArray || t.Kind == lang.KStruct:
			g.evalStructValue(e, t, dst)
		case t.Kind == lang.KArray && t.Elem != nil && isScalar(t.Elem):
			g.evalArray(e, t, dst)
		case t.Kind == lang.KInet || t.Kind == lang.KMacaddr || t.Kind == lang.KBuffer:
			g.evalFormatted(e, t, dst)
		default:
			failf(e.Pos(), "values of type %s are not supported yet", t)
		}
	})
}

// evalMem returns where the value of an aggregate expression is in memory,
// evaluating it into a temporary unless it already lives somewhere.
func (g *gen) evalMem(e lang.Expr) loc {
	e = expanded(e)
	if v, ok := e.(*lang.Var); ok {
		return g.varLoc(v)
	}
	t := e.Type()
	tmp := g.alloc(Sizeof(t))
	g.evalInto(e, t, tmp)
	return tmp
}

func (g *gen) evalString(e lang.Expr, dst loc, size int) {
	e = expanded(e)
	if v, ok := check.ConfigField(e, &g.cc.checked.Config); ok {
		g.stringLit(v.(string), dst, size)
		return
	}
	switch x := e.(type) {
	case *lang.StrLit:
		g.stringLit(x.Value, dst, size)
		return
	case *lang.Cast:
		// (string[N])s: the string, zero-padded to its new size.
		g.evalString(x.X, dst, size)
		return
	case *lang.Positional:
		g.stringLit(g.positionalString(x), dst, size)
		return
	case *lang.Ident:
		if x.Expand != nil {
			g.evalString(x.Expand, dst, size)
			return
		}
		switch x.Name {
		case "comm":
			g.comm(dst, size)
			return
		case "probe":
			if g.group != nil {
				g.groupString("probe", dst, size)
				return
			}
			g.stringLit(g.res.Name, dst, size)
			return
		case "probetype":
			g.stringLit(g.probeType(), dst, size)
			return
		case "func":
			if g.group != nil {
				g.groupString("func", dst, size)
				return
			}
			g.stringLit(g.res.FuncName(), dst, size)
			return
		}
		failf(x.Span, "builtin %s is not supported yet", x.Name)
	case *lang.Call:
		if x.Name == "str" {
			g.str(x, dst, size)
			return
		}
		if x.Name == "getopt" {
			g.stringLit(g.getoptValue(x), dst, size)
			return
		}
		if x.Name == "path" {
			g.dPath(x, dst, size)
			return
		}
		if x.Name == "str_concat" {
			g.strConcat(x, dst, size)
			return
		}
		failf(x.Span, "%s() as a string is not supported yet", x.Name)
	case *lang.Ternary:
		if x.Then == nil {
			failf(x.Span, "the ?: form is not supported yet")
		}
		els, end := g.newLabel("else"), g.newLabel("fi")
		g.condJump(x.Cond, els, false)
		g.evalString(x.Then, dst, size)
		g.jump(end)
		g.label(els)
		g.evalString(x.Else, dst, size)
		g.label(end)
		return
	case *lang.MapExpr:
		g.mapReadMem(x, dst, size)
		return
	case *lang.Var:
		g.copyString(dst, size, g.varLoc(x), x.Type().Size)
		return
	case *lang.FieldAccess, *lang.Index, *lang.Unary:
		if inMemory(e) {
			g.memString(e, dst, size)
			return
		}
		if l, ft, ok := g.tupleField(e); ok {
			g.copyString(dst, size, l, ft.Size)
			return
		}
		src, ft := g.ctxField(e)
		n := Sizeof(ft)
		if ft.Kind != lang.KString && !(ft.Kind == lang.KArray && ft.Elem.Size == 1) {
			failf(e.Pos(), "field of type %s used as a string is not supported yet", ft)
		}
		// The record is read through probe_read (ctx cannot be a
		// helper's memory argument), then terminated.
		n = min(n, size)
		g.zero(dst, size)
		g.addr(asm.R1, dst)
		g.emit(asm.Mov.Imm(asm.R2, int32(n)))
		g.addr(asm.R3, src)
		g.call(asm.FnProbeReadKernel)
		g.storeImm(dst.at(size-1), 0, 1)
		return
	}
	failf(e.Pos(), "this string expression is not supported yet")
}

// stringLit writes s NUL-padded (and truncated) to size bytes.
func (g *gen) stringLit(s string, dst loc, size int) {
	b := make([]byte, size)
	copy(b[:size-1], s)
	g.writeBytes(dst, b)
}

// copyString copies a string of srcSize bytes into a buffer of size bytes.
func (g *gen) copyString(dst loc, size int, src loc, srcSize int) {
	n := min(size, srcSize)
	g.copyMem(dst, src, n)
	if size > n {
		g.zero(dst.at(n), size-n)
	} else if srcSize > size {
		g.storeImm(dst.at(size-1), 0, 1)
	}
}

// comm writes the current task's name (16 bytes, NUL-padded by the kernel).
func (g *gen) comm(dst loc, size int) {
	const commLen = 16
	if size < commLen {
		tmp := g.alloc(commLen)
		g.comm(tmp, commLen)
		g.copyString(dst, size, tmp, commLen)
		return
	}
	g.addr(asm.R1, dst)
	g.emit(asm.Mov.Imm(asm.R2, commLen))
	g.call(asm.FnGetCurrentComm)
	if size > commLen {
		g.zero(dst.at(commLen), size-commLen)
	}
}

// strOfString is str() of a string value (such as a positional parameter):
// a copy, cut to len bytes when a length is given.
func (g *gen) strOfString(x *lang.Call, dst loc, size int) {
	if len(x.Args) == 1 {
		g.evalString(x.Args[0], dst, size)
		return
	}
	src := g.evalMem(x.Args[0])
	st := x.Args[0].Type().Size
	g.copyString(dst, size, src, st)
	// Cut at len: every byte from len on becomes a NUL.
	rl := g.evalInt(x.Args[1])
	for i := 0; i < min(size, st); i++ {
		skip := g.newLabel("strcut")
		g.emit(asm.JGT.Imm(rl, int32(i), skip))
		g.storeImm(dst.at(i), 0, 1)
		g.label(skip)
	}
	g.freeReg(rl)
}

// str(ptr[, len]) reads a NUL-terminated string from kernel or user memory.
func (g *gen) str(x *lang.Call, dst loc, size int) {
	if len(x.Args) < 1 || len(x.Args) > 2 {
		failf(x.Span, "str() takes one or two arguments")
	}
	fn := asm.FnProbeReadKernelStr
	if x.Args[0].Type().UserSpace || x.Type().UserSpace || g.userProbe() && x.Args[0].Type().Kind == lang.KInt {
		fn = asm.FnProbeReadUserStr
	}
	if x.Args[0].Type().Kind == lang.KString {
		g.strOfString(x, dst, size)
		return
	}
	rp := g.evalInt(x.Args[0])
	if len(x.Args) == 1 {
		if size > bigZero && !g.noPad && (dst.onStack() || dst.base == regScratch) {
			// A long buffer is zeroed by one helper call instead of
			// size/8 stores; the pointer must survive it.
			if !isTemp(rp) {
				r := g.allocReg()
				g.emit(asm.Mov.Reg(r, rp))
				rp = r
			}
			g.zeroByHelper(dst, size)
		} else {
			g.pad(dst, size)
		}
		n := size
		if t := x.Type(); t.Kind == lang.KString && t.Size < n {
			n = t.Size
		}
		// A string that fills the buffer was truncated when the byte after
		// the part read is not a NUL: that byte then replaces the NUL, and
		// user space prints the string with str_trunc_trailer. With a
		// spare byte after the buffer, reading n+1 bytes leaves exactly
		// that in the buffer (the helper's NUL lands in the spare byte).
		if s := g.spareAfter; s != nil && *s == dst && n == size {
			g.addr(asm.R1, dst)
			g.emit(asm.Mov.Imm(asm.R2, int32(n+1)))
			g.emit(asm.Mov.Reg(asm.R3, rp))
			g.freeReg(rp)
			g.call(fn)
			g.checkHelper(fn, g.span)
			return
		}
		p := g.alloc(8)
		g.store(p, rp, 8)
		g.addr(asm.R1, dst)
		g.emit(asm.Mov.Imm(asm.R2, int32(n)))
		g.emit(asm.Mov.Reg(asm.R3, rp))
		g.freeReg(rp)
		g.call(fn)
		g.checkHelper(fn, g.span)
		done := g.newLabel("strfit")
		g.emit(asm.JNE.Imm(asm.R0, int32(n), done))
		g.addr(asm.R1, dst.at(n-1))
		g.emit(asm.Mov.Imm(asm.R2, 1))
		g.load(asm.R3, p, 8)
		g.emit(asm.Add.Imm(asm.R3, int32(n-1)))
		if fn == asm.FnProbeReadUserStr {
			g.call(asm.FnProbeReadUser)
		} else {
			g.call(asm.FnProbeReadKernel)
		}
		g.label(done)
		return
	}
	kp := g.keep(rp)
	rl := g.evalInt(x.Args[1])
	// Read at most len bytes plus the NUL, bounded by the buffer.
	ok := g.newLabel("strlen")
	g.emit(asm.Add.Imm(rl, 1), asm.JLE.Imm(rl, int32(size), ok), asm.Mov.Imm(rl, int32(size)))
	g.label(ok)
	kl := g.keep(rl)
	g.pad(dst, size)
	g.addr(asm.R1, dst)
	g.emit(asm.Mov.Reg(asm.R2, g.into(kl, asm.R2)))
	if kl.spilled && kl.slot.base == regScratch {
		// The verifier knows nothing of a number read back from the
		// scratch buffer: bound it again (generated heavy script, str()
		// in a third nested callback with the probe's frame full).
		again := g.newLabel("strlen")
		g.emit(asm.JLE.Imm(asm.R2, int32(size), again), asm.Mov.Imm(asm.R2, int32(size)))
		g.label(again)
	}
	g.emit(asm.Mov.Reg(asm.R3, g.into(kp, asm.R3)))
	g.freeReg(kl.reg)
	g.freeReg(kp.reg)
	g.call(fn)
	g.checkHelper(fn, g.span)
}

// evalTuple writes a tuple literal or copies a tuple value.
func (g *gen) evalTuple(e lang.Expr, t *lang.Type, dst loc) {
	if tup, ok := e.(*lang.Tuple); ok {
		if len(tup.Elems) != len(t.Elems) {
			failf(e.Pos(), "internal error: tuple of %d elements typed %s", len(tup.Elems), t)
		}
		offs := TupleOffsets(t)
		for i, el := range tup.Elems {
			g.evalInto(el, t.Elems[i], dst.at(offs[i]))
		}
		g.zeroGaps(dst, t)
		return
	}
	if x, ok := e.(*lang.Ternary); ok && x.Then != nil {
		// Each branch is written at the ternary's type.
		els, end := g.newLabel("else"), g.newLabel("fi")
		g.condJump(x.Cond, els, false)
		g.evalTuple(x.Then, t, dst)
		g.jump(end)
		g.label(els)
		g.evalTuple(x.Else, t, dst)
		g.label(end)
		return
	}
	if !e.Type().Equal(t) {
		// Widen element by element (the checker widens map values).
		src := g.evalMem(e)
		g.convertMem(dst, t, src, e.Type())
		return
	}
	if l, _, ok := g.tupleField(e); ok {
		g.copyMem(dst, l, Sizeof(t))
		return
	}
	switch x := e.(type) {
	case *lang.Var:
		g.copyMem(dst, g.varLoc(x), Sizeof(t))
	case *lang.MapExpr:
		g.mapReadMem(x, dst, Sizeof(t))
	default:
		failf(e.Pos(), "this tuple expression is not supported yet")
	}
}

// convertMem copies a value of type st at src to a value of type dt at dst.
func (g *gen) convertMem(dst loc, dt *lang.Type, src loc, st *lang.Type) {
	switch {
	case isScalar(dt) && isScalar(st):
		g.loadScalar(asm.R1, src, st)
		g.store(dst, asm.R1, scalarSize(dt))
	case dt.Kind == lang.KString && st.Kind == lang.KString:
		g.copyString(dst, dt.Size, src, st.Size)
	case dt.Kind == lang.KTuple && st.Kind == lang.KTuple && len(dt.Elems) == len(st.Elems):
		doffs, soffs := TupleOffsets(dt), TupleOffsets(st)
		for i := range dt.Elems {
			g.convertMem(dst.at(doffs[i]), dt.Elems[i], src.at(soffs[i]), st.Elems[i])
		}
		g.zeroGaps(dst, dt)
	case (dt.Kind == lang.KArray || dt.Kind == lang.KStruct) && dt.Kind == st.Kind && Sizeof(dt) == Sizeof(st):
		// Structs and arrays are kept as they are (the checker widens
		// only integers and strings).
		g.copyMem(dst, src, Sizeof(dt))
	default:
		failf(g.span, "converting %s to %s is not supported yet", st, dt)
	}
}

// Comparing tuples, arrays and structs.

// heldCompareJump compares two tuples, arrays or structs byte for byte
// (bpftrace compares them as memcmp does) and jumps to label when the
// comparison's result is when. Tuples of different element widths are
// first both converted to one layout (integers 64-bit, strings of the
// larger size), as a map would keep them; strings are NUL-padded, so equal
// strings have equal bytes.
func (g *gen) heldCompareJump(x *lang.Binary, label string, when bool) {
	if x.Op != "==" && x.Op != "!=" {
		failf(x.Span, "operator %s on %s is not supported", x.Op, x.X.Type())
	}
	t := x.X.Type()
	if !t.Equal(x.Y.Type()) {
		t = commonLayout(t, x.Y.Type())
	}
	la := g.comparable(x.X, t)
	lb := g.comparable(x.Y, t)
	g.bytesCompareJump(la, lb, Sizeof(t), x.Op == "==", label, when)
}

// bytesCompareJump compares n bytes at la and lb, in the widest loads
// their alignment allows, and jumps to label when "they are equal" (eq)
// or "they differ" (!eq) is when.
func (g *gen) bytesCompareJump(la, lb loc, n int, eq bool, label string, when bool) {
	jumpOnEqual := eq == when
	differ := label
	if jumpOnEqual {
		differ = g.newLabel("memne")
	}
	for i := 0; i < n; {
		c := min(chunk(la.off+i, n-i), chunk(lb.off+i, n-i))
		g.load(asm.R1, la.at(i), c)
		g.load(asm.R2, lb.at(i), c)
		g.emit(asm.JNE.Reg(asm.R1, asm.R2, differ))
		i += c
	}
	if jumpOnEqual {
		g.jump(label)
		g.label(differ)
	}
}

// bufferCompareJump compares two buffers ({u32 len; u8 data[N]}), which
// are equal when their lengths are and their first len bytes are. A
// buffer's bytes past its length are zero wherever it is held (buf()
// pads them outside event records, and its operands are evaluated with
// padding here), so equal lengths leave only the bytes both sizes hold
// to compare, in whole words.
func (g *gen) bufferCompareJump(x *lang.Binary, label string, when bool) {
	if x.Op != "==" && x.Op != "!=" {
		failf(x.Span, "operator %s on %s is not supported", x.Op, x.X.Type())
	}
	saved := g.noPad
	g.noPad = false
	la := g.heldLoc(x.X)
	lb := g.heldLoc(x.Y)
	g.noPad = saved
	g.bytesCompareJump(la, lb, 4+min(x.X.Type().Size, x.Y.Type().Size), x.Op == "==", label, when)
}

// comparable is where the value of e is in layout t, converted when its
// own type differs.
func (g *gen) comparable(e lang.Expr, t *lang.Type) loc {
	src := g.heldLoc(e)
	if e.Type().Equal(t) {
		return src
	}
	dst := g.alloc(Sizeof(t))
	g.convertMem(dst, t, src, e.Type())
	return dst
}

// commonLayout is the layout two comparable tuples are compared in:
// integers 64-bit (signed if either is), strings of the larger size,
// anything else as it is.
func commonLayout(a, b *lang.Type) *lang.Type {
	switch {
	case a.Kind == lang.KInt && b.Kind == lang.KInt:
		return lang.IntType(8, a.Signed || b.Signed)
	case a.Kind == lang.KString && b.Kind == lang.KString:
		return lang.StringType(max(a.Size, b.Size))
	case a.Kind == lang.KTuple && b.Kind == lang.KTuple && len(a.Elems) == len(b.Elems):
		elems := make([]*lang.Type, len(a.Elems))
		for i := range elems {
			elems[i] = commonLayout(a.Elems[i], b.Elems[i])
		}
		t := &lang.Type{Kind: lang.KTuple, Elems: elems, Names: a.Names}
		t.Size = lang.SizeOf(t)
		return t
	}
	return a
}

// String comparison.

// stringCompareJump compares two strings byte by byte up to the first NUL.
func (g *gen) stringCompareJump(x *lang.Binary, label string, when bool) {
	if x.Op != "==" && x.Op != "!=" {
		failf(x.Span, "operator %s on strings is not supported yet", x.Op)
	}
	if x.X.Type().Kind != lang.KString || x.Y.Type().Kind != lang.KString {
		failf(x.Span, "comparing %s with %s is not supported", x.X.Type(), x.Y.Type())
	}
	// equal is where control goes when the strings are equal.
	jumpOnEqual := (x.Op == "==") == when
	equal, differ := g.newLabel("streq"), g.newLabel("strne")
	if jumpOnEqual {
		equal = label
	} else {
		differ = label
	}
	// Two literals are compared now: in a callback, the buffers a compare
	// at run time fills on one path of a branching expression and not on
	// another keep the verifier's paths apart (heavy generator script
	// 7280, `"lit" != "sshd" ? ... : ...` in an unrolled if).
	if l, ok := x.X.(*lang.StrLit); ok {
		if r, ok := x.Y.(*lang.StrLit); ok {
			if (cString(l.Value) == cString(r.Value)) == jumpOnEqual {
				g.jump(label)
			}
			return
		}
	}
	// A literal side is compared against immediates.
	a, b := x.X, x.Y
	if _, ok := a.(*lang.StrLit); ok {
		a, b = b, a
	}
	la := g.evalMem(a)
	sa := a.Type().Size
	if lit, ok := b.(*lang.StrLit); ok {
		s := lit.Value
		// A char array may be full with no NUL: a literal of its size
		// then matches all of it.
		full := len(s) == sa && a.Type().CharArray
		if len(s) >= sa && !full {
			// The literal cannot fit: never equal.
			g.jump(differ)
		} else {
			end := len(s)
			if !full {
				end++ // the literal's NUL
			}
			for i := 0; i < end; i++ {
				var c byte
				if i < len(s) {
					c = s[i]
				}
				g.load(asm.R1, la.at(i), 1)
				g.emit(asm.JNE.Imm(asm.R1, int32(c), differ))
			}
			g.jump(equal)
		}
	} else if lb, n := g.evalMem(b), min(sa, b.Type().Size); n > maxInlineScan {
		g.stringCompareLoop(la, lb, sa, b.Type().Size, equal, differ)
	} else {
		for i := 0; i < n; i++ {
			g.load(asm.R1, la.at(i), 1)
			g.load(asm.R2, lb.at(i), 1)
			g.emit(asm.JNE.Reg(asm.R1, asm.R2, differ))
			g.emit(asm.JEq.Imm(asm.R1, 0, equal))
		}
		// Both buffers full to the shorter size: equal only if the longer
		// one ends there.
		switch {
		case sa > n:
			g.load(asm.R1, la.at(n), 1)
			g.emit(asm.JNE.Imm(asm.R1, 0, differ))
		case b.Type().Size > n:
			g.load(asm.R1, lb.at(n), 1)
			g.emit(asm.JNE.Imm(asm.R1, 0, differ))
		}
		g.jump(equal)
	}
	if jumpOnEqual {
		g.label(differ)
	} else {
		g.label(equal)
	}
}

// tupleField resolves t.N on a tuple value (or r.name on a record) to its
// place in memory.
// evalArray writes an array of integers: the bytes of a cast integer, or a
// copy of a variable or map value.
func (g *gen) evalArray(e lang.Expr, t *lang.Type, dst loc) {
	switch x := e.(type) {
	case *lang.Cast:
		if isScalar(x.X.Type()) {
			r := g.evalInt(x.X)
			if piece := min(Alignof(t), t.Size); piece < t.Size {
				// A tuple places the array at its elements' alignment
				// ((int32)1, (int32[2])x): store the bytes in pieces of
				// that size, low ones first.
				w := g.allocReg()
				g.emit(asm.Mov.Reg(w, r))
				g.freeReg(r)
				for off := 0; off < t.Size; off += piece {
					if off > 0 {
						g.emit(asm.RSh.Imm(w, int32(8*piece)))
					}
					g.store(dst.at(off), w, piece)
				}
				g.freeReg(w)
				return
			}
			g.store(dst, r, t.Size)
			g.freeReg(r)
			return
		}
	case *lang.Var:
		g.copyMem(dst, g.varLoc(x), Sizeof(t))
		return
	case *lang.MapExpr:
		g.mapReadMem(x, dst, Sizeof(t))
		return
	case *lang.Call:
		if x.Name == "pton" {
			g.pton(x, dst)
			return
		}
	case *lang.FieldAccess, *lang.Index:
		if l, _, ok := g.tupleField(e); ok {
			g.copyMem(dst, l, Sizeof(t))
			return
		}
		// A tracepoint field is read through probe_read: ctx cannot be a
		// helper's memory argument.
		src, ft := g.ctxField(e)
		n := min(Sizeof(ft), Sizeof(t))
		g.addr(asm.R1, dst)
		g.emit(asm.Mov.Imm(asm.R2, int32(n)))
		g.addr(asm.R3, src)
		g.call(asm.FnProbeReadKernel)
		return
	}
	failf(e.Pos(), "this array expression is not supported yet")
}

// memArray reports arrays that live in program memory (not in the probe's
// context or behind a pointer): variables, map values, casts, and members
// and elements of such values.
func memArray(e lang.Expr) bool {
	t := e.Type()
	if t == nil || t.Kind != lang.KArray {
		return false
	}
	if fa, ok := e.(*lang.FieldAccess); ok && fa.Member != nil && !inMemory(e) {
		// An array member of a struct kept in a variable or map value.
		return true
	}
	return heldValue(e)
}

// heldValue reports whether e is a value the program holds in its own
// memory (a variable, a map value, a cast, a call's result, or a member or
// element of one), rather than one in kernel or user memory reached
// through a pointer or in the probe's context.
func heldValue(e lang.Expr) bool {
	switch x := e.(type) {
	case *lang.Var, *lang.MapExpr, *lang.Cast, *lang.Call, *lang.Tuple:
		return true
	case *lang.FieldAccess:
		xt := x.X.Type()
		if xt == nil || inMemory(e) {
			return false
		}
		return (xt.Kind == lang.KStruct && x.Member != nil || xt.Kind == lang.KTuple) && heldValue(x.X)
	case *lang.Index:
		xt := x.X.Type()
		return xt != nil && xt.Kind == lang.KArray && !inMemory(e) && heldValue(x.X)
	}
	return false
}

// heldLoc is where a held value is: a member or element is found in the
// value that holds it, anything else is evaluated into memory.
func (g *gen) heldLoc(e lang.Expr) loc {
	if l, _, ok := g.tupleField(e); ok {
		return l
	}
	return g.evalMem(e)
}

// tupleField resolves a member or element of a value the program holds
// to its place in memory: t.N of a tuple, r.name of a record, s.m of a
// struct, a[i] of an array, through any chain of them ($s.y[1][0]). The
// outermost value is evaluated into memory once; a run-time index copies
// its element out (indexAtRunTime).
func (g *gen) tupleField(e lang.Expr) (loc, *lang.Type, bool) {
	if ix, ok := e.(*lang.Index); ok && memArray(ix.X) {
		t := ix.X.Type()
		base := g.heldLoc(ix.X)
		n, ok := smallConst(ix.Index)
		if !ok {
			return g.indexAtRunTime(ix, base, t.Elem, t.Len), t.Elem, true
		}
		if n < 0 || int(n) >= t.Len {
			failf(ix.Index.Pos(), "index %d is out of bounds for array of %d elements", n, t.Len)
		}
		return base.at(int(n) * Sizeof(t.Elem)), t.Elem, true
	}
	fa, ok := e.(*lang.FieldAccess)
	if ok && fa.Member != nil && !inMemory(e) && fa.X.Type() != nil && fa.X.Type().Kind == lang.KStruct {
		// A member of a struct kept in a variable or map value.
		base := g.heldLoc(fa.X)
		return base.at(fa.Member.Offset), fa.Member.Type, true
	}
	if !ok || fa.X.Type() == nil || fa.X.Type().Kind != lang.KTuple {
		return loc{}, nil, false
	}
	t := fa.X.Type()
	idx := -1
	for i, name := range t.Names {
		if name == fa.Field {
			idx = i
		}
	}
	if idx < 0 {
		n, err := strconv.Atoi(fa.Field)
		if err != nil || n < 0 || n >= len(t.Elems) {
			failf(fa.Span, "tuple %s has no field %s", t, fa.Field)
		}
		idx = n
	}
	base := g.heldLoc(fa.X)
	return base.at(TupleOffsets(t)[idx]), t.Elems[idx], true
}

// indexAtRunTime copies element i (known only at run time) of the n
// elements of type elem at base into a temporary: probe_read from the
// computed address keeps variable offsets away from the verifier. An index
// out of bounds (a negative one is a huge unsigned number) gives
// bpftrace's run-time warning and reads zeroes.
func (g *gen) indexAtRunTime(x *lang.Index, base loc, elem *lang.Type, n int) loc {
	size := Sizeof(elem)
	tmp := g.alloc(size)
	r := g.evalInt(x.Index)
	oob, done := g.newLabel("oob"), g.newLabel("inbounds")
	g.emit(asm.JGE.Imm(r, int32(n), oob))
	if size != 1 {
		g.emit(asm.Mul.Imm(r, int32(size)))
	}
	g.addr(asm.R3, base)
	g.emit(asm.Add.Reg(asm.R3, r))
	g.freeReg(r)
	g.addr(asm.R1, tmp)
	g.emit(asm.Mov.Imm(asm.R2, int32(size)))
	g.call(asm.FnProbeReadKernel)
	g.jump(done)
	g.label(oob)
	g.warnOutOfBounds(x)
	if size > bigZero {
		g.zeroByHelper(tmp, size)
	} else {
		g.zero(tmp, size)
	}
	g.label(done)
	return tmp
}

// warnOutOfBounds sends bpftrace's run-time warning for an index found out
// of bounds at run time.
func (g *gen) warnOutOfBounds(x *lang.Index) {
	g.sendEvent(&Event{Kind: EvWarning, Format: ArrayOutOfBoundsMsg, Span: x.Span}, nil)
}

// evalFormatted emits the values that user space formats from bytes:
// ntop(), macaddr(), buf().
func (g *gen) evalFormatted(e lang.Expr, t *lang.Type, dst loc) {
	if g.copyStoredValue(e, t, dst, g.evalFormatted) {
		return
	}
	switch x := e.(type) {
	case *lang.Call:
		switch {
		case x.Name == "ntop" && t.Kind == lang.KInet:
			g.ntop(x, dst)
			return
		case x.Name == "macaddr" && t.Kind == lang.KMacaddr:
			g.macaddr(x, dst)
			return
		case x.Name == "buf" && t.Kind == lang.KBuffer:
			g.buf(x, t, dst)
			return
		}
	}
	failf(e.Pos(), "values of type %s are not supported here yet", t)
}

// copyStoredValue writes at dst a value of type t that is already held
// somewhere (a variable, a map, a tuple field) or chosen by a ternary whose
// branches eval produces; it reports false for any other expression.
func (g *gen) copyStoredValue(e lang.Expr, t *lang.Type, dst loc, eval func(lang.Expr, *lang.Type, loc)) bool {
	switch x := e.(type) {
	case *lang.Var:
		g.copyMem(dst, g.varLoc(x), Sizeof(t))
		return true
	case *lang.MapExpr:
		g.mapReadMem(x, dst, Sizeof(t))
		return true
	case *lang.FieldAccess, *lang.Index:
		if l, _, ok := g.tupleField(e); ok {
			g.copyMem(dst, l, Sizeof(t))
			return true
		}
	case *lang.Ternary:
		if x.Then != nil {
			els, end := g.newLabel("else"), g.newLabel("fi")
			g.condJump(x.Cond, els, false)
			eval(x.Then, t, dst)
			g.jump(end)
			g.label(els)
			eval(x.Else, t, dst)
			g.label(end)
			return true
		}
	}
	return false
}

// stringCompareLoop compares two long strings byte by byte in a bpf_loop
// callback and jumps to equal or differ. The callback leaves a verdict in
// the caller's frame: 0 they differ, 1 they ended together, 2 the first n
// bytes are equal with no end among them (then the longer buffer decides).
func (g *gen) stringCompareLoop(la, lb loc, sa, sb int, equal, differ string) {
	n := min(sa, sb)
	res := g.allocShared(4)
	la, lb = g.shared(la, sa), g.shared(lb, sb)
	g.storeImm(res, 2, 4)
	g.byteLoop(n, func() {
		stop := g.loopStop()
		g.addr(asm.R2, la)
		g.emit(asm.Add.Reg(asm.R2, asm.R1))
		g.emit(asm.LoadMem(asm.R3, asm.R2, 0, asm.Byte))
		g.addr(asm.R2, lb)
		g.emit(asm.Add.Reg(asm.R2, asm.R1))
		g.emit(asm.LoadMem(asm.R4, asm.R2, 0, asm.Byte))
		ne, end := g.newLabel("bytene"), g.newLabel("strend")
		g.emit(asm.JNE.Reg(asm.R3, asm.R4, ne))
		g.emit(asm.JEq.Imm(asm.R3, 0, end))
		g.jump(g.loopNext())
		g.label(end)
		g.storeImm(res, 1, 4)
		g.jump(stop)
		g.label(ne)
		g.storeImm(res, 0, 4)
		g.jump(stop)
	})
	g.load(asm.R1, res, 4)
	g.emit(asm.JEq.Imm(asm.R1, 0, differ))
	g.emit(asm.JEq.Imm(asm.R1, 1, equal))
	switch {
	case sa > n:
		g.load(asm.R1, la.at(n), 1)
		g.emit(asm.JNE.Imm(asm.R1, 0, differ))
	case sb > n:
		g.load(asm.R1, lb.at(n), 1)
		g.emit(asm.JNE.Imm(asm.R1, 0, differ))
	}
	g.jump(equal)
}

// cString is s up to its first NUL, as a string compare sees it.
func cString(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}

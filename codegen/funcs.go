package codegen

import (
	"strconv"

	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/check"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// Functions whose values are formatted in user space (ntop, macaddr, buf,
// strftime, strerror, cgroup_path), compile-time values (pton, cgroupid,
// getopt) and the side effects (signal, override, join).

// Address families as the kernel numbers them.
const (
	afInet  = 2
	afInet6 = 10
)

// JoinArgs and JoinArgSize bound what join() reads, as in bpftrace: up to
// 16 strings of the array, each up to 1024 bytes (NUL included).
const (
	JoinArgs    = 16
	JoinArgSize = 1024
)

// readFn picks the probe_read helper for memory at an address of type t.
func (g *gen) readFn(t *lang.Type, str bool) asm.BuiltinFunc {
	user := t.UserSpace || g.userProbe() && t.Kind == lang.KInt
	switch {
	case user && str:
		return asm.FnProbeReadUserStr
	case user:
		return asm.FnProbeReadUser
	case str:
		return asm.FnProbeReadKernelStr
	}
	return asm.FnProbeReadKernel
}

// readInto copies n bytes from the address in register rp to dst.
func (g *gen) readInto(dst loc, n int, rp asm.Register, fn asm.BuiltinFunc) {
	g.addr(asm.R1, dst)
	g.emit(asm.Mov.Imm(asm.R2, int32(n)), asm.Mov.Reg(asm.R3, rp))
	g.call(fn)
	g.checkHelper(fn, g.span)
}

// byteArray writes the bytes of an array expression (a variable, a map
// value, a cast, pton(), or a tracepoint field) to dst.
func (g *gen) byteArray(e lang.Expr, dst loc, n int) {
	t := e.Type()
	g.evalInto(e, t, dst)
	if Sizeof(t) < n {
		g.zero(dst.at(Sizeof(t)), n-Sizeof(t))
	}
}

// ntop fills an inet value: {u64 family; u8 addr[16]}.
func (g *gen) ntop(x *lang.Call, dst loc) {
	addr := x.Args[len(x.Args)-1]
	t := addr.Type()
	if len(x.Args) == 2 {
		r := g.evalInt(x.Args[0])
		g.store(dst, r, 8)
		g.freeReg(r)
	} else {
		af := afInet
		if t.Kind == lang.KArray && t.Len == 16 {
			af = afInet6
		}
		g.emit(asm.Mov.Imm(asm.R0, int32(af)))
		g.store(dst, asm.R0, 8)
	}
	if isScalar(t) {
		g.zero(dst.at(8), 16)
		r := g.evalInt(addr)
		g.store(dst.at(8), r, 4)
		g.freeReg(r)
		return
	}
	g.byteArray(addr, dst.at(8), 16)
}

// macaddr copies 6 bytes from an array or from memory.
func (g *gen) macaddr(x *lang.Call, dst loc) {
	a := x.Args[0]
	t := a.Type()
	if t.Kind == lang.KArray || t.Kind == lang.KString {
		if t.Kind == lang.KArray && t.Len == 6 {
			g.evalInto(a, t, dst)
			return
		}
		// A longer array, or a char array (typed as a string): its first
		// six bytes.
		g.copyMem(dst, g.evalMem(a), 6)
		return
	}
	g.zero(dst, 6)
	r := g.evalInt(a)
	g.readInto(dst, 6, r, g.readFn(t, false))
	g.freeReg(r)
}

// buf fills a buffer value: {u32 len; u8 data[Size]}.
func (g *gen) buf(x *lang.Call, bt *lang.Type, dst loc) {
	a := x.Args[0]
	t := a.Type()
	size := bt.Size
	if !g.noPad {
		g.zero(dst, 4+size)
	}
	if t.Kind == lang.KArray || t.Kind == lang.KString {
		n := min(Sizeof(t), size)
		length := n
		if len(x.Args) == 2 {
			if c, ok := smallConst(x.Args[1]); ok {
				n = min(n, int(c))
				// A length past a string literal's end counts the zero
				// bytes after it, as bpftrace does: buf("ab", 4) is
				// "ab\x00\x00".
				length = n
				if _, lit := a.(*lang.StrLit); lit {
					length = min(max(int(c), 0), size)
				}
			}
		}
		src := g.evalMem(a)
		g.copyMem(dst.at(4), src, n)
		if length > n && g.noPad {
			g.zero(dst.at(4+n), length-n)
		}
		g.emit(asm.Mov.Imm(asm.R0, int32(length)))
		g.store(dst, asm.R0, 4)
		return
	}
	rp := g.evalInt(a)
	p := g.alloc(8)
	g.store(p, rp, 8)
	g.freeReg(rp)
	n := g.evalInt(x.Args[1])
	// The verifier needs the length bounded: larger (or negative) lengths
	// read the whole buffer.
	ok := g.newLabel("buflen")
	g.emit(asm.JLE.Imm(n, int32(size), ok), asm.Mov.Imm(n, int32(size)))
	g.label(ok)
	g.store(dst, n, 4)
	g.addr(asm.R1, dst.at(4))
	g.emit(asm.Mov.Reg(asm.R2, n))
	g.freeReg(n)
	g.load(asm.R3, p, 8)
	g.call(g.readFn(t, false))
	g.checkHelper(g.readFn(t, false), g.span)
}

// pton writes the bytes of an address literal.
func (g *gen) pton(x *lang.Call, dst loc) {
	b, ok := check.PtonBytes(stringArg(x, 0))
	if !ok {
		failf(x.Span, "pton() needs an IPv4 or IPv6 address")
	}
	g.writeBytes(dst, b)
}

// strlen counts the bytes before the NUL with a bounded loop; a pointer
// is read as str() reads it first.
func (g *gen) strlen(x *lang.Call) asm.Register {
	a := x.Args[0]
	if t := a.Type(); t.Kind == lang.KPtr {
		st := lang.StringType(g.cc.checked.Config.MaxStrlen)
		st.UserSpace = t.UserSpace
		read := &lang.Call{Span: x.Span, Name: "str", Args: []lang.Expr{a}}
		read.SetType(st)
		a = read
	}
	size := Sizeof(a.Type())
	base := g.evalMem(a)
	r := g.allocReg()
	top, done := g.newLabel("strlen"), g.newLabel("strlendone")
	g.emit(asm.Mov.Imm(r, 0))
	g.label(top)
	g.emit(asm.JGE.Imm(r, int32(size), done))
	g.addr(asm.R1, base)
	g.emit(asm.Add.Reg(asm.R1, r), asm.LoadMem(asm.R1, asm.R1, 0, asm.Byte))
	g.emit(asm.JEq.Imm(asm.R1, 0, done), asm.Add.Imm(r, 1))
	g.jump(top)
	g.label(done)
	return r
}

// getoptValue is a getopt() call's value, fixed at compile time.
func (g *gen) getoptValue(x *lang.Call) string {
	name := stringArg(x, 0)
	v, ok := g.cc.checked.Getopts[name]
	if !ok {
		failf(x.Span, "the value of getopt(%q) is unknown", name)
	}
	return v
}

func (g *gen) getoptInt(x *lang.Call) asm.Register {
	v, err := strconv.ParseInt(g.getoptValue(x), 10, 64)
	if err != nil {
		failf(x.Span, "getopt(%q) is not an integer", stringArg(x, 0))
	}
	r := g.allocReg()
	g.loadConst(r, v)
	return r
}

func (g *gen) cgroupid(x *lang.Call) asm.Register {
	path := stringArg(x, 0)
	id, ok := g.cc.checked.CgroupIDs[path]
	if !ok {
		failf(x.Span, "the cgroup id of %s is unknown", path)
	}
	r := g.allocReg()
	g.loadConst(r, int64(id))
	return r
}

// probeType is the probetype builtin: the provider, "special" for BEGIN
// and END.
func (g *gen) probeType() string {
	switch p := g.res.Provider; p {
	case probetype.Begin, probetype.End, probetype.Self:
		return "special"
	case probetype.Bench:
		return "benchmark"
	default:
		return string(p)
	}
}

// signal(sig) sends a signal to the current process (bpf_send_signal).
func (g *gen) signal(x *lang.Call) {
	var sig int64
	if lit, ok := x.Args[0].(*lang.StrLit); ok {
		n, ok := check.SignalNumber(lit.Value)
		if !ok {
			failf(x.Span, "unknown signal %s", lit.Value)
		}
		sig = int64(n)
		g.emit(asm.Mov.Imm(asm.R1, int32(sig)))
	} else {
		r := g.evalInt(x.Args[0])
		g.emit(asm.Mov.Reg(asm.R1, r))
		g.freeReg(r)
	}
	g.call(asm.FnSendSignal)
}

// override(rc) makes the probed kernel function return rc
// (bpf_override_return; kprobes on functions open to error injection).
func (g *gen) override(x *lang.Call) {
	r := g.evalInt(x.Args[0])
	g.usesCtx = true
	g.emit(asm.Mov.Reg(asm.R2, r), asm.Mov.Reg(asm.R1, regCtx))
	g.freeReg(r)
	g.call(asm.FnOverrideReturn)
}

// joinEvent is the event of join(argv[, sep]).
func joinEvent(x *lang.Call) *Event {
	sep := " "
	if len(x.Args) == 2 {
		sep = stringArg(x, 1)
	}
	ev := &Event{Kind: EvJoin, Format: sep, Span: x.Span, JoinSlot: JoinArgSize}
	ev.Size = 16 + JoinArgs*JoinArgSize
	return ev
}

// join(argv[, sep]) reads up to JoinArgs strings of a NULL-terminated
// char *[] into one record: {u64 id; u64 count; char slot[JoinArgs][S]},
// S being JoinArgSize. User space joins them with the separator.
func (g *gen) join(x *lang.Call) {
	ev := joinEvent(x)
	slot := ev.JoinSlot
	id := g.cc.addEvent(ev)
	t := x.Args[0].Type()
	readPtr, readStr := g.readFn(t, false), g.readFn(t, true)

	rec := g.alloc(ev.Size)
	g.loadConst(asm.R0, int64(id))
	g.store(rec, asm.R0, 8)
	g.emit(asm.Mov.Imm(asm.R0, 0))
	g.store(rec.at(8), asm.R0, 8)
	rp := g.evalInt(x.Args[0])
	argv := g.alloc(8)
	g.store(argv, rp, 8)
	g.freeReg(rp)
	ptr := g.alloc(8)
	done := g.newLabel("joindone")
	for i := 0; i < JoinArgs; i++ {
		g.addr(asm.R1, ptr)
		g.emit(asm.Mov.Imm(asm.R2, 8))
		g.load(asm.R3, argv, 8)
		g.emit(asm.Add.Imm(asm.R3, int32(8*i)))
		g.call(readPtr)
		g.emit(asm.JNE.Imm(asm.R0, 0, done))
		g.load(asm.R3, ptr, 8)
		g.emit(asm.JEq.Imm(asm.R3, 0, done))
		g.addr(asm.R1, rec.at(16+i*slot))
		g.emit(asm.Mov.Imm(asm.R2, int32(slot)))
		g.call(readStr)
		g.checkHelper(readStr, g.span)
		g.emit(asm.Mov.Imm(asm.R0, int32(i+1)))
		g.store(rec.at(8), asm.R0, 8)
	}
	g.label(done)
	if rec.onStack() {
		failf(x.Span, "join() needs the scratch buffer")
	}
	g.mapPtr(asm.R1, ringBufName)
	g.addr(asm.R2, rec)
	g.emit(asm.Mov.Imm(asm.R3, int32(ev.Size)), asm.Mov.Imm(asm.R4, 0))
	g.call(asm.FnRingbufOutput)
	g.countIfFailed(DropEvent)
}

// strConcat writes str_concat(a, b) to dst: a up to its NUL, then b, in
// a string of a's size plus b's (one NUL fewer). Both halves are copied by
// bpf_probe_read_kernel_str (the strings are in this program's memory, which
// is kernel memory), into the scratch buffer, where the second copy may
// start at an offset known only at run time.
func (g *gen) strConcat(x *lang.Call, dst loc, size int) {
	a, b := x.Args[0], x.Args[1]
	sa, sb := Sizeof(a.Type()), Sizeof(b.Type())
	total := sa + sb - 1
	la, lb := g.evalMem(a), g.evalMem(b)
	out := g.allocScratch(alignUp(total, 8))
	g.addr(asm.R1, out)
	g.emit(asm.Mov.Imm(asm.R2, int32(sa)))
	g.addr(asm.R3, la)
	g.call(asm.FnProbeReadKernelStr)
	// R0 counts a's bytes and its NUL: b starts at R0-1, clamped to
	// [0, sa-1] so that the verifier knows the copy stays inside out.
	off := g.allocReg()
	g.emit(asm.Mov.Reg(off, asm.R0))
	g.emit(asm.Add.Imm(off, -1))
	low, high := g.newLabel("catlow"), g.newLabel("cathigh")
	g.emit(asm.JSGE.Imm(off, 0, low), asm.Mov.Imm(off, 0))
	g.label(low)
	g.emit(asm.JSLE.Imm(off, int32(sa-1), high), asm.Mov.Imm(off, int32(sa-1)))
	g.label(high)
	g.addr(asm.R1, out)
	g.emit(asm.Add.Reg(asm.R1, off))
	// b's own size: it ends by total, and the verifier checks the largest
	// offset plus a size it knows.
	g.emit(asm.Mov.Imm(asm.R2, int32(sb)))
	g.freeReg(off)
	g.addr(asm.R3, lb)
	g.call(asm.FnProbeReadKernelStr)
	n := min(size, total)
	g.copyMem(dst, out, n)
	if n < size {
		g.zero(dst.at(n), size-n)
	}
}

// dPath writes path(p[, size]) to dst: bpf_d_path resolves the struct path
// into the buffer (the kernel allows it only in fentry/fexit probes of the
// functions of its btf_allowlist_d_path).
func (g *gen) dPath(x *lang.Call, dst loc, size int) {
	n := min(size, Sizeof(x.Type()))
	g.zero(dst, size)
	p := g.evalInt(x.Args[0])
	g.emit(asm.Mov.Reg(asm.R1, p))
	g.freeReg(p)
	g.addr(asm.R2, dst)
	g.emit(asm.Mov.Imm(asm.R3, int32(n)))
	g.call(asm.FnDPath)
	g.checkHelper(asm.FnDPath, g.span)
}

// writeUser is write_user(dst, src, len): bpf_probe_write_user copies len
// bytes of src's value to the user address dst; the result is 1 when the
// kernel wrote them. A length known only at run time is clamped to src's
// size, which the verifier needs.
func (g *gen) writeUser(x *lang.Call) asm.Register {
	src := x.Args[1]
	size := Sizeof(src.Type())
	ls := g.shared(g.evalMem(src), size)
	dst := g.evalInt(x.Args[0])
	d := g.alloc(8)
	g.store(d, dst, 8)
	g.freeReg(dst)
	n := g.evalInt(x.Args[2])
	low, high := g.newLabel("wlow"), g.newLabel("whigh")
	g.emit(asm.JSGE.Imm(n, 1, low), asm.Mov.Imm(n, 1))
	g.label(low)
	g.emit(asm.JSLE.Imm(n, int32(size), high), asm.Mov.Imm(n, int32(size)))
	g.label(high)
	g.emit(asm.Mov.Reg(asm.R3, n))
	g.freeReg(n)
	g.load(asm.R1, d, 8)
	g.addr(asm.R2, ls)
	g.call(asm.FnProbeWriteUser)
	r := g.allocReg()
	ok := g.newLabel("written")
	g.emit(asm.Mov.Imm(r, 1), asm.JEq.Imm(asm.R0, 0, ok), asm.Mov.Imm(r, 0))
	g.label(ok)
	return r
}

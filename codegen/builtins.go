package codegen

import (
	"strconv"

	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/check"
	"github.com/gobpftrace/gobpftrace/stdlib"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// builtinInt emits an integer builtin variable.
func (g *gen) builtinInt(x *lang.Ident) asm.Register {
	var r asm.Register
	switch x.Name {
	case "pid":
		g.call(asm.FnGetCurrentPidTgid)
		r = g.allocReg()
		g.emit(asm.Mov.Reg(r, asm.R0), asm.RSh.Imm(r, 32))
	case "tid":
		g.call(asm.FnGetCurrentPidTgid)
		r = g.allocReg()
		g.emit(asm.Mov.Reg32(r, asm.R0))
	case "uid", "username":
		g.call(asm.FnGetCurrentUidGid)
		r = g.allocReg()
		g.emit(asm.Mov.Reg32(r, asm.R0))
	case "gid":
		g.call(asm.FnGetCurrentUidGid)
		r = g.allocReg()
		g.emit(asm.Mov.Reg(r, asm.R0), asm.RSh.Imm(r, 32))
	case "nsecs":
		r = g.callInto(asm.FnKtimeGetNs)
	case "elapsed":
		r = g.elapsed()
	case "cpu":
		r = g.callInto(asm.FnGetSmpProcessorId)
	case "rand":
		r = g.callInto(asm.FnGetPrandomU32)
	case "cgroup":
		r = g.callInto(asm.FnGetCurrentCgroupId)
	case "jiffies":
		r = g.callInto(asm.FnJiffies64)
	case "numaid":
		r = g.callInto(asm.FnGetNumaNodeId)
	case "curtask":
		r = g.callInto(asm.FnGetCurrentTask)
	case "ctx":
		// The context's address (outside iter probes, whose ctx fields
		// are read as args are).
		g.usesCtx = true
		r = g.allocReg()
		g.emit(asm.Mov.Reg(r, regCtx))
	case "retval":
		r = g.retval(x)
	case "ncpus":
		g.cc.useGlobals()
		r = g.allocReg()
		g.emit(asm.LoadMapValue(r, 0, GlobalNcpus).WithReference(globalsName))
		g.emit(asm.LoadMem(r, r, 0, asm.Word))
	case "usermode":
		r = g.usermode()
	case "cpid":
		g.cc.useGlobals()
		r = g.allocReg()
		g.emit(asm.LoadMapValue(r, 0, GlobalCpid).WithReference(globalsName))
		g.emit(asm.LoadMem(r, r, 0, asm.Word))
	default:
		if n, ok := stdlib.ArgIndex(x.Name); ok {
			return g.argN(x, n)
		}
		failf(x.Span, "builtin %s is not supported yet", x.Name)
	}
	// Every helper above returns a value that already fits its type.
	return r
}

// callInto calls a helper without arguments and moves its result into a
// fresh register.
func (g *gen) callInto(fn asm.BuiltinFunc) asm.Register {
	g.call(fn)
	r := g.allocReg()
	g.emit(asm.Mov.Reg(r, asm.R0))
	return r
}

// clock reads nsecs(mode) for the clocks other than monotonic: boot and tai
// through their helpers, sw_tai as the boot clock plus the TAI offset the
// runtime measured at start and stored in globals.
func (g *gen) clock(mode string) asm.Register {
	switch mode {
	case "boot":
		return g.callInto(asm.FnKtimeGetBootNs)
	case "tai":
		return g.callInto(asm.FnKtimeGetTaiNs)
	}
	g.cc.useGlobals()
	r := g.callInto(asm.FnKtimeGetBootNs)
	g.emit(asm.LoadMapValue(asm.R1, 0, GlobalTaiOffset).WithReference(globalsName))
	g.emit(asm.LoadMem(asm.R1, asm.R1, 0, asm.DWord), asm.Add.Reg(r, asm.R1))
	return r
}

// elapsed is nsecs minus the start time the runtime stored in globals,
// read through a direct map value address (no lookup call).
func (g *gen) elapsed() asm.Register {
	g.cc.useGlobals()
	r := g.callInto(asm.FnKtimeGetNs)
	g.emit(asm.LoadMapValue(asm.R1, 0, GlobalStartNs).WithReference(globalsName))
	g.emit(asm.LoadMem(asm.R1, asm.R1, 0, asm.DWord), asm.Sub.Reg(r, asm.R1))
	return r
}

// ctxField resolves args.field and args.field[i] (constant i) to a place
// in the tracepoint record and the field's type.
func (g *gen) ctxField(e lang.Expr) (loc, *lang.Type) {
	l, f := g.ctxFieldAt(e)
	if f.DataLoc {
		failf(e.Pos(), "__data_loc field %s is not supported here", f.Name)
	}
	return l, f.Type
}

// dataLoc reports whether e is an args field stored as a __data_loc.
func (g *gen) dataLoc(e lang.Expr) (loc, bool) {
	if _, ok := e.(*lang.FieldAccess); !ok {
		return loc{}, false
	}
	l, f := g.ctxFieldAt(e)
	return l, f.DataLoc
}

func (g *gen) ctxFieldAt(e lang.Expr) (loc, *lang.Field) {
	switch x := e.(type) {
	case *lang.FieldAccess:
		if id, ok := x.X.(*lang.Ident); ok && (id.Name == "args" || id.Name == "ctx") {
			if g.res.Args == nil {
				failf(x.Span, "args is not available in %s probes", g.res.Provider)
			}
			for _, f := range g.res.Args.Fields {
				if f.Name == x.Field {
					if f.BitSize != 0 {
						failf(x.Span, "bitfield %s is not supported yet", f.Name)
					}
					g.usesCtx = true
					if g.res.Provider == probetype.Iter {
						return g.iterField(f), f
					}
					return loc{base: regCtx, off: f.Offset}, f
				}
			}
			failf(x.Span, "tracepoint %s has no field %s", g.res.Name, x.Field)
		}
	case *lang.Index:
		base, t := g.ctxField(x.X)
		if t.Kind != lang.KArray {
			failf(x.Span, "indexing a value of type %s is not supported yet", t)
		}
		lit, ok := x.Index.(*lang.IntLit)
		if !ok {
			failf(x.Index.Pos(), "only constant array indexes are supported yet")
		}
		if lit.Value >= uint64(t.Len) {
			failf(x.Index.Pos(), "index %s is out of bounds for array of %d elements", strconv.FormatUint(lit.Value, 10), t.Len)
		}
		return base.at(int(lit.Value) * Sizeof(t.Elem)), &lang.Field{Type: t.Elem}
	}
	failf(e.Pos(), "this field access is not supported yet")
	return loc{}, nil
}

// iterField copies a field of an iter probe's context to the stack with
// bpf_probe_read_kernel. The verifier types each load of an iterator's
// object (ctx.task, ctx.file, ctx.vma) as a pointer that may be NULL and
// refuses arithmetic on it, which member reads need; the copy is a plain
// number, read through probe_read as any kernel pointer is.
func (g *gen) iterField(f *lang.Field) loc {
	tmp := g.alloc(8)
	g.addr(asm.R3, loc{base: regCtx, off: f.Offset})
	g.addr(asm.R1, tmp)
	g.emit(asm.Mov.Imm(asm.R2, 8))
	g.call(asm.FnProbeReadKernel)
	return tmp
}

// positionalInt is the value of an integer $N (or $#).
func (g *gen) positionalInt(p *lang.Positional) int64 {
	params := g.cc.checked.Params
	if p.Count {
		return int64(len(params))
	}
	if p.N < 1 || p.N > len(params) {
		return 0
	}
	v, ok := check.PositionalInt(params[p.N-1])
	if !ok {
		failf(p.Span, "positional parameter $%d is not an integer", p.N)
	}
	return v
}

// positionalString is the text of a string $N.
func (g *gen) positionalString(p *lang.Positional) string {
	params := g.cc.checked.Params
	if p.N < 1 || p.N > len(params) {
		return ""
	}
	return params[p.N-1]
}

// ctxIndexVar reads args.array[i] with a run-time index: the element is
// copied with probe_read (the verifier forbids variable ctx offsets in
// loads); an index out of bounds warns and reads 0.
func (g *gen) ctxIndexVar(x *lang.Index) asm.Register {
	base, t := g.ctxField(x.X)
	if t.Kind != lang.KArray || !isScalar(t.Elem) {
		failf(x.Span, "indexing a value of type %s is not supported yet", t)
	}
	l := g.indexAtRunTime(x, base, t.Elem, t.Len)
	r := g.allocReg()
	g.loadScalar(r, l, t.Elem)
	return r
}

// memIndex reads element i of an array or string held in memory (a
// variable, a map value, a cast): a constant index loads it directly; a
// run-time index copies it out (indexAtRunTime), with bpftrace's warning
// and 0 when the index is out of bounds.
func (g *gen) memIndex(x *lang.Index) asm.Register {
	t := x.X.Type()
	elem, n := t.Elem, t.Len
	if t.Kind == lang.KString {
		elem, n = lang.TInt8, t.Size
	}
	if !isScalar(elem) {
		failf(x.Span, "indexing a value of type %s is not supported yet", t)
	}
	size := Sizeof(elem)
	base := g.heldLoc(x.X)
	if i, ok := smallConst(x.Index); ok {
		if i < 0 || int(i) >= n {
			failf(x.Index.Pos(), "index %d is out of bounds for array of %d elements", i, n)
		}
		r := g.allocReg()
		g.loadScalar(r, base.at(int(i)*size), elem)
		return r
	}
	l := g.indexAtRunTime(x, base, elem, n)
	r := g.allocReg()
	g.loadScalar(r, l, elem)
	return r
}

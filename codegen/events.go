package codegen

import (
	"encoding/binary"

	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/check"
)

// Events go to user space through the ring buffer: a u64 id, then the
// arguments packed per Event.Args. The record is built in memory and copied
// with bpf_ringbuf_output, so that no reservation is held across the
// arguments' evaluation.

// layoutEvent lays out ev's record for args: the id, then each argument
// at its C-aligned offset. It returns the record's type.
func layoutEvent(ev *Event, args []lang.Expr) *lang.Type {
	types := make([]*lang.Type, len(args))
	for i, a := range args {
		t := a.Type()
		if t == nil || Sizeof(t) == 0 {
			failf(a.Pos(), "a value of type %s cannot be sent to user space", t)
		}
		types[i] = t
	}
	rec := &lang.Type{Kind: lang.KTuple, Elems: append([]*lang.Type{lang.TUint64}, types...)}
	offs := TupleOffsets(rec)
	ev.Size = alignUp(Sizeof(rec), 8)
	ev.Args = nil
	for i, t := range types {
		ev.Args = append(ev.Args, &EventArg{Offset: offs[i+1], Type: t})
	}
	return rec
}

// sendEvent registers ev, evaluates args into a record and outputs it.
func (g *gen) sendEvent(ev *Event, args []lang.Expr) {
	rec := layoutEvent(ev, args)
	offs := TupleOffsets(rec)
	types := rec.Elems[1:]
	id := g.cc.addEvent(ev)

	buf := g.alloc(ev.Size)
	var hdr [8]byte
	binary.LittleEndian.PutUint64(hdr[:], uint64(id))
	g.writeBytes(buf, hdr[:])
	saved := g.noPad
	g.noPad = true
	for i, a := range args {
		g.evalInto(a, types[i], buf.at(offs[i+1]))
	}
	g.noPad = saved
	if buf.onStack() {
		// The verifier rejects helpers reading uninitialized stack.
		g.zeroGaps(buf, rec)
		if tail := Sizeof(rec); tail < ev.Size {
			g.zero(buf.at(tail), ev.Size-tail)
		}
	}
	g.mapPtr(asm.R1, ringBufName)
	g.addr(asm.R2, buf)
	g.emit(asm.Mov.Imm(asm.R3, int32(ev.Size)), asm.Mov.Imm(asm.R4, 0))
	g.call(asm.FnRingbufOutput)
	if ev.Kind == EvExit {
		g.exitNotSent(buf, ev, id)
		return
	}
	g.countIfFailed(DropEvent)
}

// exitNotSent follows the output of exit()'s record: when the ring buffer
// had no room for it, the program raises the exit flag in the Drops value
// (with the exit code, when given), which the runtime looks at while it
// reads the ring buffer: a full ring buffer cannot lose an exit.
func (g *gen) exitNotSent(buf loc, ev *Event, id int) {
	ok := g.newLabel("exit_sent")
	g.emit(asm.JEq.Imm(asm.R0, 0, ok))
	slot := g.cc.exitFlagSlot()
	if len(ev.Args) > 0 {
		a := ev.Args[0]
		g.load(asm.R2, buf.at(a.Offset), Sizeof(a.Type))
		g.emit(asm.LoadMapValue(asm.R1, 0, uint32(8*(slot+1))).WithReference(dropsName))
		g.store(loc{base: asm.R1}, asm.R2, 8)
	}
	// The flag is the event's id + 1: user space decodes the code as
	// that event's argument.
	g.emit(asm.LoadMapValue(asm.R1, 0, uint32(8*slot)).WithReference(dropsName))
	g.storeImm(loc{base: asm.R1}, int32(id+1), 8)
	g.label(ok)
}

func stringArg(call *lang.Call, i int) string {
	lit, ok := call.Args[i].(*lang.StrLit)
	if !ok {
		failf(call.Args[i].Pos(), "%s() needs a string literal here", call.Name)
	}
	return lit.Value
}

func intArg(call *lang.Call, i int) int64 {
	if c, ok := smallConst(call.Args[i]); ok {
		return int64(c)
	}
	if lit, ok := call.Args[i].(*lang.IntLit); ok {
		return int64(lit.Value)
	}
	failf(call.Args[i].Pos(), "%s() needs an integer literal here", call.Name)
	return 0
}

func mapArg(call *lang.Call) *lang.MapExpr {
	if len(call.Args) == 0 {
		failf(call.Span, "%s() needs a map", call.Name)
	}
	m, ok := call.Args[0].(*lang.MapExpr)
	if !ok || len(m.Keys) != 0 {
		failf(call.Args[0].Pos(), "%s() needs a map without keys", call.Name)
	}
	return m
}

// scriptEvent returns the event a call of the script sends, with the
// arguments its record carries, or nil for a call that sends none. It
// depends on the call alone: the resources pass and code generation build
// the same event (see resources.go).
func scriptEvent(call *lang.Call) (*Event, []lang.Expr) {
	switch call.Name {
	case "printf":
		if len(call.Args) == 0 {
			failf(call.Span, "printf() needs a format string")
		}
		return &Event{Kind: EvPrintf, Format: stringArg(call, 0), Span: call.Span}, call.Args[1:]
	case "print":
		if len(call.Args) == 0 {
			failf(call.Span, "print() needs an argument")
		}
		if m, ok := call.Args[0].(*lang.MapExpr); ok && len(m.Keys) == 0 {
			ev := &Event{Kind: EvPrintMap, Map: m.Name, Span: call.Span}
			if len(call.Args) > 1 {
				ev.Top = intArg(call, 1)
			}
			if len(call.Args) > 2 {
				ev.Div = intArg(call, 2)
			}
			ev.Range = len(call.Args) == 3 && m.Sym != nil && m.Sym.Value != nil && m.Sym.Value.Kind == lang.KTseries
			return ev, nil
		}
		if len(call.Args) != 1 {
			failf(call.Span, "print() of a value takes one argument")
		}
		return &Event{Kind: EvPrintValue, Span: call.Span}, call.Args
	case "exit":
		// exit(code) sends the code as the event's one argument.
		return &Event{Kind: EvExit, Span: call.Span}, call.Args
	case "clear", "zero":
		m := mapArg(call)
		kind := EvClear
		if call.Name == "zero" {
			kind = EvZero
		}
		return &Event{Kind: kind, Map: m.Name, Span: call.Span}, nil
	case "time":
		format := "%H:%M:%S\n"
		if len(call.Args) > 0 {
			format = stringArg(call, 0)
		}
		return &Event{Kind: EvTime, Format: format, Span: call.Span}, nil
	case "cat", "system", "errorf", "warnf":
		kind := map[string]EventKind{"cat": EvCat, "system": EvSystem, "errorf": EvErrorf, "warnf": EvWarnf}[call.Name]
		return &Event{Kind: kind, Format: stringArg(call, 0), Span: call.Span}, call.Args[1:]
	case "join":
		return joinEvent(call), nil
	}
	return nil, nil
}

// callStmt emits a call used as a statement.
func (g *gen) callStmt(call *lang.Call) {
	if call.Name == "join" {
		g.join(call)
		return
	}
	if call.Name == "printf" && g.pinnedIter() {
		g.seqPrintf(call)
		return
	}
	if ev, args := scriptEvent(call); ev != nil {
		switch ev.Kind {
		case EvPrintMap, EvClear, EvZero:
			g.mapOf(call.Args[0].(*lang.MapExpr))
		}
		g.sendEvent(ev, args)
		if ev.Kind == EvExit {
			g.jump(g.done)
		}
		return
	}
	switch call.Name {
	case "static_assert", "fail", "assert_str":
		// Checked at compile time; nothing runs.
	case "assert":
		g.assert(call)
	case "debugf":
		g.debugf(call)
	case "signal":
		g.signal(call)
	case "override":
		g.override(call)
	case "delete":
		g.deleteKey(call)
		g.warnDiscardedDelete(call.Span)
	case "has_key", "strncmp", "bswap", "is_err", "kptr", "uptr", "ksym", "kaddr":
		g.freeReg(g.callInt(call))
	default:
		if call.Type() != nil && isScalar(call.Type()) {
			g.freeReg(g.evalInt(call))
			return
		}
		if call.Type() != nil && (call.Type().Kind == lang.KStack || call.Type().Kind == lang.KSym) {
			// A stack or usym() with no use: evaluate for its effects.
			m := g.mark()
			g.evalMem(call)
			g.release(m)
			return
		}
		failf(call.Span, "%s() is not supported yet", call.Name)
	}
}

// assert(cond, msg) reports "assert failed: MSG" as an error with the
// call's position and exits with code 1 when cond is false.
func (g *gen) assert(call *lang.Call) {
	ok := g.newLabel("assertok")
	g.condJump(call.Args[0], ok, true)
	g.sendEvent(&Event{Kind: EvErrorf, Format: "assert failed: %s", Span: call.Span}, call.Args[1:2])
	code := &lang.IntLit{Span: call.Span, Value: 1}
	code.SetType(lang.TInt64)
	g.sendEvent(&Event{Kind: EvExit, Span: call.Span}, []lang.Expr{code})
	g.jump(g.done)
	g.label(ok)
}

// debugf(format, args...) writes to the trace buffer with
// bpf_trace_printk: the values are put in stack slots first (evaluating one
// may call helpers), then the format, then R3-R5.
func (g *gen) debugf(call *lang.Call) {
	args := call.Args[1:]
	format, _, msg := check.TracePrintkFormat(stringArg(call, 0), len(args))
	if msg != "" {
		failf(call.Span, "debugf: %s", msg)
	}
	slots := make([]loc, len(args))
	for i, a := range args {
		slots[i] = g.alloc(8)
		if a.Type().Kind == lang.KString {
			// %s: the kernel reads the string at the address it is given.
			g.addr(asm.R1, g.evalMem(a))
			g.store(slots[i], asm.R1, 8)
			continue
		}
		r := g.evalInt(a)
		g.store(slots[i], r, 8)
		g.freeReg(r)
	}
	text := append([]byte(format), 0)
	fl := g.alloc(len(text))
	g.writeBytes(fl, text)
	for i := range args {
		g.load(asm.R3+asm.Register(i), slots[i], 8)
	}
	g.addr(asm.R1, fl)
	g.emit(asm.Mov.Imm(asm.R2, int32(len(text))))
	g.call(asm.FnTracePrintk)
}

package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/check"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// pinnedIter reports whether the probe being built is a pinned iterator
// (iter:NAME:PIN): its printf() writes into the file read, with
// bpf_seq_printf, instead of sending an event to gobpftrace.
func (g *gen) pinnedIter() bool {
	return g.res != nil && g.res.Provider == probetype.Iter && g.res.Pin != ""
}

// seqPrintf emits printf() of a pinned iterator: the kernel formats it
// into the iterator's seq file (ctx->meta->seq). Each argument is a 64-bit
// slot of an array: an integer cut and extended as the conversion reads
// it, a string the address of a NUL-terminated copy.
func (g *gen) seqPrintf(call *lang.Call) {
	args := call.Args[1:]
	types := make([]*lang.Type, len(args))
	for i, a := range args {
		types[i] = a.Type()
	}
	format, convs, msg := check.SeqPrintfFormat(stringArg(call, 0), types)
	if msg != "" {
		failf(call.Span, "printf: %s", msg)
	}
	m := g.mark()
	var data loc
	if len(args) > 0 {
		data = g.alloc(8 * len(args))
	}
	for i, a := range args {
		if convs[i].String {
			// A char array may fill its buffer: the copy has a NUL after it.
			size := Sizeof(types[i])
			buf := g.alloc(size + 1)
			g.evalInto(a, types[i], buf)
			g.storeImm(buf.at(size), 0, 1)
			r := g.allocReg()
			g.addr(r, buf)
			g.store(data.at(8*i), r, 8)
			g.freeReg(r)
			continue
		}
		r := g.evalInt(a)
		g.extend(r, convs[i].Bits/8, convs[i].Signed)
		g.store(data.at(8*i), r, 8)
		g.freeReg(r)
	}
	text := append([]byte(format), 0)
	fl := g.alloc(len(text))
	g.writeBytes(fl, text)
	if len(args) > 0 {
		g.addr(asm.R4, data)
		g.emit(asm.Mov.Imm(asm.R5, int32(8*len(args))))
	} else {
		g.emit(asm.Mov.Imm(asm.R4, 0), asm.Mov.Imm(asm.R5, 0))
	}
	g.addr(asm.R2, fl)
	g.emit(asm.Mov.Imm(asm.R3, int32(len(text))))
	// struct bpf_iter__NAME starts with meta, whose first field is seq.
	g.usesCtx = true
	g.emit(asm.LoadMem(asm.R1, regCtx, 0, asm.DWord), asm.LoadMem(asm.R1, asm.R1, 0, asm.DWord))
	g.call(asm.FnSeqPrintf)
	g.release(m)
}

package codegen

import (
	"encoding/binary"
	"strings"
	"unicode"

	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang"
)

// Helper error checks (bpftrace's -k). A BPF helper that fails returns a
// negative errno, and the script goes on with a zero value: a string read
// from a bad address is empty, a map update on a full map is lost, a
// missing key reads as 0. With Options.HelperErrors each such call is
// followed by a check; a failure sends an EvHelperError record (the
// helper's return code) that user space prints as a warning pointing at
// the script's code. Without it no instruction is added.
//
// Checked: the probe_read family (str(), reads through user pointers)
// and map_lookup_elem (a map read that finds no key, return code 0),
// which are what -k adds in bpftrace v0.26, and map_update_elem and
// map_delete_elem, which bpftrace v0.26 checks even without -k. Without -k
// gobpftrace counts failed map updates (drops.go; the runtime prints
// bpftrace's warning once per map and the count at exit), reports a
// delete() whose result is discarded and that finds no key
// (warnDiscardedDelete), and a get_stackid that fails (checkStackid), as
// bpftrace v0.26 reports its get_stack.

// Options change code generation.
type Options struct {
	// HelperErrors is -k: report failing helper calls at run time.
	HelperErrors bool
	// HistSums keeps, for every key of a hist() or lhist() map, the sum
	// of the values counted, under the bucket index HistSumBucket (for
	// --metrics, whose Prometheus histograms have a _sum). It costs a
	// second map update per event.
	HistSums bool
	// NoIRPasses compiles without the passes on the IR (constant folding,
	// register allocation: every virtual register in its home). Tests
	// compare the two.
	NoIRPasses bool
	// NoUprobeMulti is --no-feature uprobe_multi: the matches of a uprobe
	// wildcard get a program each, attached with a uprobe each, instead
	// of one program on one uprobe_multi link.
	NoUprobeMulti bool
	// KeepIR keeps every program's functions as code generation built
	// them (Program.Funcs, for -d ir): lowering then works on a copy.
	// Without it the passes change the functions in place, which saves
	// copying every instruction of the script once.
	KeepIR bool
}

func firstOptions(opts []Options) Options {
	if len(opts) == 0 {
		return Options{}
	}
	return opts[0]
}

// helperErrorSize is an EvHelperError record: the id, then the return code.
const helperErrorSize = 16

// helperName is the name bpftrace prints for a helper, libbpf's without
// the bpf_ prefix: asm's FnProbeReadUserStr is "probe_read_user_str".
func helperName(fn asm.BuiltinFunc) string {
	camel := strings.TrimPrefix(fn.String(), "Fn")
	var b strings.Builder
	for i, r := range camel {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// checkHelper follows a call of fn: when its return value (R0) is
// negative, report it. R0 keeps its value on both paths; R1-R5 are
// clobbered on the failure path only (they are dead after a call anyway).
func (g *gen) checkHelper(fn asm.BuiltinFunc, span lang.Span) {
	if !g.cc.opts.HelperErrors {
		return
	}
	ok := g.newLabel("helper_ok")
	g.emit(asm.JSGE.Imm(asm.R0, 0, ok))
	g.reportHelper(fn, span, asm.R0)
	g.label(ok)
}

// checkStackid follows bpf_get_stackid, with -k or without, as bpftrace
// v0.26 checks its bpf_get_stack by default: a failure is reported (a
// stack that could not be recorded, its bucket of the stack map taken by
// another: EEXIST), but for EFAULT, which means the probe has no such
// stack (a kernel thread's user stack, the kernel stack of a sample taken
// in user mode) and prints as an empty stack, as bpftrace's does. R0 is
// kept.
func (g *gen) checkStackid(span lang.Span) {
	ok := g.newLabel("stackid_ok")
	g.emit(asm.JSGE.Imm(asm.R0, 0, ok), asm.JEq.Imm(asm.R0, -efault, ok))
	m := g.mark() // the record's slot is dead after the report
	g.reportHelper(asm.FnGetStackid, span, asm.R0)
	g.release(m)
	g.label(ok)
}

// efault is EFAULT, which bpf_get_stackid returns for a probe without the
// stack asked for.
const efault = 14

// warnDiscardedDelete follows a delete() statement, whose result nobody
// reads: when the key was missing it is reported, with -k or without, as
// bpftrace v0.26 warns ("Can't delete map element because it does not
// exist."). With -k, checkHelper already reported it.
func (g *gen) warnDiscardedDelete(span lang.Span) {
	if g.cc.opts.HelperErrors {
		return
	}
	ok := g.newLabel("deleted")
	g.emit(asm.JSGE.Imm(asm.R0, 0, ok))
	g.reportHelper(asm.FnMapDeleteElem, span, asm.R0)
	g.label(ok)
}

// checkLookupHit follows a map_lookup_elem whose miss reads as zero: a
// miss is reported with return code 0, as bpftrace does. R0 (the value
// pointer, or 0) is kept.
func (g *gen) checkLookupHit(span lang.Span) {
	if !g.cc.opts.HelperErrors {
		return
	}
	ok := g.newLabel("lookup_hit")
	g.emit(asm.JNE.Imm(asm.R0, 0, ok))
	g.reportHelper(asm.FnMapLookupElem, span, asm.R0)
	// R0 is NULL here: set it again rather than read it back from the
	// record, which is in the scratch buffer when the stack has no room
	// (config on_stack_limit = 8), where the verifier reads any number
	// and then refuses the value's load on the path it takes as a hit.
	g.emit(asm.Mov.Imm(asm.R0, 0))
	g.label(ok)
}

// reportHelper sends the EvHelperError record for a failed call of fn
// whose return code is in ret, and leaves ret's value in R0.
func (g *gen) reportHelper(fn asm.BuiltinFunc, span lang.Span, ret asm.Register) {
	ev := &Event{Kind: EvHelperError, Span: span, Helper: helperName(fn), Size: helperErrorSize,
		Args: []*EventArg{{Offset: EventHeaderSize, Type: lang.TInt64}}}
	id := g.cc.addEvent(ev)
	buf := g.alloc(helperErrorSize)
	// The return code first: writing the id may use R0.
	g.store(buf.at(EventHeaderSize), ret, 8)
	var hdr [8]byte
	binary.LittleEndian.PutUint64(hdr[:], uint64(id))
	g.writeBytes(buf, hdr[:])
	g.mapPtr(asm.R1, ringBufName)
	g.addr(asm.R2, buf)
	g.emit(asm.Mov.Imm(asm.R3, helperErrorSize), asm.Mov.Imm(asm.R4, 0))
	g.call(asm.FnRingbufOutput)
	g.countIfFailed(DropEvent)
	g.load(asm.R0, buf.at(EventHeaderSize), 8)
}

// keepHelperResult saves a helper's return code (R0) for reportKept, for
// calls whose failure is only known after more code (an insert that a
// racing insert may refuse harmlessly). Without -k it emits nothing.
func (g *gen) keepHelperResult() (saved loc, ok bool) {
	if !g.cc.opts.HelperErrors {
		return loc{}, false
	}
	saved = g.alloc(8)
	g.store(saved, asm.R0, 8)
	return saved, true
}

// reportKept reports the return code keepHelperResult saved.
func (g *gen) reportKept(fn asm.BuiltinFunc, span lang.Span, saved loc, ok bool) {
	if !ok {
		return
	}
	g.load(asm.R0, saved, 8)
	g.reportHelper(fn, span, asm.R0)
}

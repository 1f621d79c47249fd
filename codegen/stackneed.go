package codegen

import (
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
)

// Room kept for the callbacks still to come. The kernel adds up the frames
// of a chain of calls, callbacks included, against its 512 bytes, and the
// emitter places each value when it is emitted: on the stack while the
// chain built so far fits, else in the scratch buffer. Built greedily, a
// probe's variables and a callback's first temporaries could take the
// bytes that a callback nested below them needs later, which must be on a
// stack (the slots through which it talks with its caller, bpf_loop's 24
// bytes), and the script was refused. So before anything is emitted, the
// checked AST tells how much the callbacks a function will run need at
// least (stackNeed), and the emitter keeps that room free (frameUse.reserve
// below a function, the probe's shared floor in its frame): what does not
// fit beside it goes to the scratch buffer.
//
// Each need is a lower bound of what the callbacks take once built, so a
// script whose chains fit without the reservation is laid out exactly as
// without it: at every allocation the reserved room is at most what the
// finished layout uses there anyway. (Checked on testdata and 20,000
// generated scripts, none laid out differently: a callback's own frame
// counts for nothing below, although a map loop's keeps a pointer there,
// as that pointer goes to the probe's frame when the chain is full, where
// it can cost nothing: the 8 bytes the frame's rounding to 16 leaves.)

// stackNeed is the least stack the callbacks run by a piece of script
// take: chain is what the deepest chain of them adds below the function
// that runs them (bpf_loop's 24 bytes a level), shared what their slots
// take in the probe's frame, above where the first of them is called.
type stackNeed struct{ chain, shared int }

func (a stackNeed) or(b stackNeed) stackNeed {
	return stackNeed{max(a.chain, b.chain), max(a.shared, b.shared)}
}

// What each kind of callback keeps in the probe's frame for its caller
// (callbackSlots: context, scratch base, return flag; a run-time range's
// start and count; a fold's accumulator).
const (
	slotsCallback = 3 * 8
	slotsRange    = slotsCallback + 2*8
	slotsFold     = slotsCallback + 16
	// A byte loop's index, and the result a comparison or a search
	// leaves in the caller's frame.
	slotsScan = slotsCallback + 8 + 8
	// A search for a long needle that is not a literal: the haystack's
	// positions with the result, the position and the match flag, and
	// inside them a loop over the needle's bytes.
	slotsSearchOuter = slotsCallback + 8 + 8 + 8 + 8
	slotsSearchInner = slotsCallback + 8
)

// callbackNeed is the need of a callback whose slots take slots bytes of
// the probe's frame and whose body needs inner; its own frame may stay
// empty.
func callbackNeed(slots int, inner stackNeed) stackNeed {
	return stackNeed{chain: bpfLoopStack + inner.chain, shared: slots + inner.shared}
}

// needOf is the need of the callbacks that n's statements and expressions
// run, n being run inside a callback when inCallback (the choice of a
// constant range's shape depends on it). Only what certainly becomes a
// callback counts: loops over maps, while loops, ranges run under bpf_loop,
// reads of aggregations (a fold over the CPUs), the byte loops of
// comparisons and searches of long strings.
func (g *gen) needOf(n lang.Node, inCallback bool) stackNeed {
	var need stackNeed
	if n == nil {
		return need
	}
	if b, ok := n.(*lang.Block); ok && b == nil {
		return need
	}
	if need, ok := g.needs[n]; ok {
		return need
	}
	defer func() { g.needs[n] = need }()
	notRead := map[*lang.MapExpr]bool{}
	lang.Inspect(n, func(c lang.Node) bool {
		if c == nil {
			return true
		}
		switch x := c.(type) {
		case *lang.AssignStmt:
			if m, ok := x.Target.(*lang.MapExpr); ok {
				notRead[m] = true
			}
		case *lang.Call:
			switch x.Name {
			case "sizeof", "offsetof", "typeof", "typeinfo", "is_array", "is_integer", "is_unsigned_integer", "is_ptr", "is_str", "is_literal":
				return false // not evaluated
			}
			// A map named as an argument (len, delete, print...) is
			// not read.
			for _, a := range x.Args {
				if m, ok := a.(*lang.MapExpr); ok {
					notRead[m] = true
				}
			}
			need = need.or(g.scanNeed(x))
		case *lang.Binary:
			if (x.Op == "==" || x.Op == "!=") && !x.Fold.Folded && longStrings(x.X, x.Y) {
				need = need.or(callbackNeed(slotsScan, stackNeed{})) // stringCompareLoop
			}
		case *lang.MapExpr:
			if x.Sym != nil && !notRead[x] {
				if _, folded := x.Sym.Value.FoldedRead(); folded {
					need = need.or(callbackNeed(slotsFold, stackNeed{}))
				}
			}
		case *lang.WhileStmt:
			inner := g.needOf(x.Cond, true).or(g.needOf(x.Body, true))
			need = need.or(callbackNeed(slotsCallback, inner))
			return false
		case *lang.ForMapStmt:
			inner := g.needOf(x.Body, true)
			if x.Map != nil && x.Map.Sym != nil {
				if _, folded := x.Map.Sym.Value.FoldedRead(); folded {
					// The body starts by folding the key's value.
					inner = inner.or(callbackNeed(slotsFold, stackNeed{}))
				}
			}
			need = need.or(callbackNeed(slotsCallback, inner))
			return false
		case *lang.ForRangeStmt:
			// The bounds are evaluated by the caller.
			need = need.or(g.needOf(x.Start, inCallback)).or(g.needOf(x.End, inCallback))
			if g.rangeIsCallback(x, inCallback) {
				need = need.or(callbackNeed(slotsRange, g.needOf(x.Body, true)))
			} else {
				need = need.or(g.needOf(x.Body, inCallback))
			}
			return false
		}
		return true
	})
	return need
}

// bodyNeed is the need of what a callback's body runs, from the room left
// when it starts (frameUse.reserve).
func (g *gen) bodyNeed(nodes ...lang.Node) int {
	var need stackNeed
	for _, n := range nodes {
		need = need.or(g.needOf(n, true))
	}
	return need.chain
}

// scanNeed is the need of the byte loops that call x runs (memcmp of more
// than maxInlineScan bytes, strcontains and strstr of a long haystack or
// needle: see memcmp and strsearch).
func (g *gen) scanNeed(x *lang.Call) stackNeed {
	switch x.Name {
	case "memcmp":
		if len(x.Args) == 3 {
			if n, ok := g.constInt(x.Args[2]); ok && n > maxInlineScan {
				return callbackNeed(slotsScan, stackNeed{})
			}
		}
	case "strcontains", "strstr":
		if len(x.Args) != 2 {
			break
		}
		h, n := x.Args[0], x.Args[1]
		if h.Type() == nil || n.Type() == nil || h.Type().Kind != lang.KString || n.Type().Kind != lang.KString {
			break
		}
		lit, isLit := n.(*lang.StrLit)
		nlen := n.Type().Size
		if isLit {
			nlen = len(lit.Value)
			if i := strings.IndexByte(lit.Value, 0); i >= 0 {
				nlen = i
			}
		}
		switch {
		case nlen == 0:
		case !isLit && nlen > maxInlineNeedle:
			return callbackNeed(slotsSearchOuter, callbackNeed(slotsSearchInner, stackNeed{}))
		case h.Type().Size > maxInlineScan:
			return callbackNeed(slotsScan, stackNeed{})
		}
	}
	return stackNeed{}
}

// longStrings reports whether a and b are strings that == compares in a
// byte loop (stringCompareJump): neither a literal, both longer than
// maxInlineScan.
func longStrings(a, b lang.Expr) bool {
	ta, tb := a.Type(), b.Type()
	if ta == nil || tb == nil || ta.Kind != lang.KString || tb.Kind != lang.KString {
		return false
	}
	_, litA := a.(*lang.StrLit)
	_, litB := b.(*lang.StrLit)
	return !litA && !litB && min(ta.Size, tb.Size) > maxInlineScan
}

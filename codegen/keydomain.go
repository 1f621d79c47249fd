package codegen

import (
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// boundedMaps finds the maps whose updates the kernel can never refuse, so
// that they need no loss counter (4-5 instructions after every insert; see
// countFailure). A map qualifies when:
//
//   - the script declares no kind or size for it and it is not split into
//     string length classes;
//   - every write names a key from a finite set the checker can see (no
//     key, literals, a ternary of such keys, a comparison, a cast to 8
//     bits), with hist/lhist/tseries buckets, at most max_map_keys keys in
//     all: the map is then sized to exactly that many keys and
//     preallocated (see addMap), so an insert never finds it full and
//     never needs memory;
//   - no writer can run inside another holding the same bucket lock on
//     one CPU, the one other way a hash update fails (-EBUSY, or -EDEADLK
//     with 6.15's resilient spin locks): either every program writing it
//     is one the kernel runs under its per-CPU bpf_prog_active guard
//     (tracepoint, kprobe, perf event), or every one is a uprobe or usdt
//     probe (user code must run for one to fire, so none fires inside
//     another; a uprobe_multi program has no such guard, so a guarded one
//     may interrupt it: the two kinds do not mix). BEGIN and END join
//     either: they run before any probe is attached and after all are
//     detached. fentry, raw tracepoints, iterators and self/bench programs
//     have no guard and keep the counter.
//
// The value is the number of kernel keys (buckets counted) for each map.
func boundedMaps(c *lang.Checked, maxKeys uint32) map[*lang.MapSym]uint64 {
	domain := map[*lang.MapSym]uint64{}
	unbounded := map[*lang.MapSym]bool{}
	kinds := map[*lang.MapSym]writerKind{}
	for _, cp := range c.Probes {
		kind := writersBeginEnd
		for _, r := range cp.Attach {
			kind |= writerKindOf(r.Provider)
		}
		lang.Inspect(cp.Probe, func(n lang.Node) bool {
			var target lang.Expr
			switch x := n.(type) {
			case *lang.AssignStmt:
				target = x.Target
			case *lang.Unary:
				if x.Op == "++" || x.Op == "--" {
					target = x.X
				}
			}
			me, ok := target.(*lang.MapExpr)
			if !ok || me.Sym == nil {
				return true
			}
			keys := uint64(1)
			for _, k := range me.Keys {
				keys = mulDomain(keys, keyDomain(k))
			}
			kinds[me.Sym] |= kind
			if !nestSafe(kinds[me.Sym]) || keys == 0 {
				unbounded[me.Sym] = true
				return true
			}
			// Different writes may name the same key: their sum bounds the
			// union.
			domain[me.Sym] = addDomain(domain[me.Sym], keys)
			return true
		})
	}
	out := map[*lang.MapSym]uint64{}
	for sym, keys := range domain {
		if unbounded[sym] || sym.Decl != nil || sym.Value == nil {
			continue
		}
		if b := histBuckets(sym.Value); b > 1 {
			// One more bucket keeps a histogram's sum (HistSumBucket).
			keys = mulDomain(keys, uint64(b)+1)
		}
		if keys == 0 || keys > uint64(maxKeys) {
			continue
		}
		out[sym] = keys
	}
	return out
}

// writerKind classifies the programs that write a map by how the kernel
// may nest them (see boundedMaps); a map's writers are the union.
type writerKind uint8

const (
	writersBeginEnd  writerKind = 0 // never run while a probe is attached
	writersGuarded   writerKind = 1 // run under bpf_prog_active
	writersUser      writerKind = 2 // fire only from user code
	writersUnguarded writerKind = 4 // may run inside any other
)

// nestSafe reports whether no writer of kinds k can run inside another on
// the same CPU.
func nestSafe(k writerKind) bool {
	return k&writersUnguarded == 0 && (k&writersGuarded == 0 || k&writersUser == 0)
}

func writerKindOf(p probetype.Type) writerKind {
	switch p {
	case probetype.Begin, probetype.End:
		return writersBeginEnd
	case probetype.Tracepoint, probetype.Kprobe, probetype.Kretprobe,
		probetype.Interval, probetype.Profile, probetype.Software, probetype.Hardware:
		return writersGuarded
	case probetype.Uprobe, probetype.Uretprobe, probetype.USDT:
		return writersUser
	}
	return writersUnguarded
}

// domainLimit saturates key counts: anything above it is as good as
// unbounded.
const domainLimit = 1 << 32

// keyDomain bounds the number of distinct values e can have, 0 when the
// checker cannot see a bound.
func keyDomain(e lang.Expr) uint64 {
	if t := e.Type(); t != nil && t.Kind == lang.KBool {
		return 2
	}
	switch x := e.(type) {
	case *lang.IntLit, *lang.StrLit:
		return 1
	case *lang.Ternary:
		if x.Then == nil {
			return 0 // `c ?: e` yields c itself
		}
		a, b := keyDomain(x.Then), keyDomain(x.Else)
		if a == 0 || b == 0 {
			return 0
		}
		return addDomain(a, b)
	case *lang.Binary:
		switch x.Op {
		case "==", "!=", "<", "<=", ">", ">=", "&&", "||":
			return 2
		}
	case *lang.Unary:
		switch x.Op {
		case "!":
			return 2
		case "-", "~":
			return keyDomain(x.X)
		}
	case *lang.Cast:
		if t := x.Type(); t != nil && t.Kind == lang.KInt && t.Size == 1 {
			if d := keyDomain(x.X); d != 0 && d < 256 {
				return d
			}
			return 256
		}
		return keyDomain(x.X)
	case *lang.Tuple:
		n := uint64(1)
		for _, el := range x.Elems {
			n = mulDomain(n, keyDomain(el))
		}
		return n
	}
	return 0
}

// addDomain and mulDomain combine bounds, saturating at domainLimit;
// mulDomain's 0 (unbounded) absorbs, addDomain's callers rule it out.
func addDomain(a, b uint64) uint64 { return min(a+b, domainLimit) }

func mulDomain(a, b uint64) uint64 {
	if a == 0 || b == 0 {
		return 0
	}
	if a > domainLimit/b {
		return domainLimit
	}
	return a * b
}

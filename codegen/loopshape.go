package codegen

import "github.com/gobpftrace/gobpftrace/lang"

// A constant range is a plain backward jump when the verifier can walk all
// its rounds cheaply, else a bpf_loop callback (forRange). The choice is
// made on the checked AST, before any code is built, from an upper bound
// of what one round costs the verifier: the instructions it walks, and the
// conditional jumps, each of which doubles the paths it may follow (its
// state pruning usually merges them again, but not always).

// loopShape is the estimated cost of one round of a loop body.
type loopShape struct {
	instrs, branches int
	// plainless is set by what a plain loop must not hold: an inner
	// loop (nested rounds multiply), a callback (a loop's, or the fold of
	// an aggregation's per-CPU copies that reading its value is), a walk
	// over the bytes of a string, or values bigger than a register
	// (copies, whose length the estimate does not follow).
	plainless bool
}

// Upper bounds, in instructions, of what the constructs compile to.
const (
	costNode      = 8  // an operator, a variable, a literal, a field
	costCall      = 12 // a helper call with its arguments set up
	costMapUpdate = 40 // key built, lookup, insert or add, loss counter
	costEvent     = 24 // record header, output, loss counter
	costEventArg  = 8
)

// shapeOf estimates one round of body.
func shapeOf(body *lang.Block) loopShape {
	s := loopShape{branches: 1} // the loop's own test
	// notRead are the map uses that name a map without reading its value:
	// assignments' targets and the maps that delete, has_key and the like
	// take.
	notRead := map[*lang.MapExpr]bool{}
	lang.Inspect(body, func(n lang.Node) bool {
		if s.plainless {
			return false
		}
		switch x := n.(type) {
		case *lang.AssignStmt:
			if m, ok := x.Target.(*lang.MapExpr); ok {
				notRead[m] = true
			}
		case *lang.Call:
			switch x.Name {
			case "delete", "has_key", "clear", "zero", "print", "len":
				for _, a := range x.Args {
					if m, ok := a.(*lang.MapExpr); ok {
						notRead[m] = true
					}
				}
			}
		}
		switch x := n.(type) {
		case *lang.WhileStmt, *lang.ForMapStmt, *lang.ForRangeStmt, *lang.UnrollStmt:
			s.plainless = true
		case *lang.IfStmt:
			s.branches++
		case *lang.Ternary:
			s.branches += 2
			s.instrs += costNode
		case *lang.Binary:
			s.instrs += costNode
			switch x.Op {
			case "&&", "||", "==", "!=", "<", ">", "<=", ">=":
				s.branches += 2 // jumps, as a condition or as a value
			case "/", "%":
				if _, ok := x.Y.(*lang.IntLit); !ok {
					s.branches++ // the division-by-zero check
				}
			}
			if !registerSized(x.X.Type()) || !registerSized(x.Y.Type()) {
				s.plainless = true // strings compared byte by byte
			}
		case *lang.Unary:
			s.instrs += costNode
			if x.Op == "!" {
				s.branches += 2 // a jump to the 0 or the 1
			}
		case *lang.MapExpr:
			s.instrs += costMapUpdate
			s.branches += 2
			if x.Sym != nil && !notRead[x] {
				if _, folded := x.Sym.Value.FoldedRead(); folded {
					// Reading a count, sum, min, max or avg folds every
					// CPU's copy in a bpf_loop: a callback.
					s.plainless = true
				}
			}
		case *lang.StrLit:
			s.instrs += costNode // a format, or a literal stored as it is
		case *lang.Call:
			s.call(x)
		case *lang.AssignStmt, *lang.LetStmt, *lang.ExprStmt, *lang.JumpStmt:
			s.instrs += costNode
		case lang.Expr:
			s.instrs += costNode
			if !registerSized(x.Type()) {
				s.plainless = true
			}
		}
		return true
	})
	return s
}

// call adds what a call costs.
func (s *loopShape) call(x *lang.Call) {
	switch x.Name {
	case "printf", "print", "exit", "clear", "zero", "time", "errorf", "warnf":
		s.instrs += costEvent + costEventArg*len(x.Args)
		s.branches++
	case "count", "sum", "min", "max", "avg", "stats", "hist", "lhist", "log2", "delete", "find", "has_key", "__has_key", "__delete":
		s.instrs += costMapUpdate
		s.branches += 2
	case "len", "__elem_count", "str", "buf", "strncmp", "memcmp", "strcontains", "strstr", "str_concat", "path", "ntop", "join", "cat", "system",
		"kstack", "ustack", "ksym", "usym", "kaddr", "uaddr", "macaddr", "cgroup_path",
		"reg", "override", "signal", "write_user", "strftime", "skboutput", "pton", "unwatch":
		s.plainless = true
	default:
		s.instrs += costCall
	}
	if !registerSized(x.Type()) {
		s.plainless = true
	}
}

// registerSized reports whether values of t fit a register (or there is
// no value): what is bigger is copied byte range by byte range.
func registerSized(t *lang.Type) bool {
	if t == nil {
		return true
	}
	switch t.Kind {
	case lang.KVoid, lang.KNone, lang.KInt, lang.KBool, lang.KPtr, lang.KSym,
		lang.KStrerror, lang.KUsername, lang.KSyscallName, lang.KSignalName:
		return true
	}
	return false
}

// plainFits reports whether rounds rounds of s may run as a plain loop.
func (s loopShape) plainFits(rounds int64) bool {
	return !s.plainless && s.branches <= plainLoopBranches && int64(s.instrs)*rounds <= plainLoopBudget
}

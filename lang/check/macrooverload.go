package check

import (
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
)

// Macros are overloaded as in bpftrace v0.26: several definitions may
// share a name when they take different calls, by their number of
// parameters or by what each parameter takes: `$x` a variable, `@x` a map,
// a bare `x` anything (an expression, a block, a type). A call expands the
// first definition, in the order written, that takes its arguments; a
// definition that an earlier one would always be chosen over is a
// redefinition.

// takesArg reports whether parameter p takes argument a.
func takesArg(p string, a lang.Expr) bool {
	switch {
	case strings.HasPrefix(p, "$"):
		_, ok := a.(*lang.Var)
		return ok
	case strings.HasPrefix(p, "@"):
		m, ok := a.(*lang.MapExpr)
		return ok && len(m.Keys) == 0
	}
	return true
}

// takes reports whether m takes a call with args.
func takes(m *lang.Macro, args []lang.Expr) bool {
	if len(args) != len(m.Params) {
		return false
	}
	for i, p := range m.Params {
		if !takesArg(p, args[i]) {
			return false
		}
	}
	return true
}

// matchMacro is the first of defs that takes args, or nil.
func matchMacro(defs []*lang.Macro, args []lang.Expr) *lang.Macro {
	for _, m := range defs {
		if takes(m, args) {
			return m
		}
	}
	return nil
}

// redefines reports whether one of the earlier definitions takes every
// call that m takes: m could never be chosen.
func redefines(earlier []*lang.Macro, m *lang.Macro) bool {
	for _, e := range earlier {
		if len(e.Params) != len(m.Params) {
			continue
		}
		all := true
		for i, p := range e.Params {
			bare := !strings.HasPrefix(p, "$") && !strings.HasPrefix(p, "@")
			if !bare && p[0] != m.Params[i][0] {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// argKind names what an argument is, in bpftrace's words.
func argKind(a lang.Expr) string {
	switch a := a.(type) {
	case *lang.Var:
		return "a variable"
	case *lang.MapExpr:
		if len(a.Keys) == 0 {
			return "a map"
		}
	case *lang.TypeExpr:
		return "a type"
	}
	return "an expression"
}

// noDefinition reports a call of name that no definition takes, with what
// the closest one expects: the first definition of as many parameters
// that fewest arguments do not fit, else the one whose number of
// parameters is nearest.
func (x *expander) noDefinition(name string, args []lang.Expr, at lang.Span) {
	x.errs = append(x.errs, lang.Errorf(at, "Call to %s() has arguments that do not match any definition.", name))
	defs := x.macros[name]
	var closest *lang.Macro
	best := -1
	for _, m := range defs {
		if len(m.Params) != len(args) {
			continue
		}
		misfits := 0
		for i, p := range m.Params {
			if !takesArg(p, args[i]) {
				misfits++
			}
		}
		if best < 0 || misfits < best {
			closest, best = m, misfits
		}
	}
	if closest != nil {
		for i, p := range closest.Params {
			if takesArg(p, args[i]) {
				continue
			}
			want := "a variable"
			if strings.HasPrefix(p, "@") {
				want = "a map"
			}
			x.errs = append(x.errs, lang.Errorf(args[i].Pos(), "Mismatched arg. %s() expects %s for arg %s but got %s.", name, want, p, argKind(args[i])))
			if i < len(closest.ParamSpans) {
				x.errs = append(x.errs, lang.Errorf(closest.ParamSpans[i], "This is the argument in the closest definition."))
			}
			return
		}
		return
	}
	for _, m := range defs {
		if closest == nil || distance(len(m.Params), len(args)) < distance(len(closest.Params), len(args)) {
			closest = m
		}
	}
	if closest == nil {
		return
	}
	x.errs = append(x.errs, lang.Errorf(nameSpan(closest), "The closest definition of %s() has a different number of arguments. Expected: %d but got %d", name, len(closest.Params), len(args)))
}

func distance(a, b int) int {
	if a > b {
		return a - b
	}
	return b - a
}

// nameSpan is where bpftrace points at a definition: "macro NAME".
func nameSpan(m *lang.Macro) lang.Span {
	if m.NameSpan == (lang.Span{}) {
		return m.Span
	}
	return m.NameSpan
}

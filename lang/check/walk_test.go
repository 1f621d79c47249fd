package check

import (
	"fmt"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
)

// allExprs lists every expression of prog's probes in source order (not
// what the checker adds under an identifier, Ident.Expand).
func allExprs(prog *lang.Program) []lang.Expr {
	var out []lang.Expr
	for _, p := range prog.Probes {
		lang.Inspect(p, func(n lang.Node) bool {
			if e, ok := n.(lang.Expr); ok {
				out = append(out, e)
				_, isIdent := e.(*lang.Ident)
				return !isIdent
			}
			return true
		})
	}
	return out
}

// typeDump renders "source: type" for every expression, one per line.
func typeDump(prog *lang.Program, src string) string {
	var b strings.Builder
	for _, e := range allExprs(prog) {
		sp := e.Pos()
		fmt.Fprintf(&b, "%s: %s\n", src[sp.Start.Offset:sp.End.Offset], typeText(e.Type()))
	}
	return b.String()
}

// typeText is Type.String with the details tests care about.
func typeText(t *lang.Type) string {
	if t == nil {
		return "nil"
	}
	s := t.String()
	switch t.Kind {
	case lang.KSum, lang.KMin, lang.KMax, lang.KAvg, lang.KStats:
		if t.Signed {
			s += "(signed)"
		}
	case lang.KHist:
		s += fmt.Sprintf("(bits=%d)", t.Bits)
	case lang.KLhist:
		s += fmt.Sprintf("(%d,%d,%d)", t.LhistMin, t.LhistMax, t.LhistStep)
	}
	if t.UserSpace {
		s += " user"
	}
	return s
}

type mapUse = lang.MapExpr

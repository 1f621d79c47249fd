package check

import (
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
)

// foldPositionalStrings turns str() of a positional parameter into the
// parameter's text, as bpftrace does: str($1) is the text given on the
// command line even when it reads as a number ("1"), and is a literal, so
// it may go where one is needed (kaddr(str($1))). str($1 + k) of a
// parameter that is not a number is its text from byte k on (a literal's
// pointer moved k bytes). A missing parameter is "". Any other call's
// argument that is a parameter given text is that text's literal.
func foldPositionalStrings(prog *lang.Program, params []string) {
	text := func(p *lang.Positional) (string, bool) {
		if p.Count || p.N < 1 {
			return "", false
		}
		if p.N > len(params) {
			return "", true
		}
		return params[p.N-1], true
	}
	var edit lang.Edit
	expr := func(e lang.Expr) lang.Expr {
		if e == nil {
			return nil
		}
		lang.EditChildren(e, edit)
		call, ok := e.(*lang.Call)
		if ok && strings.TrimPrefix(call.Name, builtinPrefix) != "str" {
			// A call's argument that is a parameter given text is the
			// string literal of its text, as bpftrace v0.26 puts it in
			// its place, so it goes where a literal is needed (kaddr($1)).
			for i, a := range call.Args {
				if p, isPos := a.(*lang.Positional); isPos && !p.Count && p.N >= 1 && p.N <= len(params) {
					if _, num := PositionalInt(params[p.N-1]); !num {
						call.Args[i] = &lang.StrLit{Span: p.Span, Value: params[p.N-1]}
					}
				}
			}
		}
		if !ok || strings.TrimPrefix(call.Name, builtinPrefix) != "str" || len(call.Args) == 0 {
			return e
		}
		var lit *lang.StrLit
		switch a := call.Args[0].(type) {
		case *lang.Positional:
			if s, ok := text(a); ok {
				lit = &lang.StrLit{Span: a.Span, Value: s}
			}
		case *lang.Binary:
			p, isPos := a.X.(*lang.Positional)
			k, isLit := a.Y.(*lang.IntLit)
			if !isPos || !isLit || a.Op != "+" {
				break
			}
			if s, ok := text(p); ok {
				if _, num := PositionalInt(s); !num && p.N <= len(params) {
					lit = &lang.StrLit{Span: a.Span, Value: s[min(int(k.Value), len(s)):]}
				}
			}
		}
		if lit == nil {
			return e
		}
		if len(call.Args) == 1 {
			lit.Span = call.Span
			return lit
		}
		call.Args[0] = lit
		return e
	}
	edit = lang.Edit{
		Expr:  expr,
		Stmts: func(list []lang.Stmt) []lang.Stmt { walkStmts(list, edit); return list },
		Node:  func(n lang.Node) lang.Node { lang.EditChildren(n, edit); return n },
	}
	lang.EditChildren(prog, edit)
}

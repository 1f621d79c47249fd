package check

import (
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/stdlib"
)

// builtinPrefix spells a builtin by its reserved name: __builtin_cpu is
// cpu, __builtin_str(p) is str(p). A script may use it to reach a builtin
// that a macro of the same name hides.
const builtinPrefix = "__builtin_"

// normalizeBuiltins rewrites the ways of naming a builtin into the one the
// later stages know: a builtin variable called as a function without
// arguments (nsecs(), comm()) becomes the variable, and __builtin_NAME
// becomes NAME, for variables and functions alike. It runs after macro
// expansion, so that a macro's own name takes precedence where its
// signature matches (see expander.macroUse).
func normalizeBuiltins(prog *lang.Program) {
	var edit lang.Edit
	expr := func(e lang.Expr) lang.Expr {
		if e == nil {
			return nil
		}
		lang.EditChildren(e, edit)
		switch x := e.(type) {
		case *lang.Ident:
			if name, ok := strings.CutPrefix(x.Name, builtinPrefix); ok && stdlib.LookupVar(name) != nil {
				x.Name = name
			}
		case *lang.Call:
			name, prefixed := strings.CutPrefix(x.Name, builtinPrefix)
			if !prefixed {
				name = x.Name
			}
			if len(x.Args) == 0 && stdlib.LookupVar(name) != nil && (stdlib.LookupFunc(name) == nil || name == "nsecs") {
				return &lang.Ident{Span: x.Span, Name: name}
			}
			if name == "nsecs" && len(x.Args) == 1 {
				// nsecs(monotonic) is the nsecs variable's clock.
				if id, ok := x.Args[0].(*lang.Ident); ok && id.Name == "monotonic" {
					return &lang.Ident{Span: x.Span, Name: name}
				}
			}
			if prefixed && stdlib.LookupFunc(name) != nil {
				x.Name = name
			}
		}
		return e
	}
	edit = lang.Edit{
		Expr:  expr,
		Stmts: func(list []lang.Stmt) []lang.Stmt { walkStmts(list, edit); return list },
		Node:  func(n lang.Node) lang.Node { lang.EditChildren(n, edit); return n },
	}
	lang.EditChildren(prog, edit)
}

func walkStmts(list []lang.Stmt, edit lang.Edit) {
	for _, s := range list {
		if s != nil {
			lang.EditChildren(s, edit)
		}
	}
}

// isBuiltinName reports whether name is a builtin variable or function,
// under its own name or its __builtin_ one.
func isBuiltinName(name string) bool {
	name = strings.TrimPrefix(name, builtinPrefix)
	return stdlib.LookupVar(name) != nil || stdlib.LookupFunc(name) != nil
}

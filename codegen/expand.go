package codegen

import "github.com/gobpftrace/gobpftrace/lang"

// expanded returns what an args field expanded by the checker stands for
// (a uprobe's Go string or slice argument, held in two or three
// registers), or e itself.
func expanded(e lang.Expr) lang.Expr {
	if fa, ok := e.(*lang.FieldAccess); ok && fa.Expand != nil {
		return fa.Expand
	}
	return e
}

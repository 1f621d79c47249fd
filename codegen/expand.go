package codegen

import "github.com/gobpftrace/gobpftrace/lang"

// expanded returns what an args field expanded by the checker stands for
// (a uprobe's Go string or slice argument, held in two or three
// registers) or a uprobe's args as a value stands for, or e itself.
func expanded(e lang.Expr) lang.Expr {
	switch x := e.(type) {
	case *lang.FieldAccess:
		if x.Expand != nil {
			return x.Expand
		}
	case *lang.Ident:
		// A uprobe's args as a whole: the record of its parameters.
		if x.Expand != nil && x.Name == "args" {
			return x.Expand
		}
	}
	return e
}

package parser_test

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
)

// dump renders an AST as a compact s-expression (spans left out), so tests
// can state the expected shape in one line.
func dump(n any) string {
	var b strings.Builder
	d := dumper{&b}
	d.node(n)
	return b.String()
}

type dumper struct{ b *strings.Builder }

func (d dumper) w(format string, args ...any) { fmt.Fprintf(d.b, format, args...) }

func (d dumper) list(head string, xs ...any) {
	d.w("(%s", head)
	for _, x := range xs {
		d.w(" ")
		d.node(x)
	}
	d.w(")")
}

func exprs(xs []lang.Expr) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

func (d dumper) node(n any) {
	switch n := n.(type) {
	case nil:
		d.w("nil")
	case string:
		d.w("%s", n)
	case *lang.Program:
		var xs []any
		for _, x := range n.Directives {
			xs = append(xs, x)
		}
		if n.Config != nil {
			xs = append(xs, n.Config)
		}
		for _, x := range n.CDefs {
			xs = append(xs, x)
		}
		for _, x := range n.Macros {
			xs = append(xs, x)
		}
		for _, x := range n.MapDecls {
			xs = append(xs, x)
		}
		for _, x := range n.Probes {
			xs = append(xs, x)
		}
		d.list("prog", xs...)
	case *lang.Directive:
		if n.Name == "define" {
			d.w("(#define %s %q)", n.DefineName, n.DefineValue)
		} else {
			d.w("(#%s %q)", n.Name, n.Text)
		}
	case *lang.ConfigBlock:
		var xs []any
		for _, it := range n.Items {
			xs = append(xs, "("+it.Name+" "+dump(it.Value)+")")
		}
		d.list("config", xs...)
	case *lang.CDefinition:
		d.w("(cdef %q)", n.Text)
	case *lang.Macro:
		d.list("macro "+n.Name+" ("+strings.Join(n.Params, " ")+")", n.Body)
	case *lang.MapDecl:
		d.w("(mapdecl %s %s %d)", n.Name, n.Kind, n.MaxEntries)
	case *lang.Probe:
		var aps []string
		for _, a := range n.AttachPoints {
			aps = append(aps, a.Provider+"|"+strings.Join(a.Parts, "|"))
		}
		head := "probe " + strings.Join(aps, ",")
		if n.Predicate != nil {
			d.list(head, "/"+dump(n.Predicate)+"/", n.Body)
		} else {
			d.list(head, n.Body)
		}
	case *lang.Block:
		var xs []any
		for _, s := range n.Stmts {
			xs = append(xs, s)
		}
		head := "{}"
		if n.Angle {
			head = "<>"
		}
		d.list(head, xs...)
	case *lang.ExprStmt:
		d.node(n.X)
	case *lang.AssignStmt:
		d.list(n.Op, n.Target, n.Value)
	case *lang.LetStmt:
		t := "_"
		if n.Type != nil {
			t = n.Type.Text()
		}
		var v any
		if n.Value != nil {
			v = n.Value
		}
		d.list("let "+n.Var.Name+" "+strconv.Quote(t), v)
	case *lang.IfStmt:
		if n.Else == nil {
			d.list("if", n.Cond, n.Then)
		} else {
			d.list("if", n.Cond, n.Then, n.Else)
		}
	case *lang.WhileStmt:
		d.list("while", n.Cond, n.Body)
	case *lang.ForMapStmt:
		d.list("for "+n.Var.Name, n.Map, n.Body)
	case *lang.ForRangeStmt:
		d.list("for "+n.Var.Name, n.Start, n.End, n.Body)
	case *lang.UnrollStmt:
		d.list("unroll", n.Count, n.Body)
	case *lang.JumpStmt:
		if n.Value != nil {
			d.list(n.Kind, n.Value)
		} else {
			d.w("(%s)", n.Kind)
		}
	case *lang.BlockStmt:
		d.node(n.Body)
	case *lang.IntLit:
		d.w("%d", n.Value)
	case *lang.StrLit:
		d.w("%q", n.Value)
	case *lang.BoolLit:
		d.w("%t", n.Value)
	case *lang.Ident:
		d.w("%s", n.Name)
	case *lang.Positional:
		if n.Count {
			d.w("$#")
		} else {
			d.w("$%d", n.N)
		}
	case *lang.Var:
		d.w("%s", n.Name)
	case *lang.MapExpr:
		if len(n.Keys) == 0 {
			d.w("%s", n.Name)
		} else {
			d.list(n.Name+"[]", exprs(n.Keys)...)
		}
	case *lang.Call:
		d.list("call "+n.Name, exprs(n.Args)...)
	case *lang.Unary:
		op := n.Op
		if n.Postfix {
			op = "post" + op
		}
		d.list(op, n.X)
	case *lang.Binary:
		d.list(n.Op, n.X, n.Y)
	case *lang.Ternary:
		if n.If {
			d.list("ifexpr", n.Cond, n.Then, n.Else)
			break
		}
		d.list("?:", n.Cond, n.Then, n.Else)
	case *lang.FieldAccess:
		op := "."
		if n.Arrow {
			op = "->"
		}
		d.list(op, n.X, n.Field)
	case *lang.Index:
		d.list("index", n.X, n.Index)
	case *lang.Cast:
		d.list("cast "+strconv.Quote(n.To.Text()), n.X)
	case *lang.Tuple:
		if n.Names != nil {
			var xs []any
			for i, e := range n.Elems {
				xs = append(xs, "("+n.Names[i]+" "+dump(e)+")")
			}
			d.list("record", xs...)
		} else {
			d.list("tuple", exprs(n.Elems)...)
		}
	case *lang.Sizeof:
		if n.TypeArg != nil {
			d.w("(sizeof %q)", n.TypeArg.Text())
		} else {
			d.list("sizeof", n.X)
		}
	case *lang.Offsetof:
		f := strings.Join(n.Fields, ".")
		if n.TypeArg != nil {
			d.w("(offsetof %q %s)", n.TypeArg.Text(), f)
		} else {
			d.list("offsetof", n.X, f)
		}
	case *lang.TypeExpr:
		d.w("(type %q)", n.Spec.Text())
	case *lang.BlockExpr:
		d.list("blockexpr", n.Body, n.Value)
	case *lang.Wildcard:
		d.w("*")
	default:
		d.w("<%T>", n)
	}
}

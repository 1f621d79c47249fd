package main

import (
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/printer"
	"github.com/gobpftrace/gobpftrace/runtime"
)

// printStages implements -d: each stage asked for, in the order given.
func printStages(stages []string, plan *codegen.Plan, checked *lang.Checked, stdout, stderr io.Writer) int {
	seen := map[string]bool{}
	for _, s := range stages {
		if seen[s] {
			continue
		}
		seen[s] = true
		if len(stages) > 1 {
			fmt.Fprintf(stdout, "=== %s ===\n", s)
		}
		switch s {
		case "ast":
			fmt.Fprint(stdout, printer.Print(checked.Prog))
		case "types":
			printTypes(stdout, checked)
		case "ir":
			plan.DumpIR(stdout)
		case "asm":
			plan.Dump(stdout)
		case "verifier":
			if err := runtime.VerifierLog(stdout, plan); err != nil {
				fmt.Fprintln(stderr, errorText(err))
				return exitError
			}
		}
	}
	return exitOK
}

// printTypes prints every expression of the checked program with its type,
// one per line, in source order, indented by nesting:
//
//	1:44-50   count()   count_t
func printTypes(w io.Writer, c *lang.Checked) {
	for _, p := range c.Prog.Probes {
		if p == nil {
			continue
		}
		names := make([]string, len(p.AttachPoints))
		for i, a := range p.AttachPoints {
			names[i] = printer.AttachPoint(a)
		}
		fmt.Fprintf(w, "%s\n", strings.Join(names, ", "))
		walkExprs(reflect.ValueOf(p), 1, func(e lang.Expr, depth int) {
			sp := e.Pos()
			t := "-"
			if e.Type() != nil {
				t = e.Type().String()
			}
			loc := fmt.Sprintf("%d:%d-%d", sp.Start.Line, sp.Start.Col, endCol(sp))
			fmt.Fprintf(w, "  %-10s %s%s  :: %s\n", loc, strings.Repeat("  ", depth-1), printer.Expr(e), t)
		})
	}
}

func endCol(sp lang.Span) int {
	if sp.End.Line != sp.Start.Line {
		return sp.Start.Col + 1
	}
	return sp.End.Col
}

var (
	exprType = reflect.TypeFor[lang.Expr]()
	// Fields that point out of the tree (symbols, types, resolved data).
	skipTypes = map[reflect.Type]bool{
		reflect.TypeFor[*lang.Type]():     true,
		reflect.TypeFor[*lang.VarSym]():   true,
		reflect.TypeFor[*lang.MapSym]():   true,
		reflect.TypeFor[*lang.Resolved](): true,
	}
)

// walkExprs calls f for every expression under v, parents before children.
func walkExprs(v reflect.Value, depth int, f func(lang.Expr, int)) {
	if !v.IsValid() || skipTypes[v.Type()] {
		return
	}
	switch v.Kind() {
	case reflect.Interface:
		if v.IsNil() {
			return
		}
		walkExprs(v.Elem(), depth, f)
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		if v.Type().Implements(exprType) {
			f(v.Interface().(lang.Expr), depth)
			depth++
		}
		walkExprs(v.Elem(), depth, f)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if !v.Type().Field(i).IsExported() {
				continue
			}
			walkExprs(v.Field(i), depth, f)
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			walkExprs(v.Index(i), depth, f)
		}
	}
}

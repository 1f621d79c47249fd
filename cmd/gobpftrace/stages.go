package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/printer"
	"github.com/gobpftrace/gobpftrace/runtime/load"
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
			if err := load.VerifierLog(stdout, plan); err != nil {
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
//
// Each line shows at most typesExprNodes nodes of its expression and at
// most typesMaxIndent levels of indentation, so that the listing of a long
// chain (every prefix of `1 + 2 + ... + n` is an expression) stays linear
// in the size of the script.
func printTypes(w io.Writer, c *lang.Checked) {
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	for _, p := range c.Prog.Probes {
		if p == nil {
			continue
		}
		names := make([]string, len(p.AttachPoints))
		for i, a := range p.AttachPoints {
			names[i] = printer.AttachPoint(a)
		}
		fmt.Fprintf(bw, "%s\n", strings.Join(names, ", "))
		// isExpr records, for each node being visited, whether it is an
		// expression (which indents what it holds).
		var isExpr []bool
		depth := 0
		lang.Inspect(p, func(n lang.Node) bool {
			if n == nil {
				if isExpr[len(isExpr)-1] {
					depth--
				}
				isExpr = isExpr[:len(isExpr)-1]
				return true
			}
			e, ok := n.(lang.Expr)
			isExpr = append(isExpr, ok)
			if !ok {
				return true
			}
			sp := e.Pos()
			t := "-"
			if e.Type() != nil {
				t = e.Type().String()
			}
			loc := fmt.Sprintf("%d:%d-%d", sp.Start.Line, sp.Start.Col, endCol(sp))
			fmt.Fprintf(bw, "  %-10s %s%s  :: %s\n", loc, strings.Repeat("  ", min(depth, typesMaxIndent)), printer.ExprLimit(e, typesExprNodes), t)
			depth++
			return true
		})
	}
}

const (
	typesExprNodes = 64
	typesMaxIndent = 40
)

func endCol(sp lang.Span) int {
	if sp.End.Line != sp.Start.Line {
		return sp.Start.Col + 1
	}
	return sp.End.Col
}

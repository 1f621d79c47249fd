// Package printer renders a lang AST back as canonical source text: parsing
// the output yields the same AST (spans aside).
package printer

import (
	"strconv"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
)

const indentUnit = "  "

// Print renders a whole program.
func Print(p *lang.Program) string {
	w := &writer{}
	for _, d := range p.Directives {
		w.line("#" + strings.TrimSpace(d.Name+" "+d.Text))
	}
	if p.Config != nil {
		w.line("config = {")
		for _, it := range p.Config.Items {
			w.line(indentUnit + it.Name + " = " + Expr(it.Value) + ";")
		}
		w.line("}")
	}
	for _, c := range p.CDefs {
		w.line(c.Text)
	}
	for _, m := range p.MapDecls {
		w.line("let " + m.Name + " = " + m.Kind + "(" + strconv.FormatInt(m.MaxEntries, 10) + ");")
	}
	for _, m := range p.Macros {
		w.b.WriteString("macro " + m.Name + "(" + strings.Join(m.Params, ", ") + ") ")
		w.valueBlock = true // a macro's final expression is its value: no ';'
		w.block(m.Body)
		w.valueBlock = false
		w.b.WriteByte('\n')
	}
	for i, pr := range p.Probes {
		if i > 0 || w.b.Len() > 0 {
			w.b.WriteByte('\n')
		}
		w.probe(pr)
	}
	return w.b.String()
}

type writer struct {
	b      strings.Builder
	indent int
	// valueBlock: the block being written yields its last expression.
	valueBlock bool
}

func (w *writer) line(s string) {
	w.b.WriteString(strings.Repeat(indentUnit, w.indent))
	w.b.WriteString(s)
	w.b.WriteByte('\n')
}

func (w *writer) probe(p *lang.Probe) {
	aps := make([]string, len(p.AttachPoints))
	for i, a := range p.AttachPoints {
		aps[i] = AttachPoint(a)
	}
	w.b.WriteString(strings.Join(aps, ", "))
	if p.Predicate != nil {
		w.b.WriteString(" /" + Expr(p.Predicate) + "/")
	}
	w.b.WriteByte(' ')
	w.block(p.Body)
	w.b.WriteByte('\n')
}

// AttachPoint renders an attach point: its Raw text when set, otherwise
// Provider and Parts joined by ':' (quoting parts that need it).
func AttachPoint(a *lang.AttachPoint) string {
	if a.Raw != "" {
		return a.Raw
	}
	parts := []string{a.Provider}
	for _, p := range a.Parts {
		if strings.ContainsAny(p, " \t:\",{}<>;()") {
			p = Quote(p)
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ":")
}

// block writes `{ ... }` or `< ... >` with one statement per line; every
// simple statement ends with ';', so an angle block's closing '>' always
// stands where a statement may start.
func (w *writer) block(b *lang.Block) {
	open, close := "{", "}"
	if b.Angle {
		open, close = "<", ">"
	}
	if len(b.Stmts) == 0 {
		w.b.WriteString(open + " " + close)
		return
	}
	w.b.WriteString(open + "\n")
	w.indent++
	value := w.valueBlock
	w.valueBlock = false
	for i, s := range b.Stmts {
		w.b.WriteString(strings.Repeat(indentUnit, w.indent))
		if e, ok := s.(*lang.ExprStmt); ok && value && i == len(b.Stmts)-1 {
			if b.Angle || lead(e.X, 0) == "{" {
				// Without its ';' a final `a > b` could read as the
				// block's end: parentheses keep '>' an operator.
				w.b.WriteString("(" + Expr(e.X) + ")")
			} else {
				w.b.WriteString(Expr(e.X))
			}
		} else {
			w.stmt(s)
		}
		w.b.WriteByte('\n')
	}
	w.indent--
	w.b.WriteString(strings.Repeat(indentUnit, w.indent) + close)
}

func (w *writer) stmt(s lang.Stmt) {
	switch s := s.(type) {
	case *lang.ExprStmt:
		if lead(s.X, 0) == "{" {
			// A statement starting with '{' reads as a block.
			w.b.WriteString("(" + Expr(s.X) + ");")
			return
		}
		w.b.WriteString(Expr(s.X) + ";")
	case *lang.AssignStmt:
		w.b.WriteString(Expr(s.Target) + " " + s.Op + " " + Expr(s.Value) + ";")
	case *lang.LetStmt:
		w.b.WriteString("let " + s.Var.Name)
		if s.Type != nil {
			w.b.WriteString(": " + TypeText(s.Type))
		}
		if s.Value != nil {
			w.b.WriteString(" = " + Expr(s.Value))
		}
		w.b.WriteString(";")
	case *lang.IfStmt:
		w.ifStmt(s)
	case *lang.WhileStmt:
		w.b.WriteString("while (" + Expr(s.Cond) + ") ")
		w.block(s.Body)
	case *lang.ForMapStmt:
		w.b.WriteString("for (" + s.Var.Name + " : " + s.Map.Name + ") ")
		w.block(s.Body)
	case *lang.ForRangeStmt:
		w.b.WriteString("for (" + s.Var.Name + " : " + Expr(s.Start) + ".." + Expr(s.End) + ") ")
		w.block(s.Body)
	case *lang.UnrollStmt:
		w.b.WriteString("unroll (" + Expr(s.Count) + ") ")
		w.block(s.Body)
	case *lang.JumpStmt:
		w.b.WriteString(s.Kind)
		if s.Value != nil {
			w.b.WriteString(" " + Expr(s.Value))
		}
		w.b.WriteString(";")
	case *lang.BlockStmt:
		w.block(s.Body)
	case *lang.Block:
		w.block(s)
	}
}

func (w *writer) ifStmt(s *lang.IfStmt) {
	w.b.WriteString("if (" + Expr(s.Cond) + ") ")
	w.block(s.Then)
	switch e := s.Else.(type) {
	case *lang.IfStmt:
		w.b.WriteString(" else ")
		w.ifStmt(e)
	case *lang.Block:
		w.b.WriteString(" else ")
		w.block(e)
	case *lang.BlockStmt:
		w.b.WriteString(" else ")
		w.block(e.Body)
	}
}

// blockExprText renders a block expression on one line (nested blocks
// keep their own lines): `{ $y += 1; $y }`.
func blockExprText(e *lang.BlockExpr) string {
	w := &writer{}
	w.b.WriteString("{ ")
	if e.Body != nil {
		for _, s := range e.Body.Stmts {
			w.stmt(s)
			w.b.WriteByte(' ')
		}
	}
	w.b.WriteString(Expr(e.Value) + " }")
	return w.b.String()
}

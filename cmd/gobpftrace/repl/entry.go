package repl

import (
	"errors"
	"os"
	"strings"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/check"
	"github.com/gobpftrace/gobpftrace/lang/parser"
	"github.com/gobpftrace/gobpftrace/runtime/script"
	"github.com/gobpftrace/gobpftrace/stdlib"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// compiled is an entry ready to run.
type compiled struct {
	source   string // what was compiled
	script   *script.Script
	plan     *codegen.Plan
	checked  *lang.Checked
	warnings []string // formatted against the text as typed
	// bare: the text was statements or an expression, run in BEGIN.
	bare bool
	// beginOnly: nothing to attach (BEGIN and END only): the entry ends
	// by itself.
	beginOnly bool
}

// wrapping is how a bare entry becomes a program: the typed text sits on
// lines of its own, so its columns are unchanged and its line numbers are
// shifted by a constant, which diagnostics are mapped back through.
type wrapping struct {
	before, after string
}

func (w wrapping) source(text string) string { return w.before + text + w.after }
func (w wrapping) shift() int                { return strings.Count(w.before, "\n") }

var (
	asProgram    = wrapping{}
	asStatements = wrapping{"BEGIN {\n", "\n}"}
	asExpression = wrapping{"BEGIN {\nprint((\n", "\n));\n}"}
)

// compileEntry compiles what was typed at the prompt. A probe block (or any
// text that parses as a program) is compiled as it is. Anything else runs
// as if in a BEGIN block: statements as they are, and a lone expression
// (`1+2`, `comm`) inside print(), so its value is shown.
func (s *session) compileEntry(text string) (*compiled, error) {
	w := asProgram
	prog, err := parser.Parse("stdin", text)
	if err != nil && !looksLikeProgram(text) {
		w = asStatements
		var err2 error
		if prog, err2 = parser.Parse("stdin", w.source(text)); err2 == nil {
			if isLoneExpression(prog) {
				w = asExpression
				prog, err2 = parser.Parse("stdin", w.source(strings.TrimSuffix(strings.TrimSpace(text), ";")))
				text = strings.TrimSuffix(strings.TrimSpace(text), ";")
			}
		}
		err = err2
	}
	if err != nil {
		return nil, w.mapError(err, text)
	}
	source := w.source(text)
	opts := s.cfg.Compile
	opts.File = "stdin"
	opts.Config = check.EnvSettings(os.Environ())
	sc, err := script.CompileIn(s.cfg.Env, source, opts)
	if err != nil {
		return nil, w.mapError(err, text)
	}
	plan, checked := sc.Plan(), sc.Checked()
	c := &compiled{source: source, script: sc, plan: plan, checked: checked, bare: w != asProgram, beginOnly: true}
	for _, d := range checked.Warnings {
		c.warnings = append(c.warnings, lang.Format("stdin", text, w.mapDiagnostic(d, text)))
	}
	for _, p := range prog.Probes {
		for _, ap := range p.AttachPoints {
			if pr := probetype.Lookup(ap.Provider); pr == nil || !pr.Name.Special() {
				c.beginOnly = false
			}
		}
	}
	return c, nil
}

// looksLikeProgram reports whether text starts as a script does (a probe,
// a definition, a directive), so its errors are reported as they are
// rather than as those of statements.
func looksLikeProgram(text string) bool {
	t := strings.TrimSpace(text)
	if strings.HasPrefix(t, "#") || strings.HasPrefix(t, "//") || strings.HasPrefix(t, "/*") {
		return true
	}
	word := t
	if i := strings.IndexFunc(t, func(r rune) bool {
		return !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}); i >= 0 {
		word = t[:i]
		if t[i] == ':' && word != "" {
			return true // provider:...
		}
	}
	if probetype.Bare(word) {
		return true
	}
	switch word {
	case "config", "struct", "union", "macro", "fn", "import":
		return true
	}
	return false
}

// isLoneExpression reports whether the BEGIN block of prog holds one
// expression whose value is worth printing: not a call of a function that
// returns nothing, an aggregation, or an increment.
func isLoneExpression(prog *lang.Program) bool {
	if len(prog.Probes) != 1 || prog.Probes[0].Body == nil || len(prog.Probes[0].Body.Stmts) != 1 {
		return false
	}
	es, ok := prog.Probes[0].Body.Stmts[0].(*lang.ExprStmt)
	if !ok {
		return false
	}
	switch x := es.X.(type) {
	case *lang.Call:
		f := stdlib.LookupFunc(x.Name)
		return f != nil && f.Result != "void" && !f.Aggregation
	case *lang.Unary:
		return x.Op != "++" && x.Op != "--"
	}
	return true
}

// mapError maps the positions of a compile error back to the text as typed.
func (w wrapping) mapError(err error, text string) error {
	var ds *lang.Diagnostics
	if w == asProgram || !errors.As(err, &ds) {
		return err
	}
	out := &lang.Diagnostics{File: ds.File, Source: text}
	for _, d := range ds.List {
		out.List = append(out.List, w.mapDiagnostic(d, text))
	}
	return out
}

func (w wrapping) mapDiagnostic(d *lang.Diagnostic, text string) *lang.Diagnostic {
	if w == asProgram || d.Span.Start.Line == 0 {
		return d
	}
	lines := strings.Count(text, "\n") + 1
	clamp := func(p lang.Pos) lang.Pos {
		p.Line -= w.shift()
		switch {
		case p.Line < 1:
			p.Line, p.Col = 1, 1
		case p.Line > lines:
			// Past the text (the end of the wrapping): its last column.
			last := text[strings.LastIndex(text, "\n")+1:]
			p.Line, p.Col = lines, len(last)+1
		}
		return p
	}
	x := *d
	x.Span.Start, x.Span.End = clamp(d.Span.Start), clamp(d.Span.End)
	return &x
}

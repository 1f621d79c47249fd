// Package parser reads gobpftrace (bpftrace) source into the lang AST.
//
// Lexing is done by a context-aware scanner (scanner.go: attach points,
// predicates, and the `< ... >` block form), parsing by a participle
// grammar (grammar.go) whose result is converted into the lang AST
// (convert*.go). Errors are *lang.Diagnostics in bpftrace's layout
// ("stdin:1:12-13: ERROR: syntax error, unexpected }, expecting ;").
//
// Integer literals: decimal, 0x hex, leading-0 octal, '_' between digits,
// a decimal exponent (1e6), C suffixes (u, l, ul, ll, ull: ignored) and
// time units (ns us ms s m h d: the value is converted to nanoseconds).
// Strings take C escapes: \n \t \r \a \b \f \v \e \" \\ \' \? \xNN \NNN.
package parser

import (
	"errors"
	"fmt"
	"sync"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
	"github.com/gobpftrace/gobpftrace/lang"
)

// grammar is built on first use: building needs the symbol table, which
// package initialization order does not guarantee to exist earlier. It
// takes milliseconds (participle reflects over the grammar structs), so
// scripts without syntax errors are parsed by fastParse instead, and only
// errors are described with it.
var grammar = sync.OnceValue(func() *participle.Parser[gProgram] {
	return participle.MustBuild[gProgram](
		participle.Lexer(definition{}),
		participle.UseLookahead(participle.MaxLookahead),
	)
})

// Parse parses a whole script. file names the script in diagnostics
// ("stdin" for -e). On error it returns a *lang.Diagnostics.
func Parse(file, src string) (prog *lang.Program, err error) {
	diags := &lang.Diagnostics{File: file, Source: src}
	lines := newLineIndex(src)
	defer func() {
		// The parser must never crash on any input; turn a bug into a
		// positioned error instead.
		if r := recover(); r != nil {
			prog = nil
			diags.List = []*lang.Diagnostic{lang.Errorf(lines.span(0, 0),
				"internal parser error: %v", r)}
			err = diags
		}
	}()

	pp, cerr := preprocess(src)
	if cerr != nil {
		diags.List = append(diags.List, lang.Errorf(lines.span(cerr.start, cerr.end), "%s", cerr.msg))
		return nil, diags
	}
	toks, serr := scan(pp)
	if serr != nil {
		d := lang.Errorf(lines.span(serr.start, serr.end), "%s", serr.msg)
		d.Hint = serr.hint
		diags.List = append(diags.List, d)
		return nil, diags
	}
	ends := make(map[int]int, len(toks))
	for _, t := range toks {
		ends[t.start] = t.end
	}
	ends[len(src)] = len(src)

	lex := newSliceLexer(file, src, toks)
	g, ok := fastParse(lex.toks)
	if !ok {
		// A syntax error (or a script the fast parser does not take):
		// participle parses it and describes the error.
		peek, perr := lexer.Upgrade(lex)
		if perr != nil {
			return nil, perr
		}
		if g, perr = grammar().ParseFromLexer(peek); perr != nil {
			diags.List = append(diags.List, syntaxError(perr, lines, ends, toks, len(src)))
			return nil, diags
		}
	}
	c := &converter{lines: lines, ends: ends}
	prog = c.program(g)
	if len(c.diags) > 0 {
		diags.List = c.diags
		return nil, diags
	}
	return prog, nil
}

// syntaxError turns participle's error into a bison-style diagnostic:
// "syntax error, unexpected X, expecting Y".
func syntaxError(err error, lines lineIndex, ends map[int]int, toks []token, srcLen int) *lang.Diagnostic {
	var perr participle.Error
	if !errors.As(err, &perr) {
		return lang.Errorf(lines.span(0, 0), "syntax error: %v", err)
	}
	off := perr.Position().Offset
	end, ok := ends[off]
	if !ok {
		end = off
	}
	span := lines.span(off, end)
	unexpected := lexer.Token{Type: tEOF}
	for _, t := range toks {
		if t.start == off {
			unexpected = lexer.Token{Type: t.typ, Value: t.val}
			break
		}
	}
	msg := fmt.Sprintf("syntax error, unexpected %s", describe(unexpected))
	if inPredicate(toks, off) && unexpected.Value == "{" {
		msg += ", expecting /"
	} else if exp := expecting(perr.Message(), toks, off); exp != "" && !callGuess(exp, toks, off) {
		msg += ", expecting " + exp
	}
	d := lang.Errorf(span, "%s", msg)
	d.Hint = hintFor(unexpected, toks, off)
	if unexpected.Type == tEOF && len(toks) > 0 {
		// Underline the last token rather than past the end of input.
		last := toks[len(toks)-1]
		d.Span = lines.span(last.start, last.end)
	}
	return d
}

// callGuess reports whether exp is participle's guess that the identifier
// before off starts a call: "expecting (" after `@x[pid =` misleads, as an
// identifier alone is a complete operand.
func callGuess(exp string, toks []token, off int) bool {
	i := tokenBefore(toks, off)
	return exp == "(" && i >= 0 && toks[i].typ == tIdent
}

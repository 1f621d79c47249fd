// Package parser reads gobpftrace (bpftrace) source into the lang AST.
//
// Lexing is done by a context-aware scanner (scanner.go: attach points,
// predicates, and the `< ... >` block form). The syntax is written once,
// as the participle grammar of grammar.go (struct tags). Scripts are
// parsed into that grammar's tree by fastparse_gen.go, a recursive-descent
// parser that `go generate` writes from those tags: it builds exactly the
// tree participle builds, with participle's lookahead-0 semantics, many
// times faster and without building participle's parser at start-up
// (docs/performance.md, "One grammar"). Participle parses only a script
// the generated parser refuses, and its structured error becomes the
// diagnostic (errors.go). The tree is
// converted into the lang AST (convert*.go), one item of the program
// (probe, macro, ...) at a time as the generated parser builds them, its
// nodes then reused for the next item: the grammar tree of a whole
// script, five nodes per operand, is never built. Errors are *lang.Diagnostics
// in bpftrace's layout ("stdin:1:12-13: ERROR: syntax error, unexpected },
// expecting ;").
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
// scripts are parsed by fastParse (generated from the same grammar)
// instead, and only errors are described with it.
//
// Lookahead 0: an alternative that has consumed a token and then fails is
// the error, no other alternative is tried. The grammar is written for
// that (a choice is made on the first token, or by a (?= ...) guard that
// consumes nothing), so errors cost time linear in the script; unlimited
// lookahead retried every enclosing construct another way, exponential in
// the nesting. It also reports an error where bison does: at the first
// token that cannot continue the script.
var grammar = sync.OnceValue(func() *participle.Parser[gProgram] {
	return participle.MustBuild[gProgram](
		participle.Lexer(definition{}),
		participle.UseLookahead(0),
	)
})

// fastParse is the parser generated from the grammar; fastparse_gen.go
// sets it. It is a variable so that the package builds without that file:
// after a grammar change that the generated code no longer compiles
// against, delete fastparse_gen.go and run `go generate ./lang/parser`
// (participle then parses every script meanwhile).
var fastParse func(toks []lexer.Token) (*gProgram, bool)

// fastParseItems is fastParse handing over the program's items one at a
// time (see parseItemsGenerated), each converted before the next is
// parsed into the same memory: the grammar tree of a whole script is
// never built. It returns how many tokens the items took.
var fastParseItems func(toks []lexer.Token, item func(*gItem)) (int, bool)

// MaxScriptSize bounds the length of a script in bytes. The largest real
// scripts are tens of kilobytes; the bound keeps a wrong file (or
// /dev/zero) from using memory without end.
const MaxScriptSize = 1 << 20

// Parse parses a whole script. file names the script in diagnostics
// ("stdin" for -e). On error it returns a *lang.Diagnostics.
func Parse(file, src string) (*lang.Program, error) {
	return parse(file, src, true)
}

// parse is Parse; with fast false, participle parses every script (tests
// of the grammar itself use that).
func parse(file, src string, fast bool) (prog *lang.Program, err error) {
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

	if len(src) > MaxScriptSize {
		// No line to show: the file as a whole is the problem.
		d := lang.Errorf(lang.Span{}, "the script is too large: more than %d bytes (1 MiB)", MaxScriptSize)
		d.Hint = "a script this large is almost certainly not a script: check the file name"
		diags.List = append(diags.List, d)
		return nil, diags
	}
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
	ends := tokenEnds{toks: toks}

	lex := newSliceLexerLines(file, src, toks, lines)
	var c *converter
	if fast && fastParseItems != nil {
		c = &converter{lines: lines, ends: ends, src: src, lexed: lex.toks}
		p := c.newProgram()
		if n, ok := fastParseItems(lex.toks, func(it *gItem) { c.item(p, it) }); ok {
			c.programSpan(p, &node{Tokens: lex.toks[:n]})
			prog = p
		}
	}
	if prog == nil {
		// A syntax error (or no generated parser): participle parses the
		// script again and describes the error. What the items parsed so
		// far were converted to is dropped.
		peek, perr := lexer.Upgrade(lex)
		if perr != nil {
			return nil, perr
		}
		g, perr := grammar().ParseFromLexer(peek)
		if perr != nil {
			diags.List = append(diags.List, syntaxError(perr, lines, ends, toks, len(src)))
			return nil, diags
		}
		c = &converter{lines: lines, ends: ends, src: src, lexed: lex.toks}
		prog = c.program(g)
	}
	if len(c.diags) > 0 {
		diags.List = c.diags
		return nil, diags
	}
	if n := lang.TooDeep(prog, lang.MaxDepth); n != nil {
		diags.List = []*lang.Diagnostic{lang.DepthError(n)}
		return nil, diags
	}
	return prog, nil
}

// syntaxError turns participle's error into a bison-style diagnostic:
// "syntax error, unexpected X, expecting Y". participle reports the token
// it could not take and the grammar node it was matching
// (UnexpectedTokenError); any other error is placed by its position.
func syntaxError(err error, lines lineIndex, ends tokenEnds, toks []token, srcLen int) *lang.Diagnostic {
	var perr participle.Error
	if !errors.As(err, &perr) {
		return lang.Errorf(lines.span(0, 0), "syntax error: %v", err)
	}
	var uerr *participle.UnexpectedTokenError
	isUnexpected := errors.As(err, &uerr)
	off := perr.Position().Offset
	unexpected := lexer.Token{Type: tEOF}
	if isUnexpected {
		unexpected = uerr.Unexpected
	} else {
		for _, t := range toks {
			if t.start == off {
				unexpected = lexer.Token{Type: t.typ, Value: t.val}
				break
			}
		}
	}
	end := ends.end(off)
	span := lines.span(off, end)
	msg := fmt.Sprintf("syntax error, unexpected %s", describe(unexpected))
	if inPredicate(toks, off) && unexpected.Value == "{" {
		msg += ", expecting /"
	} else if isUnexpected {
		if exp := expecting(uerr, toks, off); exp != "" && !callGuess(toks, off) {
			msg += ", expecting " + exp
		}
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

// callGuess reports whether the token before off is an identifier: what may
// follow one is too varied to name (it may start a call, or be a whole
// operand), so bison names nothing there either (`@x[pid =`).
func callGuess(toks []token, off int) bool {
	i := tokenBefore(toks, off)
	return i >= 0 && toks[i].typ == tIdent
}

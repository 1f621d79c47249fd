package parser

import (
	"io"

	"github.com/alecthomas/participle/v2/lexer"
)

// Token types produced by the scanner. Participle matches grammar literals
// by value, so the tokens whose meaning depends on context (block and
// predicate delimiters) carry values no operator can have.
const (
	tEOF        = lexer.EOF
	tIdent      = lexer.TokenType(iota + 1) // pid, printf, my_func
	tKeyword                                // if, else, let, ...
	tTypeName                               // uint8, int64, bool, string, ...
	tInt                                    // 42, 0x2a, 1_000, 1e6, 5s
	tString                                 // "text" (raw, quotes included)
	tVar                                    // $name
	tPositional                             // $1, $#
	tMap                                    // @name or @
	tAttach                                 // tracepoint:syscalls:sys_enter_open*
	tDirective                              // #include <...> (whole line)
	tCDef                                   // struct X { ... }; (whole text)
	tPunct                                  // operators and punctuation
	tAngleOpen                              // '<' opening a block
	tAngleClose                             // '>' closing a block
	tPredOpen                               // '/' opening a predicate
	tPredClose                              // '/' closing a predicate
	tBinOp                                  // binary operators: + - * / == && ...
	tAssignOp                               // = += -= ... >>=
	tPrefixOp                               // ! ~ ++ -- (- * & are BinOp)
)

// Values of the context-dependent tokens (see the const block above).
const (
	vAngleOpen  = "<{"
	vAngleClose = "}>"
	vPredOpen   = "/("
	vPredClose  = ")/"
)

var symbols = map[string]lexer.TokenType{
	"EOF":        tEOF,
	"Ident":      tIdent,
	"Keyword":    tKeyword,
	"TypeName":   tTypeName,
	"Int":        tInt,
	"String":     tString,
	"Var":        tVar,
	"Positional": tPositional,
	"Map":        tMap,
	"Attach":     tAttach,
	"Directive":  tDirective,
	"CDef":       tCDef,
	"Punct":      tPunct,
	"AngleOpen":  tAngleOpen,
	"AngleClose": tAngleClose,
	"PredOpen":   tPredOpen,
	"PredClose":  tPredClose,
	"BinOp":      tBinOp,
	"AssignOp":   tAssignOp,
	"PrefixOp":   tPrefixOp,
}

// Operators get their own token types so that the grammar matches "any
// binary operator" with one token-type test rather than trying eighteen
// literals (participle allocates a branch per alternative). Grammar
// literals still match them by value, e.g. "*" in pointer types.
var binaryOps = map[string]bool{
	"||": true, "&&": true, "|": true, "^": true, "&": true, "==": true, "!=": true,
	"<": true, "<=": true, ">": true, ">=": true, "<<": true, ">>": true,
	"+": true, "-": true, "*": true, "/": true, "%": true,
}

var assignOps = map[string]bool{
	"=": true, "+=": true, "-=": true, "*=": true, "/=": true, "%=": true,
	"&=": true, "|=": true, "^=": true, "<<=": true, ">>=": true,
}

var keywords = map[string]bool{
	"if": true, "else": true, "while": true, "for": true, "unroll": true,
	"break": true, "continue": true, "return": true, "let": true,
	"macro": true, "config": true, "sizeof": true, "offsetof": true,
	"true": true, "false": true, "struct": true, "union": true, "enum": true,
}

// typeNames are the builtin type names that may start a cast: `(uint8)x`.
var typeNames = map[string]bool{
	"bool": true, "string": true, "void": true,
	"int8": true, "int16": true, "int32": true, "int64": true,
	"uint8": true, "uint16": true, "uint32": true, "uint64": true,
}

// token is one scanned token with its byte range.
type token struct {
	typ        lexer.TokenType
	val        string
	start, end int
}

// definition plugs the scanner into participle.
type definition struct{}

func (definition) Symbols() map[string]lexer.TokenType { return symbols }

func (definition) Lex(filename string, r io.Reader) (lexer.Lexer, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	toks, d := scan(string(b))
	if d != nil {
		return nil, lexError{d.msg}
	}
	return newSliceLexer(filename, string(b), toks), nil
}

type lexError struct{ msg string }

func (e lexError) Error() string { return e.msg }

// sliceLexer replays already scanned tokens to participle.
type sliceLexer struct {
	toks []lexer.Token
	i    int
}

func newSliceLexer(filename, src string, toks []token) *sliceLexer {
	return newSliceLexerLines(filename, src, toks, newLineIndex(src))
}

// newSliceLexerLines is newSliceLexer with src's line index, which Parse
// has already built.
func newSliceLexerLines(filename, src string, toks []token, index lineIndex) *sliceLexer {
	lines := lineCursor{lineIndex: index}
	out := make([]lexer.Token, 0, len(toks)+1)
	for _, t := range toks {
		p := lines.pos(t.start)
		out = append(out, lexer.Token{Type: t.typ, Value: t.val, Pos: lexer.Position{
			Filename: filename, Offset: p.Offset, Line: p.Line, Column: p.Col,
		}})
	}
	p := lines.pos(len(src))
	out = append(out, lexer.Token{Type: tEOF, Pos: lexer.Position{
		Filename: filename, Offset: p.Offset, Line: p.Line, Column: p.Col,
	}})
	return &sliceLexer{toks: out}
}

func (l *sliceLexer) Next() (lexer.Token, error) {
	if l.i >= len(l.toks) {
		return l.toks[len(l.toks)-1], nil
	}
	t := l.toks[l.i]
	l.i++
	return t, nil
}

package parser

import (
	"reflect"
	"slices"
	"strings"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// expecting names, in bison's wording ("expecting ;"), what participle
// expected where the parse failed: the alternatives of the first element
// of the grammar sequence that could not continue. It returns "" when
// many things could have followed (bison says nothing then either) or
// when the error names no grammar node.
func expecting(uerr *participle.UnexpectedTokenError, toks []token, off int) string {
	alts, ok := expectedAlternatives(uerr)
	if !ok {
		return ""
	}
	var words []string
	for _, a := range alts {
		w := a.word(toks, off)
		if w == "" {
			return ""
		}
		if !slices.Contains(words, w) {
			words = append(words, w)
		}
	}
	return strings.Join(words, " or ")
}

// expected is one thing the grammar could have matched: a literal token
// value, a token type, or a grammar struct.
type expected struct {
	literal    string
	isLiteral  bool
	tokenType  lexer.TokenType
	isType     bool
	production uintptr // the reflect type's address, see productionOf
}

func (e expected) word(toks []token, off int) string {
	switch {
	case e.isLiteral:
		switch e.literal {
		case vAngleClose:
			return ">"
		case vAngleOpen:
			return "<"
		case vPredClose, vPredOpen:
			return "/"
		case "}":
			if innermostBlock(toks, off) == tAngleOpen {
				return ">"
			}
		}
		return e.literal
	case e.isType:
		switch e.tokenType {
		case tAngleClose:
			if innermostBlock(toks, off) == tAngleOpen {
				return ">"
			}
			return "}"
		case tPredClose:
			return "/"
		case tIdent:
			return "identifier"
		case tInt:
			return "integer"
		case tVar:
			return "variable"
		case tMap:
			return "map"
		}
	case e.production == productionOf[gBlock]():
		return "{"
	}
	return ""
}

// productionOf identifies a grammar struct as participle records it.
func productionOf[T any]() uintptr {
	return reflect.ValueOf(reflect.TypeFor[T]()).Pointer()
}

// expectedAlternatives reads the grammar node an UnexpectedTokenError
// carries: the rest of the sequence that failed. participle (v2.1.4, as
// pinned in go.mod) keeps that node in an unexported field and exports
// only its text, so it is read here with reflection, read-only; the
// node's first element gives the alternatives. ok is false when the
// first element is optional, a lookahead, a sequence, or anything whose
// alternatives are not single tokens or blocks (bison names nothing
// there), and when the node cannot be read (then no "expecting" is
// said rather than a wrong one; TestErrors would show it).
func expectedAlternatives(uerr *participle.UnexpectedTokenError) (alts []expected, ok bool) {
	seq := field(reflect.ValueOf(uerr), "expectNode")
	if !seq.IsValid() {
		return nil, false
	}
	return alternativesOf(field(seq, "node"), true)
}

// alternativesOf lists what node n matches as its first token. top allows
// one group of alternatives; nested groups or sequences give up.
func alternativesOf(n reflect.Value, top bool) ([]expected, bool) {
	n = deref(n)
	if !n.IsValid() || n.Kind() != reflect.Struct {
		return nil, false
	}
	switch n.Type().Name() {
	case "capture":
		return alternativesOf(field(n, "node"), top)
	case "literal":
		s := field(n, "s")
		if s.Kind() != reflect.String {
			return nil, false
		}
		return []expected{{literal: s.String(), isLiteral: true}}, true
	case "reference":
		t := field(n, "typ")
		if !t.CanInt() {
			return nil, false
		}
		return []expected{{tokenType: lexer.TokenType(t.Int()), isType: true}}, true
	case "strct":
		t := field(n, "typ")
		if t.Kind() != reflect.Interface || t.IsNil() {
			return nil, false
		}
		return []expected{{production: t.Elem().Pointer()}}, true
	case "group":
		if mode := field(n, "mode"); !mode.CanInt() || mode.Int() != 0 || !top {
			return nil, false // optional or repeated: something else could follow
		}
		return alternativesOf(field(n, "expr"), false)
	case "disjunction":
		nodes := field(n, "nodes")
		if nodes.Kind() != reflect.Slice {
			return nil, false
		}
		var out []expected
		for i := 0; i < nodes.Len(); i++ {
			a, ok := alternativesOf(nodes.Index(i), false)
			if !ok {
				return nil, false
			}
			out = append(out, a...)
		}
		return out, true
	case "sequence":
		if next := field(n, "next"); next.IsValid() && !next.IsNil() {
			return nil, false
		}
		return alternativesOf(field(n, "node"), top)
	}
	return nil, false
}

// field returns v's (or *v's) field name, or the zero Value.
func field(v reflect.Value, name string) reflect.Value {
	v = deref(v)
	if !v.IsValid() || v.Kind() != reflect.Struct {
		return reflect.Value{}
	}
	return v.FieldByName(name)
}

// deref follows interfaces and pointers; a nil one gives the zero Value.
func deref(v reflect.Value) reflect.Value {
	for v.IsValid() && (v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer) {
		if v.IsNil() {
			return reflect.Value{}
		}
		v = v.Elem()
	}
	return v
}

// innermostBlock reports how the innermost block still open at off was
// opened: tAngleOpen, tPunct ("{") or 0.
func innermostBlock(toks []token, off int) lexer.TokenType {
	var stack []lexer.TokenType
	for _, t := range toks {
		if t.start >= off {
			break
		}
		switch {
		case t.typ == tAngleOpen:
			stack = append(stack, tAngleOpen)
		case t.typ == tPunct && t.val == "{":
			stack = append(stack, tPunct)
		case (t.typ == tAngleClose || (t.typ == tPunct && t.val == "}")) && len(stack) > 0:
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) == 0 {
		return 0
	}
	return stack[len(stack)-1]
}

// inPredicate reports whether off lies in a predicate not yet closed.
func inPredicate(toks []token, off int) bool {
	open := false
	for _, t := range toks {
		if t.start >= off {
			break
		}
		switch t.typ {
		case tPredOpen:
			open = true
		case tPredClose:
			open = false
		}
	}
	return open
}

// hintFor suggests a fix for common mistakes.
func hintFor(unexpected lexer.Token, toks []token, off int) string {
	if inPredicate(toks, off) {
		if unexpected.Value == "=" {
			return "'=' assigns: to compare in a predicate, write '=='"
		}
		return "a predicate is written /condition/ before the probe's block"
	}
	if unexpected.Type == tBinOp && unexpected.Value == ">" && innermostBlock(toks, off) == tAngleOpen {
		return "inside < > blocks, end the statement with ';' before the closing '>'"
	}
	if prev := tokenBefore(toks, off); prev >= 1 && toks[prev].typ == tAngleClose && !closesAtStmtStart(toks[prev-1]) {
		return "a '>' at the end of a line closes a < > block; put a comparison that spans lines in parentheses"
	}
	if unexpected.Type == tEOF && len(toks) > 0 && toks[len(toks)-1].val == ">>" && innermostBlock(toks, off) == tAngleOpen {
		return "here '>>' is the shift operator: write '> >' to close two blocks"
	}
	if unexpected.Type == tEOF && innermostBlock(toks, off) != 0 {
		return "a block is not closed"
	}
	if strings.HasPrefix(unexpected.Value, "..") && inMacroParams(toks, off) {
		return "a macro takes a fixed number of arguments, as in bpftrace v0.26 (no ... parameters): define one macro per number of arguments, overloads may share a name"
	}
	return ""
}

// inMacroParams reports whether off lies in the parameter list of a macro
// definition (`macro name(` not yet closed).
func inMacroParams(toks []token, off int) bool {
	i := tokenBefore(toks, off)
	for ; i >= 0; i-- {
		t := toks[i]
		if t.typ == tPunct && t.val == ")" {
			return false
		}
		if t.typ == tPunct && t.val == "(" {
			break
		}
	}
	return i >= 2 && toks[i-2].val == "macro"
}

// tokenBefore returns the index of the last token starting before off.
func tokenBefore(toks []token, off int) int {
	i := -1
	for j, t := range toks {
		if t.start >= off {
			break
		}
		i = j
	}
	return i
}

// closesAtStmtStart reports whether a '>' after t stands where a statement
// may start (so it closed its block for that reason, not by line end).
func closesAtStmtStart(t token) bool {
	return t.typ == tAngleOpen || t.typ == tAngleClose || (t.typ == tPunct && (t.val == ";" || t.val == "}"))
}

package parser

import (
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
)

// expecting extracts, from participle's message, the first thing the
// grammar expected, in bison's wording ("expecting ;"). It returns "" when
// many things could have followed (bison says nothing then either).
func expecting(msg string, toks []token, off int) string {
	i := strings.Index(msg, "(expected ")
	if i < 0 {
		return ""
	}
	exp := strings.TrimSuffix(msg[i+len("(expected "):], ")")
	alts := firstAlternatives(exp)
	var words []string
	for _, a := range alts {
		w := expectedWord(a, toks, off)
		if w == "" {
			return ""
		}
		if !contains(words, w) {
			words = append(words, w)
		}
	}
	return strings.Join(words, " or ")
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// firstAlternatives returns the alternatives of the first element of a
// participle grammar expression: `"]"` -> ["\"]\""], `("}" | <x>) y` ->
// ["\"}\"", "<x>"].
func firstAlternatives(exp string) []string {
	exp = strings.TrimSpace(exp)
	if exp == "" {
		return nil
	}
	if exp[0] == '"' {
		if j := strings.IndexByte(exp[1:], '"'); j >= 0 {
			return []string{exp[:j+2]}
		}
		return nil
	}
	if exp[0] == '(' {
		depth := 0
		for j := 0; j < len(exp); j++ {
			switch exp[j] {
			case '(':
				depth++
			case ')':
				depth--
				if depth == 0 {
					if j+1 < len(exp) && strings.ContainsRune("?*", rune(exp[j+1])) {
						return nil // optional: something else could follow
					}
					var out []string
					for _, a := range strings.Split(exp[1:j], "|") {
						a = strings.TrimSpace(a)
						if strings.ContainsAny(a, " ()") {
							return nil
						}
						out = append(out, a)
					}
					return out
				}
			}
		}
		return nil
	}
	if j := strings.IndexAny(exp, " ("); j >= 0 {
		exp = exp[:j]
	}
	return []string{exp}
}

func expectedWord(a string, toks []token, off int) string {
	if strings.HasPrefix(a, `"`) {
		switch v := strings.Trim(a, `"`); v {
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
			return "}"
		default:
			return v
		}
	}
	switch a {
	case "<angleclose>":
		if innermostBlock(toks, off) == tAngleOpen {
			return ">"
		}
		return "}"
	case "<predclose>":
		return "/"
	case "<ident>":
		return "identifier"
	case "<int>":
		return "integer"
	case "<var>":
		return "variable"
	case "<map>":
		return "map"
	case "GBlock":
		return "{"
	}
	return ""
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
	return ""
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

package parser

import (
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
)

// expecting turns participle's description of what it expected into
// bison's wording: `"}"` becomes `}`; token-type names become words.
func expecting(exp string) string {
	if exp == "" {
		return ""
	}
	if strings.HasPrefix(exp, `"`) && strings.HasSuffix(exp, `"`) && len(exp) >= 3 {
		switch v := exp[1 : len(exp)-1]; v {
		case vAngleClose:
			return ">"
		case vAngleOpen:
			return "<"
		case vPredClose, vPredOpen:
			return "/"
		default:
			return v
		}
	}
	switch strings.Trim(exp, "<>") {
	case "ident":
		return "identifier"
	case "int":
		return "integer"
	case "string":
		return "string"
	case "var":
		return "variable"
	case "map":
		return "map"
	case "anglclose":
		return ">"
	}
	return ""
}

// hintFor suggests a fix for common mistakes.
func hintFor(unexpected lexer.Token, toks []token, off int) string {
	if unexpected.Type == tEOF {
		open := 0
		for _, t := range toks {
			switch {
			case t.val == "{" || t.typ == tAngleOpen:
				open++
			case t.val == "}" || t.typ == tAngleClose:
				open--
			}
		}
		if open > 0 {
			return "a block is not closed"
		}
	}
	return ""
}

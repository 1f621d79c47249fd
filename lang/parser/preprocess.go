package parser

import (
	"strconv"
	"strings"
)

// Conditional preprocessor directives (#if, #ifdef, #ifndef, #elif, #else,
// #endif) are resolved before scanning, as C's preprocessor would: the
// lines of an inactive branch and the conditional lines themselves become
// blanks (newlines kept, so positions do not move). Names are defined by
// #define lines of active regions and by the predefined macros below.

// Predefined lists the macros every script sees. gobpftrace takes kernel
// types from BTF, so BPFTRACE_HAVE_BTF is always defined: scripts then
// skip the #include lines they only need without BTF.
var Predefined = map[string]string{"BPFTRACE_HAVE_BTF": "1"}

// condErr is an error in a conditional directive, at byte offsets.
type condErr struct {
	start, end int
	msg        string
}

// preprocess resolves the conditional directives of src.
func preprocess(src string) (string, *condErr) {
	if !strings.Contains(src, "#") {
		return src, nil
	}
	defines := map[string]string{}
	for k, v := range Predefined {
		defines[k] = v
	}
	type frame struct {
		active, taken, parentActive, sawElse bool
		start                                int
	}
	var stack []frame
	active := true
	out := []byte(src)
	blank := func(from, to int) {
		for i := from; i < to; i++ {
			if out[i] != '\n' {
				out[i] = ' '
			}
		}
	}
	inComment := false
	for lineStart := 0; lineStart < len(src); {
		lineEnd := strings.IndexByte(src[lineStart:], '\n')
		if lineEnd < 0 {
			lineEnd = len(src)
		} else {
			lineEnd += lineStart
		}
		line := strings.TrimSpace(src[lineStart:lineEnd])
		next := lineEnd + 1
		startsInComment := inComment
		inComment = endsInComment(src[lineStart:lineEnd], inComment)
		if startsInComment || !strings.HasPrefix(line, "#") {
			if !active {
				blank(lineStart, lineEnd)
			}
			lineStart = next
			continue
		}
		// The directive's name is the identifier after '#', as in C:
		// `#if"x"` is an #if too.
		body := strings.TrimSpace(line[1:])
		n := 0
		for n < len(body) && (body[n] == '_' || body[n] >= '0' && body[n] <= '9' || body[n] >= 'a' && body[n] <= 'z' || body[n] >= 'A' && body[n] <= 'Z') {
			n++
		}
		word, rest := body[:n], strings.TrimSpace(body[n:])
		switch word {
		case "if", "ifdef", "ifndef":
			var cond bool
			switch word {
			case "ifdef":
				_, cond = defines[firstWord(rest)]
			case "ifndef":
				_, cond = defines[firstWord(rest)]
				cond = !cond
			default:
				v, ok := evalCond(rest, defines)
				if !ok {
					return "", &condErr{lineStart, lineEnd, "invalid #if condition: " + rest}
				}
				cond = v
			}
			stack = append(stack, frame{active: active && cond, taken: cond, parentActive: active, start: lineStart})
			active = active && cond
			blank(lineStart, lineEnd)
		case "elif", "else":
			if len(stack) == 0 {
				return "", &condErr{lineStart, lineEnd, "#" + word + " without #if"}
			}
			f := &stack[len(stack)-1]
			if f.sawElse {
				return "", &condErr{lineStart, lineEnd, "#" + word + " after #else"}
			}
			cond := true
			if word == "elif" {
				v, ok := evalCond(rest, defines)
				if !ok {
					return "", &condErr{lineStart, lineEnd, "invalid #elif condition: " + rest}
				}
				cond = v
			} else {
				f.sawElse = true
			}
			f.active = f.parentActive && !f.taken && cond
			f.taken = f.taken || cond
			active = f.active
			blank(lineStart, lineEnd)
		case "endif":
			if len(stack) == 0 {
				return "", &condErr{lineStart, lineEnd, "#endif without #if"}
			}
			active = stack[len(stack)-1].parentActive
			stack = stack[:len(stack)-1]
			blank(lineStart, lineEnd)
		default:
			if !active {
				blank(lineStart, lineEnd)
			} else if word == "define" {
				name := firstWord(rest)
				if i := strings.IndexByte(name, '('); i >= 0 {
					name = name[:i]
				}
				defines[name] = strings.TrimSpace(strings.TrimPrefix(rest, name))
			} else if word == "undef" {
				delete(defines, firstWord(rest))
				blank(lineStart, lineEnd)
			}
		}
		lineStart = next
	}
	if len(stack) > 0 {
		f := stack[len(stack)-1]
		end := strings.IndexByte(src[f.start:], '\n')
		if end < 0 {
			end = len(src) - f.start
		}
		return "", &condErr{f.start, f.start + end, "unterminated conditional directive: #endif missing"}
	}
	return string(out), nil
}

func firstWord(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// evalCond evaluates an #if expression: integers, defined(NAME),
// defined NAME, macro names (undefined ones are 0), ! && || == != < <=
// > >= and parentheses.
func evalCond(s string, defines map[string]string) (bool, bool) {
	e := &condEval{toks: condTokens(s), defines: defines}
	v, ok := e.or()
	if !ok || e.pos != len(e.toks) {
		return false, false
	}
	return v != 0, true
}

func condTokens(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case strings.HasPrefix(s[i:], "//"):
			i = len(s)
		case isIdentByte(c):
			j := i
			for j < len(s) && isIdentByte(s[j]) {
				j++
			}
			out = append(out, s[i:j])
			i = j
		default:
			two := ""
			if i+1 < len(s) {
				two = s[i : i+2]
			}
			switch two {
			case "&&", "||", "==", "!=", "<=", ">=":
				out = append(out, two)
				i += 2
				continue
			}
			out = append(out, string(c))
			i++
		}
	}
	return out
}

func isIdentByte(b byte) bool {
	return b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

type condEval struct {
	toks    []string
	pos     int
	defines map[string]string
	depth   int
}

func (e *condEval) peek() string {
	if e.pos < len(e.toks) {
		return e.toks[e.pos]
	}
	return ""
}

func (e *condEval) or() (int64, bool) {
	v, ok := e.and()
	for ok && e.peek() == "||" {
		e.pos++
		w, ok2 := e.and()
		v, ok = b2i(v != 0 || w != 0), ok2
	}
	return v, ok
}

func (e *condEval) and() (int64, bool) {
	v, ok := e.cmp()
	for ok && e.peek() == "&&" {
		e.pos++
		w, ok2 := e.cmp()
		v, ok = b2i(v != 0 && w != 0), ok2
	}
	return v, ok
}

func (e *condEval) cmp() (int64, bool) {
	v, ok := e.unary()
	for ok {
		op := e.peek()
		switch op {
		case "==", "!=", "<", "<=", ">", ">=":
		default:
			return v, ok
		}
		e.pos++
		w, ok2 := e.unary()
		ok = ok2
		switch op {
		case "==":
			v = b2i(v == w)
		case "!=":
			v = b2i(v != w)
		case "<":
			v = b2i(v < w)
		case "<=":
			v = b2i(v <= w)
		case ">":
			v = b2i(v > w)
		case ">=":
			v = b2i(v >= w)
		}
	}
	return v, ok
}

func (e *condEval) unary() (int64, bool) {
	tok := e.peek()
	e.pos++
	switch {
	case tok == "!":
		v, ok := e.unary()
		return b2i(v == 0), ok
	case tok == "(":
		v, ok := e.or()
		if e.peek() != ")" {
			return 0, false
		}
		e.pos++
		return v, ok
	case tok == "defined":
		paren := e.peek() == "("
		if paren {
			e.pos++
		}
		name := e.peek()
		e.pos++
		if paren {
			if e.peek() != ")" {
				return 0, false
			}
			e.pos++
		}
		_, ok := e.defines[name]
		return b2i(ok), name != ""
	case tok != "" && tok[0] >= '0' && tok[0] <= '9':
		v, err := strconv.ParseInt(strings.TrimRight(tok, "uUlL"), 0, 64)
		return v, err == nil
	case tok != "" && isIdentByte(tok[0]):
		val, ok := e.defines[tok]
		if !ok || e.depth > 8 {
			return 0, true
		}
		sub := &condEval{toks: condTokens(val), defines: e.defines, depth: e.depth + 1}
		v, ok := sub.or()
		if !ok || sub.pos != len(sub.toks) {
			return 0, true
		}
		return v, true
	}
	return 0, false
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// endsInComment reports whether a /* comment is open at the end of line,
// given whether one was open at its start (strings and // comments
// skipped), so that a '#' line inside a comment is no directive.
func endsInComment(line string, open bool) bool {
	for i := 0; i < len(line); i++ {
		switch {
		case open:
			if strings.HasPrefix(line[i:], "*/") {
				open = false
				i++
			}
		case line[i] == '"':
			for i++; i < len(line) && line[i] != '"'; i++ {
				if line[i] == '\\' {
					i++
				}
			}
		case strings.HasPrefix(line[i:], "//"):
			return false
		case strings.HasPrefix(line[i:], "/*"):
			open = true
			i++
		}
	}
	return open
}

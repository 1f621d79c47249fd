package parser

import "strings"

// Scanning of top-level items that are not expressions: preprocessor
// directives, C definitions and attach points.

func (s *scanner) scanDirective() {
	start := s.pos
	for s.pos < len(s.src) && s.src[s.pos] != '\n' {
		s.pos++
	}
	text := strings.TrimRight(s.src[start:s.pos], "\r \t")
	s.pos = start + len(text)
	if name := strings.TrimLeft(text[1:], " \t"); name == "" || !isIdentStart(name[0]) {
		s.fail(start, s.pos, "invalid preprocessor directive")
		s.err.hint = "directives are written #include <file>, #include \"file\" or #define NAME value"
		return
	}
	s.emit(tDirective, text, start)
}

// scanCDef takes a C struct/union/enum/typedef definition whole: up to the
// brace that closes its body (and a following ';'), or up to a ';' at brace
// depth 0 (typedefs, forward declarations).
func (s *scanner) scanCDef() {
	start := s.pos
	depth := 0
	opened := false
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		switch {
		case strings.HasPrefix(s.src[s.pos:], "//"), strings.HasPrefix(s.src[s.pos:], "/*"):
			s.skipSpaceAndComments()
			continue
		case c == '{':
			depth++
			opened = true
		case c == '}':
			depth--
			if depth == 0 && opened && !strings.HasPrefix(s.src[start:], "typedef") {
				s.pos++
				if j := s.skipAll(s.pos); j < len(s.src) && s.src[j] == ';' {
					s.pos = j + 1
				}
				s.emit(tCDef, s.src[start:s.pos], start)
				return
			}
		case c == ';' && depth == 0:
			s.pos++
			s.emit(tCDef, s.src[start:s.pos], start)
			return
		}
		s.pos++
	}
	s.fail(start, start+len(s.word(start)), "unterminated C definition")
	s.err.hint = "a C definition ends with '};'"
}

// scanAttach takes one attach point: colon-separated parts, each either
// quoted ("/path with space") or a run of characters up to a space, ',',
// a brace, '<', ';' or '/'. A part starting with '/' or '.' is a path and
// may contain '/'.
func (s *scanner) scanAttach() {
	start := s.pos
	partStart := s.pos
	isPath := false
loop:
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		switch {
		case c == '"':
			end := closingQuote(s.src, s.pos)
			if end < 0 {
				s.fail(s.pos, len(s.src), "unterminated string")
				return
			}
			s.pos = end + 1
			continue
		case c == ':':
			s.pos++
			partStart = s.pos
			isPath = s.pos < len(s.src) && (s.src[s.pos] == '/' || s.src[s.pos] == '.')
			continue
		case c == '/':
			if s.pos == partStart {
				isPath = true
			}
			if !isPath {
				break loop
			}
		case c <= ' ' || strings.IndexByte(",{}<>;()", c) >= 0:
			break loop
		}
		s.pos++
	}
	s.emit(tAttach, s.src[start:s.pos], start)
}

// closingQuote returns the index of the '"' closing the string that opens
// at i, or -1.
func closingQuote(src string, i int) int {
	for j := i + 1; j < len(src); j++ {
		switch src[j] {
		case '\\':
			j++
		case '"':
			return j
		case '\n':
			return -1
		}
	}
	return -1
}

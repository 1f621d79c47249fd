package parser

import (
	"strings"

	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

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
// may contain '/'; so may the binary of a user-space probe written as a
// relative path (uprobe:bin/tool:main), told from a predicate by the ':'
// that ends it (relativePath).
func (s *scanner) scanAttach() {
	start := s.pos
	partStart := s.pos
	part := 0
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
			part++
			partStart = s.pos
			isPath = s.pos < len(s.src) && (s.src[s.pos] == '/' || s.src[s.pos] == '.')
			continue
		case c == '/':
			if s.pos == partStart || (part == 1 && userSpaceProvider(s.src[start:partStart-1]) && relativePath(s.src[s.pos:])) {
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

// userSpaceProvider reports whether name (as written, aliases included)
// is a provider whose first part is a binary.
func userSpaceProvider(name string) bool { return probetype.BinaryFirst(name) }

// relativePath reports whether rest, which starts at a '/' inside a
// binary part, goes on as a path: path characters up to the ':' that ends
// the part. A predicate (/pid == 1/, /arg0>2/) stops at a space or an
// operator before any ':'.
func relativePath(rest string) bool {
	for i := 1; i < len(rest); i++ {
		c := rest[i]
		switch {
		case c == ':':
			return i > 1
		case c == '/' || c == '.' || c == '_' || c == '-' || c == '+' || c == '*' || c == '?' || c == '@',
			c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		default:
			return false
		}
	}
	return false
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

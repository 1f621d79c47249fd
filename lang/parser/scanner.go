package parser

import (
	"errors"
	"math"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// The scanner turns source text into tokens. bpftrace's language needs
// context to lex: attach points are not expressions, `/` may open or close
// a predicate, and in our short block form `<` and `>` may delimit blocks.
// The scanner tracks open blocks, parentheses and brackets to decide.
//
// Angle blocks. `<` opens a block only where a block may start:
//   - after a probe's attach points or its predicate,
//   - after the `)` closing the header of if / while / for / unroll / macro,
//   - after `else`,
//   - where a statement may start inside a block (after `;`, after a block's
//     opening, or after a closed nested block).
//
// Everywhere else `<` is the less-than (or shift) operator.
//
// Inside an angle block, and outside any ( ) or [ ] opened within it, `>`
// closes the block when
//   - it stands where a statement may start (after `;`, after the block's
//     opening `<`, or after a closed nested block), or
//   - the block's final statement lacks its `;` and the `>` is followed by
//     the end of the input or of the line (comments aside), or by
//     whitespace and another `>` (`< if (x) < f() > >`), by `}` or by
//     `else`: none of these can follow a greater-than operator; or, for a
//     probe's body, by whitespace and the next probe's attach point
//     (`BEGIN`, `END`, or a word followed by ':', as in `i:s:1`).
//
// A `>` directly followed by `>` or `=` outside a statement start is `>>`
// or `>=`. Otherwise `>` is the greater-than operator, so `$a > $b` and
// `$a >> 2` work inside angle blocks, and `>` inside parentheses (`if ($a > $b)`) is
// always an operator. A comparison cannot end a line inside an angle block
// unless wrapped in parentheses; write `;` before a `>` that should close.
//
// Predicates. After attach points, `/` opens a predicate; inside it (outside
// parentheses) a `/` followed by `{` or `<` (spaces and comments aside), or
// by the end of the input, closes it. Any other `/` is division.
type scanner struct {
	src    string
	pos    int
	toks   []token
	frames []frameKind
	// headerNext: the next '(' opens an if/while/for/unroll header.
	headerNext bool
	// headerClosed: the last token was ')' closing such a header.
	headerClosed bool
	// inAttachList: the last tokens are attach points and commas.
	inAttachList bool
	// operatorRun counts consecutive operator-like tokens (see maxOperatorRun).
	operatorRun int
	// chained counts '?' and else within one top-level item.
	chained int
	err     *scanError
}

type frameKind byte

const (
	fBrace   frameKind = '{'
	fAngle   frameKind = '<'
	fParen   frameKind = '('
	fHeader  frameKind = 'h'
	fBracket frameKind = '['
	fPred    frameKind = '/'
)

type scanError struct {
	start, end int
	msg, hint  string
}

func scan(src string) ([]token, *scanError) {
	// One token per 2.5-3 bytes in dense scripts (5 with comments): one
	// allocation sized for the densest of those instead of a slice grown
	// by copying (a denser script grows it once).
	s := &scanner{src: src, toks: make([]token, 0, len(src)*2/5+16)}
	for s.err == nil {
		s.skipSpaceAndComments()
		if s.err != nil || s.pos >= len(s.src) {
			break
		}
		s.next()
	}
	return s.toks, s.err
}

func (s *scanner) fail(start, end int, msg string) {
	if s.err == nil {
		s.err = &scanError{start: start, end: end, msg: msg}
	}
}

func (s *scanner) emit(typ lexer.TokenType, val string, start int) {
	switch {
	case typ == tBinOp || typ == tPrefixOp || typ == tTypeName || val == "(" || val == ")":
		s.operatorRun++
		if s.operatorRun > maxOperatorRun {
			s.fail(start, s.pos, "expression is nested too deeply")
		}
	default:
		s.operatorRun = 0
	}
	// Ternaries and else-if chains nest in the grammar too.
	if val == "?" || (typ == tKeyword && val == "else") {
		s.chained++
		if s.chained > maxOperatorRun {
			s.fail(start, s.pos, "expression is nested too deeply")
		}
	}
	if len(s.frames) == 0 {
		s.chained = 0
	}
	s.headerClosed = false
	s.inAttachList = typ == tAttach || (s.inAttachList && val == ",")
	s.toks = append(s.toks, token{typ: typ, val: val, start: start, end: s.pos})
}

func (s *scanner) prev() *token {
	if len(s.toks) == 0 {
		return nil
	}
	return &s.toks[len(s.toks)-1]
}

func (s *scanner) top() frameKind {
	if len(s.frames) == 0 {
		return 0
	}
	return s.frames[len(s.frames)-1]
}

// Limits that keep hostile input from recursing the parser too deeply.
const (
	maxNesting     = 500  // open blocks, parentheses and brackets
	maxOperatorRun = 1000 // consecutive operators, parentheses and type names
)

func (s *scanner) push(f frameKind) {
	if len(s.frames) >= maxNesting {
		s.fail(s.pos-1, s.pos, "nesting is too deep")
		return
	}
	s.frames = append(s.frames, f)
}

// popTo pops frames up to and including the innermost frame of one of the
// given kinds, reporting the kind popped (0 when none is open).
func (s *scanner) popTo(kinds ...frameKind) frameKind {
	for i := len(s.frames) - 1; i >= 0; i-- {
		for _, k := range kinds {
			if s.frames[i] == k {
				s.frames = s.frames[:i]
				return k
			}
		}
	}
	return 0
}

// atItemStart reports whether a top-level item (probe, directive, macro,
// config, map declaration, C definition) may start here.
func (s *scanner) atItemStart() bool {
	if len(s.frames) != 0 {
		return false
	}
	p := s.prev()
	if p == nil {
		return true
	}
	switch p.typ {
	case tDirective, tCDef, tAngleClose:
		return true
	case tPunct:
		// ")" ends a map declaration written without its ';'.
		return p.val == "}" || p.val == ";" || p.val == ")"
	}
	return false
}

// atStmtStart reports whether a statement may start here inside a block.
func (s *scanner) atStmtStart() bool {
	if t := s.top(); t != fBrace && t != fAngle {
		return false
	}
	p := s.prev()
	if p == nil {
		return false
	}
	switch p.typ {
	case tAngleOpen, tAngleClose:
		return true
	case tPunct:
		return p.val == ";" || p.val == "{" || p.val == "}"
	}
	return false
}

// blockMayOpen reports whether a '<' here opens a block.
func (s *scanner) blockMayOpen() bool {
	if s.headerClosed || s.atStmtStart() {
		return true
	}
	p := s.prev()
	if p == nil {
		return false
	}
	if p.typ == tKeyword && p.val == "else" {
		return true
	}
	return len(s.frames) == 0 && (p.typ == tAttach || p.typ == tPredClose)
}

// angleMayClose reports whether the '>' at s.pos closes an angle block.
func (s *scanner) angleMayClose() bool {
	if s.top() != fAngle {
		return false
	}
	if s.atStmtStart() {
		return true
	}
	i := s.pos + 1
	if i < len(s.src) && (s.src[i] == '>' || s.src[i] == '=') {
		return false
	}
	j := s.skipInline(i)
	if j >= len(s.src) || s.src[j] == '\n' || s.src[j] == '\r' {
		return true
	}
	if (j > i && s.src[j] == '>') || s.src[j] == '}' {
		return true
	}
	// `< @x = 1 > else < ... >`: no operand starts with the keyword else.
	if s.word(j) == "else" {
		return true
	}
	// `BEGIN < @x = 1 > END < ... >`: a probe body followed by another probe.
	return len(s.frames) == 1 && j > i && s.startsProbe(j)
}

// startsProbe reports whether a probe's attach point starts at i: BEGIN or
// END (or begin/end), or a word followed by ':' as in `kprobe:f`.
func (s *scanner) startsProbe(i int) bool {
	w := s.word(i)
	if w == "" || !isIdentStart(w[0]) {
		return false
	}
	if probetype.Bare(w) {
		return true
	}
	j := i + len(w)
	return j+1 < len(s.src) && s.src[j] == ':' && s.src[j+1] != ':'
}

// skipInline skips spaces, tabs and comments that stay on the line, and
// returns the offset of the next byte (a '\n' ends the skipping).
func (s *scanner) skipInline(i int) int {
	for i < len(s.src) {
		switch {
		case s.src[i] == ' ' || s.src[i] == '\t':
			i++
		case strings.HasPrefix(s.src[i:], "//"):
			for i < len(s.src) && s.src[i] != '\n' {
				i++
			}
		case strings.HasPrefix(s.src[i:], "/*"):
			end := strings.Index(s.src[i+2:], "*/")
			if end < 0 {
				return len(s.src)
			}
			i += end + 4
		default:
			return i
		}
	}
	return i
}

// skipAll skips all whitespace and comments from i.
func (s *scanner) skipAll(i int) int {
	for {
		j := s.skipInline(i)
		if j < len(s.src) && (s.src[j] == '\n' || s.src[j] == '\r') {
			i = j + 1
			continue
		}
		return j
	}
}

func (s *scanner) skipSpaceAndComments() {
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			s.pos++
		case strings.HasPrefix(s.src[s.pos:], "//"):
			for s.pos < len(s.src) && s.src[s.pos] != '\n' {
				s.pos++
			}
		case strings.HasPrefix(s.src[s.pos:], "/*"):
			end := strings.Index(s.src[s.pos+2:], "*/")
			if end < 0 {
				s.fail(s.pos, s.pos+2, "end of file during comment")
				s.pos = len(s.src)
				return
			}
			s.pos += end + 4
		case c == '#' && s.pos == 0 && strings.HasPrefix(s.src, "#!"):
			for s.pos < len(s.src) && s.src[s.pos] != '\n' {
				s.pos++
			}
		default:
			return
		}
	}
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentChar(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (s *scanner) word(i int) string {
	j := i
	for j < len(s.src) && isIdentChar(s.src[j]) {
		j++
	}
	return s.src[i:j]
}

// next scans one token at s.pos (not a space or comment).
func (s *scanner) next() {
	start := s.pos
	c := s.src[s.pos]
	if s.atItemStart() {
		if c == '#' {
			s.scanDirective()
			return
		}
		if c == '*' {
			s.scanAttach() // `*:...` wildcard attach point
			return
		}
		if c == '$' && s.pos+1 < len(s.src) && isDigit(s.src[s.pos+1]) {
			s.scanAttach() // `$1 { ... }`: the attach point is a parameter
			return
		}
		if isIdentStart(c) {
			switch w := s.word(s.pos); w {
			case "struct", "union", "enum", "typedef":
				s.scanCDef()
				return
			case "config", "macro", "let":
				s.pos += len(w)
				s.emit(tKeyword, w, start)
				return
			}
			s.scanAttach()
			return
		}
	}
	// After a comma of the attach list: the next attach point (one with a
	// wildcard probe type, `*:./app:*`, or a parameter, `$2`, too).
	if len(s.frames) == 0 && s.inAttachList && s.prev().val == "," && (isIdentStart(c) || c == '"' || c == '*' || (c == '$' && s.pos+1 < len(s.src) && isDigit(s.src[s.pos+1]))) {
		s.scanAttach()
		return
	}
	switch {
	case isIdentStart(c):
		s.scanWord()
	case isDigit(c):
		s.scanNumber()
	case c == '"':
		s.scanString()
	case c == '$':
		s.scanDollar()
	case c == '@':
		s.pos++
		for s.pos < len(s.src) && isIdentChar(s.src[s.pos]) {
			s.pos++
		}
		s.emit(tMap, s.src[start:s.pos], start)
	default:
		s.scanPunct()
	}
}

func (s *scanner) scanWord() {
	start := s.pos
	w := s.word(s.pos)
	s.pos += len(w)
	if cWordStart[w] {
		w = s.cTypeName(w)
	}
	switch {
	case w == "config" && s.nextNonSpace() == '(':
		// config() inside a probe is the function of the config values,
		// not the config block.
		s.emit(tIdent, w, start)
	case keywords[w]:
		if w == "if" || w == "while" || w == "for" || w == "unroll" {
			s.headerNext = true
		}
		s.emit(tKeyword, w, start)
	case typeNames[w] || cTypeNames[w]:
		s.emit(tTypeName, w, start)
	default:
		s.emit(tIdent, w, start)
	}
}

// cWordStart are the words that may begin a C type name of several words.
var cWordStart = map[string]bool{"unsigned": true, "signed": true, "long": true, "short": true}

// cTypeNames are the C integer type names of several words, written with
// single spaces.
var cTypeNames = map[string]bool{
	"unsigned char": true, "unsigned short": true, "unsigned int": true, "unsigned long": true,
	"unsigned long long": true, "unsigned short int": true, "unsigned long int": true,
	"unsigned long long int": true, "signed char": true, "signed short": true, "signed int": true,
	"signed long": true, "signed long long": true, "short int": true, "long int": true,
	"long long": true, "long long int": true,
}

// cTypeName extends w (already consumed) with the following words while
// they make a longer C type name, such as `unsigned long`, which then
// scans as one identifier.
func (s *scanner) cTypeName(w string) string {
	for {
		i := s.pos
		for i < len(s.src) && (s.src[i] == ' ' || s.src[i] == '\t') {
			i++
		}
		if i == s.pos {
			return w
		}
		next := s.word(i)
		if next == "" || !cTypeNames[w+" "+next] {
			return w
		}
		w += " " + next
		s.pos = i + len(next)
	}
}

func (s *scanner) scanDollar() {
	start := s.pos
	s.pos++
	switch {
	case s.pos < len(s.src) && s.src[s.pos] == '#':
		s.pos++
		s.emit(tPositional, "$#", start)
	case s.pos < len(s.src) && isDigit(s.src[s.pos]):
		for s.pos < len(s.src) && isDigit(s.src[s.pos]) {
			s.pos++
		}
		s.emit(tPositional, s.src[start:s.pos], start)
	case s.pos < len(s.src) && isIdentStart(s.src[s.pos]):
		for s.pos < len(s.src) && isIdentChar(s.src[s.pos]) {
			s.pos++
		}
		s.emit(tVar, s.src[start:s.pos], start)
	default:
		s.fail(start, start+1, "invalid character '$'")
		s.err.hint = "variables are written $name, positional parameters $1, $2, ... and $#"
	}
}

// scanNumber takes digits, letters and '_' greedily; the literal is
// validated (and its value computed) by parseInt.
func (s *scanner) scanNumber() {
	start := s.pos
	for s.pos < len(s.src) && isIdentChar(s.src[s.pos]) {
		s.pos++
	}
	raw := s.src[start:s.pos]
	if _, err := parseInt(raw); err != nil {
		s.fail(start, s.pos, err.Error())
		var over overflowError
		if errors.As(err, &over) {
			s.err.hint = "integers are at most 64 bits: 0 to 18446744073709551615 unsigned, -9223372036854775808 to 9223372036854775807 signed"
			if over.max != math.MaxUint64 {
				s.err.hint = "drop the suffix, which limits the literal to its C type"
			}
		}
		return
	}
	s.emit(tInt, raw, start)
}

func (s *scanner) scanString() {
	start := s.pos
	s.pos++
	for s.pos < len(s.src) {
		switch s.src[s.pos] {
		case '\\':
			s.pos += 2
			continue
		case '"':
			s.pos++
			raw := s.src[start:s.pos]
			if _, off, msg := unquote(raw); msg != "" {
				s.fail(start+off, start+off+2, msg)
				return
			}
			s.emit(tString, raw, start)
			return
		case '\n':
			s.fail(start, s.pos, "unterminated string")
			return
		}
		s.pos++
	}
	s.fail(start, len(s.src), "unterminated string")
}

// puncts lists operators longest first so that the first match wins.
var puncts = []string{
	"<<=", ">>=",
	"..", "->", "++", "--", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=",
	"<<", ">>", "<=", ">=", "==", "!=", "&&", "||",
	"+", "-", "*", "/", "%", "&", "|", "^", "!", "~", "<", ">", "=",
	"(", ")", "[", "]", "{", "}", ",", ";", ":", ".", "?",
}

// punctsByFirst are puncts by their first byte, in puncts' order.
var punctsByFirst = func() (by [256][]string) {
	for _, p := range puncts {
		by[p[0]] = append(by[p[0]], p)
	}
	return by
}()

func (s *scanner) scanPunct() {
	start := s.pos
	c := s.src[s.pos]
	switch c {
	case '<':
		if s.blockMayOpen() {
			s.pos++
			s.push(fAngle)
			s.emit(tAngleOpen, vAngleOpen, start)
			return
		}
	case '>':
		if s.angleMayClose() {
			s.pos++
			s.popTo(fAngle)
			s.emit(tAngleClose, vAngleClose, start)
			return
		}
	case '/':
		if s.predicateMayOpen() {
			s.pos++
			s.push(fPred)
			s.emit(tPredOpen, vPredOpen, start)
			return
		}
		if s.top() == fPred {
			j := s.skipAll(s.pos + 1)
			if j >= len(s.src) || s.src[j] == '{' || s.src[j] == '<' {
				s.pos++
				s.popTo(fPred)
				s.emit(tPredClose, vPredClose, start)
				return
			}
		}
	}
	for _, p := range punctsByFirst[c] {
		if strings.HasPrefix(s.src[s.pos:], p) {
			s.pos += len(p)
			s.punct(p, start)
			return
		}
	}
	s.pos++
	s.fail(start, s.pos, "invalid character '"+printable(c)+"'")
}

func (s *scanner) predicateMayOpen() bool {
	p := s.prev()
	return len(s.frames) == 0 && p != nil && p.typ == tAttach
}

// punct emits an operator and keeps the frame stack up to date.
func (s *scanner) punct(p string, start int) {
	switch p {
	case "{":
		s.push(fBrace)
	case "}":
		s.popTo(fBrace)
	case "(":
		if s.headerNext || len(s.frames) == 0 {
			s.push(fHeader)
		} else {
			s.push(fParen)
		}
		s.headerNext = false
	case "[":
		s.push(fBracket)
	case ")":
		closedHeader := s.top() == fHeader
		if s.top() == fParen || s.top() == fHeader {
			s.frames = s.frames[:len(s.frames)-1]
		}
		s.emit(tPunct, p, start)
		s.headerClosed = closedHeader
		return
	case "]":
		if s.top() == fBracket {
			s.frames = s.frames[:len(s.frames)-1]
		}
	}
	switch {
	case binaryOps[p]:
		s.emit(tBinOp, p, start)
	case assignOps[p]:
		s.emit(tAssignOp, p, start)
	case p == "!" || p == "~" || p == "++" || p == "--":
		s.emit(tPrefixOp, p, start)
	default:
		s.emit(tPunct, p, start)
	}
}

func printable(c byte) string {
	if c >= ' ' && c < 0x7f {
		return string(c)
	}
	const hex = "0123456789abcdef"
	return `\x` + string(hex[c>>4]) + string(hex[c&15])
}

// nextNonSpace is the first byte after blanks from the scanner's position.
func (s *scanner) nextNonSpace() byte {
	for i := s.pos; i < len(s.src); i++ {
		if c := s.src[i]; c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return c
		}
	}
	return 0
}

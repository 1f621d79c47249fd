package main

import (
	"strconv"
	"strings"
)

// screen is a minimal VT100 emulator: it replays what a program wrote to a
// terminal and keeps the text a person would see, so the REPL's tests can
// assert the screen exactly rather than the escape sequences that drew it.
// It understands what line editors write: printable text with wrap at the
// right margin, CR, LF, BS, BEL, cursor moves (CSI A B C D G H), erase in
// display and line (CSI J, K) and ignores colours and modes.
type screen struct {
	rows, cols int
	grid       [][]rune
	row, col   int
	// pendingWrap: a character was written in the last column; the next
	// printable character wraps first (as xterm does).
	pendingWrap bool
	esc         []byte // an unfinished escape sequence
}

func newScreen(rows, cols int) *screen {
	s := &screen{rows: rows, cols: cols}
	for i := 0; i < rows; i++ {
		s.grid = append(s.grid, s.blankLine())
	}
	return s
}

func (s *screen) blankLine() []rune {
	l := make([]rune, s.cols)
	for i := range l {
		l[i] = ' '
	}
	return l
}

// lineFeed moves down a row, scrolling at the bottom.
func (s *screen) lineFeed() {
	if s.row == s.rows-1 {
		s.grid = append(s.grid[1:], s.blankLine())
		return
	}
	s.row++
}

func (s *screen) write(data string) {
	for _, r := range data {
		if s.esc != nil {
			s.escape(r)
			continue
		}
		switch r {
		case 0x1b:
			s.esc = []byte{}
		case '\r':
			s.col, s.pendingWrap = 0, false
		case '\n':
			s.lineFeed()
			s.pendingWrap = false
		case '\b':
			if s.col > 0 {
				s.col--
			}
			s.pendingWrap = false
		case '\a':
		case '\t':
			s.col = min((s.col/8+1)*8, s.cols-1)
		default:
			if r < ' ' {
				continue
			}
			if s.pendingWrap {
				s.col, s.pendingWrap = 0, false
				s.lineFeed()
			}
			s.grid[s.row][s.col] = r
			if s.col == s.cols-1 {
				s.pendingWrap = true
			} else {
				s.col++
			}
		}
	}
}

// escape collects an escape sequence and applies it once complete.
func (s *screen) escape(r rune) {
	if len(s.esc) == 0 && r != '[' {
		s.esc = nil // a two-character sequence (ESC 7, ESC =...): ignored
		return
	}
	if len(s.esc) == 0 || r >= 0x20 && r < 0x40 {
		s.esc = append(s.esc, byte(r))
		return
	}
	params := string(s.esc[1:])
	s.esc = nil
	if strings.HasPrefix(params, "?") {
		return // private modes
	}
	var n []int
	for _, p := range strings.Split(params, ";") {
		v, _ := strconv.Atoi(p)
		n = append(n, v)
	}
	arg := func(i, def int) int {
		if i < len(n) && n[i] != 0 {
			return n[i]
		}
		return def
	}
	s.pendingWrap = false
	switch r {
	case 'A':
		s.row = max(s.row-arg(0, 1), 0)
	case 'B':
		s.row = min(s.row+arg(0, 1), s.rows-1)
	case 'C':
		s.col = min(s.col+arg(0, 1), s.cols-1)
	case 'D':
		s.col = max(s.col-arg(0, 1), 0)
	case 'G':
		s.col = min(arg(0, 1)-1, s.cols-1)
	case 'H':
		s.row, s.col = min(arg(0, 1)-1, s.rows-1), min(arg(1, 1)-1, s.cols-1)
	case 'J':
		switch arg(0, 0) {
		case 0:
			for c := s.col; c < s.cols; c++ {
				s.grid[s.row][c] = ' '
			}
			for r := s.row + 1; r < s.rows; r++ {
				s.grid[r] = s.blankLine()
			}
		case 2:
			for r := range s.grid {
				s.grid[r] = s.blankLine()
			}
		}
	case 'K':
		from, to := s.col, s.cols
		switch arg(0, 0) {
		case 1:
			from, to = 0, s.col+1
		case 2:
			from = 0
		}
		for c := from; c < to; c++ {
			s.grid[s.row][c] = ' '
		}
	}
}

// text is the screen's content: each row without trailing blanks, and no
// blank rows after the last written one.
func (s *screen) text() string {
	var lines []string
	for _, l := range s.grid {
		lines = append(lines, string(l))
	}
	return normalScreen(strings.Join(lines, "\n"))
}

// normalScreen writes text as screen.text shows a screen: no trailing
// blanks on a line, no blank lines at the end, one final newline.
func normalScreen(text string) string {
	lines := strings.Split(text, "\n")
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " ")
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return strings.Join(lines, "\n") + "\n"
}

package parser

import (
	"sort"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
)

// lineIndex turns byte offsets into 1-based line/column positions.
type lineIndex struct {
	starts []int // offset of the first byte of each line
}

func newLineIndex(src string) lineIndex {
	starts := make([]int, 1, strings.Count(src, "\n")+1)
	for i := 0; i < len(src); i++ {
		if src[i] == '\n' {
			starts = append(starts, i+1)
		}
	}
	return lineIndex{starts: starts}
}

func (x lineIndex) pos(off int) lang.Pos {
	return x.at(off, x.line(off))
}

// line returns the 0-based line of off.
func (x lineIndex) line(off int) int {
	// The last line starting at or before off (binary search).
	lo, hi := 0, len(x.starts)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if x.starts[m] > off {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return max(lo-1, 0)
}

func (x lineIndex) at(off, line int) lang.Pos {
	return lang.Pos{Offset: off, Line: line + 1, Col: off - x.starts[line] + 1}
}

// lineCursor is a lineIndex read at offsets that mostly grow (tokens in
// source order): it looks from the line of its last answer on.
type lineCursor struct {
	lineIndex
	last int // 0-based line of the last answer
}

func (c *lineCursor) pos(off int) lang.Pos {
	l, st := c.last, c.starts
	if st[l] > off {
		l = c.line(off)
	}
	for l+1 < len(st) && st[l+1] <= off {
		l++
	}
	c.last = l
	return c.at(off, l)
}

func (x lineIndex) span(start, end int) lang.Span {
	return lang.Span{Start: x.pos(start), End: x.pos(end)}
}

// tokenEnds finds where the token starting at an offset ends: spans are
// computed from the grammar tree's tokens, which carry only their start.
// The tokens are in source order, so a binary search finds one (a map
// built for every script cost more than the searches it served).
type tokenEnds struct {
	toks []token
}

// end returns the end of the token that starts at off; off itself when no
// token starts there (the end of the script, where participle's EOF is).
func (e tokenEnds) end(off int) int {
	i := sort.Search(len(e.toks), func(i int) bool { return e.toks[i].start >= off })
	if i < len(e.toks) && e.toks[i].start == off {
		return e.toks[i].end
	}
	return off
}

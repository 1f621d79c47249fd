package parser

import (
	"sort"

	"github.com/gobpftrace/gobpftrace/lang"
)

// lineIndex turns byte offsets into 1-based line/column positions.
type lineIndex struct {
	starts []int // offset of the first byte of each line
}

func newLineIndex(src string) lineIndex {
	starts := []int{0}
	for i := 0; i < len(src); i++ {
		if src[i] == '\n' {
			starts = append(starts, i+1)
		}
	}
	return lineIndex{starts: starts}
}

func (x lineIndex) pos(off int) lang.Pos {
	line := sort.Search(len(x.starts), func(i int) bool { return x.starts[i] > off }) - 1
	if line < 0 {
		line = 0
	}
	return lang.Pos{Offset: off, Line: line + 1, Col: off - x.starts[line] + 1}
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

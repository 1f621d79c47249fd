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

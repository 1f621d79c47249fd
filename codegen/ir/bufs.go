package ir

import "sync"

// passBufs are arrays the passes need per instruction or per block while
// they work on one function. A script's programs are lowered one after
// another, hundreds for a large script: each pass borrows its arrays from
// bufPool and gives them back for the next function, instead of
// allocating them afresh every time (at 2,000 statements in 200 programs
// they were a fifth of the bytes code generation allocated).
type passBufs struct {
	targets, first []int32 // jumpTargets'
	webSites       []webSite
	webCells       [][]int32
	webBlocks      [][]webSite
	deadSites      []deadSite
	operands       []operands // colour's
	adjBits        []uint64   // colour's
	sets           []uint64   // colour's
	liveIn         []liveSet  // colour's
	forbid         []uint16   // colour's
	partners       [][]int32  // colour's
	one, parent    []int32    // splitWebs'
	webID          []Virtual  // splitWebs'
	reach          [][][]int32
	cur            [][]int32
	// labels maps the labels of a function's blocks to their indexes
	// (see labelIndex); seen and work are reachable's.
	labels map[string]int32
	seen   []bool
	work   []int
	next   []int32           // lower's
	blocks map[string]*Block // lower's: Func.labels
	used   []bool            // lower's
}

var bufPool = sync.Pool{New: func() any { return new(passBufs) }}

func getBufs() *passBufs  { return bufPool.Get().(*passBufs) }
func putBufs(b *passBufs) { bufPool.Put(b) }

// sized returns s with length n, reusing its array when it is large
// enough. The elements are not cleared: callers write each one.
func sized[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n, n+n/4)
	}
	return s[:n]
}

// blockIndex finds the index in f.Blocks of the block a label names.
type blockIndex struct {
	m      map[string]int32  // built for the call
	labels map[string]*Block // f.labels, the blocks' idx up to date
}

func (x blockIndex) at(label string) (int32, bool) {
	if x.labels != nil {
		b, ok := x.labels[label]
		if !ok || b.idx < 0 {
			return 0, false
		}
		return b.idx, true
	}
	i, ok := x.m[label]
	return i, ok
}

// labelIndex returns the index of each block of f by label: from
// f.labels while lower runs (its labels are unique), else a map it fills
// (b.labels); it reports a label placed twice by returning it as dup.
func (b *passBufs) labelIndex(f *Func) (index blockIndex, dup string) {
	if f.labels != nil {
		for i, bl := range f.Blocks {
			bl.idx = int32(i)
		}
		return blockIndex{labels: f.labels}, ""
	}
	if b.labels == nil {
		b.labels = make(map[string]int32, len(f.Blocks))
	}
	clear(b.labels)
	for i, bl := range f.Blocks {
		if _, ok := b.labels[bl.Label]; ok && dup == "" {
			dup = bl.Label
		}
		b.labels[bl.Label] = int32(i)
	}
	return blockIndex{m: b.labels}, dup
}

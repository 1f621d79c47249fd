package output

import "runtime"

// cxxSort reorders xs exactly as GNU libstdc++'s std::sort (and
// std::ranges::sort) does with the same comparison, so that entries that
// compare equal end up in the same order as in bpftrace: introsort with a
// median-of-three pivot down to runs of 16, heap sort past a depth of
// 2*floor(log2(n)), then a final insertion sort. It is not stable.
func cxxSort[T any](xs []T, less func(a, b T) bool) {
	cxxSortOn(xs, less, runtime.NumCPU() > 1)
}

// parallelSortMin is the fewest elements sorted on two CPUs.
const parallelSortMin = 1 << 16

// cxxSortOn is cxxSort, on two CPUs when twoCPUs and xs is large: after
// introsort's first partition the two parts are sorted independently
// (the loop goes on with the left part at the depth the recursion takes
// the right one with), so sorting them at once changes no comparison's
// outcome, hence no order of ties. less must be safe to call concurrently.
func cxxSortOn[T any](xs []T, less func(a, b T) bool, twoCPUs bool) {
	n := len(xs)
	if n < 2 {
		return
	}
	depth := 0
	for m := n; m > 1; m >>= 1 {
		depth++
	}
	s := cxxSorter[T]{xs: xs, less: less}
	if twoCPUs && n >= parallelSortMin {
		// introLoop's first round, with a depth above 0 and more than
		// cxxThreshold elements.
		cut := s.partitionPivot(0, n)
		done := make(chan struct{})
		go func() {
			defer close(done)
			s.introLoop(cut, n, 2*depth-1)
		}()
		s.introLoop(0, cut, 2*depth-1)
		<-done
	} else {
		s.introLoop(0, n, 2*depth)
	}
	s.finalInsertion(0, n)
}

const cxxThreshold = 16

type cxxSorter[T any] struct {
	xs   []T
	less func(a, b T) bool
}

func (s cxxSorter[T]) lessAt(i, j int) bool { return s.less(s.xs[i], s.xs[j]) }
func (s cxxSorter[T]) swap(i, j int)        { s.xs[i], s.xs[j] = s.xs[j], s.xs[i] }

func (s cxxSorter[T]) introLoop(first, last, depth int) {
	for last-first > cxxThreshold {
		if depth == 0 {
			s.heapSort(first, last)
			return
		}
		depth--
		cut := s.partitionPivot(first, last)
		s.introLoop(cut, last, depth)
		last = cut
	}
}

func (s cxxSorter[T]) partitionPivot(first, last int) int {
	mid := first + (last-first)/2
	s.medianToFirst(first, first+1, mid, last-1)
	return s.unguardedPartition(first+1, last, first)
}

func (s cxxSorter[T]) medianToFirst(result, a, b, c int) {
	switch {
	case s.lessAt(a, b):
		switch {
		case s.lessAt(b, c):
			s.swap(result, b)
		case s.lessAt(a, c):
			s.swap(result, c)
		default:
			s.swap(result, a)
		}
	case s.lessAt(a, c):
		s.swap(result, a)
	case s.lessAt(b, c):
		s.swap(result, c)
	default:
		s.swap(result, b)
	}
}

func (s cxxSorter[T]) unguardedPartition(first, last, pivot int) int {
	for {
		for s.lessAt(first, pivot) {
			first++
		}
		last--
		for s.lessAt(pivot, last) {
			last--
		}
		if first >= last {
			return first
		}
		s.swap(first, last)
		first++
	}
}

func (s cxxSorter[T]) finalInsertion(first, last int) {
	if last-first > cxxThreshold {
		s.insertion(first, first+cxxThreshold)
		for i := first + cxxThreshold; i < last; i++ {
			s.linearInsert(i)
		}
		return
	}
	s.insertion(first, last)
}

func (s cxxSorter[T]) insertion(first, last int) {
	for i := first + 1; i < last; i++ {
		if s.lessAt(i, first) {
			v := s.xs[i]
			copy(s.xs[first+1:i+1], s.xs[first:i])
			s.xs[first] = v
		} else {
			s.linearInsert(i)
		}
	}
}

// linearInsert moves xs[last] left past larger elements; something not
// larger is known to precede it.
func (s cxxSorter[T]) linearInsert(last int) {
	v := s.xs[last]
	next := last - 1
	for s.less(v, s.xs[next]) {
		s.xs[last] = s.xs[next]
		last = next
		next--
	}
	s.xs[last] = v
}

func (s cxxSorter[T]) heapSort(first, last int) {
	n := last - first
	if n < 2 {
		return
	}
	for parent := (n - 2) / 2; ; parent-- {
		s.adjustHeap(first, parent, n, s.xs[first+parent])
		if parent == 0 {
			break
		}
	}
	for last-first > 1 {
		last--
		v := s.xs[last]
		s.xs[last] = s.xs[first]
		s.adjustHeap(first, 0, last-first, v)
	}
}

func (s cxxSorter[T]) adjustHeap(first, hole, n int, v T) {
	top := hole
	child := hole
	for child < (n-1)/2 {
		child = 2 * (child + 1)
		if s.lessAt(first+child, first+child-1) {
			child--
		}
		s.xs[first+hole] = s.xs[first+child]
		hole = child
	}
	if n%2 == 0 && child == (n-2)/2 {
		child = 2 * (child + 1)
		s.xs[first+hole] = s.xs[first+child-1]
		hole = child - 1
	}
	parent := (hole - 1) / 2
	for hole > top && s.less(s.xs[first+parent], v) {
		s.xs[first+hole] = s.xs[first+parent]
		hole = parent
		parent = (hole - 1) / 2
	}
	s.xs[first+hole] = v
}

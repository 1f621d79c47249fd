package output

import (
	"math/rand"
	"sort"
	"testing"
)

func TestCxxSortSorts(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for _, n := range []int{0, 1, 2, 5, 16, 17, 33, 100, 1000} {
		for round := 0; round < 20; round++ {
			xs := make([]int, n)
			for i := range xs {
				xs[i] = r.Intn(1 + n/3)
			}
			if round%5 == 0 {
				sort.Sort(sort.Reverse(sort.IntSlice(xs))) // exercises deep recursion
			}
			cxxSort(xs, func(a, b int) bool { return a < b })
			if !sort.IntsAreSorted(xs) {
				t.Fatalf("n=%d: not sorted: %v", n, xs)
			}
		}
	}
}

func TestCxxSortHeapFallback(t *testing.T) {
	// A depth of 0 forces the heap sort that introsort falls back to.
	xs := []int{5, 3, 9, 1, 1, 8, 2, 7, 6, 4, 0, 3, 9, 2, 5, 8, 1, 7, 6}
	s := cxxSorter[int]{xs: xs, less: func(a, b int) bool { return a < b }}
	s.introLoop(0, len(xs), 0)
	if !sort.IntsAreSorted(xs) {
		t.Fatalf("not sorted: %v", xs)
	}
}

// Sorting on two CPUs gives the order of one: the same order of ties.
func TestCxxSortTwoCPUsSameOrder(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	type pair struct{ v, id int }
	for _, n := range []int{parallelSortMin, 300000} {
		for _, distinct := range []int{1, 3, 1000, n} {
			xs := make([]pair, n)
			for i := range xs {
				xs[i] = pair{r.Intn(distinct), i}
			}
			ys := append([]pair(nil), xs...)
			less := func(a, b pair) bool { return a.v < b.v }
			cxxSortOn(xs, less, false)
			cxxSortOn(ys, less, true)
			for i := range xs {
				if xs[i] != ys[i] {
					t.Fatalf("n=%d, %d values: element %d is %v on two CPUs, %v on one", n, distinct, i, ys[i], xs[i])
				}
			}
			if !sort.SliceIsSorted(xs, func(i, j int) bool { return xs[i].v < xs[j].v }) {
				t.Fatalf("n=%d: not sorted", n)
			}
		}
	}
}

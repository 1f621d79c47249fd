package output

import (
	"bytes"
	"sort"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
)

// Map entry order. bpftrace sorts the entries it read from the kernel:
//   - count, sum and integer values: ascending by value (signed per type);
//   - min and max: ascending by the folded value compared as uint64, even
//     for signed maps (so negative values sort last);
//   - avg and stats: ascending by the average (signed per type);
//   - hist and lhist: ascending by the total of all buckets;
//   - anything else (strings, tuples...): by key, see sortByKey.
//
// bpftrace uses std::sort for the value orders, which is not stable: entries
// that tie end up in an order that depends on the order they were read in
// (the kernel's iteration order for value maps, key bytes for hist maps).
// sortByValue reproduces libstdc++'s algorithm (cxxsort.go) so that, given
// the same input order, ties come out as in bpftrace. Key orders use
// std::stable_sort, which sort.SliceStable matches.

func sortByValue[T any](xs []T, less func(a, b T) bool) {
	cxxSort(xs, less)
}

// sortByKey orders entries by key like bpftrace: integer keys compared as
// signed integers of their width (whatever their signedness), string keys
// bytewise over the whole buffer; tuple keys by each integer or string
// element, the first element most significant. Other key types keep the
// kernel's order.
func sortByKey[T any](xs []T, key *lang.Type, keyOf func(T) []byte) {
	if key == nil {
		return
	}
	if key.Kind == lang.KTuple {
		offs := codegen.TupleOffsets(key)
		for n := len(key.Elems) - 1; n >= 0; n-- {
			sortByScalarKey(xs, key.Elems[n], offs[n], keyOf)
		}
		return
	}
	sortByScalarKey(xs, key, 0, keyOf)
}

func sortByScalarKey[T any](xs []T, t *lang.Type, off int, keyOf func(T) []byte) {
	switch t.Kind {
	case lang.KInt:
		size := t.Size
		sort.SliceStable(xs, func(i, j int) bool {
			return readInt(slice(keyOf(xs[i]), off, size), size) < readInt(slice(keyOf(xs[j]), off, size), size)
		})
	case lang.KString:
		size := t.Size
		sort.SliceStable(xs, func(i, j int) bool {
			return bytes.Compare(slice(keyOf(xs[i]), off, size), slice(keyOf(xs[j]), off, size)) < 0
		})
	}
}

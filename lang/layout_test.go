package lang

import (
	"reflect"
	"testing"
)

// The layout is shared by the checker (tuple sizes), codegen (stores) and
// the runtime (decoding), so its rules are pinned here.
func TestTupleLayout(t *testing.T) {
	twoInts := &Type{Kind: KStruct, Name: "struct Foo", Size: 8, Fields: []*Field{{Name: "m", Type: TInt32}, {Name: "n", Offset: 4, Type: TInt32}}}
	for _, tc := range []struct {
		elems []*Type
		offs  []int
		size  int
	}{
		{[]*Type{TUint8, TUint64, StringType(3)}, []int{0, 8, 16}, 24},
		{[]*Type{StringType(16), TUint32}, []int{0, 16}, 20},
		{[]*Type{TInt16, TBool, TInt32}, []int{0, 2, 4}, 8},
		{[]*Type{StringType(5), {Kind: KTuple, Elems: []*Type{TUint8, TUint16}}}, []int{0, 6}, 10},
		// A struct sits at its C alignment, its most aligned member's
		// (bpftrace: ((int32)1, struct {int m; int n}) is 12 bytes).
		{[]*Type{TInt32, twoInts}, []int{0, 4}, 12},
		{[]*Type{TUint8, {Kind: KStruct, Name: "struct s", Size: 2, Fields: []*Field{{Name: "c", Type: TInt8}, {Name: "d", Offset: 1, Type: TInt8}}}}, []int{0, 1}, 3},
		{[]*Type{TUint8, {Kind: KStruct, Name: "struct p", Size: 16, Fields: []*Field{{Name: "p", Type: &Type{Kind: KPtr, Size: 8, Elem: TVoid}}, {Name: "x", Offset: 8, Type: TInt32}}}}, []int{0, 8}, 24},
		// Known only by size: the largest power of two dividing it.
		{[]*Type{TUint8, {Kind: KStruct, Name: "struct k", Size: 12}}, []int{0, 4}, 16},
	} {
		tt := &Type{Kind: KTuple, Elems: tc.elems}
		if got := TupleOffsets(tt); !reflect.DeepEqual(got, tc.offs) {
			t.Errorf("%s: offsets %v, want %v", tt, got, tc.offs)
		}
		if got := SizeOf(tt); got != tc.size {
			t.Errorf("%s: size %d, want %d", tt, got, tc.size)
		}
	}
}

package lang

import (
	"reflect"
	"testing"
)

// The layout is shared by the checker (tuple sizes), codegen (stores) and
// the runtime (decoding), so its rules are pinned here.
func TestTupleLayout(t *testing.T) {
	for _, tc := range []struct {
		elems []*Type
		offs  []int
		size  int
	}{
		{[]*Type{TUint8, TUint64, StringType(3)}, []int{0, 8, 16}, 24},
		{[]*Type{StringType(16), TUint32}, []int{0, 16}, 20},
		{[]*Type{TInt16, TBool, TInt32}, []int{0, 2, 4}, 8},
		{[]*Type{StringType(5), {Kind: KTuple, Elems: []*Type{TUint8, TUint16}}}, []int{0, 6}, 10},
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

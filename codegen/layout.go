package codegen

import "github.com/gobpftrace/gobpftrace/lang"

// Memory layout of values in map keys, map values, event records and on the
// stack. It is C-like so that the runtime can decode what the kernel wrote:
//
//   - KInt: Size bytes (1, 2, 4, 8), aligned to Size. KBool: 1 byte.
//   - KString: Size bytes, NUL-padded, alignment 1.
//   - KBuffer: {u32 len; u8 data[Size]}, alignment 4.
//   - KTuple: elements in order, each aligned to its own alignment; the total
//     is rounded up to the largest alignment. Offsets: TupleOffsets.
//   - KPtr, KSym, KTimestamp...: 8 bytes (an address or a u64).
//   - KStruct: Size bytes, alignment 8 (copied whole).
//   - KArray: Len * Sizeof(Elem), alignment of Elem.

// Sizeof returns the size in bytes of a value of type t.
func Sizeof(t *lang.Type) int {
	switch t.Kind {
	case lang.KInt:
		return t.Size
	case lang.KBool:
		return 1
	case lang.KString, lang.KStruct:
		return t.Size
	case lang.KBuffer:
		return 4 + t.Size
	case lang.KTuple:
		_, size := tupleLayout(t)
		return size
	case lang.KArray:
		return t.Len * Sizeof(t.Elem)
	case lang.KVoid, lang.KNone, lang.KInvalid:
		return 0
	case lang.KCount, lang.KSum:
		return 8
	case lang.KMin, lang.KMax, lang.KAvg, lang.KStats:
		return 16
	case lang.KHist, lang.KLhist:
		return 8
	}
	return 8
}

// Alignof returns the alignment of a value of type t.
func Alignof(t *lang.Type) int {
	switch t.Kind {
	case lang.KInt:
		return t.Size
	case lang.KBool, lang.KString:
		return 1
	case lang.KBuffer:
		return 4
	case lang.KTuple:
		a := 1
		for _, e := range t.Elems {
			a = max(a, Alignof(e))
		}
		return a
	case lang.KArray:
		return Alignof(t.Elem)
	}
	return 8
}

// TupleOffsets returns the byte offset of each element of a KTuple.
func TupleOffsets(t *lang.Type) []int {
	offs, _ := tupleLayout(t)
	return offs
}

func tupleLayout(t *lang.Type) ([]int, int) {
	offs := make([]int, len(t.Elems))
	off, align := 0, 1
	for i, e := range t.Elems {
		a := Alignof(e)
		align = max(align, a)
		off = alignUp(off, a)
		offs[i] = off
		off += Sizeof(e)
	}
	return offs, alignUp(off, align)
}

func alignUp(n, a int) int {
	if a <= 1 {
		return n
	}
	return (n + a - 1) / a * a
}

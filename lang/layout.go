package lang

// Memory layout of values in map keys, map values, event records and on the
// stack. It is C-like so that the runtime can decode what the kernel wrote:
//
//   - KInt: Size bytes (1, 2, 4, 8), aligned to Size. KBool: 1 byte.
//   - KString: Size bytes, NUL-padded, alignment 1.
//   - KBuffer: {u32 len; u8 data[Size]}, alignment 4.
//   - KTuple: elements in order, each aligned to its own alignment; the total
//     is rounded up to the largest alignment. Offsets: TupleOffsets.
//   - KPtr, KSym, KTimestamp, KCgroupPath, KStrerror, KUsername, KSyscallName, KSignalName: 8
//     bytes (an address, a timestamp, a cgroup id, an errno, a uid, a
//     syscall number, a signal number).
//   - KInet (ntop): {u64 family; u8 addr[16]}, 24 bytes; AF_INET uses the
//     first 4 bytes of addr.
//   - KMacaddr: 6 bytes, alignment 1.
//   - usym (KSym with UserSpace): {u64 addr; u32 pid; u32 zero}, 16 bytes:
//     user space needs the process to find the symbol.
//   - kstack (KStack): {s64 stack id}, 8 bytes; ustack (KStack with
//     UserSpace): {s64 stack id; u32 pid; u32 zero}, 16 bytes. The id is
//     bpf_get_stackid's result in the stack map of the type's StackLimit
//     (negative when the kernel could not take the stack).
//   - KStruct: Size bytes, aligned as C aligns it (its most aligned
//     member; copied whole), so a struct sits in a tuple where bpftrace
//     puts it: ((int32)1, struct {int; int}) is 12 bytes.
//   - KArray: Len * SizeOf(Elem), alignment of Elem.

// SizeOf returns the size in bytes of a value of type t.
func SizeOf(t *Type) int {
	switch t.Kind {
	case KInt:
		return t.Size
	case KBool:
		return 1
	case KString, KStruct:
		return t.Size
	case KBuffer:
		return 4 + t.Size
	case KTuple:
		_, size := tupleLayout(t)
		return size
	case KArray:
		return t.Len * SizeOf(t.Elem)
	case KNone:
		return t.Size // 0, or a FloatType's size
	case KVoid, KInvalid:
		return 0
	case KCount, KSum:
		return 8
	case KMin, KMax, KAvg, KStats:
		return 16
	case KHist, KLhist:
		return 8
	case KTseries:
		// {value, meta, epoch}: see codegen's tseries update.
		return 24
	case KSym, KStack:
		if t.UserSpace {
			return 16
		}
		return 8
	case KInet:
		return 24
	case KMacaddr:
		return 6
	}
	return 8
}

// AlignOf returns the alignment of a value of type t.
func AlignOf(t *Type) int {
	switch t.Kind {
	case KInt:
		return t.Size
	case KBool, KString, KMacaddr:
		return 1
	case KBuffer:
		return 4
	case KTuple:
		a := 1
		for _, e := range t.Elems {
			a = max(a, AlignOf(e))
		}
		return a
	case KArray:
		return AlignOf(t.Elem)
	case KStruct:
		return StructAlign(t)
	case KNone:
		if t.Size > 0 && t.Size <= 16 {
			return t.Size // a FloatType
		}
	}
	return 8
}

// StructAlign is the C alignment of a struct or union: that of its most
// aligned member. A struct known only by name and size (a kernel type
// whose members were not loaded) is taken as aligned to the largest power
// of two up to 8 that divides its size.
func StructAlign(t *Type) int {
	if t.Fields != nil {
		a := 1
		for _, f := range t.Fields {
			a = max(a, AlignOf(f.Type))
		}
		return a
	}
	for _, a := range []int{8, 4, 2} {
		if t.Size%a == 0 {
			return a
		}
	}
	return 1
}

// TupleOffsets returns the byte offset of each element of a KTuple.
func TupleOffsets(t *Type) []int {
	offs, _ := tupleLayout(t)
	return offs
}

func tupleLayout(t *Type) ([]int, int) {
	offs := make([]int, len(t.Elems))
	off, align := 0, 1
	for i, e := range t.Elems {
		a := AlignOf(e)
		align = max(align, a)
		off = AlignUp(off, a)
		offs[i] = off
		off += SizeOf(e)
	}
	return offs, AlignUp(off, align)
}

// AlignUp rounds n up to a multiple of a.
func AlignUp(n, a int) int {
	if a <= 1 {
		return n
	}
	return (n + a - 1) / a * a
}

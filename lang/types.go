package lang

import (
	"fmt"
	"strings"
)

// Kind classifies a Type.
type Kind uint8

const (
	KInvalid     Kind = iota
	KVoid             // statements and calls without a value (printf, delete, ...)
	KInt              // integer of Size bytes (1, 2, 4, 8), Signed or not
	KBool             // bool (1 byte)
	KString           // NUL-terminated string in a buffer of Size bytes
	KBuffer           // buf(): Size bytes of data with a length
	KTuple            // Elems (Names non-nil for a record)
	KPtr              // pointer to Elem (kernel or user memory)
	KArray            // Len elements of Elem
	KStruct           // C struct/union: Name, Size, Fields
	KStack            // kstack / ustack: Stack says which
	KSym              // ksym()/usym() result: an address printed as a symbol
	KInet             // ntop() result
	KTimestamp        // strftime() result
	KCgroupPath       // cgroup_path() result
	KMacaddr          // macaddr() result
	KStrerror         // strerror() result: an errno printed as its text
	KUsername         // username: a uid printed as its user name
	KSyscallName      // syscall_name() result: a syscall number printed as its name
	KSignalName       // signal_name() result: a signal number printed as its description
	KNone             // a "none" placeholder used by the checker before a type is known

	// Aggregation values. They only appear as map value types.
	KCount
	KSum // Elem-free; Signed says sum of signed ints
	KMin
	KMax
	KAvg
	KStats
	KHist  // log2 histogram; Bits holds hist's second argument (0 when absent)
	KLhist // linear histogram: Lhist holds min, max, step
	// KTseries is a time series: Tseries* hold its interval, number of
	// intervals and aggregation; Signed the values' signedness.
	KTseries
)

// Type is a gobpftrace type. Types are values the checker creates; codegen
// derives memory layout from Size/Elems/Fields.
type Type struct {
	Kind   Kind
	Size   int  // bytes: int width; string/buffer capacity; tuple/struct total size
	Signed bool // KInt, KSum, KMin, KMax, KAvg, KStats: signedness of the values

	Elem  *Type    // KPtr, KArray
	Len   int      // KArray
	Elems []*Type  // KTuple elements in order
	Names []string // KTuple: field names of a record, nil for a plain tuple

	Name   string   // KStruct: "struct task_struct"; KStack: "kstack"/"ustack"
	Fields []*Field // KStruct fields

	// KStack: stack mode ("bpftrace", "perf", "raw", or "build_id" for a
	// ustack recorded as build ids and file offsets) and frame limit.
	StackMode  string
	StackLimit int

	// KHist: bits argument; KLhist: bounds.
	Bits                          int
	LhistMin, LhistMax, LhistStep int64

	// KTseries: the interval in nanoseconds, how many intervals are kept,
	// and how values within one interval combine: "avg", "max", "min",
	// "sum", or "" (the last value written wins).
	TseriesInterval, TseriesIntervals int64
	TseriesAgg                        string

	// UserSpace marks pointers and strings that point to / came from user memory.
	UserSpace bool

	// Flexible marks the KInt of a map key or value set so far only from
	// non-negative integer literals (`@x = 1`, `@k[5]`): it has no sign of
	// its own, and takes the sign of an unsigned integer stored there
	// later (`@k[5]; @k[nsecs]` share a uint64 key), as bpftrace v0.26's
	// sign-flexible literal types do. Equal ignores it.
	Flexible bool

	// CharArray marks a KString that is a C char array (char name[N]): all
	// N bytes may be characters, with no NUL after them, and such a
	// string prints whole, without the truncation trailer of str().
	CharArray bool

	// Enum is set on a KInt that holds a C enum's value: printf's %s then
	// prints the enumerator's name.
	Enum *Enum
}

// Enum describes a C enum type (from kernel BTF or the script).
type Enum struct {
	Name   string           // "enum skb_drop_reason"
	Values map[int64]string // value -> enumerator name (the first one for duplicates)
}

// IsStructPtr reports whether t points to a struct or union.
func (t *Type) IsStructPtr() bool {
	return t != nil && t.Kind == KPtr && t.Elem != nil && t.Elem.Kind == KStruct
}

// Field is a member of a KStruct.
type Field struct {
	Name   string
	Offset int
	Type   *Type
	// Bitfield info; BitSize 0 for ordinary fields.
	BitOffset, BitSize int
	// DataLoc marks a tracepoint `__data_loc T[] name` field: the record
	// holds a u32 at Offset whose low 16 bits are the data's offset from the
	// start of the record (the tracepoint ctx) and high 16 bits its length.
	// Type is what the field reads as, a pointer to the data (char * for
	// `__data_loc char[]`): codegen computes ctx + (u32 & 0xffff), as
	// bpftrace does, so str(args.name) reads the string.
	DataLoc bool
}

// Common types.
var (
	TVoid   = &Type{Kind: KVoid}
	TBool   = &Type{Kind: KBool, Size: 1}
	TInt8   = &Type{Kind: KInt, Size: 1, Signed: true}
	TInt16  = &Type{Kind: KInt, Size: 2, Signed: true}
	TInt32  = &Type{Kind: KInt, Size: 4, Signed: true}
	TInt64  = &Type{Kind: KInt, Size: 8, Signed: true}
	TUint8  = &Type{Kind: KInt, Size: 1}
	TUint16 = &Type{Kind: KInt, Size: 2}
	TUint32 = &Type{Kind: KInt, Size: 4}
	TUint64 = &Type{Kind: KInt, Size: 8}
)

// IntType returns the integer type of the given size and sign.
func IntType(size int, signed bool) *Type {
	return &Type{Kind: KInt, Size: size, Signed: signed}
}

// IntOf is IntType for a type its caller does not change: one of the
// shared TInt8...TUint64 for the usual sizes, instead of a new type for
// every expression the checker types (thousands in a large script).
func IntOf(size int, signed bool) *Type {
	switch {
	case size == 8 && signed:
		return TInt64
	case size == 8:
		return TUint64
	case size == 4 && signed:
		return TInt32
	case size == 4:
		return TUint32
	case size == 2 && signed:
		return TInt16
	case size == 2:
		return TUint16
	case size == 1 && signed:
		return TInt8
	case size == 1:
		return TUint8
	}
	return IntType(size, signed)
}

// StringType returns a string type with the given buffer capacity
// (including the terminating NUL).
func StringType(size int) *Type { return &Type{Kind: KString, Size: size} }

// FloatType is a C floating-point type (float, double, long double) of
// size bytes. bpftrace has no floating-point values: such a struct member
// keeps its place in the layout, prints as null (text and JSON) and cannot
// be read. It is a KNone named after the C type.
func FloatType(name string, size int) *Type { return &Type{Kind: KNone, Name: name, Size: size} }

// IsFloat reports a FloatType.
func (t *Type) IsFloat() bool { return t != nil && t.Kind == KNone && t.Name != "" }

// IsInt reports whether t is an integer (bool counts as integer in arithmetic).
func (t *Type) IsInt() bool { return t != nil && (t.Kind == KInt || t.Kind == KBool) }

// IsAggregation reports whether t is an aggregation value type.
func (t *Type) IsAggregation() bool {
	return t != nil && t.Kind >= KCount && t.Kind <= KTseries
}

// FoldedRead is the integer type a count, sum, min, max or avg value reads
// as in a program, folded over every CPU's copy as printing folds it;
// false for the other types.
func (t *Type) FoldedRead() (*Type, bool) {
	switch t.Kind {
	case KCount:
		return TUint64, true
	case KSum, KMin, KMax, KAvg:
		return IntType(8, t.Signed), true
	}
	return nil, false
}

// Equal reports structural equality (string sizes included).
func (t *Type) Equal(u *Type) bool {
	if t == nil || u == nil {
		return t == u
	}
	if t.Kind != u.Kind || t.Size != u.Size || t.Signed != u.Signed || t.Len != u.Len || t.Name != u.Name {
		return false
	}
	if (t.Elem == nil) != (u.Elem == nil) || (t.Elem != nil && !t.Elem.Equal(u.Elem)) {
		return false
	}
	if len(t.Elems) != len(u.Elems) {
		return false
	}
	for i := range t.Elems {
		if !t.Elems[i].Equal(u.Elems[i]) {
			return false
		}
	}
	return t.LhistMin == u.LhistMin && t.LhistMax == u.LhistMax && t.LhistStep == u.LhistStep && t.Bits == u.Bits &&
		t.TseriesInterval == u.TseriesInterval && t.TseriesIntervals == u.TseriesIntervals && t.TseriesAgg == u.TseriesAgg
}

// String renders a type the way bpftrace names types in messages and
// `-d types`: "uint64", "int32", "string[16]", "(int64,string[16])",
// "struct task_struct *", "count_t", "hist_t", ...
func (t *Type) String() string {
	if t == nil {
		return "none"
	}
	switch t.Kind {
	case KVoid:
		return "void"
	case KNone:
		if t.Name != "" {
			return t.Name // a FloatType
		}
		return "none"
	case KInt:
		p := "uint"
		if t.Signed {
			p = "int"
		}
		return fmt.Sprintf("%s%d", p, t.Size*8)
	case KBool:
		return "bool"
	case KString:
		return fmt.Sprintf("string[%d]", t.Size)
	case KBuffer:
		return fmt.Sprintf("buffer[%d]", t.Size)
	case KTuple:
		parts := make([]string, len(t.Elems))
		for i, e := range t.Elems {
			if t.Names != nil {
				parts[i] = t.Names[i] + "=" + e.String()
			} else {
				parts[i] = e.String()
			}
		}
		return "(" + strings.Join(parts, ",") + ")"
	case KPtr:
		return t.Elem.String() + " *"
	case KArray:
		return fmt.Sprintf("%s[%d]", t.Elem.String(), t.Len)
	case KStruct:
		return t.Name
	case KStack:
		return t.Name
	case KSym:
		return "ksym_t"
	case KInet:
		return "inet_t"
	case KTimestamp:
		return "timestamp_t"
	case KCgroupPath:
		return "cgroup_path_t"
	case KMacaddr:
		return "mac_address"
	case KStrerror:
		return "strerror_t"
	case KUsername:
		return "username"
	case KSyscallName:
		return "syscall_name_t"
	case KSignalName:
		return "signal_name_t"
	case KCount:
		return "count_t"
	case KSum:
		return "sum_t"
	case KMin:
		return "min_t"
	case KMax:
		return "max_t"
	case KAvg:
		return "avg_t"
	case KStats:
		return "stats_t"
	case KHist:
		return "hist_t"
	case KLhist:
		return "lhist_t"
	case KTseries:
		return "tseries_t"
	}
	return "invalid"
}

// LengthModifierBits is the width of the C integer type a printf length
// modifier names, as bpftrace v0.26 casts a printf argument to it: 32 bits
// without one. The checker (pinned iterators' kernel printf) and the
// runtime's printf share it.
func LengthModifierBits(length string) int {
	switch length {
	case "hh":
		return 8
	case "h":
		return 16
	case "l", "ll", "j", "z", "t":
		return 64
	}
	return 32
}

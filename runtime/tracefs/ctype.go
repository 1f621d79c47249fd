package tracefs

import (
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
)

// cInt describes a C integer type name: its natural size in bytes and sign.
type cInt struct {
	size   int
	signed bool
}

// cInts maps the integer type names found in tracepoint format files. A name
// missing here is typed from the format's size and signed columns.
var cInts = map[string]cInt{
	"char": {1, true}, "signed char": {1, true}, "unsigned char": {1, false},
	"short": {2, true}, "short int": {2, true}, "signed short": {2, true},
	"unsigned short": {2, false}, "unsigned short int": {2, false},
	"int": {4, true}, "signed": {4, true}, "signed int": {4, true},
	"unsigned": {4, false}, "unsigned int": {4, false},
	"long": {8, true}, "long int": {8, true}, "signed long": {8, true},
	"unsigned long": {8, false}, "unsigned long int": {8, false},
	"long long": {8, true}, "long long int": {8, true}, "signed long long": {8, true},
	"unsigned long long": {8, false}, "unsigned long long int": {8, false},

	"s8": {1, true}, "s16": {2, true}, "s32": {4, true}, "s64": {8, true},
	"u8": {1, false}, "u16": {2, false}, "u32": {4, false}, "u64": {8, false},
	"__s8": {1, true}, "__s16": {2, true}, "__s32": {4, true}, "__s64": {8, true},
	"__u8": {1, false}, "__u16": {2, false}, "__u32": {4, false}, "__u64": {8, false},
	"int8_t": {1, true}, "int16_t": {2, true}, "int32_t": {4, true}, "int64_t": {8, true},
	"uint8_t": {1, false}, "uint16_t": {2, false}, "uint32_t": {4, false}, "uint64_t": {8, false},
	"u_int8_t": {1, false}, "u_int16_t": {2, false}, "u_int32_t": {4, false}, "u_int64_t": {8, false},
	"uchar": {1, false}, "ushort": {2, false}, "uint": {4, false}, "ulong": {8, false},
	"__le16": {2, false}, "__le32": {4, false}, "__le64": {8, false},
	"__be16": {2, false}, "__be32": {4, false}, "__be64": {8, false},

	"size_t": {8, false}, "ssize_t": {8, true}, "loff_t": {8, true}, "off_t": {8, true},
	"pid_t": {4, true}, "tid_t": {4, true}, "uid_t": {4, false}, "gid_t": {4, false},
	"umode_t": {2, false}, "dev_t": {4, false}, "ino_t": {8, false}, "sector_t": {8, false},
	"gfp_t": {4, false}, "clockid_t": {4, true}, "timer_t": {4, true}, "time64_t": {8, true},
	"key_serial_t": {4, true}, "mqd_t": {4, true}, "aio_context_t": {8, false}, "qid_t": {4, false},
	"pgoff_t": {8, false}, "phys_addr_t": {8, false}, "dma_addr_t": {8, false},
	"resource_size_t": {8, false}, "vm_flags_t": {8, false},
}

// FieldType returns the lang type of a format field.
//
// Choices (bpftrace-compatible):
//   - an integer of a known C type is that type: its width and sign. The
//     syscalls' fields are 8-byte slots (`int dfd; size:8; signed:0`) that
//     hold the register the argument came in, whose upper half the caller
//     need not set: `int dfd` is the int in the slot's low 4 bytes
//     (little endian), so AT_FDCWD reads -100, not 4294967196, as in
//     bpftrace. Other integers take the size and signed columns;
//   - `char x[N]` is a string[N] (bpftrace treats char arrays as strings);
//     other arrays are KArray;
//   - `__data_loc T[] x` is a pointer to T with lang.Field.DataLoc set;
//   - pointers keep their pointee when it is an integer, a pointer or a
//     struct or union (known by name, its members come from kernel BTF
//     when used); void pointees become uint8;
//   - anything else that is not 1, 2, 4 or 8 bytes is an array of bytes.
func FieldType(f *FormatField) *lang.Type {
	ctype := stripQualifiers(f.CType)
	if f.DataLoc {
		return &lang.Type{Kind: lang.KPtr, Elem: pointeeType(ctype)}
	}
	if f.ArrayLen >= 0 {
		elemSize := 1
		if n := f.ArrayLen; n > 0 && f.Size%n == 0 {
			elemSize = f.Size / n
		} else if ci, ok := cInts[ctype]; ok {
			elemSize = ci.size
		}
		if ctype == "char" && elemSize == 1 {
			// A char array: all its bytes may be characters.
			t := lang.StringType(f.Size)
			t.CharArray = true
			return t
		}
		return &lang.Type{Kind: lang.KArray, Len: f.Size / elemSize, Elem: scalarType(ctype, elemSize, f.Signed)}
	}
	if strings.HasSuffix(ctype, "*") {
		return &lang.Type{Kind: lang.KPtr, Elem: pointeeType(strings.TrimSpace(strings.TrimSuffix(ctype, "*")))}
	}
	return scalarType(ctype, f.Size, f.Signed)
}

// scalarType types a non-pointer, non-array value of the given size.
func scalarType(ctype string, size int, signedColumn bool) *lang.Type {
	if (ctype == "bool" || ctype == "_Bool") && size == 1 {
		return lang.TBool
	}
	switch size {
	case 1, 2, 4, 8:
	default:
		return &lang.Type{Kind: lang.KArray, Len: size, Elem: lang.TUint8}
	}
	signed := signedColumn
	if ci, ok := cInts[ctype]; ok {
		signed = ci.signed
		size = min(size, ci.size)
	}
	t := lang.IntType(size, signed)
	if name, ok := strings.CutPrefix(ctype, "enum "); ok && name != "" {
		// The enumerators' names come from kernel BTF when a script
		// prints the field with %s.
		t.Enum = &lang.Enum{Name: ctype}
	}
	return t
}

// pointeeType types what a pointer points to.
func pointeeType(ctype string) *lang.Type {
	ctype = stripQualifiers(ctype)
	if strings.HasSuffix(ctype, "*") {
		return &lang.Type{Kind: lang.KPtr, Elem: pointeeType(strings.TrimSuffix(ctype, "*"))}
	}
	if ci, ok := cInts[ctype]; ok {
		return lang.IntType(ci.size, ci.signed)
	}
	if ctype == "bool" || ctype == "_Bool" {
		return lang.TBool
	}
	// A struct or union is known by name: the checker finds its members
	// in kernel BTF when the script reads one (args.rqtp->tv_sec).
	for _, kind := range []string{"struct ", "union "} {
		if name, ok := strings.CutPrefix(ctype, kind); ok && name != "" && !strings.ContainsAny(name, " *") {
			return &lang.Type{Kind: lang.KStruct, Name: kind + name}
		}
	}
	return lang.TUint8
}

// stripQualifiers removes const/volatile and normalizes spaces, keeping a
// trailing '*' attached: "const char *const" -> "char *".
func stripQualifiers(ctype string) string {
	ctype = strings.ReplaceAll(ctype, "*", " * ")
	var words []string
	for _, w := range strings.Fields(ctype) {
		switch w {
		case "const", "volatile", "__user", "__percpu", "__rcu", "__iomem", "__force":
			continue
		}
		words = append(words, w)
	}
	s := strings.Join(words, " ")
	return strings.ReplaceAll(s, " *", "*")
}

// Struct returns the tracepoint's argument struct: a KStruct named like
// bpftrace's "struct _tracepoint_<category>_<event>" whose fields are the
// format's fields (common_* included) with their offsets.
func (f *Format) Struct(category, event string) *lang.Type {
	t := &lang.Type{Kind: lang.KStruct, Name: "struct _tracepoint_" + category + "_" + event}
	for i := range f.Fields {
		ff := &f.Fields[i]
		t.Fields = append(t.Fields, &lang.Field{
			Name:    ff.Name,
			Offset:  ff.Offset,
			Type:    FieldType(ff),
			DataLoc: ff.DataLoc,
		})
		t.Size = max(t.Size, ff.Offset+ff.Size)
	}
	return t
}

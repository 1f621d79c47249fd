package output

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
)

// item is a decoded value, ready to be rendered as text. It mirrors the few
// shapes bpftrace prints: numbers, strings, tuples, structs, arrays.
type item struct {
	kind   itemKind
	i      int64
	u      uint64
	s      string // string, symbolic label, raw buffer bytes
	elems  []item
	names  []string // record (named tuple) or struct field names
	signed bool
	lost   bool // a stack whose id the stack map no longer holds
}

type itemKind uint8

const (
	itemInt    itemKind = iota // signed number (i)
	itemUint                   // unsigned number (u)
	itemString                 // text printed as is
	itemSymbol                 // a label (s) for a number (u): a histogram label with a K/M/G suffix (never "adjacent"), an enumerator's name
	itemBool
	itemTuple
	itemStruct
	itemArray
	itemBuffer
	itemStack // a kstack/ustack: elems are its frames, s its mode
	itemNull  // a value without a type here (a floating-point member): null
)

func intItem(v int64) item   { return item{kind: itemInt, i: v} }
func uintItem(v uint64) item { return item{kind: itemUint, u: v} }
func strItem(s string) item  { return item{kind: itemString, s: s} }

// text renders an item the way bpftrace's text output does (printf, print:
// stack frames indented by 8).
func (it item) text() string {
	var sb strings.Builder
	it.write(&sb)
	return sb.String()
}

// mapText renders an item as a map key or value (stack frames indented by 4).
func (it item) mapText() string {
	var sb strings.Builder
	it.writeIndent(&sb, mapStackIndent)
	return sb.String()
}

// Stack frame indentation in bpftrace's mode.
const (
	valueStackIndent = 8
	mapStackIndent   = 4
)

func (it item) write(sb *strings.Builder) { it.writeIndent(sb, valueStackIndent) }

func (it item) writeIndent(sb *strings.Builder, indent int) {
	switch it.kind {
	case itemStack:
		writeStack(sb, it, indent)
	case itemInt:
		sb.WriteString(strconv.FormatInt(it.i, 10))
	case itemUint:
		sb.WriteString(strconv.FormatUint(it.u, 10))
	case itemString, itemSymbol:
		sb.WriteString(it.s)
	case itemBool:
		if it.u != 0 {
			sb.WriteString("true")
		} else {
			sb.WriteString("false")
		}
	case itemBuffer:
		sb.WriteString(hexFormatBuffer([]byte(it.s)))
	case itemNull:
		sb.WriteString("null")
	case itemTuple:
		if it.names != nil {
			// A record prints like a struct: { .a = 1, .b = x }.
			rec := it
			rec.kind = itemStruct
			rec.writeIndent(sb, indent)
			return
		}
		// Tuples get ", " between elements; arrays get ",".
		sb.WriteByte('(')
		for n, e := range it.elems {
			if n > 0 {
				sb.WriteString(", ")
			}
			e.writeIndent(sb, indent)
		}
		sb.WriteByte(')')
	case itemStruct:
		if len(it.elems) == 0 {
			sb.WriteString("{}")
			return
		}
		sb.WriteString("{ ")
		for n, e := range it.elems {
			if n > 0 {
				sb.WriteString(", ")
			}
			sb.WriteByte('.')
			sb.WriteString(it.names[n])
			sb.WriteString(" = ")
			e.writeIndent(sb, indent)
		}
		sb.WriteString(" }")
	case itemArray:
		sb.WriteByte('[')
		for n, e := range it.elems {
			if n > 0 {
				sb.WriteByte(',')
			}
			e.writeIndent(sb, indent)
		}
		sb.WriteByte(']')
	}
}

// hexFormatBuffer prints printable ASCII as is and every other byte as \xNN,
// as bpftrace does for buf() values and %r.
func hexFormatBuffer(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		if c >= 32 && c <= 126 {
			sb.WriteByte(c)
		} else {
			fmt.Fprintf(&sb, "\\x%02x", c)
		}
	}
	return sb.String()
}

func readUint(b []byte, size int) uint64 {
	if len(b) < size {
		size = len(b)
	}
	switch size {
	case 1:
		return uint64(b[0])
	case 2:
		return uint64(binary.LittleEndian.Uint16(b))
	case 4:
		return uint64(binary.LittleEndian.Uint32(b))
	case 8:
		return binary.LittleEndian.Uint64(b)
	}
	var v uint64
	for n := size - 1; n >= 0; n-- {
		v = v<<8 | uint64(b[n])
	}
	return v
}

func readInt(b []byte, size int) int64 {
	u := readUint(b, size)
	switch size {
	case 1:
		return int64(int8(u))
	case 2:
		return int64(int16(u))
	case 4:
		return int64(int32(u))
	}
	return int64(u)
}

func slice(b []byte, off, size int) []byte {
	if off > len(b) {
		return nil
	}
	end := min(off+size, len(b))
	return b[off:end]
}

// cString returns the bytes up to the first NUL and whether one was found.
func cString(b []byte) (string, bool) {
	for n, c := range b {
		if c == 0 {
			return string(b[:n]), true
		}
	}
	return string(b), false
}

// decode turns the bytes of a value of type t into an item.
func (f *Formatter) decode(t *lang.Type, b []byte) item {
	if t == nil {
		return strItem("")
	}
	switch t.Kind {
	case lang.KInt:
		if t.Enum != nil {
			// As in bpftrace, an enum value shows its enumerator's name
			// in text and its number in JSON.
			u := readUint(b, t.Size)
			if t.Signed {
				u = uint64(readInt(b, t.Size))
			}
			return item{kind: itemSymbol, s: enumText(t, b), u: u, signed: t.Signed}
		}
		if t.Signed {
			return intItem(readInt(b, t.Size))
		}
		return uintItem(readUint(b, t.Size))
	case lang.KBool:
		return item{kind: itemBool, u: readUint(b, 1)}
	case lang.KString:
		s, terminated := cString(slice(b, 0, t.Size))
		if !terminated && len(s) == t.Size && t.Size > 0 && !t.CharArray {
			s = truncatedString(s, f.TruncTrailer)
		}
		return strItem(s)
	case lang.KBuffer:
		n := int(readUint(b, 4))
		n = min(n, t.Size)
		return item{kind: itemBuffer, s: string(slice(b, 4, n))}
	case lang.KTuple:
		offs := codegen.TupleOffsets(t)
		it := item{kind: itemTuple, names: t.Names}
		for n, e := range t.Elems {
			it.elems = append(it.elems, f.decode(e, slice(b, offs[n], codegen.Sizeof(e))))
		}
		return it
	case lang.KArray:
		it := item{kind: itemArray}
		size := codegen.Sizeof(t.Elem)
		for n := 0; n < t.Len; n++ {
			it.elems = append(it.elems, f.decode(t.Elem, slice(b, n*size, size)))
		}
		return it
	case lang.KStruct:
		it := item{kind: itemStruct}
		tracepointArgs := strings.HasPrefix(t.Name, "struct _tracepoint_")
		for _, field := range t.Fields {
			if tracepointArgs && strings.HasPrefix(field.Name, "common_") {
				// A tracepoint's args show its own fields, as
				// bpftrace lists them.
				continue
			}
			it.names = append(it.names, field.Name)
			it.elems = append(it.elems, f.decodeField(field, b))
		}
		return it
	case lang.KPtr:
		// 0x... in text, the number in JSON, as in bpftrace.
		v := readUint(b, 8)
		return item{kind: itemSymbol, s: fmt.Sprintf("0x%x", v), u: v}
	case lang.KSym:
		return f.symItem(t, b)
	case lang.KStack:
		return f.stackItem(t, b)
	case lang.KInet, lang.KTimestamp, lang.KCgroupPath, lang.KStrerror, lang.KUsername, lang.KSyscallName, lang.KSignalName:
		it, _ := f.decodeUserSpace(t, b)
		return it
	case lang.KMacaddr:
		m := slice(b, 0, 6)
		parts := make([]string, len(m))
		for n, c := range m {
			parts[n] = fmt.Sprintf("%02X", c)
		}
		return strItem(strings.Join(parts, ":"))
	case lang.KVoid, lang.KNone, lang.KInvalid:
		if t.IsFloat() {
			return item{kind: itemNull}
		}
		return strItem("")
	}
	return uintItem(readUint(b, 8))
}

// truncatedString is how a string that str() truncated prints. str()
// leaves such a string without its NUL: all its bytes are the string's
// first characters (the last one read by a second read). As in bpftrace
// v0.26, they print whole with the trailer after them when the string
// holds fewer than 1024 bytes ("/usr/bin.." for max_strlen = 8); from
// 1024 bytes on (the default max_strlen) bpftrace reads one character
// fewer and cannot tell that it cut, so the last byte is dropped and no
// trailer is printed.
func truncatedString[S ~string | ~[]byte](s S, trailer string) string {
	if len(s) >= 1024 {
		return string(s[:len(s)-1])
	}
	return string(s) + trailer
}

func (f *Formatter) decodeField(field *lang.Field, b []byte) item {
	fb := slice(b, field.Offset, codegen.Sizeof(field.Type))
	if field.BitSize == 0 || !field.Type.IsInt() {
		return f.decode(field.Type, fb)
	}
	v := readUint(fb, field.Type.Size) >> uint(field.BitOffset)
	if field.BitSize >= 64 {
		return f.bitfieldItem(field, v)
	}
	v &= 1<<uint(field.BitSize) - 1
	if field.Type.Signed && field.BitSize == 8*field.Type.Size && v>>uint(field.BitSize-1) != 0 {
		// Bitfields read zero-extended, as their members do (codegen's
		// extractBits); only one as wide as its signed type is negative.
		v |= ^uint64(0) << uint(field.BitSize)
	}
	return f.bitfieldItem(field, v)
}

// bitfieldItem is the item of a bitfield's value v (already extended to
// 64 bits).
func (f *Formatter) bitfieldItem(field *lang.Field, v uint64) item {
	switch {
	case field.Type.Kind == lang.KBool:
		return item{kind: itemBool, u: v}
	case field.Type.Enum != nil:
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], v)
		return f.decode(&lang.Type{Kind: lang.KInt, Size: 8, Signed: field.Type.Signed, Enum: field.Type.Enum}, b[:])
	case field.Type.Signed:
		return intItem(int64(v))
	}
	return uintItem(v)
}

// Value formats a single value as print(value) does, without the newline
// that print() writes after it.
func (f *Formatter) Value(t *lang.Type, b []byte) string {
	return f.decode(t, b).text()
}

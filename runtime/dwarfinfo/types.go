package dwarfinfo

import (
	"debug/dwarf"
	"fmt"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
)

// TypeName spells a C type as bpftrace lists a parameter's type (-lv):
// base types and typedefs by name, a pointer as its target's name and
// "*" ("char*", "struct Foo*", "void*"), "const char", "char* const",
// "struct X", "union X", "enum X" ("<anonymous>" without a name). A Go
// type has the name the Go compiler gives it ("*main.T", "[]int").
func (f *File) TypeName(t dwarf.Type) string {
	if f.Go {
		return goTypeName(t, 0)
	}
	return cTypeName(t, 0)
}

func goTypeName(t dwarf.Type, depth int) string {
	if t == nil || depth > 16 {
		return "?"
	}
	switch x := t.(type) {
	case *dwarf.StructType:
		return x.StructName
	case *dwarf.ArrayType:
		if x.Name == "" {
			// debug/dwarf leaves an array type's name out.
			return fmt.Sprintf("[%d]%s", x.Count, goTypeName(x.Type, depth+1))
		}
	case *dwarf.PtrType:
		if x.Name == "" {
			if _, void := x.Type.(*dwarf.VoidType); void || x.Type == nil {
				return "unsafe.Pointer"
			}
			return "*" + goTypeName(x.Type, depth+1)
		}
	}
	return t.Common().Name
}

func cTypeName(t dwarf.Type, depth int) string {
	if depth > 16 {
		return "<unknown type>"
	}
	switch x := t.(type) {
	case *dwarf.TypedefType:
		return x.Name
	case *dwarf.IntType, *dwarf.UintType, *dwarf.CharType, *dwarf.UcharType, *dwarf.BoolType, *dwarf.FloatType, *dwarf.ComplexType, *dwarf.AddrType:
		return t.Common().Name
	case *dwarf.PtrType:
		if _, void := x.Type.(*dwarf.VoidType); void || x.Type == nil {
			return "void*"
		}
		return cTypeName(x.Type, depth+1) + "*"
	case *dwarf.StructType:
		kind := x.Kind
		if kind == "class" {
			kind = "struct"
		}
		if x.StructName == "" {
			return kind + " <anonymous>"
		}
		return kind + " " + x.StructName
	case *dwarf.EnumType:
		if x.EnumName == "" {
			return "enum <anonymous>"
		}
		return "enum " + x.EnumName
	case *dwarf.QualType:
		if x.Qual == "const" {
			if _, ptr := x.Type.(*dwarf.PtrType); ptr {
				return cTypeName(x.Type, depth+1) + " const"
			}
			return "const " + cTypeName(x.Type, depth+1)
		}
	}
	return "<unknown type>"
}

// underlying strips typedefs and qualifiers.
func underlying(t dwarf.Type) dwarf.Type {
	for i := 0; i < 32 && t != nil; i++ {
		switch x := t.(type) {
		case *dwarf.TypedefType:
			t = x.Type
		case *dwarf.QualType:
			t = x.Type
		default:
			return t
		}
	}
	return t
}

// maxStructDepth bounds how many pointers deep struct types get their
// members (a linked list refers to itself).
const maxStructDepth = 6

// converter turns DWARF types into lang types of user memory.
type converter struct {
	structs map[structKey]*lang.Type
}

type structKey struct {
	t     *dwarf.StructType
	depth int
}

// Convert converts a DWARF type to the lang type a script reads it as:
// integers by width and sign (char is int8, _Bool and enums unsigned as
// bpftrace has them, an enum's value printed by name with %s), pointers
// into user memory with their targets, structs and unions with their
// members (to a few pointers deep), char arrays as strings, floating
// point as lang.FloatType (which a script cannot read). ok is false for
// what has no type here (__int128).
func Convert(t dwarf.Type) (lt *lang.Type, ok bool) {
	c := &converter{structs: map[structKey]*lang.Type{}}
	lt = c.convert(t, 0)
	return lt, lt != nil
}

func (c *converter) convert(t dwarf.Type, depth int) *lang.Type {
	switch x := underlying(t).(type) {
	case nil, *dwarf.VoidType:
		return lang.TVoid
	case *dwarf.IntType:
		return intType(x.ByteSize, true)
	case *dwarf.CharType:
		return intType(x.ByteSize, true)
	case *dwarf.UintType:
		return intType(x.ByteSize, false)
	case *dwarf.UcharType:
		return intType(x.ByteSize, false)
	case *dwarf.BoolType:
		return intType(x.ByteSize, false)
	case *dwarf.AddrType:
		return intType(x.ByteSize, false)
	case *dwarf.EnumType:
		it := intType(x.ByteSize, false)
		if it == nil {
			return nil
		}
		e := &lang.Enum{Name: "enum " + x.EnumName, Values: map[int64]string{}}
		if x.EnumName == "" {
			e.Name = "enum"
		}
		for _, v := range x.Val {
			if _, dup := e.Values[v.Val]; !dup {
				e.Values[v.Val] = v.Name
			}
		}
		it.Enum = e
		return it
	case *dwarf.PtrType:
		elem := c.convert(x.Type, depth+1)
		if elem == nil {
			elem = lang.TVoid
		}
		return &lang.Type{Kind: lang.KPtr, Size: 8, Elem: elem, UserSpace: true}
	case *dwarf.FuncType:
		return lang.TVoid
	case *dwarf.FloatType, *dwarf.ComplexType:
		// Kept in its place, printed as null, never read.
		return lang.FloatType(x.Common().Name, int(x.Size()))
	case *dwarf.ArrayType:
		elem := c.convert(x.Type, depth)
		if elem == nil || x.Count < 0 {
			return nil
		}
		n := int(x.Count)
		if isChar(x.Type) && n > 0 {
			st := lang.StringType(n)
			st.UserSpace = true
			st.CharArray = true
			return st
		}
		return &lang.Type{Kind: lang.KArray, Elem: elem, Len: n, Size: n * lang.SizeOf(elem), UserSpace: true}
	case *dwarf.StructType:
		return c.structType(x, depth)
	}
	return nil
}

func intType(size int64, signed bool) *lang.Type {
	switch size {
	case 1, 2, 4, 8:
		return lang.IntType(int(size), signed)
	}
	return nil
}

// isChar reports whether t is plain, signed or unsigned char.
func isChar(t dwarf.Type) bool {
	for i := 0; i < 8; i++ {
		switch x := t.(type) {
		case *dwarf.QualType:
			t = x.Type
			continue
		case *dwarf.CharType:
			return x.ByteSize == 1
		case *dwarf.UcharType:
			return x.ByteSize == 1
		}
		return false
	}
	return false
}

func (c *converter) structType(x *dwarf.StructType, depth int) *lang.Type {
	kind := x.Kind
	if kind == "class" {
		kind = "struct"
	}
	name := kind
	if x.StructName != "" {
		name = kind + " " + x.StructName
	}
	st := &lang.Type{Kind: lang.KStruct, Name: name, Size: int(x.ByteSize), UserSpace: true}
	if depth > maxStructDepth || x.Incomplete {
		return st
	}
	key := structKey{x, depth}
	if done, ok := c.structs[key]; ok {
		return done
	}
	c.structs[key] = st
	c.addFields(st, x, 0, depth)
	return st
}

// addFields adds x's members at base; members of an anonymous struct or
// union member are lifted into the parent, as C lets code name them.
func (c *converter) addFields(st *lang.Type, x *dwarf.StructType, base int, depth int) {
	for _, m := range x.Field {
		if m.Name == "" {
			if inner, ok := underlying(m.Type).(*dwarf.StructType); ok {
				c.addFields(st, inner, base+int(m.ByteOffset), depth)
				continue
			}
		}
		ft := c.convert(m.Type, depth)
		if ft == nil {
			continue
		}
		fl := &lang.Field{Name: m.Name, Type: ft, Offset: base + int(m.ByteOffset)}
		if m.BitSize > 0 {
			// DWARF 4 counts from the struct's start; DWARF 2 and 3
			// (with the storage unit's byte size) from the unit's high
			// bit.
			bitOff := 8*base + int(m.DataBitOffset)
			if m.ByteSize > 0 {
				bitOff = 8*(base+int(m.ByteOffset)) + int(8*m.ByteSize-m.BitOffset-m.BitSize)
			}
			unit := 8 * ft.Size
			if unit == 0 {
				unit = 64
			}
			start := bitOff / unit * unit
			if bitOff+int(m.BitSize) > start+unit {
				start = bitOff / 8 * 8
			}
			fl.Offset = start / 8
			fl.BitOffset = bitOff - start
			fl.BitSize = int(m.BitSize)
		}
		st.Fields = append(st.Fields, fl)
	}
}

// isGoString and isGoSlice recognise Go's string and slice headers.
func isGoString(t dwarf.Type) bool {
	s, ok := underlying(t).(*dwarf.StructType)
	return ok && s.StructName == "string" && len(s.Field) == 2
}

func isGoSlice(t dwarf.Type) bool {
	s, ok := underlying(t).(*dwarf.StructType)
	return ok && strings.HasPrefix(s.StructName, "[]") && len(s.Field) == 3
}

package codegen

import (
	"github.com/gobpftrace/gobpftrace/lang"
)

// scalarNames are the type names sizeof() understands without BTF.
var scalarNames = map[string]int{
	"bool": 1, "int8": 1, "uint8": 1, "int16": 2, "uint16": 2, "int32": 4, "uint32": 4, "int64": 8, "uint64": 8,
	"int8_t": 1, "uint8_t": 1, "int16_t": 2, "uint16_t": 2, "int32_t": 4, "uint32_t": 4, "int64_t": 8, "uint64_t": 8,
	"u8": 1, "u16": 2, "u32": 4, "u64": 8, "s8": 1, "s16": 2, "s32": 4, "s64": 8,
	"char": 1, "short": 2, "int": 4, "long": 8, "unsigned char": 1, "unsigned short": 2,
	"unsigned int": 4, "unsigned long": 8, "unsigned": 4, "long long": 8, "unsigned long long": 8,
}

// sizeofValue is the constant value of sizeof(type) or sizeof(expr).
func (g *gen) sizeofValue(s *lang.Sizeof) int64 {
	if s.TypeArg == nil {
		if s.X == nil || s.X.Type() == nil {
			failf(s.Span, "sizeof() needs a type or an expression")
		}
		return int64(Sizeof(s.X.Type()))
	}
	ts := s.TypeArg
	if ts.T != nil {
		return int64(Sizeof(ts.T))
	}
	size := 0
	switch n, ok := scalarNames[ts.Name]; {
	case ts.Pointers > 0:
		size = 8
	case ok:
		size = n
	case ts.Name == "string":
		size = g.cc.checked.Config.MaxStrlen
	default:
		failf(s.Span, "sizeof(%s) is not supported yet", ts.Text())
	}
	if ts.ArrayLen > 0 {
		size *= ts.ArrayLen
	}
	return int64(size)
}

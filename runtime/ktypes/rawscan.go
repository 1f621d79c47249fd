package ktypes

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cilium/ebpf/btf"
)

// rawIndex is what one pass over the raw BTF bytes finds without decoding
// every type (decoding all of vmlinux's types costs about a second; this
// scan takes milliseconds): the type ID of every enumerator's enum, and
// the names of structs and unions.
type rawIndex struct {
	enumerators map[string]btf.TypeID
	structs     []string
	enums       []string // "enum x" for named enums
}

// BTF kinds (include/uapi/linux/btf.h).
const (
	kindInt       = 1
	kindPtr       = 2
	kindArray     = 3
	kindStruct    = 4
	kindUnion     = 5
	kindEnum      = 6
	kindFwd       = 7
	kindFuncProto = 13
	kindVar       = 14
	kindDatasec   = 15
	kindDeclTag   = 17
	kindEnum64    = 19
)

// scanRaw indexes raw BTF data (a vmlinux BTF blob, IDs from 1).
func scanRaw(data []byte) (*rawIndex, error) {
	if len(data) < 24 {
		return nil, errors.New("BTF data too short")
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if bo.Uint16(data) != 0xeb9f {
		bo = binary.BigEndian
		if bo.Uint16(data) != 0xeb9f {
			return nil, errors.New("not BTF data")
		}
	}
	hdrLen := int(bo.Uint32(data[4:]))
	typeOff, typeLen := int(bo.Uint32(data[8:])), int(bo.Uint32(data[12:]))
	strOff, strLen := int(bo.Uint32(data[16:])), int(bo.Uint32(data[20:]))
	types := data[min(len(data), hdrLen+typeOff):min(len(data), hdrLen+typeOff+typeLen)]
	strs := data[min(len(data), hdrLen+strOff):min(len(data), hdrLen+strOff+strLen)]
	str := func(off uint32) string {
		if int(off) >= len(strs) {
			return ""
		}
		end := int(off)
		for end < len(strs) && strs[end] != 0 {
			end++
		}
		return string(strs[off:end])
	}
	idx := &rawIndex{enumerators: map[string]btf.TypeID{}}
	seen := map[string]bool{}
	id := btf.TypeID(1)
	for pos := 0; pos+12 <= len(types); id++ {
		nameOff := bo.Uint32(types[pos:])
		info := bo.Uint32(types[pos+4:])
		vlen := int(info & 0xffff)
		kind := int(info>>24) & 0x1f
		pos += 12
		var extra, each int
		switch kind {
		case kindInt, kindVar, kindDeclTag:
			extra = 4
		case kindArray:
			extra = 12
		case kindStruct, kindUnion, kindDatasec:
			each = 12
		case kindEnum, kindFuncProto:
			each = 8
		case kindEnum64:
			each = 12
		}
		end := pos + extra + vlen*each
		if end > len(types) {
			return nil, fmt.Errorf("BTF type %d runs past the type section", id)
		}
		switch kind {
		case kindEnum, kindEnum64:
			if name := str(nameOff); name != "" && !seen["enum "+name] {
				seen["enum "+name] = true
				idx.enums = append(idx.enums, "enum "+name)
			}
			for i := 0; i < vlen; i++ {
				name := str(bo.Uint32(types[pos+i*each:]))
				if _, dup := idx.enumerators[name]; name != "" && !dup {
					idx.enumerators[name] = id
				}
			}
		case kindStruct, kindUnion:
			if name := str(nameOff); name != "" {
				full := "struct " + name
				if kind == kindUnion {
					full = "union " + name
				}
				if !seen[full] {
					seen[full] = true
					idx.structs = append(idx.structs, full)
				}
			}
		}
		pos = end
	}
	return idx, nil
}

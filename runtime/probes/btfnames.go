package probes

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
)

// kernelBTFNames reads the names of the functions and of the raw
// tracepoints (btf_trace_<event> typedefs, without the prefix) of the
// kernel's BTF by walking its type records, without decoding the types:
// a few milliseconds where decoding every type takes hundreds, for
// listings that need only names.
func kernelBTFNames() (funcs, rawTracepoints []string, err error) {
	data, err := os.ReadFile("/sys/kernel/btf/vmlinux")
	if err != nil {
		return nil, nil, err
	}
	return btfNames(data)
}

// BTF kinds whose names are read, and the size of the data that follows
// each kind's 12-byte record (per member for kinds with vlen members).
const (
	btfKindTypedef = 8
	btfKindFunc    = 12
)

func btfNames(data []byte) (funcs, rawTracepoints []string, err error) {
	bad := errors.New("malformed kernel BTF")
	if len(data) < 24 || binary.LittleEndian.Uint16(data) != 0xeb9f {
		return nil, nil, bad
	}
	le := binary.LittleEndian
	hdrLen := le.Uint32(data[4:])
	typeOff, typeLen := le.Uint32(data[8:]), le.Uint32(data[12:])
	strOff, strLen := le.Uint32(data[16:]), le.Uint32(data[20:])
	if uint64(hdrLen)+uint64(typeOff)+uint64(typeLen) > uint64(len(data)) ||
		uint64(hdrLen)+uint64(strOff)+uint64(strLen) > uint64(len(data)) {
		return nil, nil, bad
	}
	types := data[hdrLen+typeOff : hdrLen+typeOff+typeLen]
	strs := data[hdrLen+strOff : hdrLen+strOff+strLen]
	name := func(off uint32) string {
		if off >= uint32(len(strs)) {
			return ""
		}
		s := strs[off:]
		if i := bytes.IndexByte(s, 0); i >= 0 {
			s = s[:i]
		}
		return string(s)
	}
	for p := 0; p+12 <= len(types); {
		nameOff, info := le.Uint32(types[p:]), le.Uint32(types[p+4:])
		kind, vlen := (info>>24)&0x1f, int(info&0xffff)
		p += 12
		switch kind {
		case btfKindFunc:
			funcs = append(funcs, name(nameOff))
		case btfKindTypedef:
			if n := name(nameOff); len(n) > len("btf_trace_") && n[:len("btf_trace_")] == "btf_trace_" {
				rawTracepoints = append(rawTracepoints, n[len("btf_trace_"):])
			}
		}
		switch kind {
		case 1, 14, 17: // int, var, decl_tag
			p += 4
		case 3: // array
			p += 12
		case 4, 5, 15, 19: // struct, union, datasec, enum64
			p += 12 * vlen
		case 6, 13: // enum, func_proto
			p += 8 * vlen
		case 2, 7, 8, 9, 10, 11, 12, 16, 18: // ptr, fwd, typedef, volatile, const, restrict, func, float, type_tag
		default:
			return nil, nil, fmt.Errorf("kernel BTF: unknown type kind %d", kind)
		}
	}
	return funcs, rawTracepoints, nil
}

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
	err = walkBTF(data, func(kind uint32, name []byte) bool {
		switch kind {
		case btfKindFunc:
			funcs = append(funcs, string(name))
		case btfKindTypedef:
			if ev, ok := bytes.CutPrefix(name, []byte("btf_trace_")); ok && len(ev) > 0 {
				rawTracepoints = append(rawTracepoints, string(ev))
			}
		}
		return true
	})
	if err != nil {
		return nil, nil, err
	}
	return funcs, rawTracepoints, nil
}

// kernelHasRawTracepoint reports whether vmlinux BTF describes the raw
// tracepoint event (a btf_trace_<event> typedef), comparing names in
// place: a script naming one raw tracepoint does not pay for the names of
// every kernel function.
func kernelHasRawTracepoint(event string) (bool, error) {
	data, err := os.ReadFile("/sys/kernel/btf/vmlinux")
	if err != nil {
		return false, err
	}
	want := []byte("btf_trace_" + event)
	found := false
	err = walkBTF(data, func(kind uint32, name []byte) bool {
		found = kind == btfKindTypedef && bytes.Equal(name, want)
		return !found
	})
	return found, err
}

// walkBTF calls fn with the kind and name of each type record of raw
// kernel BTF, until fn returns false.
func walkBTF(data []byte, fn func(kind uint32, name []byte) bool) error {
	bad := errors.New("malformed kernel BTF")
	if len(data) < 24 || binary.LittleEndian.Uint16(data) != 0xeb9f {
		return bad
	}
	le := binary.LittleEndian
	hdrLen := le.Uint32(data[4:])
	typeOff, typeLen := le.Uint32(data[8:]), le.Uint32(data[12:])
	strOff, strLen := le.Uint32(data[16:]), le.Uint32(data[20:])
	if uint64(hdrLen)+uint64(typeOff)+uint64(typeLen) > uint64(len(data)) ||
		uint64(hdrLen)+uint64(strOff)+uint64(strLen) > uint64(len(data)) {
		return bad
	}
	types := data[hdrLen+typeOff : hdrLen+typeOff+typeLen]
	strs := data[hdrLen+strOff : hdrLen+strOff+strLen]
	name := func(off uint32) []byte {
		if off >= uint32(len(strs)) {
			return nil
		}
		s := strs[off:]
		if i := bytes.IndexByte(s, 0); i >= 0 {
			s = s[:i]
		}
		return s
	}
	for p := 0; p+12 <= len(types); {
		nameOff, info := le.Uint32(types[p:]), le.Uint32(types[p+4:])
		kind, vlen := (info>>24)&0x1f, int(info&0xffff)
		p += 12
		if (kind == btfKindFunc || kind == btfKindTypedef) && !fn(kind, name(nameOff)) {
			return nil
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
			return fmt.Errorf("kernel BTF: unknown type kind %d", kind)
		}
	}
	return nil
}

package output

import "encoding/binary"

// The protobuf wire format, as much of it as profile.proto needs: varint
// fields (wire type 0), length-delimited ones (type 2: messages, strings,
// packed repeated varints). Zero scalars are left out, as proto3 does.

// pbEncoder numbers the strings of the string table.
type pbEncoder struct {
	strings map[string]int64
	table   []string
}

// str is s's index in the string table.
func (e *pbEncoder) str(s string) int64 {
	if i, ok := e.strings[s]; ok {
		return i
	}
	i := int64(len(e.table))
	e.table = append(e.table, s)
	e.strings[s] = i
	return i
}

func (e *pbEncoder) int(b []byte, field int, v int64) []byte { return pbUint(b, field, uint64(v)) }

func pbTag(b []byte, field, wire int) []byte {
	return binary.AppendUvarint(b, uint64(field)<<3|uint64(wire))
}

// pbUint appends a varint field, nothing for 0.
func pbUint(b []byte, field int, v uint64) []byte {
	if v == 0 {
		return b
	}
	return binary.AppendUvarint(pbTag(b, field, 0), v)
}

// pbBytes appends a length-delimited field.
func pbBytes(b []byte, field int, v []byte) []byte {
	b = binary.AppendUvarint(pbTag(b, field, 2), uint64(len(v)))
	return append(b, v...)
}

// pbPacked appends a packed repeated varint field, nothing when empty.
func pbPacked(b []byte, field int, vs []uint64) []byte {
	if len(vs) == 0 {
		return b
	}
	var p []byte
	for _, v := range vs {
		p = binary.AppendUvarint(p, v)
	}
	return pbBytes(b, field, p)
}

package dwarfinfo

import (
	"debug/dwarf"
	"encoding/binary"
	"fmt"
)

// entryRanges returns the code ranges of entry e (its low_pc/high_pc or
// DW_AT_ranges). debug/dwarf reads them for a unit of its own file; the
// range lists of a split unit are elsewhere (DWARF 4: the binary's
// .debug_ranges; DWARF 5: the .dwo's .debug_rnglists.dwo) and based at
// its skeleton's low_pc, which the split unit does not have, so they are
// read here.
func (f *File) entryRanges(e *dwarf.Entry) ([][2]uint64, error) {
	if f.split == nil {
		return f.data.Ranges(e)
	}
	s := f.split
	var out [][2]uint64
	if low, ok := e.Val(dwarf.AttrLowpc).(uint64); ok {
		if hf := e.AttrField(dwarf.AttrHighpc); hf != nil {
			switch v := hf.Val.(type) {
			case uint64:
				out = append(out, [2]uint64{low, v})
			case int64:
				out = append(out, [2]uint64{low, low + uint64(v)})
			}
		}
	}
	field := e.AttrField(dwarf.AttrRanges)
	if field == nil {
		return out, nil
	}
	var off int64
	switch v := field.Val.(type) {
	case int64: // DW_FORM_sec_offset: from the section's start
		off = v
		if s.version >= 5 {
			off -= 12 // s.ranges starts past the header
		}
	case uint64: // DW_FORM_rnglistx, resolved from the base
		off = int64(v)
	default:
		return out, nil
	}
	if off < 0 || off >= int64(len(s.ranges)) {
		return nil, fmt.Errorf("bad range list offset %d", off)
	}
	if s.version >= 5 {
		return rangeList5(s.ranges[off:], s.base, s.addr, out)
	}
	return rangeList4(s.ranges[off:], s.base, out)
}

// rangeList4 reads a DWARF 4 range list: pairs of addresses relative to
// base, a pair whose first is all ones setting a new base, up to a pair
// of zeros.
func rangeList4(b []byte, base uint64, out [][2]uint64) ([][2]uint64, error) {
	le := binary.LittleEndian
	for ; len(b) >= 16; b = b[16:] {
		lo, hi := le.Uint64(b), le.Uint64(b[8:])
		switch {
		case lo == 0 && hi == 0:
			return out, nil
		case lo == ^uint64(0):
			base = hi
		default:
			out = append(out, [2]uint64{base + lo, base + hi})
		}
	}
	return nil, fmt.Errorf("range list past the end of .debug_ranges")
}

// rangeList5 reads a DWARF 5 range list (section 2.17.3), its indexed
// addresses in addr.
func rangeList5(b []byte, base uint64, addr []byte, out [][2]uint64) ([][2]uint64, error) {
	r := &leb{b: b}
	at := func(i uint64) uint64 { return r.indexed(addr, i) }
	for r.ok() {
		switch kind := r.byte(); kind {
		case 0: // DW_RLE_end_of_list
			return out, nil
		case 1: // DW_RLE_base_addressx
			base = at(r.uleb())
		case 2: // DW_RLE_startx_endx
			lo := at(r.uleb())
			out = append(out, [2]uint64{lo, at(r.uleb())})
		case 3: // DW_RLE_startx_length
			lo := at(r.uleb())
			out = append(out, [2]uint64{lo, lo + r.uleb()})
		case 4: // DW_RLE_offset_pair
			lo := r.uleb()
			out = append(out, [2]uint64{base + lo, base + r.uleb()})
		case 5: // DW_RLE_base_address
			base = r.u64()
		case 6: // DW_RLE_start_end
			lo := r.u64()
			out = append(out, [2]uint64{lo, r.u64()})
		case 7: // DW_RLE_start_length
			lo := r.u64()
			out = append(out, [2]uint64{lo, lo + r.uleb()})
		default:
			return nil, fmt.Errorf("unknown range list entry %#x", kind)
		}
	}
	return nil, fmt.Errorf("bad range list")
}

// leb reads the bytes of DWARF sections; bad records reading past the
// end.
type leb struct {
	b   []byte
	pos int
	bad bool
}

func (r *leb) ok() bool { return !r.bad && r.pos < len(r.b) }

// entryExpr takes a location list entry's expression of n bytes, next
// in r, covering [lo, hi): found when pc is in it, else skipped; !ok when
// the list is malformed.
func (r *leb) entryExpr(n int, lo, hi, pc uint64) (expr []byte, found, ok bool) {
	if r.bad || r.pos+n > len(r.b) {
		return nil, false, false
	}
	if pc >= lo && pc < hi {
		return r.b[r.pos : r.pos+n], true, true
	}
	r.pos += n
	return nil, false, true
}

// indexed is entry i of a unit's indexed addresses (.debug_addr), taking
// an index past them as a malformed list.
func (r *leb) indexed(addr []byte, i uint64) uint64 {
	if i >= uint64(len(addr)/8) {
		r.bad = true
		return 0
	}
	return binary.LittleEndian.Uint64(addr[8*i:])
}

func (r *leb) byte() byte {
	if r.pos >= len(r.b) {
		r.bad = true
		return 0
	}
	r.pos++
	return r.b[r.pos-1]
}

func (r *leb) u64() uint64 {
	if r.pos+8 > len(r.b) {
		r.bad = true
		return 0
	}
	r.pos += 8
	return binary.LittleEndian.Uint64(r.b[r.pos-8:])
}

func (r *leb) u32() uint32 {
	if r.pos+4 > len(r.b) {
		r.bad = true
		return 0
	}
	r.pos += 4
	return binary.LittleEndian.Uint32(r.b[r.pos-4:])
}

func (r *leb) u16() uint16 {
	if r.pos+2 > len(r.b) {
		r.bad = true
		return 0
	}
	r.pos += 2
	return binary.LittleEndian.Uint16(r.b[r.pos-2:])
}

func (r *leb) uleb() uint64 {
	var v uint64
	for shift := 0; ; shift += 7 {
		c := r.byte()
		if shift < 64 {
			v |= uint64(c&0x7f) << shift
		}
		if c&0x80 == 0 || r.bad {
			return v
		}
	}
}

func (r *leb) sleb() int64 {
	var v int64
	shift := 0
	for {
		c := r.byte()
		if shift < 64 {
			v |= int64(c&0x7f) << shift
		}
		shift += 7
		if c&0x80 == 0 || r.bad {
			if shift < 64 && c&0x40 != 0 {
				v |= -1 << shift
			}
			return v
		}
	}
}

package dwarfinfo

import (
	"debug/dwarf"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
)

// Split DWARF (gcc -gsplit-dwarf): the binary keeps a skeleton unit per
// compilation unit (its line table, address ranges and .debug_addr) and
// the rest (functions, parameters, types, inlined subroutines) is in a
// .dwo file named by the skeleton's DW_AT_dwo_name, relative to its
// DW_AT_comp_dir, or in a .dwp package beside the binary (dwp, llvm-dwp).
// Go's debug/dwarf reads neither: a .dwo is an ELF file whose sections
// are named .debug_*.dwo, and its unit takes its .debug_addr and string
// offsets bases from the skeleton. So the unit's sections are handed to
// dwarf.New as they are, with .debug_addr cut at the skeleton's address
// base and .debug_str_offsets past its header (the bases Go would
// otherwise take as 0), giving a File for the unit alone.
//
// DWARF 4 has split units as a GNU extension (gcc -gsplit-dwarf
// -gdwarf-4): the skeleton is a DW_TAG_compile_unit with
// DW_AT_GNU_dwo_name, DW_AT_GNU_dwo_id (the unit header has no id),
// DW_AT_GNU_addr_base and DW_AT_GNU_ranges_base, and the .dwo's entries
// use DW_FORM_GNU_addr_index and DW_FORM_GNU_str_index. debug/dwarf
// knows neither form and refuses the whole abbreviation table ("unknown
// attribute form"), but they are encoded exactly as DWARF 5's
// DW_FORM_addrx and DW_FORM_strx (an unsigned LEB128 index), so
// gnuForms rewrites their codes in a copy of .debug_abbrev.dwo, in place
// (the new codes padded to the old codes' two bytes). Its string offsets
// have no header, and its DW_AT_ranges are offsets into the binary's
// .debug_ranges from DW_AT_GNU_ranges_base.

// The GNU split DWARF attributes and forms (DWARF 4).
const (
	attrGNUDwoName    dwarf.Attr = 0x2130
	attrGNUDwoID      dwarf.Attr = 0x2131
	attrGNURangesBase dwarf.Attr = 0x2132
	attrGNUAddrBase   dwarf.Attr = 0x2133

	formGNUAddrIndex = 0x1f01
	formGNUStrIndex  = 0x1f02
	formStrx         = 0x1a
	formAddrx        = 0x1b
	formImplicitCons = 0x21
)

// splitUnitInfo is what a split unit takes from its skeleton: its DWARF
// version, the base address of its range lists (the skeleton's
// DW_AT_low_pc), its range lists (DWARF 4: the binary's .debug_ranges
// from DW_AT_GNU_ranges_base; DWARF 5: the unit's .debug_rnglists.dwo past
// its header) and its addresses (.debug_addr from its base).
type splitUnitInfo struct {
	version int
	base    uint64
	ranges  []byte
	addr    []byte
	// loc is the unit's location lists: GNU's .debug_loc.dwo (DWARF 4)
	// or its .debug_loclists.dwo contribution, header included (DWARF 5).
	loc []byte
}

// openSplit reads the split unit of skeleton unit e and records the
// functions it defines; a unit that cannot be read is remembered, so that
// a function that is not found says why.
func (f *File) openSplit(e *dwarf.Entry, addr []byte) {
	name := stringAttr(e, dwarf.AttrDwoName, attrGNUDwoName)
	if name == "" {
		return
	}
	dir, _ := e.Val(dwarf.AttrCompDir).(string)
	base, ok := e.Val(dwarf.AttrAddrBase).(int64)
	if !ok {
		base, _ = e.Val(attrGNUAddrBase).(int64)
	}
	if base < 0 || base > int64(len(addr)) {
		f.splitErr = fmt.Errorf("the skeleton unit of %s has a bad DW_AT_addr_base", name)
		return
	}
	info := &splitUnitInfo{addr: addr[base:]}
	info.base, _ = e.Val(dwarf.AttrLowpc).(uint64)
	if rb, _ := e.Val(attrGNURangesBase).(int64); rb >= 0 && rb <= int64(len(f.ranges)) {
		info.ranges = f.ranges[rb:]
	}
	id := f.unitID(e)
	if v, ok := e.Val(attrGNUDwoID).(int64); ok {
		id = uint64(v)
	}
	sub, err := f.readSplit(name, dir, id, info)
	if err != nil {
		f.splitErr = err
		return
	}
	if err := sub.index(); err != nil {
		f.splitErr = err
		return
	}
	if f.splitFuncs == nil {
		f.splitFuncs = map[string]*File{}
		f.splitUnits = map[dwarf.Offset]*File{}
	}
	f.splitUnits[e.Offset] = sub
	for n := range sub.funcs {
		if _, own := f.funcs[n]; !own {
			if _, dup := f.splitFuncs[n]; !dup {
				f.splitFuncs[n] = sub
			}
		}
	}
}

// stringAttr returns the first of attrs e has as a string.
func stringAttr(e *dwarf.Entry, attrs ...dwarf.Attr) string {
	for _, a := range attrs {
		if s, ok := e.Val(a).(string); ok && s != "" {
			return s
		}
	}
	return ""
}

// readSplit opens the split unit NAME (with dwo id id): the .dwo file,
// in the compilation directory or beside the binary, or else the unit in
// the binary's .dwp package.
func (f *File) readSplit(name, dir string, id uint64, info *splitUnitInfo) (*File, error) {
	var cands []string
	if filepath.IsAbs(name) {
		cands = append(cands, name)
	} else if dir != "" {
		cands = append(cands, filepath.Join(dir, name))
	}
	cands = append(cands, filepath.Join(filepath.Dir(f.Path), filepath.Base(name)))
	for _, c := range cands {
		if _, err := os.Stat(c); err == nil {
			return splitUnit(f.Path, c, nil, info)
		}
	}
	dwp := f.Path + ".dwp"
	if _, err := os.Stat(dwp); err == nil {
		return splitUnit(f.Path, dwp, &id, info)
	}
	return nil, fmt.Errorf("its split DWARF file %s is missing (looked in %s and beside the binary, and for %s)", name, dir, filepath.Base(dwp))
}

// unitID is the dwo id of skeleton unit e: in a DWARF 5 unit header, 8
// bytes after the unit type, address size and abbreviation offset.
func (f *File) unitID(e *dwarf.Entry) uint64 {
	// debug/dwarf does not expose the header: read it from the section.
	if f.info == nil || e.Offset < 8 || int(e.Offset) > len(f.info) {
		return 0
	}
	return binary.LittleEndian.Uint64(f.info[e.Offset-8 : e.Offset])
}

// splitUnit reads the unit of a .dwo file, or with id the unit of that
// dwo id in a .dwp package.
func splitUnit(binPath, path string, id *uint64, info *splitUnitInfo) (*File, error) {
	ef, err := elf.Open(path)
	if err != nil {
		return nil, fmt.Errorf("could not read the split DWARF file %s: %v", path, err)
	}
	defer ef.Close()
	sec := map[string][]byte{}
	for _, n := range []string{"info", "abbrev", "line", "str", "str_offsets", "rnglists", "loc", "loclists", "cu_index"} {
		name := ".debug_" + n + ".dwo"
		if n == "cu_index" {
			name = ".debug_cu_index"
		}
		if b := sectionData(ef, name); b != nil {
			sec[n] = b
		}
	}
	if id != nil {
		if err := dwpContribution(sec, *id); err != nil {
			return nil, fmt.Errorf("could not read the split DWARF package %s: %v", path, err)
		}
	}
	if len(sec["info"]) >= 6 {
		info.version = int(binary.LittleEndian.Uint16(sec["info"][4:]))
	}
	strOff := sec["str_offsets"]
	info.loc = sec["loc"]
	if info.version >= 5 {
		info.loc = sec["loclists"]
		if len(strOff) >= 8 {
			strOff = strOff[8:] // the contribution's header (32-bit DWARF)
		}
		info.ranges = nil
		if rl := sec["rnglists"]; len(rl) >= 12 {
			info.ranges = rl[12:] // past the header: DW_FORM_rnglistx's base
		}
	} else {
		sec["abbrev"] = gnuForms(sec["abbrev"])
	}
	d, err := dwarf.New(sec["abbrev"], nil, nil, sec["info"], sec["line"], nil, nil, sec["str"])
	if err == nil {
		err = d.AddSection(".debug_str_offsets", strOff)
	}
	if err == nil {
		err = d.AddSection(".debug_addr", info.addr)
	}
	if err == nil && info.version >= 5 {
		// debug/dwarf resolves DW_FORM_rnglistx when it reads an entry.
		err = d.AddSection(".debug_rnglists", info.ranges)
	}
	if err != nil {
		return nil, fmt.Errorf("could not read the split DWARF file %s: %v", path, err)
	}
	return &File{Path: binPath, DebugPath: path, data: d, split: info}, nil
}

// gnuForms returns a copy of abbreviation tables whose
// DW_FORM_GNU_addr_index and DW_FORM_GNU_str_index are DW_FORM_addrx and
// DW_FORM_strx, which encode their values the same way; the tables keep
// their size (and their offsets), as the new codes are written in the old
// codes' two bytes (0x9b 0x00 is a LEB128 0x1b). A table it cannot walk is
// returned as it is (dwarf.New then says what is wrong).
func gnuForms(abbrev []byte) []byte {
	out := append([]byte(nil), abbrev...)
	r := &leb{b: out}
	for r.ok() {
		if code := r.uleb(); code == 0 {
			continue // the end of a unit's table
		}
		r.uleb() // tag
		r.pos++  // children
		for r.ok() {
			at := r.uleb()
			formPos := r.pos
			form := r.uleb()
			if at == 0 && form == 0 {
				break
			}
			if form == formImplicitCons {
				r.sleb()
			}
			if r.pos-formPos == 2 && (form == formGNUAddrIndex || form == formGNUStrIndex) {
				nf := byte(formAddrx)
				if form == formGNUStrIndex {
					nf = formStrx
				}
				out[formPos], out[formPos+1] = nf|0x80, 0
			}
		}
	}
	if r.bad {
		return abbrev
	}
	return out
}

// dwpContribution cuts the sections of a .dwp package to the unit of dwo
// id id, as its .debug_cu_index (DWARF 5 section 7.3.5) places it.
func dwpContribution(sec map[string][]byte, id uint64) error {
	ix := sec["cu_index"]
	if len(ix) < 16 {
		return fmt.Errorf("no .debug_cu_index")
	}
	le := binary.LittleEndian
	ncols, nunits, nslots := le.Uint32(ix[4:]), le.Uint32(ix[8:]), le.Uint32(ix[12:])
	hashes := 16
	rows := hashes + 8*int(nslots)
	cols := rows + 4*int(nslots)
	offs := cols + 4*int(ncols)
	sizes := offs + 4*int(ncols)*int(nunits)
	if ncols > 64 || nunits > 1<<20 || nslots > 1<<22 || sizes+4*int(ncols)*int(nunits) > len(ix) {
		return fmt.Errorf("bad .debug_cu_index")
	}
	row := 0
	for s := 0; s < int(nslots); s++ {
		if le.Uint64(ix[hashes+8*s:]) == id {
			row = int(le.Uint32(ix[rows+4*s:]))
			break
		}
	}
	if row == 0 || row > int(nunits) {
		return fmt.Errorf("no unit with dwo id %#x", id)
	}
	// DW_SECT_INFO 1, ABBREV 3, LINE 4, STR_OFFSETS 6 in both the GNU
	// (version 2, DWARF 4) and the DWARF 5 index; 5 is LOC in version 2,
	// LOCLISTS in DWARF 5's; RNGLISTS 8 in DWARF 5's (8 is MACRO in
	// version 2).
	names := map[uint32]string{1: "info", 3: "abbrev", 4: "line", 5: "loc", 6: "str_offsets"}
	if le.Uint16(ix) >= 5 {
		names[5], names[8] = "loclists", "rnglists"
	}
	for c := 0; c < int(ncols); c++ {
		n, ok := names[le.Uint32(ix[cols+4*c:])]
		if !ok || sec[n] == nil {
			continue
		}
		at := 4 * ((row-1)*int(ncols) + c)
		off, size := int(le.Uint32(ix[offs+at:])), int(le.Uint32(ix[sizes+at:]))
		if off < 0 || size < 0 || off+size > len(sec[n]) {
			return fmt.Errorf("bad .debug_cu_index entry for %s", n)
		}
		sec[n] = sec[n][off : off+size]
	}
	return nil
}

// splitLocationAt returns the expression of a split unit's location list
// (the value of a DW_AT_location, at) that covers pc. Its addresses are
// indexes into the skeleton's .debug_addr.
func (f *File) splitLocationAt(at any, pc uint64) ([]byte, bool) {
	s := f.split
	if s.version < 5 {
		off, ok := at.(int64)
		if !ok || off < 0 || off >= int64(len(s.loc)) {
			return nil, false
		}
		return locListGNU(s.loc[off:], s.addr, pc)
	}
	// DWARF 5: a DW_FORM_loclistx is an index into the offsets that
	// follow the contribution's 12-byte header (a split unit has no
	// DW_AT_loclists_base); a DW_FORM_sec_offset is from its start.
	const header = 12
	var off int64
	switch v := at.(type) {
	case int64:
		off = v
	case uint64:
		i := header + 4*int64(v)
		if i+4 > int64(len(s.loc)) {
			return nil, false
		}
		off = header + int64(binary.LittleEndian.Uint32(s.loc[i:]))
	}
	if off < header || off >= int64(len(s.loc)) {
		return nil, false
	}
	return locList5(s.loc[off:], s.base, s.addr, pc)
}

// locListGNU finds the expression of a GNU split DWARF 4 location list
// (.debug_loc.dwo, GCC's format before DWARF 5 made it standard) that
// covers pc: entries of a kind byte, address indexes (ULEB128) and a
// 2-byte expression length.
func locListGNU(b, addr []byte, pc uint64) ([]byte, bool) {
	r := &leb{b: b}
	at := func(i uint64) uint64 { return r.indexed(addr, i) }
	for r.ok() {
		var lo, hi uint64
		switch kind := r.byte(); kind {
		case 0: // DW_LLE_GNU_end_of_list_entry
			return nil, false
		case 1: // DW_LLE_GNU_base_address_selection_entry
			r.uleb() // entries 2 and 3 are absolute
			continue
		case 2: // DW_LLE_GNU_start_end_entry
			lo = at(r.uleb())
			hi = at(r.uleb())
		case 3: // DW_LLE_GNU_start_length_entry
			lo = at(r.uleb())
			hi = lo + uint64(r.u32())
		default:
			return nil, false
		}
		n := int(r.u16())
		if expr, found, ok := r.entryExpr(n, lo, hi, pc); !ok || found {
			return expr, found
		}
	}
	return nil, false
}

package dwarfinfo

import (
	"debug/dwarf"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
)

// Split DWARF (gcc -gsplit-dwarf, DWARF 5): the binary keeps a skeleton
// unit per compilation unit (its line table, address ranges and
// .debug_addr) and the rest (functions, parameters, types) is in a .dwo
// file named by the skeleton's DW_AT_dwo_name, relative to its
// DW_AT_comp_dir, or in a .dwp package beside the binary (dwp). Go's
// debug/dwarf reads neither: a .dwo is an ELF file whose sections are
// named .debug_*.dwo, and its unit takes its .debug_addr and string
// offsets bases from the skeleton. So the unit's sections are handed to
// dwarf.New as they are, with .debug_addr cut at the skeleton's
// DW_AT_addr_base and .debug_str_offsets past its header (the bases Go
// would otherwise take as 0), giving a File for the unit alone.

// openSplit reads the split unit of skeleton unit e and records the
// functions it defines; a unit that cannot be read is remembered, so that
// a function that is not found says why.
func (f *File) openSplit(e *dwarf.Entry, addr []byte) {
	name, _ := e.Val(dwarf.AttrDwoName).(string)
	if name == "" {
		return
	}
	dir, _ := e.Val(dwarf.AttrCompDir).(string)
	base, _ := e.Val(dwarf.AttrAddrBase).(int64)
	if base < 0 || base > int64(len(addr)) {
		f.splitErr = fmt.Errorf("the skeleton unit of %s has a bad DW_AT_addr_base", name)
		return
	}
	id := f.unitID(e)
	sub, err := f.readSplit(name, dir, id, addr[base:])
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
	}
	for n := range sub.funcs {
		if _, own := f.funcs[n]; !own {
			if _, dup := f.splitFuncs[n]; !dup {
				f.splitFuncs[n] = sub
			}
		}
	}
}

// readSplit opens the split unit NAME (with dwo id id): the .dwo file,
// in the compilation directory or beside the binary, or else the unit in
// the binary's .dwp package.
func (f *File) readSplit(name, dir string, id uint64, addr []byte) (*File, error) {
	var cands []string
	if filepath.IsAbs(name) {
		cands = append(cands, name)
	} else if dir != "" {
		cands = append(cands, filepath.Join(dir, name))
	}
	cands = append(cands, filepath.Join(filepath.Dir(f.Path), filepath.Base(name)))
	for _, c := range cands {
		if _, err := os.Stat(c); err == nil {
			return splitUnit(f.Path, c, nil, addr)
		}
	}
	dwp := f.Path + ".dwp"
	if _, err := os.Stat(dwp); err == nil {
		return splitUnit(f.Path, dwp, &id, addr)
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
func splitUnit(binPath, path string, id *uint64, addr []byte) (*File, error) {
	ef, err := elf.Open(path)
	if err != nil {
		return nil, fmt.Errorf("could not read the split DWARF file %s: %v", path, err)
	}
	defer ef.Close()
	sec := map[string][]byte{}
	for _, n := range []string{"info", "abbrev", "line", "str", "str_offsets", "cu_index"} {
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
	strOff := sec["str_offsets"]
	if len(strOff) >= 8 {
		strOff = strOff[8:] // the contribution's header (32-bit DWARF)
	}
	d, err := dwarf.New(sec["abbrev"], nil, nil, sec["info"], sec["line"], nil, nil, sec["str"])
	if err == nil {
		err = d.AddSection(".debug_str_offsets", strOff)
	}
	if err == nil {
		err = d.AddSection(".debug_addr", addr)
	}
	if err != nil {
		return nil, fmt.Errorf("could not read the split DWARF file %s: %v", path, err)
	}
	return &File{Path: binPath, DebugPath: path, data: d}, nil
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
	// DW_SECT_INFO 1, ABBREV 3, LINE 4, STR_OFFSETS 6.
	names := map[uint32]string{1: "info", 3: "abbrev", 4: "line", 6: "str_offsets"}
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

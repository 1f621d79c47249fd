package dwarfinfo

import (
	"debug/dwarf"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/gobpftrace/gobpftrace/stdlib/ptregs"
)

// GCC's clones of a function (foo.isra.0, foo.constprop.0, foo.part.0)
// have symbols of their own and, in DWARF, a concrete subprogram whose
// abstract origin is foo: foo's name, foo's declared parameters. But a
// clone does not take foo's parameters in foo's registers: IPA-SRA passes
// a pointed-to member instead of the pointer, constant propagation drops
// a parameter, and the rest move up. The parameters of a clone are read
// where its DWARF places them at its entry (DW_AT_location: a register,
// or the entry of a location list that covers the clone's first
// address); one that DWARF gives as a constant, as the caller's value
// (DW_OP_GNU_parameter_ref) or not at all cannot be read, and says so.
// Which subprogram describes a symbol is decided by its address, so that
// foo and foo.isra.0 each get their own.

// symbolAddr returns the address of the function symbol name of the
// binary (from .symtab, else .dynsym), read once.
func (f *File) symbolAddr(name string) (uint64, bool) {
	f.symOnce.Do(func() {
		f.syms = map[string]uint64{}
		ef, err := elf.Open(f.Path)
		if err != nil {
			return
		}
		defer ef.Close()
		for _, read := range []func() ([]elf.Symbol, error){ef.Symbols, ef.DynamicSymbols} {
			syms, _ := read()
			for _, s := range syms {
				if elf.ST_TYPE(s.Info) == elf.STT_FUNC && s.Value != 0 {
					if _, dup := f.syms[s.Name]; !dup {
						f.syms[s.Name] = s.Value
					}
				}
			}
		}
	})
	a, ok := f.syms[name]
	return a, ok
}

// cloneOf reports whether symbol name is a GCC clone of the function
// entry e describes: its DWARF name and a suffix (".isra.0").
func (f *File) cloneOf(e *dwarf.Entry, name string) bool {
	names := f.names(e, 0)
	for _, n := range names {
		if n == name {
			return false
		}
	}
	for _, n := range names {
		if strings.HasPrefix(name, n+".") {
			return true
		}
	}
	return false
}

// cloneFunction reads the parameters of clone entry e (of symbol name)
// in the order its abstract origin declares them, each placed where the
// clone's DWARF says it is at its entry.
func (f *File) cloneFunction(e *dwarf.Entry, name string) (*Func, error) {
	fn := &Func{Name: name, Clone: true}
	o, ok := f.origin(e)
	if !ok || !o.Children {
		return fn, nil
	}
	entry, _ := e.Val(dwarf.AttrLowpc).(uint64)
	// The clone's parameters, by the declared parameter they stand for.
	where := map[dwarf.Offset]*dwarf.Entry{}
	r := f.data.Reader()
	r.Seek(e.Offset)
	if _, err := r.Next(); err != nil {
		return nil, err
	}
	for e.Children {
		c, err := r.Next()
		if err != nil || c == nil || c.Tag == 0 {
			break
		}
		if off, ok := c.Val(dwarf.AttrAbstractOrigin).(dwarf.Offset); ok && c.Tag == dwarf.TagFormalParameter {
			where[off] = c
		}
		if c.Children {
			r.SkipChildren()
		}
	}
	r.Seek(o.Offset)
	if _, err := r.Next(); err != nil {
		return nil, err
	}
	for {
		c, err := r.Next()
		if err != nil {
			return nil, fmt.Errorf("could not read the debug information of %s in %s: %v", name, f.Path, err)
		}
		if c == nil || c.Tag == 0 {
			break
		}
		if c.Tag == dwarf.TagFormalParameter {
			p, err := f.param(c)
			if err != nil {
				return nil, err
			}
			if here := where[c.Offset]; here != nil {
				p.Reg, p.Why = f.entryRegister(here, entry)
			} else {
				p.Why = "the clone does not take it (its DWARF does not list it)"
			}
			fn.Params = append(fn.Params, p)
		}
		if c.Children {
			r.SkipChildren()
		}
	}
	return fn, nil
}

// dwarfRegs names the x86-64 DWARF registers 0-15 as pt_regs does.
var dwarfRegs = ptregs.DWARFNames

// entryRegister returns the register that holds parameter e at address
// pc, the entry of its function, or why none does.
func (f *File) entryRegister(e *dwarf.Entry, pc uint64) (reg, why string) {
	if v := e.Val(dwarf.AttrConstValue); v != nil {
		return "", fmt.Sprintf("the clone does not take it: its DWARF gives it as the constant %v", v)
	}
	field := e.AttrField(dwarf.AttrLocation)
	if field == nil {
		return "", "the clone does not take it: its DWARF gives no location for it"
	}
	var expr []byte
	switch v := field.Val.(type) {
	case []byte:
		expr = v
	case int64, uint64:
		var ok bool
		if f.split != nil {
			expr, ok = f.splitLocationAt(field.Val, pc)
		} else {
			expr, ok = f.locationAt(e, field.Val, pc)
		}
		if !ok {
			return "", "its DWARF has no location for it at the clone's entry"
		}
	}
	return exprRegister(expr)
}

// exprRegister reads a location expression that is a register (DW_OP_reg,
// DW_OP_regx) or, at a function's entry, the value a register had there
// (DW_OP_entry_value of one, DW_OP_stack_value).
func exprRegister(expr []byte) (string, string) {
	r := &leb{b: expr}
	op := r.byte()
	n := -1
	switch {
	case op >= 0x50 && op <= 0x6f: // DW_OP_reg0..31
		n = int(op - 0x50)
	case op == 0x90: // DW_OP_regx
		n = int(r.uleb())
	case op == 0xa3 || op == 0xf3: // DW_OP_entry_value, DW_OP_GNU_entry_value
		size := int(r.uleb())
		if inner := r.pos + size; inner <= len(expr) {
			reg, why := exprRegister(expr[r.pos:inner])
			if reg != "" && inner < len(expr) && expr[inner] == 0x9f { // DW_OP_stack_value
				return reg, ""
			}
			if reg != "" {
				why = "its DWARF places it where the register " + reg + " pointed at the entry"
			}
			return "", why
		}
	case op == 0xfa: // DW_OP_GNU_parameter_ref
		return "", "the clone does not take it: its DWARF says it is the caller's value"
	case op == 0xa0 || op == 0xf2: // DW_OP_implicit_pointer, DW_OP_GNU_implicit_pointer
		return "", "the clone does not take it: its DWARF gives it as a pointer to a known value"
	}
	if n < 0 || r.bad || r.pos != len(expr) {
		return "", "its DWARF does not place it in a register at the clone's entry"
	}
	if n >= len(dwarfRegs) {
		return "", "it is in a floating-point or vector register, which a uprobe cannot read"
	}
	return dwarfRegs[n], ""
}

// locationAt returns the expression of parameter e's location list (the
// value of its DW_AT_location, at) that covers pc.
func (f *File) locationAt(e *dwarf.Entry, at any, pc uint64) ([]byte, bool) {
	cu, version := f.unitOf(e.Offset)
	if cu == nil {
		return nil, false
	}
	base, _ := cu.Val(dwarf.AttrLowpc).(uint64)
	if version < 5 {
		off, ok := at.(int64)
		if !ok || off < 0 || off >= int64(len(f.loc)) {
			return nil, false
		}
		return locList4(f.loc[off:], base, pc)
	}
	var off int64
	switch v := at.(type) {
	case int64:
		off = v
	case uint64: // DW_FORM_loclistx: an index into the unit's offsets
		lb, _ := cu.Val(dwarf.AttrLoclistsBase).(int64)
		i := lb + 4*int64(v)
		if lb <= 0 || i+4 > int64(len(f.loclists)) {
			return nil, false
		}
		off = lb + int64(binary.LittleEndian.Uint32(f.loclists[i:]))
	}
	if off < 0 || off >= int64(len(f.loclists)) {
		return nil, false
	}
	var addr []byte
	if ab, ok := cu.Val(dwarf.AttrAddrBase).(int64); ok && ab >= 0 && ab <= int64(len(f.addr)) {
		addr = f.addr[ab:]
	}
	return locList5(f.loclists[off:], base, addr, pc)
}

// unitOf returns the compilation unit that holds the entry at off and
// its DWARF version (from its header).
func (f *File) unitOf(off dwarf.Offset) (*dwarf.Entry, int) {
	var cu *dwarf.Entry
	for _, c := range f.cus {
		if c.Offset <= off && (cu == nil || c.Offset > cu.Offset) {
			cu = c
		}
	}
	if cu == nil {
		return nil, 0
	}
	// A DWARF 5 unit's header is 12 bytes, a DWARF 2-4 one's 11 (32-bit
	// DWARF); the version follows the 4-byte length.
	for _, h := range []int{12, 11} {
		if s := int(cu.Offset) - h; s >= 0 && s+6 <= len(f.info) {
			if v := int(binary.LittleEndian.Uint16(f.info[s+4:])); v >= 2 && v <= 5 && (v == 5) == (h == 12) {
				return cu, v
			}
		}
	}
	return cu, 4
}

// locList4 finds the expression of a DWARF 4 location list (.debug_loc)
// that covers pc.
func locList4(b []byte, base, pc uint64) ([]byte, bool) {
	r := &leb{b: b}
	for r.ok() {
		lo, hi := r.u64(), r.u64()
		switch {
		case lo == 0 && hi == 0:
			return nil, false
		case lo == ^uint64(0):
			base = hi
			continue
		}
		n := int(r.u16())
		if r.bad || r.pos+n > len(b) {
			return nil, false
		}
		if pc >= base+lo && pc < base+hi {
			return b[r.pos : r.pos+n], true
		}
		r.pos += n
	}
	return nil, false
}

// locList5 finds the expression of a DWARF 5 location list
// (.debug_loclists, section 2.6.2) that covers pc; addr holds the unit's
// indexed addresses.
func locList5(b []byte, base uint64, addr []byte, pc uint64) ([]byte, bool) {
	r := &leb{b: b}
	at := func(i uint64) uint64 { return r.indexed(addr, i) }
	for r.ok() {
		var lo, hi uint64
		switch kind := r.byte(); kind {
		case 0: // DW_LLE_end_of_list
			return nil, false
		case 1: // DW_LLE_base_addressx
			base = at(r.uleb())
			continue
		case 2: // DW_LLE_startx_endx
			lo = at(r.uleb())
			hi = at(r.uleb())
		case 3: // DW_LLE_startx_length
			lo = at(r.uleb())
			hi = lo + r.uleb()
		case 4: // DW_LLE_offset_pair
			lo = base + r.uleb()
			hi = base + r.uleb()
		case 5: // DW_LLE_default_location
			lo, hi = 0, ^uint64(0)
		case 6: // DW_LLE_base_address
			base = r.u64()
			continue
		case 7: // DW_LLE_start_end
			lo = r.u64()
			hi = r.u64()
		case 8: // DW_LLE_start_length
			lo = r.u64()
			hi = lo + r.uleb()
		case 9: // DW_LLE_GNU_view_pair: the views of the next entry
			r.uleb()
			r.uleb()
			continue
		default:
			return nil, false
		}
		n := int(r.uleb())
		if expr, found, ok := r.entryExpr(n, lo, hi, pc); !ok || found {
			return expr, found
		}
	}
	return nil, false
}

// Package dwarfinfo reads the DWARF debug information of user-space ELF
// binaries with Go's debug/dwarf: the parameters of a function and their
// types (uprobe `args`, `-lv`), the address of a source line (attaching at
// file:line) and the source line of an address (user stacks with
// show_debug_info). The debug information is the binary's own or that of
// a separate debug file found by build id or .gnu_debuglink, in the
// directories --debuginfo names and /usr/lib/debug.
package dwarfinfo

import (
	"debug/dwarf"
	"debug/elf"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/gobpftrace/gobpftrace/lang"
)

// DefaultDebugDir is where distributions install separate debug files.
const DefaultDebugDir = "/usr/lib/debug"

// NoDebugInfoError says a binary has no DWARF debug information, neither
// its own nor in a separate debug file.
type NoDebugInfoError struct {
	Path string
}

func (e *NoDebugInfoError) Error() string {
	return fmt.Sprintf("%s has no DWARF debug information", e.Path)
}

// File is the debug information of one binary.
type File struct {
	// Path is the binary; DebugPath the file the DWARF was read from (Path
	// itself, or its separate debug file).
	Path, DebugPath string
	// Go reports a binary written by the Go linker, whose functions pass
	// arguments in Go's registers.
	Go bool

	data *dwarf.Data

	once  sync.Once
	funcs map[string]dwarf.Offset // subprogram definitions by name
	// types are the unit-level definitions of named types, by the name
	// a script writes ("struct point", "union u", "enum color", a
	// typedef's name): the first definition found.
	types map[string]dwarf.Offset
	cus   []*dwarf.Entry // compilation units
	err   error

	// info is the .debug_info section (for the unit headers of split
	// DWARF skeletons), addr its .debug_addr.
	info, addr []byte
	// splitFuncs are the functions defined in split DWARF units (.dwo,
	// .dwp), by name, with the File of their unit; splitErr why a unit
	// could not be read.
	splitFuncs map[string]*File
	splitErr   error
	// splitUnits are the split units read, by the offset of their
	// skeleton; split is set in the File of a split unit. ranges is the
	// binary's .debug_ranges (DWARF 4 split units' range lists).
	splitUnits map[dwarf.Offset]*File
	split      *splitUnitInfo
	ranges     []byte
	// loc and loclists are the location lists (DWARF 4, DWARF 5) where
	// the parameters of GCC's clones are; funcAt the subprogram
	// definitions by address; syms the binary's function symbols.
	loc, loclists []byte
	funcAt        map[uint64]dwarf.Offset
	symOnce       sync.Once
	syms          map[string]uint64

	linesMu sync.Mutex
	lines   map[dwarf.Offset][]lineRow // line table rows by unit, read once
}

// Open reads the debug information of the ELF file at path: its own
// .debug_info, or else a separate debug file in dirs (and
// /usr/lib/debug) named by the binary's build id
// (DIR/.build-id/ab/cdef....debug) or by its .gnu_debuglink (DIR/NAME,
// DIR/<binary's directory>/NAME, and NAME or .debug/NAME beside the
// binary).
func Open(path string, dirs []string) (*File, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, fmt.Errorf("could not read %s: %v", path, err)
	}
	defer f.Close()
	goBin := f.Section(".go.buildinfo") != nil || f.Section(".gopclntab") != nil
	if hasDWARF(f) {
		d, err := f.DWARF()
		if err != nil {
			return nil, fmt.Errorf("could not read the DWARF debug information of %s: %v", path, err)
		}
		return newFile(path, path, goBin, d, f), nil
	}
	for _, cand := range debugCandidates(f, path, dirs) {
		df, err := elf.Open(cand)
		if err != nil {
			continue
		}
		if !hasDWARF(df) {
			df.Close()
			continue
		}
		d, err := df.DWARF()
		if err != nil {
			df.Close()
			return nil, fmt.Errorf("could not read the DWARF debug information of %s in %s: %v", path, cand, err)
		}
		file := newFile(path, cand, goBin, d, df)
		df.Close()
		return file, nil
	}
	return nil, &NoDebugInfoError{Path: path}
}

// newFile is the debug information d of binary path, read from debug
// file ef (at debugPath), with the sections debug/dwarf does not keep.
func newFile(path, debugPath string, goBin bool, d *dwarf.Data, ef *elf.File) *File {
	return &File{Path: path, DebugPath: debugPath, Go: goBin, data: d,
		info: sectionData(ef, ".debug_info"), addr: sectionData(ef, ".debug_addr"), ranges: sectionData(ef, ".debug_ranges"),
		loc: sectionData(ef, ".debug_loc"), loclists: sectionData(ef, ".debug_loclists")}
}

// sectionData returns the contents of section name of f (nil if none,
// or compressed: split DWARF skeletons are not).
func sectionData(f *elf.File, name string) []byte {
	s := f.Section(name)
	if s == nil || s.Type == elf.SHT_NOBITS || s.Flags&elf.SHF_COMPRESSED != 0 {
		return nil
	}
	b, err := s.Data()
	if err != nil {
		return nil
	}
	return b
}

func hasDWARF(f *elf.File) bool {
	for _, name := range []string{".debug_info", ".zdebug_info"} {
		if s := f.Section(name); s != nil && s.Type != elf.SHT_NOBITS && s.Size > 0 {
			return true
		}
	}
	return false
}

// debugCandidates lists where a separate debug file of f may be.
func debugCandidates(f *elf.File, path string, dirs []string) []string {
	dirs = append(append([]string(nil), dirs...), DefaultDebugDir)
	var out []string
	if id := BuildID(f); len(id) > 1 {
		h := hex.EncodeToString(id)
		for _, d := range dirs {
			out = append(out, filepath.Join(d, ".build-id", h[:2], h[2:]+".debug"))
		}
	}
	if name := debugLink(f); name != "" {
		abs, err := filepath.Abs(path)
		if err != nil {
			abs = path
		}
		binDir := filepath.Dir(abs)
		for _, d := range dirs {
			out = append(out, filepath.Join(d, name), filepath.Join(d, binDir, name))
		}
		out = append(out, filepath.Join(binDir, ".debug", name))
		if name != filepath.Base(abs) {
			out = append(out, filepath.Join(binDir, name))
		}
	}
	return out
}

// BuildID returns the GNU build id note of f (nil if none): the name of f's
// separate debug file under .build-id/. runtime/symbols uses it too.
func BuildID(f *elf.File) []byte {
	for _, s := range f.Sections {
		if s.Type != elf.SHT_NOTE {
			continue
		}
		data, err := s.Data()
		if err != nil {
			continue
		}
		for len(data) >= 12 {
			nameSz := f.ByteOrder.Uint32(data[0:])
			descSz := f.ByteOrder.Uint32(data[4:])
			typ := f.ByteOrder.Uint32(data[8:])
			data = data[12:]
			nameEnd := int(align4(nameSz))
			descEnd := nameEnd + int(align4(descSz))
			if nameEnd > len(data) || descEnd > len(data) {
				break
			}
			name := strings.TrimRight(string(data[:nameSz]), "\x00")
			if name == "GNU" && typ == 3 { // NT_GNU_BUILD_ID
				return append([]byte(nil), data[nameEnd:nameEnd+int(descSz)]...)
			}
			data = data[descEnd:]
		}
	}
	return nil
}

func align4(n uint32) uint32 { return (n + 3) &^ 3 }

// debugLink returns the file name of f's .gnu_debuglink ("" if none).
func debugLink(f *elf.File) string {
	s := f.Section(".gnu_debuglink")
	if s == nil {
		return ""
	}
	data, err := s.Data()
	if err != nil {
		return ""
	}
	if i := strings.IndexByte(string(data), 0); i > 0 {
		return filepath.Base(string(data[:i]))
	}
	return ""
}

// index lists the compilation units and the functions defined in them
// once.
func (f *File) index() error {
	f.once.Do(func() {
		f.funcs = map[string]dwarf.Offset{}
		f.types = map[string]dwarf.Offset{}
		r := f.data.Reader()
		for {
			e, err := r.Next()
			if err != nil {
				f.err = fmt.Errorf("could not read the DWARF debug information of %s: %v", f.Path, err)
				return
			}
			if e == nil {
				return
			}
			switch e.Tag {
			case dwarf.TagCompileUnit, dwarf.TagPartialUnit, dwarf.TagNamespace, 0:
				// Functions are children of units (and of C++
				// namespaces): look inside.
				if e.Tag != dwarf.TagNamespace && e.Tag != 0 {
					f.cus = append(f.cus, e)
				}
				if e.Tag == dwarf.TagCompileUnit && f.split == nil && stringAttr(e, attrGNUDwoName) != "" {
					// A DWARF 4 skeleton (GNU split DWARF).
					f.openSplit(e, f.addr)
				}
				continue
			case dwarf.TagSkeletonUnit:
				f.cus = append(f.cus, e)
				f.openSplit(e, f.addr)
			case dwarf.TagSubprogram:
				f.addFunc(e)
			case dwarf.TagStructType, dwarf.TagClassType, dwarf.TagUnionType, dwarf.TagEnumerationType, dwarf.TagTypedef:
				f.addType(e)
			}
			if e.Children {
				r.SkipChildren()
			}
		}
	})
	return f.err
}

// addType records a named type's definition (not a declaration) under
// the name a script writes for it.
func (f *File) addType(e *dwarf.Entry) {
	name := stringAttr(e, dwarf.AttrName)
	if name == "" || e.Val(dwarf.AttrDeclaration) == true {
		return
	}
	switch e.Tag {
	case dwarf.TagStructType, dwarf.TagClassType:
		name = "struct " + name
	case dwarf.TagUnionType:
		name = "union " + name
	case dwarf.TagEnumerationType:
		name = "enum " + name
	}
	if _, dup := f.types[name]; !dup {
		f.types[name] = e.Offset
	}
}

// NamedType returns the type a script names ("struct point", "union u",
// "enum color", a typedef's name) as the binary's DWARF defines it, for
// casts and declarations in a uprobe of the binary (`(struct point
// *)arg0`), as bpftrace reads them; found is false when no unit defines
// it. The types of a Go binary are not looked up (a script cannot write
// their names).
func (f *File) NamedType(name string) (t *lang.Type, found bool, err error) {
	if f.Go {
		return nil, false, nil
	}
	if err := f.index(); err != nil {
		return nil, false, err
	}
	off, ok := f.types[name]
	if !ok {
		return nil, false, nil
	}
	dt, err := f.data.Type(off)
	if err != nil {
		return nil, false, fmt.Errorf("could not read the DWARF type %s of %s: %v", name, f.Path, err)
	}
	t, ok = Convert(dt)
	return t, ok, nil
}

// addFunc records a function definition (one with code) by its name and
// its linkage name.
func (f *File) addFunc(e *dwarf.Entry) {
	if e.Val(dwarf.AttrLowpc) == nil && e.Val(dwarf.AttrRanges) == nil {
		return
	}
	if low, ok := e.Val(dwarf.AttrLowpc).(uint64); ok {
		if f.funcAt == nil {
			f.funcAt = map[uint64]dwarf.Offset{}
		}
		if _, dup := f.funcAt[low]; !dup {
			f.funcAt[low] = e.Offset
		}
	}
	for _, n := range f.names(e, 0) {
		if _, dup := f.funcs[n]; !dup {
			f.funcs[n] = e.Offset
		}
	}
}

// names returns a subprogram's name and linkage name, following
// DW_AT_abstract_origin and DW_AT_specification.
func (f *File) names(e *dwarf.Entry, depth int) []string {
	var out []string
	for _, a := range []dwarf.Attr{dwarf.AttrName, dwarf.AttrLinkageName} {
		if s, ok := e.Val(a).(string); ok && s != "" {
			out = append(out, s)
		}
	}
	if len(out) > 0 || depth > 4 {
		return out
	}
	if o, ok := f.origin(e); ok {
		return f.names(o, depth+1)
	}
	return nil
}

// origin returns the entry e's DW_AT_abstract_origin or
// DW_AT_specification refers to.
func (f *File) origin(e *dwarf.Entry) (*dwarf.Entry, bool) {
	for _, a := range []dwarf.Attr{dwarf.AttrAbstractOrigin, dwarf.AttrSpecification} {
		if off, ok := e.Val(a).(dwarf.Offset); ok {
			r := f.data.Reader()
			r.Seek(off)
			if o, err := r.Next(); err == nil && o != nil {
				return o, true
			}
		}
	}
	return nil, false
}

// Param is a parameter of a function.
type Param struct {
	Name string
	Type dwarf.Type
	// Reg is the register that holds a parameter of a GCC clone at its
	// entry ("" when none does: Why says why).
	Reg, Why string
}

// Func is a function's entry in the debug information. Clone marks one of
// GCC's clones (foo.isra.0), whose parameters are where its DWARF places
// them (Param.Reg), not where the calling convention would.
type Func struct {
	Name   string
	Params []Param
	Clone  bool
}

// FunctionNames returns the names of the functions the debug information
// defines, sorted.
func (f *File) FunctionNames() ([]string, error) {
	if err := f.index(); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(f.funcs)+len(f.splitFuncs))
	for n := range f.funcs {
		out = append(out, n)
	}
	for n := range f.splitFuncs {
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}

// ErrNoFunction says the debug information does not describe a function.
var ErrNoFunction = errors.New("no such function in the debug information")

// Function returns the parameters of function name (a Go function's
// results, which its DWARF lists as parameters too, are left out).
func (f *File) Function(name string) (*Func, error) {
	if err := f.index(); err != nil {
		return nil, err
	}
	addr, hasAddr := f.symbolAddr(name)
	return f.function(name, addr, hasAddr)
}

// function reads the function of symbol name at addr (when hasAddr): the
// subprogram at that address, else the one of that name.
func (f *File) function(name string, addr uint64, hasAddr bool) (*Func, error) {
	off, ok := f.funcs[name]
	if at, found := f.funcAt[addr]; hasAddr && found {
		off, ok = at, true
	}
	if !ok {
		for _, sub := range f.splitUnits {
			if _, found := sub.funcAt[addr]; hasAddr && found {
				return sub.function(name, addr, true)
			}
		}
		if sub := f.splitFuncs[name]; sub != nil {
			return sub.function(name, addr, false)
		}
		if f.splitErr != nil {
			return nil, fmt.Errorf("%s is not in the debug information of %s: %v", name, f.Path, f.splitErr)
		}
		return nil, fmt.Errorf("%s: %w", name, ErrNoFunction)
	}
	r := f.data.Reader()
	r.Seek(off)
	e, err := r.Next()
	if err != nil || e == nil {
		return nil, fmt.Errorf("could not read the debug information of %s in %s: %v", name, f.Path, err)
	}
	if f.cloneOf(e, name) {
		return f.cloneFunction(e, name)
	}
	fn := &Func{Name: name}
	if !e.Children {
		// An out-of-line copy without its own children: the abstract
		// instance lists the parameters.
		if o, ok := f.origin(e); ok && o.Children {
			r.Seek(o.Offset)
			if _, err := r.Next(); err != nil {
				return fn, nil
			}
		} else {
			return fn, nil
		}
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
			if vp, _ := c.Val(dwarf.AttrVarParam).(bool); vp && f.Go {
				// A Go function's result.
			} else if p, err := f.param(c); err == nil {
				fn.Params = append(fn.Params, p)
			} else {
				return nil, err
			}
		}
		if c.Children {
			r.SkipChildren()
		}
	}
	return fn, nil
}

// param reads a formal parameter, from its abstract origin where it has
// one.
func (f *File) param(e *dwarf.Entry) (Param, error) {
	name, _ := e.Val(dwarf.AttrName).(string)
	toff, ok := e.Val(dwarf.AttrType).(dwarf.Offset)
	if o, has := f.origin(e); has && (!ok || name == "") {
		if name == "" {
			name, _ = o.Val(dwarf.AttrName).(string)
		}
		if !ok {
			toff, ok = o.Val(dwarf.AttrType).(dwarf.Offset)
		}
	}
	if !ok {
		return Param{Name: name, Type: &dwarf.UnspecifiedType{}}, nil
	}
	t, err := f.data.Type(toff)
	if err != nil {
		return Param{}, fmt.Errorf("could not read the type of parameter %s in %s: %v", name, f.Path, err)
	}
	return Param{Name: name, Type: t}, nil
}

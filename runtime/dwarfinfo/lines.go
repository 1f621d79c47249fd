package dwarfinfo

import (
	"debug/dwarf"
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// LineAddress returns the address of the first statement of line of
// source file (a path or its last components: "prog.c", "src/prog.c"),
// as bpftrace maps a source location: the compilation unit whose source
// file ends with file, its first line-table row for that line.
func (f *File) LineAddress(file string, line int) (uint64, error) {
	if err := f.index(); err != nil {
		return 0, err
	}
	var unit *dwarf.Entry
	var source string
	for _, cu := range f.cus {
		lr, err := f.data.LineReader(cu)
		if err != nil || lr == nil {
			continue
		}
		for _, lf := range lr.Files() {
			if lf == nil || !pathEndsWith(lf.Name, file) {
				continue
			}
			if unit == nil {
				unit, source = cu, lf.Name
			} else if lf.Name != source {
				return 0, fmt.Errorf("Ambiguous source path, matches multiple files: %s, %s", source, lf.Name)
			}
		}
	}
	if unit == nil {
		return 0, fmt.Errorf("No compilation unit matches %s", file)
	}
	lr, _ := f.data.LineReader(unit)
	var e dwarf.LineEntry
	for {
		if err := lr.Next(&e); err != nil {
			if err == io.EOF {
				break
			}
			return 0, fmt.Errorf("could not read the line table of %s: %v", f.Path, err)
		}
		if e.File != nil && e.File.Name == source && e.Line == line && e.IsStmt && !e.EndSequence {
			return e.Address, nil
		}
	}
	return 0, fmt.Errorf("Unable to map '%s:%d' to address", file, line)
}

// pathEndsWith reports whether path ends with the path components of
// suffix.
func pathEndsWith(path, suffix string) bool {
	path, suffix = filepath.Clean(path), filepath.Clean(suffix)
	if path == suffix {
		return true
	}
	return strings.HasSuffix(path, "/"+strings.TrimPrefix(suffix, "./"))
}

// SourceLine returns the source file and line of the instruction at the
// virtual address addr (ok false when the line tables do not cover it).
func (f *File) SourceLine(addr uint64) (file string, line int, ok bool) {
	if f.index() != nil {
		return "", 0, false
	}
	for _, cu := range f.cus {
		ranges, err := f.data.Ranges(cu)
		if err != nil {
			continue
		}
		in := false
		for _, r := range ranges {
			if addr >= r[0] && addr < r[1] {
				in = true
				break
			}
		}
		if !in {
			continue
		}
		lr, err := f.data.LineReader(cu)
		if err != nil || lr == nil {
			continue
		}
		var e dwarf.LineEntry
		if err := lr.SeekPC(addr, &e); err != nil || e.File == nil {
			continue
		}
		name := e.File.Name
		if dir, _ := cu.Val(dwarf.AttrCompDir).(string); dir != "" && !strings.HasPrefix(name, "/") {
			// Relative to the compilation directory, which bpftrace
			// (blazesym) shows joined as it is: dir/file.
			name = dir + "/" + name
		}
		return name, e.Line, true
	}
	return "", 0, false
}

package dwarfinfo

import (
	"debug/dwarf"
	"fmt"
	"io"
	"path/filepath"
	"sort"
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
	cu, lr := f.unitAt(addr)
	if cu == nil {
		return "", 0, false
	}
	row, ok := f.lineAt(cu, lr, addr)
	return row.file, row.line, ok
}

// lineRow is a row of a line table: the source line of the code from
// addr on (end: addr is past the end of a sequence).
type lineRow struct {
	addr uint64
	file string
	line int
	end  bool
}

// lineAt returns the row of unit cu's line table that covers addr: the
// last row at the highest address not above addr, as addr2line reads it
// (rows at one address are several views of it; the last one is where
// the code is). The rows are read once per unit and kept in address
// order: the table's sequences (.text, .text.startup...) need not be,
// which LineReader.SeekPC expects.
func (f *File) lineAt(cu *dwarf.Entry, lr *dwarf.LineReader, addr uint64) (lineRow, bool) {
	f.linesMu.Lock()
	rows, ok := f.lines[cu.Offset]
	if !ok {
		rows = readLineRows(cu, lr)
		if f.lines == nil {
			f.lines = map[dwarf.Offset][]lineRow{}
		}
		f.lines[cu.Offset] = rows
	}
	f.linesMu.Unlock()
	i := sort.Search(len(rows), func(i int) bool { return rows[i].addr > addr }) - 1
	// An end of a sequence at the address another one starts at: the
	// other one's row covers it.
	for i > 0 && rows[i].end && rows[i-1].addr == rows[i].addr {
		i--
	}
	if i < 0 || rows[i].end || rows[i].file == "" {
		return lineRow{}, false
	}
	return rows[i], true
}

// readLineRows reads the rows of a line table, sorted by address (rows at
// one address keep their order).
func readLineRows(cu *dwarf.Entry, lr *dwarf.LineReader) []lineRow {
	lr.Reset()
	var rows []lineRow
	var e dwarf.LineEntry
	for lr.Next(&e) == nil {
		row := lineRow{addr: e.Address, line: e.Line, end: e.EndSequence}
		if e.File != nil {
			row.file = sourcePath(cu, e.File.Name)
		}
		rows = append(rows, row)
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].addr < rows[j].addr })
	return rows
}

// unitAt returns the compilation unit whose ranges hold addr and its line
// table (nil when none does).
func (f *File) unitAt(addr uint64) (*dwarf.Entry, *dwarf.LineReader) {
	if f.index() != nil {
		return nil, nil
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
		return cu, lr
	}
	return nil, nil
}

// sourcePath is a file name of unit cu's line table as a stack shows it.
func sourcePath(cu *dwarf.Entry, name string) string {
	if dir, _ := cu.Val(dwarf.AttrCompDir).(string); dir != "" && !strings.HasPrefix(name, "/") {
		// Relative to the compilation directory, which bpftrace
		// (blazesym) shows joined as it is: dir/file.
		name = dir + "/" + name
	}
	return name
}

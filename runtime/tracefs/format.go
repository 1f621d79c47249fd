package tracefs

import (
	"fmt"
	"strconv"
	"strings"
)

// Format is a parsed tracepoint format file
// (<tracefs>/events/<category>/<event>/format).
type Format struct {
	Name   string
	ID     uint32
	Fields []FormatField
}

// FormatField is one `field:` line of a format file.
type FormatField struct {
	// Decl is the declaration as written: "const char * filename".
	Decl string
	// CType is the declaration without the name and array suffix:
	// "const char *", "unsigned long" (for "unsigned long args[6]"),
	// "char" (for "__data_loc char[] name").
	CType string
	Name  string
	// ArrayLen is the declared array length; -1 when the field is not an
	// array, 0 for a flexible array such as __data_loc char[].
	ArrayLen int
	// DataLoc marks `__data_loc T[] name`: the record holds a u32 whose low
	// 16 bits are the data's offset in the record, high 16 bits its length.
	DataLoc bool
	Offset  int
	Size    int
	Signed  bool
}

// Common reports whether the field is one of the common_* header fields
// that every tracepoint has.
func (f *FormatField) Common() bool { return strings.HasPrefix(f.Name, "common_") }

// ParseFormat parses the text of a tracepoint format file.
func ParseFormat(text string) (*Format, error) {
	f := &Format{}
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "name:"):
			f.Name = strings.TrimSpace(strings.TrimPrefix(line, "name:"))
		case strings.HasPrefix(line, "ID:"):
			id, err := strconv.ParseUint(strings.TrimSpace(strings.TrimPrefix(line, "ID:")), 10, 32)
			if err != nil {
				return nil, fmt.Errorf("line %d: bad ID: %q", n+1, line)
			}
			f.ID = uint32(id)
		case strings.HasPrefix(line, "field:"):
			field, err := parseFieldLine(line)
			if err != nil {
				return nil, fmt.Errorf("line %d: %v", n+1, err)
			}
			f.Fields = append(f.Fields, field)
		case strings.HasPrefix(line, "print fmt:"):
			return f, nil
		}
	}
	return f, nil
}

// parseFieldLine parses
// "field:unsigned long args[6];	offset:16;	size:48;	signed:0;".
func parseFieldLine(line string) (FormatField, error) {
	var f FormatField
	seen := 0
	for _, part := range strings.Split(line, ";") {
		part = strings.TrimSpace(part)
		key, val, ok := strings.Cut(part, ":")
		if !ok {
			continue
		}
		var err error
		switch key {
		case "field":
			f.Decl = strings.TrimSpace(val)
			err = parseDecl(&f)
			seen |= 1
		case "offset":
			f.Offset, err = strconv.Atoi(val)
			seen |= 2
		case "size":
			f.Size, err = strconv.Atoi(val)
			seen |= 4
		case "signed":
			f.Signed = val == "1"
		}
		if err != nil {
			return f, fmt.Errorf("bad field %q: %v", line, err)
		}
	}
	if seen != 7 {
		return f, fmt.Errorf("bad field %q", line)
	}
	return f, nil
}

// parseDecl splits f.Decl into type, name and array length.
func parseDecl(f *FormatField) error {
	decl := f.Decl
	f.ArrayLen = -1
	if rest, ok := strings.CutPrefix(decl, "__data_loc "); ok {
		f.DataLoc = true
		decl = rest
	} else if rest, ok := strings.CutPrefix(decl, "__rel_loc "); ok {
		// __rel_loc is relative to the field's end; treat it as a plain u32.
		decl = rest
	}
	// The name is the trailing identifier, possibly followed by [N].
	nameEnd := len(decl)
	if strings.HasSuffix(decl, "]") {
		open := strings.LastIndexByte(decl, '[')
		if open < 0 {
			return fmt.Errorf("unbalanced ]")
		}
		f.ArrayLen = arrayLen(decl[open+1 : len(decl)-1])
		nameEnd = open
	}
	start := nameEnd
	for start > 0 && isIdentByte(decl[start-1]) {
		start--
	}
	if start == nameEnd {
		return fmt.Errorf("no field name")
	}
	f.Name = decl[start:nameEnd]
	ctype := strings.TrimSpace(decl[:start])
	// `__data_loc char[] name`: the brackets belong to the type.
	if strings.HasSuffix(ctype, "]") {
		if open := strings.LastIndexByte(ctype, '['); open >= 0 {
			f.ArrayLen = arrayLen(ctype[open+1 : len(ctype)-1])
			ctype = strings.TrimSpace(ctype[:open])
		}
	}
	if ctype == "" {
		return fmt.Errorf("no field type")
	}
	f.CType = ctype
	return nil
}

// arrayLen parses an array length; a symbolic or empty length gives 0 (the
// caller derives it from the size).
func arrayLen(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

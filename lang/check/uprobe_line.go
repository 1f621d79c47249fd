package check

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// sourceLine splits a uprobe attach point at a source line: bpftrace's
// uprobe:BINARY@FILE:LINE, or uprobe:BINARY:FILE:LINE (a file name with
// a dot, such as prog.c). ok is false for other attach points.
func sourceLine(parts []string) (bin, file string, line int, ok bool) {
	var lineText string
	switch {
	case len(parts) == 2 && strings.Contains(parts[0], "@"):
		i := strings.LastIndexByte(parts[0], '@')
		bin, file, lineText = parts[0][:i], parts[0][i+1:], parts[1]
	case len(parts) == 3 && strings.Contains(parts[1], "."):
		bin, file, lineText = parts[0], parts[1], parts[2]
	default:
		return "", "", 0, false
	}
	n, err := strconv.Atoi(lineText)
	if err != nil || n <= 0 || bin == "" || file == "" {
		return "", "", 0, false
	}
	return bin, file, n, true
}

// resolveSourceLine resolves a uprobe at a source line to the address of
// the line's first statement, from the binary's DWARF line table; handled
// is false for other attach points.
func (c *checker) resolveSourceLine(ap *lang.AttachPoint, parts []string) (out []*lang.Resolved, handled bool) {
	target, file, line, ok := sourceLine(parts)
	if !ok {
		return nil, false
	}
	prov := probetype.Type(ap.Provider)
	if prov != probetype.Uprobe {
		c.errorf(ap.Span, "%s cannot attach at a source line: use uprobe:%s@%s:%d", prov, target, file, line)
		return nil, true
	}
	ue := c.userEnvOrError(ap)
	if ue == nil {
		return nil, true
	}
	if hasWildcard(target) {
		c.errorf(ap.Span, "uprobe: a source line needs one binary, not a wildcard (%s)", target)
		return nil, true
	}
	bin, ok := c.findBinary(ap, ue, target)
	if !ok {
		return nil, true
	}
	de := c.dwarfEnv()
	if de == nil {
		c.errorf(ap.Span, "uprobe: source lines are unknown here (no debug information reader)")
		return nil, true
	}
	addr, err := de.SourceLineAddress(bin, file, line)
	if err != nil {
		c.errorf(ap.Span, "%v", err)
		if strings.Contains(err.Error(), "no DWARF debug information") {
			c.hintf("build %s with -g, or give the directory of its separate debug file with --debuginfo DIR", bin)
		}
		return nil, true
	}
	off, err := ue.FileOffset(bin, addr)
	if err != nil {
		c.errorf(ap.Span, "%v", err)
		return nil, true
	}
	fn, ok := c.functionAt(ap, bin, addr)
	if !ok {
		return nil, true
	}
	return []*lang.Resolved{{Point: ap, Provider: prov, Name: fmt.Sprintf("%s:%s@%s:%d", prov, bin, file, line),
		Binary: bin, Address: addr, FileOffset: off, Func: fn}}, true
}

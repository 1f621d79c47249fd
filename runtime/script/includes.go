package script

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/parser"
)

// C headers: bpftrace v0.26 hands a script's #include lines to clang,
// with -I DIR adding search directories and --include FILE adding
// #include <FILE> before the script's own. gobpftrace takes kernel types
// from BTF, so a header that describes the kernel (found among the
// system's headers, or named linux/..., net/... and so on) needs nothing;
// a header of the user's, found next to the script or in a -I directory,
// gives the script its #define constants and its struct, union, enum and
// typedef definitions, as if written at the #include line. A header found
// nowhere is an error, as in bpftrace.

// systemIncludeDirs are searched after the -I directories; what is found
// there describes the system, whose types come from BTF.
var systemIncludeDirs = []string{"/usr/local/include", "/usr/include/x86_64-linux-gnu", "/usr/include"}

// kernelHeaderDirs are the first components of kernel header paths:
// such a header is known through BTF even when no file is installed.
var kernelHeaderDirs = []string{"linux", "asm", "asm-generic", "uapi", "net", "trace", "generated", "crypto", "keys", "scsi", "sound", "video", "xen", "rdma", "vdso", "clocksource", "drm", "kvm", "media", "misc", "pcmcia", "ras", "soc", "target"}

// maxIncludeDepth bounds headers including headers.
const maxIncludeDepth = 16

type includer struct {
	dirs   []string
	file   string // the script's, for messages
	source string
	seen   map[string]bool
	defs   []*lang.Directive
	cdefs  []*lang.CDefinition
}

// resolveIncludes reads the user headers prog includes (and those of
// --include, first) and adds their definitions to prog, placed at the
// #include line that brought them in.
func resolveIncludes(prog *lang.Program, file, source string, dirs, forced []string) error {
	inc := &includer{dirs: dirs, file: file, source: source, seen: map[string]bool{}}
	scriptDir := ""
	if file != "" && file != "stdin" && file != "-" {
		scriptDir = filepath.Dir(file)
	}
	var top, forcedDirs []*lang.Directive
	for _, f := range forced {
		d := &lang.Directive{Name: "include", Text: "<" + f + ">"}
		top = append(top, d)
		forcedDirs = append(forcedDirs, d)
	}
	top = append(top, prog.Directives...)
	for _, d := range top {
		if d == nil || d.Name != "include" {
			continue
		}
		if err := inc.include(d, d.Span, scriptDir, 0); err != nil {
			return err
		}
	}
	// A forced include stays an #include of the program, so that the
	// checker gives the script the constants it knows for system headers
	// (--include errno.h: EPERM).
	prog.Directives = append(forcedDirs, prog.Directives...)
	if len(inc.defs) == 0 && len(inc.cdefs) == 0 {
		return nil
	}
	prog.Directives = append(inc.defs, prog.Directives...)
	prog.CDefs = append(inc.cdefs, prog.CDefs...)
	return nil
}

// include resolves one #include; at is where its definitions are placed
// (the script's #include line), from the directory of the file holding
// it.
func (inc *includer) include(d *lang.Directive, at lang.Span, from string, depth int) error {
	text := strings.TrimSpace(d.Text)
	quoted := strings.HasPrefix(text, "\"")
	name := strings.Trim(text, "<>\" \t")
	if name == "" {
		return inc.errorf(at, "#include needs a file name", "write #include <file.h> or #include \"file.h\"")
	}
	path, user := inc.find(name, quoted, from)
	switch {
	case path == "" && kernelHeader(name):
		return nil
	case path == "":
		return inc.errorf(at, fmt.Sprintf("'%s' file not found", name), "add the directory that holds it with -I DIR")
	case !user:
		return nil // a system header: its types come from BTF
	}
	if inc.seen[path] {
		return nil // included once, as with include guards
	}
	inc.seen[path] = true
	if depth >= maxIncludeDepth {
		return inc.errorf(at, fmt.Sprintf("#include nested too deeply (%d levels) at '%s'", depth, name), "")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return inc.errorf(at, fmt.Sprintf("could not read '%s': %v", path, err), "")
	}
	hdr, err := parser.Parse(path, string(data))
	if err != nil {
		return compileError(err)
	}
	if len(hdr.Probes) > 0 || len(hdr.Macros) > 0 {
		return inc.errorf(at, fmt.Sprintf("'%s' is not a C header: it has probes or macros", name), "bpftrace scripts are brought in with import, not #include")
	}
	for _, sub := range hdr.Directives {
		if sub == nil {
			continue
		}
		switch sub.Name {
		case "include":
			if err := inc.include(sub, at, filepath.Dir(path), depth+1); err != nil {
				return err
			}
		case "define":
			sub.Span = at
			inc.defs = append(inc.defs, sub)
		}
	}
	for _, c := range hdr.CDefs {
		c.Span = at
		inc.cdefs = append(inc.cdefs, c)
	}
	return nil
}

// find looks a header up: "name" first in from (the including file's
// directory), then in the -I directories, then the system's; <name> in
// the -I directories, then the system's. user reports a header found
// outside the system directories.
func (inc *includer) find(name string, quoted bool, from string) (path string, user bool) {
	if filepath.IsAbs(name) {
		if isFile(name) {
			return name, !underAny(name, systemIncludeDirs)
		}
		return "", false
	}
	var dirs []string
	if quoted && from != "" {
		dirs = append(dirs, from)
	} else if quoted {
		dirs = append(dirs, ".")
	}
	dirs = append(dirs, inc.dirs...)
	for _, d := range dirs {
		if p := filepath.Join(d, name); isFile(p) {
			return p, true
		}
	}
	for _, d := range systemIncludeDirs {
		if p := filepath.Join(d, name); isFile(p) {
			return p, false
		}
	}
	return "", false
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

func underAny(p string, dirs []string) bool {
	for _, d := range dirs {
		if strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	return false
}

// kernelHeader reports whether name is a kernel header path (linux/...,
// net/...), whose types BTF has.
func kernelHeader(name string) bool {
	first, _, ok := strings.Cut(name, "/")
	if !ok {
		return false
	}
	for _, d := range kernelHeaderDirs {
		if first == d {
			return true
		}
	}
	return false
}

func (inc *includer) errorf(at lang.Span, msg, hint string) error {
	d := lang.Errorf(at, "%s", msg)
	d.Hint = hint
	if at.Start.Line == 0 {
		d.Global = true // from --include: no place in the script
	}
	return compileError(&lang.Diagnostics{File: inc.file, Source: inc.source, List: []*lang.Diagnostic{d}})
}

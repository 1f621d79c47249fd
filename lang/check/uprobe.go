package check

import (
	"fmt"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// User-space probes: uprobe/uretprobe (binary:function[+offset] or
// binary:address) and usdt (binary:[provider:]name).

func (c *checker) userEnvOrError(ap *lang.AttachPoint) lang.UserEnv {
	ue := c.userEnv()
	if ue == nil {
		c.errorf(ap.Span, "%s probes are unknown here (no system information)", ap.Provider)
	}
	return ue
}

func (c *checker) findBinary(ap *lang.AttachPoint, ue lang.UserEnv, target string) (string, bool) {
	bin, err := ue.FindBinary(target, c.opts.TargetPID)
	if err != nil {
		// bpftrace: "usdt target file 'x' does not exist or is not executable".
		c.errorf(ap.Span, "%s %v", ap.Provider, err)
		return "", false
	}
	// A program name found in several places is taken from the first, as
	// the shell would run it; bpftrace says which one.
	be, ok := ue.(lang.BinaryMatchEnv)
	if p := probetype.Type(ap.Provider); ok && (p == probetype.Uprobe || p == probetype.Uretprobe) && !strings.Contains(target, "/") {
		if n, among := be.BinaryMatches(target, bin, c.opts.TargetPID); n > 1 && among {
			c.warnf(ap.Span, "attaching to uprobe target file '%s' but matched %d binaries", bin, n)
		}
	}
	return bin, true
}

func (c *checker) resolveUprobe(ap *lang.AttachPoint, parts []string) []*lang.Resolved {
	if out, ok := c.resolveSourceLine(ap, parts); ok {
		return out
	}
	prov := probetype.Type(ap.Provider)
	if len(parts) == 3 && (parts[1] == "cpp" || parts[1] == "c") {
		c.errorf(ap.Span, "%s: language-qualified function names are not supported yet", prov)
		return nil
	}
	if len(parts) != 2 || parts[0] == "" || parts[1] == "" {
		c.errorf(ap.Span, "%s probe type requires 2 arguments", prov)
		c.hintf("write %s:binary:function, %s:binary:function+offset or %s:binary:address, e.g. %s:libc:malloc", prov, prov, prov, prov)
		return nil
	}
	ue := c.userEnvOrError(ap)
	if ue == nil {
		return nil
	}
	if hasWildcard(parts[0]) {
		return c.resolveUprobeFiles(ap, ue, parts)
	}
	bin, ok := c.findBinary(ap, ue, parts[0])
	if !ok {
		return nil
	}
	// Probe names show a path as written (uprobe:./prog:f, probe and -l
	// print it so in bpftrace); a program or library name becomes the
	// path it resolved to.
	shown := displayPath(parts[0], bin)
	target := parts[1]
	if target[0] >= '0' && target[0] <= '9' {
		addr, err := strconv.ParseUint(target, 0, 64)
		if err != nil {
			c.errorf(ap.Span, "%s: invalid address '%s'", prov, target)
			return nil
		}
		off, err := ue.FileOffset(bin, addr)
		if err != nil {
			c.errorf(ap.Span, "%v", err)
			return nil
		}
		fn, ok := c.functionAt(ap, bin, addr)
		if !ok {
			return nil
		}
		if fn != "" {
			if fe, ok := c.userEnv().(lang.UserFuncEnv); ok {
				if _, off, _ := fe.FunctionAt(bin, addr); off != 0 && !c.checkInstructionStart(ap, fe, bin, fn, off) {
					return nil
				}
			}
		}
		return []*lang.Resolved{{Point: ap, Provider: prov, Name: fmt.Sprintf("%s:%s:%s", prov, shown, target),
			Binary: bin, Address: addr, FileOffset: off, Func: fn}}
	}
	sym, offText, hasOff := strings.Cut(target, "+")
	var offset uint64
	if hasOff {
		if prov == probetype.Uretprobe {
			c.errorf(ap.Span, "uretprobe can not have an offset")
			return nil
		}
		n, err := strconv.ParseUint(offText, 0, 64)
		if err != nil {
			c.errorf(ap.Span, "%s: invalid offset '%s'", prov, offText)
			return nil
		}
		if hasWildcard(sym) {
			c.errorf(ap.Span, "%s: an offset can not follow a wildcard", prov)
			return nil
		}
		offset = n
	}
	syms, err := ue.MatchFunctions(bin, sym)
	if err != nil {
		c.errorf(ap.Span, "%v", err)
		return nil
	}
	if len(syms) == 0 {
		if hasWildcard(sym) {
			// A wildcard that matches nothing is dropped, as in
			// bpftrace v0.26 (see resolveTracepoint).
			return nil
		}
		msg := fmt.Sprintf("Could not resolve symbol: %s:%s", shown, sym)
		// config missing_probes = warn or ignore: the attach point is
		// left out (tools list the libraries a function may live in).
		switch c.out.Config.MissingProbes {
		case "ignore":
		case "warn":
			c.warnf(ap.Span, "%s (skipped: missing_probes = warn)", msg)
		default:
			c.errorf(ap.Span, "%s", msg)
		}
		return nil
	}
	if hasOff {
		if fe, ok := c.userEnv().(lang.UserFuncEnv); ok {
			if size, ok := fe.FunctionSize(bin, syms[0]); ok && offset >= size {
				c.errorf(ap.Span, "Offset outside the function bounds ('%s' size is %d)", syms[0], size)
				return nil
			}
			if offset != 0 && !c.checkInstructionStart(ap, fe, bin, syms[0], offset) {
				return nil
			}
		}
	}
	out := make([]*lang.Resolved, 0, len(syms))
	for _, s := range syms {
		name := string(prov) + ":" + shown + ":" + s
		if hasOff {
			name += "+" + offText
		}
		out = append(out, &lang.Resolved{Point: ap, Provider: prov, Name: name, Binary: bin, Symbol: s, Func: s, Offset: offset})
	}
	return out
}

// displayPath is how a probe's binary shows in its name: as written when
// it is a path or a file of the current directory, else (a program on
// $PATH, a library name) where it was found.
func displayPath(written, found string) string {
	if strings.Contains(written, "/") && !procRootOf(found, written) {
		return written
	}
	if abs, err := filepath.Abs(written); err == nil && abs == found {
		return written
	}
	return found
}

// procRootOf reports whether found is path read through /proc/PID/root
// (the files of a -p process in another mount namespace).
func procRootOf(found, path string) bool {
	return strings.HasPrefix(found, "/proc/") && strings.HasPrefix(path, "/") &&
		strings.HasSuffix(found, "/root"+path)
}

// withoutProcRoot is a /proc/PID/root/... path as the process sees it.
func withoutProcRoot(p string) string {
	if rest, ok := strings.CutPrefix(p, "/proc/"); ok {
		if i := strings.Index(rest, "/root/"); i > 0 && strings.Trim(rest[:i], "0123456789") == "" {
			return rest[i+len("/root"):]
		}
	}
	return p
}

// resolveUprobeFiles resolves a uprobe whose binary is a wildcard, as
// bpftrace does: the files of the -p process whose paths match, else the
// files the pattern globs to; files without a matching function are passed
// over.
func (c *checker) resolveUprobeFiles(ap *lang.AttachPoint, ue lang.UserEnv, parts []string) []*lang.Resolved {
	target := parts[1]
	if target[0] >= '0' && target[0] <= '9' {
		c.errorf(ap.Span, "Cannot use wildcards with absolute address")
		return nil
	}
	bins, ok := c.wildcardFiles(ap, parts[0])
	if !ok {
		return nil
	}
	sym, _, _ := strings.Cut(target, "+")
	var out []*lang.Resolved
	for _, bin := range bins {
		if syms, err := ue.MatchFunctions(bin, sym); err != nil || len(syms) == 0 {
			continue
		}
		out = append(out, c.resolveUprobe(ap, []string{bin, target})...)
	}
	// Files that match but hold no matching function are dropped, as
	// bpftrace v0.26 drops a wildcard that matches nothing.
	return out
}

// wildcardFiles expands a wildcard binary of a uprobe or usdt probe: with
// -p, among the ELF files the process has mapped; otherwise "*" is every
// file a running process maps, and another pattern globs (in $PATH's
// directories too when it has no '/'), as in bpftrace.
func (c *checker) wildcardFiles(ap *lang.AttachPoint, pattern string) ([]string, bool) {
	var files []string
	if c.opts.TargetPID > 0 {
		pe, ok := c.userEnv().(lang.ProcessEnv)
		if !ok {
			c.errorf(ap.Span, "%s probes with a wildcard binary are unknown here (no process information)", ap.Provider)
			return nil, false
		}
		mapped, err := pe.MappedFiles(c.opts.TargetPID)
		if err != nil {
			c.errorf(ap.Span, "%v", err)
			return nil, false
		}
		for _, f := range mapped {
			if own := withoutProcRoot(f); globMatch(pattern, f) || globMatch(pattern, own) || globMatch(pattern, path.Base(f)) {
				files = append(files, f)
			}
		}
		return files, true
	}
	if _, err := filepath.Match(pattern, ""); err != nil {
		c.errorf(ap.Span, "%s: bad pattern '%s'", ap.Provider, pattern)
		return nil, false
	}
	if fe, ok := c.userEnv().(lang.FileSearchEnv); ok {
		if pattern != "*" {
			return fe.GlobFiles(pattern), true
		}
		// As in bpftrace, "*" without -p is every file a running
		// process maps.
		files, err := fe.AllMappedFiles()
		if err != nil {
			c.errorf(ap.Span, "%s: could not list the files of the running processes: %v", ap.Provider, err)
			return nil, false
		}
		return files, true
	}
	files, _ = filepath.Glob(pattern)
	// Kept as globbed (relative to a relative pattern): probe names show
	// them so, with the pattern's leading ./ that Glob cleans away.
	for i, f := range files {
		if strings.HasPrefix(pattern, "./") && !strings.HasPrefix(f, "./") && !filepath.IsAbs(f) {
			files[i] = "./" + f
		}
	}
	return files, true
}

// functionAt names the function holding the address of
// uprobe:BIN:ADDRESS, for func, as bpftrace does: an address outside every
// function is an error (bpftrace's safe mode; with --unsafe, func is the
// address as written), and a uretprobe must be at a function's start.
func (c *checker) functionAt(ap *lang.AttachPoint, bin string, addr uint64) (string, bool) {
	fe, ok := c.userEnv().(lang.UserFuncEnv)
	if !ok {
		return "", true
	}
	name, off, ok := fe.FunctionAt(bin, addr)
	switch {
	case !ok && c.opts.Unsafe:
		return "", true
	case !ok:
		c.errorf(ap.Span, "Could not resolve address: %s:0x%x", bin, addr)
		c.hintf("the address is in no function of the file's symbol tables; --unsafe attaches there anyway")
		return "", false
	case ap.Provider == string(probetype.Uretprobe) && off != 0:
		c.errorf(ap.Span, "uretprobes cannot be attached at function offset. (address resolved to: %s+%d)", name, off)
		return "", false
	}
	return name, true
}

// checkInstructionStart refuses, as bpftrace's safe mode does, a uprobe
// inside an instruction (its breakpoint would corrupt the program) or
// where the instructions cannot be decoded; --unsafe turns both into
// warnings.
func (c *checker) checkInstructionStart(ap *lang.AttachPoint, fe lang.UserFuncEnv, bin, fn string, off uint64) bool {
	where := fmt.Sprintf("%s:%s+%d", bin, fn, off)
	ok, err := fe.InstructionStart(bin, fn, off)
	switch {
	case err != nil && c.opts.Unsafe:
		c.warnf(ap.Span, "Unchecked %s: %s (%v)", ap.Provider, where, err)
	case err != nil:
		c.errorf(ap.Span, "Failed to check if %s is in proper place: %s (%v)", ap.Provider, where, err)
		c.hintf("--unsafe attaches there anyway")
		return false
	case !ok && c.opts.Unsafe:
		c.warnf(ap.Span, "Unsafe %s in the middle of the instruction: %s", ap.Provider, where)
	case !ok:
		c.errorf(ap.Span, "Could not add %s into middle of instruction: %s", ap.Provider, where)
		c.hintf("a breakpoint inside an instruction corrupts the program; --unsafe attaches there anyway")
		return false
	}
	return true
}

func (c *checker) resolveUSDT(ap *lang.AttachPoint, parts []string) []*lang.Resolved {
	if c.opts.TargetPID > 0 && len(parts) == 1 {
		// As in bpftrace, -p lets the binary be left out (usdt:NAME).
		parts = []string{"", parts[0]}
	}
	var binText, provPat, namePat string
	switch len(parts) {
	case 3:
		binText, provPat, namePat = parts[0], parts[1], parts[2]
		if provPat == "" {
			// usdt:file::name and usdt:::name (with -p): any provider.
			provPat = "*"
		}
	case 2:
		binText, provPat, namePat = parts[0], "*", parts[1]
	default:
		c.errorf(ap.Span, "usdt probe type requires 2 or 3 arguments")
		c.hintf("write usdt:binary:provider:name or usdt:binary:name")
		return nil
	}
	if binText == "" && c.opts.TargetPID <= 0 && namePat != "" {
		c.errorf(ap.Span, "usdt probe must specify at least path or pid to probe. To target all paths/pids set the path to '*'.")
		c.hintf("usdt:*:PROVIDER:NAME searches the files of every running process; with -p PID the binary may be left out")
		return nil
	}
	if namePat == "" {
		c.errorf(ap.Span, "usdt probe must have a target function or wildcard")
		return nil
	}
	ue := c.userEnvOrError(ap)
	if ue == nil {
		return nil
	}
	var bins []string
	if hasWildcard(binText) {
		files, ok := c.wildcardFiles(ap, binText)
		if !ok {
			return nil
		}
		bins = files
	} else if binText == "" {
		pe, ok := c.userEnv().(lang.ProcessEnv)
		if !ok {
			c.errorf(ap.Span, "usdt probes without a binary are unknown here (no process information)")
			return nil
		}
		files, err := pe.MappedFiles(c.opts.TargetPID)
		if err != nil {
			c.errorf(ap.Span, "%v", err)
			return nil
		}
		bins = files
	} else {
		bin, ok := c.findBinary(ap, ue, binText)
		if !ok {
			return nil
		}
		bins = []string{bin}
	}
	var out []*lang.Resolved
	bad := false
	for _, shown := range bins {
		bin := shown
		if abs, err := filepath.Abs(bin); err == nil {
			bin = abs
		}
		if binText != "" && !hasWildcard(binText) {
			shown = displayPath(binText, bin)
		}
		probes, err := ue.USDTProbes(bin)
		if err != nil {
			if binText == "" || hasWildcard(binText) {
				continue // a file that cannot be read has no probes
			}
			c.errorf(ap.Span, "%v", err)
			return nil
		}
		out, bad = c.matchUSDT(ap, bin, shown, probes, provPat, namePat, out, bad)
	}
	wildcard := hasWildcard(binText) || hasWildcard(namePat) || (len(parts) == 3 && hasWildcard(parts[1]))
	if len(out) == 0 && !bad && !wildcard {
		// (A wildcard that matches nothing is dropped, as in bpftrace
		// v0.26: see resolveTracepoint.)
		where := binText
		switch {
		case where == "":
			where = fmt.Sprintf("the files of process %d", c.opts.TargetPID)
		case !hasWildcard(where):
			where = displayPath(binText, bins[0])
		}
		if len(parts) == 3 {
			c.errorf(ap.Span, "No USDT probe matches %s:%s in %s", provPat, namePat, where)
		} else {
			c.errorf(ap.Span, "No USDT probe matches %s in %s", namePat, where)
		}
	}
	return out
}

// matchUSDT appends to out the probes of bin that match provPat:namePat;
// bad reports a probe whose arguments could not be read.
func (c *checker) matchUSDT(ap *lang.AttachPoint, bin, shown string, probes []*lang.USDTProbe, provPat, namePat string, out []*lang.Resolved, bad bool) ([]*lang.Resolved, bool) {
	for _, p := range probes {
		if !globMatch(provPat, p.Provider) || !globMatch(namePat, p.Name) {
			continue
		}
		if p.ArgsErr != nil {
			c.errorf(ap.Span, "usdt:%s:%s:%s: %v", shown, p.Provider, p.Name, p.ArgsErr)
			bad = true
			continue
		}
		out = append(out, &lang.Resolved{
			Point: ap, Provider: probetype.USDT, Name: "usdt:" + shown + ":" + p.Provider + ":" + p.Name,
			Binary: bin, Address: p.Address, FileOffset: p.FileOffset,
			USDTProvider: p.Provider, USDTName: p.Name, USDTSemaphore: p.Semaphore, USDTArgs: p.Args,
		})
	}
	return out, bad
}

// globMatch matches s against a pattern where * is any run of characters
// and ? any one character.
func globMatch(pattern, s string) bool {
	if pattern == s {
		return true
	}
	if pattern == "" {
		return s == ""
	}
	switch pattern[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if globMatch(pattern[1:], s[i:]) {
				return true
			}
		}
		return false
	case '?':
		return s != "" && globMatch(pattern[1:], s[1:])
	}
	return s != "" && s[0] == pattern[0] && globMatch(pattern[1:], s[1:])
}

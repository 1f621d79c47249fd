package probes

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/runtime/host"
	"github.com/gobpftrace/gobpftrace/runtime/usdt"
	"github.com/gobpftrace/gobpftrace/runtime/x86insn"
)

// The user-space side of lang.Env: finding binaries and libraries, their
// function symbols and USDT notes, for uprobe, uretprobe and usdt probes.

var _ lang.UserEnv = (*Env)(nil)

// FindBinary implements lang.UserEnv.
func (t *Env) FindBinary(target string, pid int) (string, error) {
	return findBinary(target, pid)
}

var _ lang.BinaryMatchEnv = (*Env)(nil)

// BinaryMatches implements lang.BinaryMatchEnv: the probeable files
// called target in the current directory and the directories of $PATH,
// each counted once however many names it has (/bin and /usr/bin are
// often one directory).
func (t *Env) BinaryMatches(target, bin string, pid int) (int, bool) {
	root := ProcRoot(pid)
	var cands []string
	if root == "" {
		cands = append(cands, target)
	}
	for _, dir := range filepath.SplitList(processPath(pid, root)) {
		if dir == "" {
			dir = "."
		}
		cands = append(cands, root+filepath.Join(dir, target))
	}
	chosen, err := os.Stat(bin)
	if err != nil {
		return 0, false
	}
	var files []os.FileInfo
	among := false
	for _, p := range cands {
		if !probeableELF(p) {
			continue
		}
		fi, err := os.Stat(p)
		if err != nil || slices.ContainsFunc(files, func(f os.FileInfo) bool { return os.SameFile(f, fi) }) {
			continue
		}
		files = append(files, fi)
		among = among || os.SameFile(fi, chosen)
	}
	return len(files), among
}

// MatchFunctions implements lang.UserEnv.
func (t *Env) MatchFunctions(path, pattern string) ([]string, error) {
	return matchFunctions(path, pattern)
}

var _ lang.UserSymbolEnv = (*Env)(nil)

// UserSymbol implements lang.UserSymbolEnv: a data or function symbol of
// a position-dependent ELF file, whose addresses are where it runs.
func (t *Env) UserSymbol(path, name string) (uint64, uint64, error) {
	f, err := elf.Open(path)
	if err != nil {
		return 0, 0, fmt.Errorf("could not read %s: %v", path, err)
	}
	defer f.Close()
	if f.Type == elf.ET_DYN {
		return 0, 0, fmt.Errorf("uaddr(\"%s\"): %s is position-independent, so its symbols' addresses are only known in a running process; this is not supported", name, path)
	}
	for _, get := range []func() ([]elf.Symbol, error){f.Symbols, f.DynamicSymbols} {
		syms, err := get()
		if err != nil {
			continue
		}
		for _, s := range syms {
			if s.Name == name && s.Value != 0 {
				return s.Value, s.Size, nil
			}
		}
	}
	return 0, 0, fmt.Errorf("Could not resolve symbol: %s:%s", path, name)
}

// FileOffset implements lang.UserEnv.
func (t *Env) FileOffset(path string, addr uint64) (uint64, error) {
	return usdt.FileOffset(path, addr)
}

// USDTProbes implements lang.UserEnv.
func (t *Env) USDTProbes(path string) ([]*lang.USDTProbe, error) {
	notes, err := usdt.ReadNotes(path)
	if err != nil {
		return nil, err
	}
	out := make([]*lang.USDTProbe, 0, len(notes))
	for _, n := range notes {
		p := &lang.USDTProbe{Provider: n.Provider, Name: n.Name, Address: n.Location,
			FileOffset: n.LocationOffset, Semaphore: n.SemaphoreOffset}
		args, err := usdt.ParseArgs(n.Args)
		if err != nil {
			p.ArgsErr = err
		}
		for _, a := range args {
			if a.Symbol != "" {
				// A global variable's operand (8@counter(%rip)): at
				// the probe, rip is the probe's own address (the
				// uprobe's), so the variable is at rip plus its
				// distance from the probe in the file as linked, in
				// an executable or a library wherever it is loaded.
				addr, err := usdt.SymbolAddress(path, a.Symbol)
				if err != nil && p.ArgsErr == nil {
					p.ArgsErr = fmt.Errorf("USDT argument %q: %v", a.Spec, err)
				}
				a.Value += int64(addr - n.Location)
			}
			la := &lang.USDTArg{Size: a.Size, Signed: a.Signed, Reg: a.Reg, Value: a.Value, Index: a.Index, Scale: a.Scale, Symbol: a.Symbol}
			switch a.Kind {
			case usdt.ArgConst:
				la.Kind = lang.USDTConst
			case usdt.ArgReg:
				la.Kind = lang.USDTReg
			case usdt.ArgMem:
				la.Kind = lang.USDTMem
			}
			p.Args = append(p.Args, la)
		}
		out = append(out, p)
	}
	return out, nil
}

// findBinary resolves a probe's target file: a path (made absolute), a
// file of that name in the current directory (bpftrace's first candidate
// for a name without a '/'), a library mapped by process pid, a program on
// $PATH, or a library name ("libc", "libc.so.6") found through ld.so.cache
// and the standard library directories. Its only error is
// TargetNotFound's, which callers start with the probe type, as bpftrace
// words it ("uprobe target file 'x' does not exist or is not executable").
func findBinary(target string, pid int) (string, error) {
	if target == "" {
		return "", TargetNotFound(target)
	}
	root := ProcRoot(pid)
	if strings.Contains(target, "/") {
		abs, err := filepath.Abs(target)
		if err != nil {
			return "", TargetNotFound(target)
		}
		if root != "" && filepath.IsAbs(target) && !strings.HasPrefix(target, root+"/") {
			// The process sees its own files: a path is in its mount
			// namespace.
			abs = root + target
		}
		if !probeableELF(abs) {
			return "", TargetNotFound(target)
		}
		return abs, nil
	}
	if root == "" && probeableELF(target) {
		if abs, err := filepath.Abs(target); err == nil {
			return abs, nil
		}
	}
	if pid != 0 {
		if p := mappedLibrary(pid, target); p != "" {
			return root + p, nil
		}
	}
	lib := strings.HasPrefix(target, "lib") || strings.Contains(target, ".so")
	if !lib {
		if p := lookPathELF(target, root, processPath(pid, root)); p != "" {
			return p, nil
		}
	}
	if p := findLibrary(target); p != "" {
		return p, nil
	}
	if lib {
		if p := lookPathELF(target, root, processPath(pid, root)); p != "" {
			return p, nil
		}
	}
	return "", TargetNotFound(target)
}

// TargetNotFound is the error of a uprobe or usdt target that names no
// file a probe can be placed in, in bpftrace's words after the probe type.
func TargetNotFound(target string) error {
	return fmt.Errorf("target file '%s' does not exist or is not executable", target)
}

// probeableELF reports whether path is a file a uprobe can be placed in,
// as bpftrace judges it: a shared object (or position-independent
// executable), or an executable with its owner's execute bit.
func probeableELF(path string) bool {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() || !isELF(path) {
		return false
	}
	return fi.Mode()&0o100 != 0 || elfType(path) == elf.ET_DYN
}

// lookPathELF finds the first ELF file called name in the directories of
// path (a $PATH value) under root, passing over scripts (such as pyenv's
// shims) that come first. As in bpftrace, an executable must have its
// owner's execute bit; a shared library need not.
func lookPathELF(name, root, path string) string {
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		p := root + filepath.Join(dir, name)
		if !probeableELF(p) {
			continue
		}
		if abs, err := filepath.Abs(p); err == nil {
			return abs
		}
	}
	return ""
}

// processPath is the $PATH programs are looked up in: the process's own
// when it lives in another mount namespace, else this one's.
func processPath(pid int, root string) string {
	if root == "" {
		return os.Getenv("PATH")
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
	if err != nil {
		return ""
	}
	for _, kv := range strings.Split(string(data), "\x00") {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			return v
		}
	}
	return ""
}

// ProcRoot is "/proc/PID/root" when process pid lives in another mount
// namespace than this one (a container), where its paths must be read
// through; "" when it shares ours, or for no process.
func ProcRoot(pid int) string {
	if pid <= 0 {
		return ""
	}
	self, err := os.Stat("/proc/self/ns/mnt")
	if err != nil {
		return ""
	}
	other, err := os.Stat(fmt.Sprintf("/proc/%d/ns/mnt", pid))
	if err != nil || os.SameFile(self, other) {
		return ""
	}
	return fmt.Sprintf("/proc/%d/root", pid)
}

// elfType is the ELF file type of path (ET_NONE when it cannot be read).
func elfType(path string) elf.Type {
	f, err := elf.Open(path)
	if err != nil {
		return elf.ET_NONE
	}
	defer f.Close()
	return f.Type
}

func isELF(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var magic [4]byte
	if _, err := f.Read(magic[:]); err != nil {
		return false
	}
	return string(magic[:]) == elf.ELFMAG
}

// libraryMatches reports whether file (a base name) is the library name
// stands for: "libc" → libc.so, libc.so.6; "c" → libc.so*; "libc.so.6" → itself.
func libraryMatches(name, file string) bool {
	if file == name {
		return true
	}
	for _, n := range []string{name, "lib" + name} {
		if strings.HasPrefix(file, n+".so") {
			return true
		}
		// libpython3.11 → libpython3.11.so.1.0; libfoo-1.2 forms.
		if strings.HasPrefix(file, n+"-") && strings.Contains(file, ".so") {
			return true
		}
	}
	return false
}

// mappedLibrary finds a file mapped by process pid matching name.
func mappedLibrary(pid int, name string) string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 6 || !strings.HasPrefix(f[5], "/") {
			continue
		}
		if libraryMatches(name, filepath.Base(f[5])) {
			return f[5]
		}
	}
	return ""
}

// findLibrary looks name up in ld.so.cache, then in the standard library
// directories; among several matches the shortest name (the plain soname
// over versioned ones) of the first source that has any wins.
func findLibrary(name string) string {
	best := ""
	pick := func(path string) {
		if !libraryMatches(name, filepath.Base(path)) || !isELF(path) {
			return
		}
		if best == "" || len(filepath.Base(path)) < len(filepath.Base(best)) {
			best = path
		}
	}
	for _, p := range ldCache() {
		pick(p)
	}
	if best != "" {
		return best
	}
	for _, dir := range []string{"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib"} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			pick(filepath.Join(dir, e.Name()))
		}
		if best != "" {
			return best
		}
	}
	return ""
}

// ldCache lists the library paths of /etc/ld.so.cache (the glibc 2.x
// "glibc-ld.so.cache1.1" format, alone or after the old format's table).
func ldCache() []string {
	data, err := os.ReadFile("/etc/ld.so.cache")
	if err != nil {
		return nil
	}
	const magic = "glibc-ld.so.cache1.1"
	start := bytes.Index(data, []byte(magic))
	if start < 0 {
		return nil
	}
	hdr := data[start:]
	if len(hdr) < 48 {
		return nil
	}
	n := int(binary.LittleEndian.Uint32(hdr[20:]))
	const entrySize = 24
	entries := hdr[48:]
	var out []string
	for i := 0; i < n && (i+1)*entrySize <= len(entries); i++ {
		e := entries[i*entrySize:]
		value := int(binary.LittleEndian.Uint32(e[8:]))
		// String offsets count from the start of the new-format header.
		if value <= 0 || start+value >= len(data) {
			continue
		}
		s := data[start+value:]
		if j := bytes.IndexByte(s, 0); j >= 0 {
			out = append(out, string(s[:j]))
		}
	}
	return out
}

// matchFunctions lists the defined function symbols of an ELF file matching
// pattern.
func matchFunctions(path, pattern string) ([]string, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, fmt.Errorf("could not read %s: %v", path, err)
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil && !errors.Is(err, elf.ErrNoSymbols) {
		return nil, fmt.Errorf("could not read the symbols of %s: %v", path, err)
	}
	dyn, err := f.DynamicSymbols()
	if err != nil && !errors.Is(err, elf.ErrNoSymbols) {
		return nil, fmt.Errorf("could not read the symbols of %s: %v", path, err)
	}
	seen := map[string]bool{}
	var out []string
	for _, s := range append(syms, dyn...) {
		if !isFunctionSymbol(s) {
			continue
		}
		if seen[s.Name] || !globMatch(pattern, s.Name) {
			continue
		}
		seen[s.Name] = true
		out = append(out, s.Name)
	}
	sort.Strings(out)
	return out, nil
}

// globMatch matches s against a pattern where * is any run of characters
// and ? any one character.
func globMatch(pattern, s string) bool {
	px, sx := 0, 0
	nextPx, nextSx := -1, -1
	for px < len(pattern) || sx < len(s) {
		if px < len(pattern) {
			switch c := pattern[px]; c {
			case '*':
				nextPx, nextSx = px, sx+1
				px++
				continue
			case '?':
				if sx < len(s) {
					px++
					sx++
					continue
				}
			default:
				if sx < len(s) && s[sx] == c {
					px++
					sx++
					continue
				}
			}
		}
		if nextPx >= 0 && nextSx <= len(s) {
			px, sx = nextPx, nextSx
			continue
		}
		return false
	}
	return true
}

var _ lang.UserFuncEnv = (*Env)(nil)

// FunctionAt implements lang.UserFuncEnv.
func (t *Env) FunctionAt(path string, addr uint64) (string, uint64, bool) {
	for _, s := range FunctionSymbols(path) {
		if addr >= s.Value && (addr < s.Value+s.Size || addr == s.Value) {
			return s.Name, addr - s.Value, true
		}
	}
	return "", 0, false
}

// FunctionSize implements lang.UserFuncEnv.
func (t *Env) FunctionSize(path, name string) (uint64, bool) {
	for _, s := range FunctionSymbols(path) {
		if s.Name == name {
			return s.Size, true
		}
	}
	return 0, false
}

// isFunctionSymbol reports whether s is a defined function: STT_FUNC, or
// an indirect function (STT_GNU_IFUNC, attached at the implementation the
// dynamic loader chose: see ifuncImpl).
//
// A hidden (non-default) version of a dynamic symbol, such as libc's
// memcpy@GLIBC_2.2.5 next to memcpy@@GLIBC_2.14, is not the function
// programs call by that name: it does not count.
func isFunctionSymbol(s elf.Symbol) bool {
	t := elf.ST_TYPE(s.Info)
	if s.HasVersion && s.VersionIndex.IsHidden() {
		return false
	}
	return (t == elf.STT_FUNC || t == elf.STT_GNU_IFUNC) && s.Value != 0 && s.Section != elf.SHN_UNDEF
}

// FunctionSymbols lists the defined function symbols of the ELF file at
// path (.symtab first, then .dynsym); nil when it cannot be read.
func FunctionSymbols(path string) []elf.Symbol {
	f, err := elf.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	syms, _ := f.Symbols()
	dyn, _ := f.DynamicSymbols()
	var out []elf.Symbol
	for _, s := range append(syms, dyn...) {
		if isFunctionSymbol(s) {
			out = append(out, s)
		}
	}
	return out
}

var _ lang.ProcessEnv = (*Env)(nil)

// MappedFiles implements lang.ProcessEnv from /proc/PID/maps.
func (t *Env) MappedFiles(pid int) ([]string, error) {
	paths, err := mappedPaths(pid)
	if err != nil {
		return nil, err
	}
	paths = append(paths, deletedMappings(pid)...)
	var out []string
	for _, p := range paths {
		if isELF(p) {
			out = append(out, p)
		}
	}
	return out, nil
}

// mappedPaths lists the files process pid maps, in the order of their
// first mapping. A process in another mount namespace maps files of its
// own: they are read through /proc/PID/root.
func mappedPaths(pid int) ([]string, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/maps", pid))
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ESRCH) {
		// -p of a process that exited after it was looked up.
		return nil, fmt.Errorf("process %d has exited", pid)
	}
	if err != nil {
		return nil, fmt.Errorf("could not read the mappings of process %d: %s", pid, host.ErrnoText(err))
	}
	root := ProcRoot(pid)
	seen := map[string]bool{}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) != 6 || !strings.HasPrefix(f[5], "/") || seen[f[5]] {
			continue
		}
		seen[f[5]] = true
		out = append(out, root+f[5])
	}
	return out, nil
}

// deletedMappings lists the files process pid maps that were deleted (or
// replaced, as a package upgrade replaces a running program) since it
// mapped them, each as its /proc/PID/map_files/START-END link: the kernel
// follows it to the inode the process runs, which is where a uprobe must
// be placed, and the file can be read through it.
func deletedMappings(pid int) []string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) != 7 || f[6] != "(deleted)" || !strings.HasPrefix(f[5], "/") || seen[f[5]] {
			continue
		}
		seen[f[5]] = true
		out = append(out, fmt.Sprintf("/proc/%d/map_files/%s", pid, f[0]))
	}
	return out
}

// InstructionStart implements lang.UserFuncEnv for x86-64 files: the
// function's instructions are decoded (x86insn) from its start up to off.
func (t *Env) InstructionStart(path, name string, off uint64) (bool, error) {
	f, err := elf.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	if f.Machine != elf.EM_X86_64 {
		return false, fmt.Errorf("instructions of %v are not decoded", f.Machine)
	}
	var sym *elf.Symbol
	for _, s := range FunctionSymbols(path) {
		if s.Name == name {
			sym = &s
			break
		}
	}
	if sym == nil {
		return false, fmt.Errorf("no function %s", name)
	}
	var code []byte
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && sym.Value >= p.Vaddr && sym.Value+off < p.Vaddr+p.Filesz {
			code = make([]byte, off+15)
			n, _ := p.ReadAt(code, int64(sym.Value-p.Vaddr))
			code = code[:n]
			break
		}
	}
	if code == nil {
		return false, fmt.Errorf("the code of %s is not in the file", name)
	}
	at := uint64(0)
	for at < off {
		n, err := x86insn.Len(code[at:])
		if err != nil {
			return false, fmt.Errorf("at %s+%d: %v", name, at, err)
		}
		at += uint64(n)
	}
	return at == off, nil
}

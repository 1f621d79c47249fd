package symbols

import (
	"bufio"
	"bytes"
	"debug/elf"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/gobpftrace/gobpftrace/runtime/dwarfinfo"
)

// userSymbols resolves user-space addresses of processes: /proc/PID/maps
// says which file an address is in, that file's ELF .symtab and .dynsym
// give the symbol. Maps are cached per process (so that a process that has
// exited still resolves, once seen), ELF tables per file.
type userSymbols struct {
	mu    sync.Mutex
	procs map[uint32][]mapping
	files map[string]*elfSymbols
}

// mapping is one file-backed executable line of /proc/PID/maps.
type mapping struct {
	start, end, off uint64
	path            string
}

func newUserSymbols() *userSymbols {
	return &userSymbols{procs: map[uint32][]mapping{}, files: map[string]*elfSymbols{}}
}

// prime reads the maps of pid now; the runtime calls it while processes
// are alive. What an earlier read found stays where the new read has
// nothing: a -c command primed at its exec (program and loader only) and
// again once it has loaded its libraries keeps both, and a process that
// has exited keeps what was seen.
func (u *userSymbols) prime(pid uint32) {
	u.mu.Lock()
	defer u.mu.Unlock()
	m, err := readMappings(pid)
	if err != nil || len(m) == 0 {
		u.mappingsLocked(pid)
		return
	}
	for _, o := range u.procs[pid] {
		overlapped := false
		for _, n := range m {
			if o.start < n.end && n.start < o.end {
				overlapped = true
				break
			}
		}
		if !overlapped {
			m = append(m, o)
		}
	}
	u.procs[pid] = m
}

func (u *userSymbols) mappingsLocked(pid uint32) []mapping {
	if m, ok := u.procs[pid]; ok {
		return m
	}
	m, err := readMappings(pid)
	if err != nil {
		// Exited (or hidden): remember that, and resolve nothing.
		u.procs[pid] = nil
		return nil
	}
	u.procs[pid] = m
	return m
}

func readMappings(pid uint32) ([]mapping, error) {
	f, err := os.Open("/proc/" + strconv.FormatUint(uint64(pid), 10) + "/maps")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []mapping
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// 00400000-00452000 r-xp 00000000 08:02 173521 /usr/bin/foo
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || !strings.HasPrefix(fields[5], "/") && fields[5] != vdsoName {
			continue
		}
		lo, hi, ok := strings.Cut(fields[0], "-")
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		off, err3 := strconv.ParseUint(fields[2], 16, 64)
		if err1 != nil || err2 != nil || err3 != nil {
			continue
		}
		path := strings.Join(fields[5:], " ")
		path = strings.TrimSuffix(path, " (deleted)")
		out = append(out, mapping{start: start, end: end, off: off, path: path})
	}
	return out, sc.Err()
}

// resolve returns the symbol containing addr in process pid.
func (u *userSymbols) resolve(pid uint32, addr uint64) (name string, off uint64, module string, ok bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, m := range u.mappingsLocked(pid) {
		if addr < m.start || addr >= m.end {
			continue
		}
		if m.path == vdsoName {
			es := vdsoSymbols()
			if es == nil {
				return "", 0, m.path, false
			}
			name, off, ok := es.symbol(addr - m.start)
			return name, off, m.path, ok
		}
		es := u.fileLocked(m.path)
		if es == nil {
			return "", 0, m.path, false
		}
		vaddr, ok := es.vaddr(addr - m.start + m.off)
		if !ok {
			return "", 0, m.path, false
		}
		name, off, ok := es.symbol(vaddr)
		return name, off, m.path, ok
	}
	return "", 0, "", false
}

// resolveFixed resolves addr in the position-dependent file at path, where
// addresses are the file's virtual addresses: addr must be in one of its
// executable segments.
func (u *userSymbols) resolveFixed(path string, addr uint64) (string, uint64, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	es := u.fileLocked(path)
	if es == nil {
		return "", 0, false
	}
	for _, p := range es.progs {
		if p.Flags&elf.PF_X != 0 && addr >= p.Vaddr && addr < p.Vaddr+p.Memsz {
			return es.symbol(addr)
		}
	}
	return "", 0, false
}

func (u *userSymbols) fileLocked(path string) *elfSymbols {
	if es, ok := u.files[path]; ok {
		return es
	}
	es, err := readELFSymbols(path)
	if err != nil {
		es = nil
	}
	u.files[path] = es
	return es
}

// elfSymbols are the function symbols of one ELF file, sorted by address,
// and its loadable segments.
type elfSymbols struct {
	addrs []uint64
	sizes []uint64
	names []string
	progs []elf.ProgHeader
}

func readELFSymbols(path string) (*elfSymbols, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	es := &elfSymbols{}
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD {
			es.progs = append(es.progs, p.ProgHeader)
		}
	}
	type sym struct {
		addr, size uint64
		name       string
	}
	var syms []sym
	// Several names may share an address (aliases): a global name wins
	// over a weak one, a weak one over a local one (__GI_* and the like).
	seen := map[uint64]int{} // index in syms
	rank := map[uint64]int{}
	bindRank := func(b elf.SymBind) int {
		switch b {
		case elf.STB_GLOBAL:
			return 2
		case elf.STB_WEAK:
			return 1
		}
		return 0
	}
	add := func(list []elf.Symbol) {
		for _, s := range list {
			if elf.ST_TYPE(s.Info) != elf.STT_FUNC || s.Value == 0 || s.Name == "" {
				continue
			}
			name := s.Name
			if i := strings.IndexByte(name, '@'); i > 0 {
				name = name[:i] // versioned dynamic symbol
			}
			r := bindRank(elf.ST_BIND(s.Info))
			if i, dup := seen[s.Value]; dup {
				if r > rank[s.Value] {
					syms[i] = sym{s.Value, max(s.Size, syms[i].size), name}
					rank[s.Value] = r
				}
				continue
			}
			seen[s.Value] = len(syms)
			rank[s.Value] = r
			syms = append(syms, sym{s.Value, s.Size, name})
		}
	}
	l, err := f.Symbols()
	if err == nil {
		add(l)
	} else if dl := debugFileSymbols(f); dl != nil {
		// Stripped: the separate debug file has the full table.
		add(dl)
	}
	if l, err := f.DynamicSymbols(); err == nil {
		add(l)
	}
	if len(syms) == 0 && len(es.progs) == 0 {
		return nil, fmt.Errorf("%s: no symbols", path)
	}
	sort.Slice(syms, func(i, j int) bool { return syms[i].addr < syms[j].addr })
	for _, s := range syms {
		es.addrs = append(es.addrs, s.addr)
		es.sizes = append(es.sizes, s.size)
		es.names = append(es.names, s.name)
	}
	return es, nil
}

// vaddr converts a file offset to the virtual address the ELF file's
// symbols use.
func (es *elfSymbols) vaddr(fileOff uint64) (uint64, bool) {
	for _, p := range es.progs {
		if fileOff >= p.Off && fileOff < p.Off+p.Filesz {
			return fileOff - p.Off + p.Vaddr, true
		}
	}
	return 0, false
}

// symbol finds the function containing vaddr (a symbol without a size
// covers up to the next one).
func (es *elfSymbols) symbol(vaddr uint64) (string, uint64, bool) {
	i := sort.Search(len(es.addrs), func(i int) bool { return es.addrs[i] > vaddr }) - 1
	if i < 0 {
		return "", 0, false
	}
	off := vaddr - es.addrs[i]
	if es.sizes[i] != 0 && off >= es.sizes[i] {
		return "", 0, false
	}
	return es.names[i], off, true
}

// debugDir is where distributions install separate debug files.
const debugDir = "/usr/lib/debug"

// debugFileSymbols reads the .symtab of f's separate debug file, found by
// its build id (/usr/lib/debug/.build-id/xx/yyyy.debug), or nil.
func debugFileSymbols(f *elf.File) []elf.Symbol {
	id := dwarfinfo.BuildID(f)
	if len(id) < 2 {
		return nil
	}
	hexID := fmt.Sprintf("%x", id)
	df, err := elf.Open(filepath.Join(debugDir, ".build-id", hexID[:2], hexID[2:]+".debug"))
	if err != nil {
		return nil
	}
	defer df.Close()
	syms, err := df.Symbols()
	if err != nil {
		return nil
	}
	return syms
}

// vdsoName is how /proc/PID/maps names the vDSO mapping.
const vdsoName = "[vdso]"

var vdsoCache struct {
	once sync.Once
	es   *elfSymbols
}

// vdsoSymbols are the symbols of the kernel's vDSO image, the same in every
// process: read once from this process's own mapping.
func vdsoSymbols() *elfSymbols {
	vdsoCache.once.Do(func() {
		maps, err := readMappings(uint32(os.Getpid()))
		if err != nil {
			return
		}
		for _, m := range maps {
			if m.path != vdsoName {
				continue
			}
			mem, err := os.Open("/proc/self/mem")
			if err != nil {
				return
			}
			defer mem.Close()
			buf := make([]byte, m.end-m.start)
			if _, err := mem.ReadAt(buf, int64(m.start)); err != nil {
				return
			}
			f, err := elf.NewFile(bytes.NewReader(buf))
			if err != nil {
				return
			}
			es := &elfSymbols{}
			if l, err := f.DynamicSymbols(); err == nil {
				type sym struct {
					addr, size uint64
					name       string
				}
				var syms []sym
				for _, s := range l {
					if elf.ST_TYPE(s.Info) == elf.STT_FUNC && s.Value != 0 {
						syms = append(syms, sym{s.Value, s.Size, s.Name})
					}
				}
				sort.Slice(syms, func(i, j int) bool { return syms[i].addr < syms[j].addr })
				for _, s := range syms {
					// vDSO symbols are relative to its (zero) load address.
					es.addrs = append(es.addrs, s.addr)
					es.sizes = append(es.sizes, s.size)
					es.names = append(es.names, s.name)
				}
			}
			vdsoCache.es = es
			return
		}
	})
	return vdsoCache.es
}

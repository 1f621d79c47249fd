package runtime

import (
	"bufio"
	"debug/elf"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
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

// prime reads the maps of pid now, if they were never read; the runtime
// calls it while processes are alive.
func (u *userSymbols) prime(pid uint32) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.mappingsLocked(pid)
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
		if len(fields) < 6 || !strings.HasPrefix(fields[5], "/") {
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
	seen := map[uint64]bool{}
	add := func(list []elf.Symbol) {
		for _, s := range list {
			if elf.ST_TYPE(s.Info) != elf.STT_FUNC || s.Value == 0 || s.Name == "" || seen[s.Value] {
				continue
			}
			seen[s.Value] = true
			name := s.Name
			if i := strings.IndexByte(name, '@'); i > 0 {
				name = name[:i] // versioned dynamic symbol
			}
			syms = append(syms, sym{s.Value, s.Size, name})
		}
	}
	if l, err := f.Symbols(); err == nil {
		add(l)
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

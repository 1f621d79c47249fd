package symbols

import (
	"bufio"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/gobpftrace/gobpftrace/runtime/host"
)

// Kallsyms is the kernel's symbol table from /proc/kallsyms, sorted by
// address.
type Kallsyms struct {
	addrs  []uint64
	names  []string
	byName map[string]uint64
}

var kallsymsCache struct {
	once sync.Once
	ks   *Kallsyms
	err  error
}

// LoadKallsyms reads /proc/kallsyms once per process.
func LoadKallsyms() (*Kallsyms, error) {
	kallsymsCache.once.Do(func() {
		kallsymsCache.ks, kallsymsCache.err = readKallsyms("/proc/kallsyms")
	})
	return kallsymsCache.ks, kallsymsCache.err
}

func readKallsyms(path string) (*Kallsyms, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("could not read kernel symbols: %s", host.ErrnoText(err))
	}
	defer f.Close()
	type sym struct {
		addr uint64
		name string
	}
	var syms []sym
	ks := &Kallsyms{byName: map[string]uint64{}}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		// "ffffffff81000000 T _stext [module]"
		line := sc.Text()
		fields := strings.Fields(line)
		if len(fields) < 3 {
			continue
		}
		addr, err := strconv.ParseUint(fields[0], 16, 64)
		if err != nil || addr == 0 {
			continue
		}
		typ, name := fields[1], fields[2]
		if typ == "a" || typ == "A" {
			continue
		}
		if _, dup := ks.byName[name]; !dup {
			ks.byName[name] = addr
		}
		syms = append(syms, sym{addr, name})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("could not read kernel symbols: %v", err)
	}
	if len(syms) == 0 {
		return nil, fmt.Errorf("kernel symbols are hidden (%s lists no addresses; kernel.kptr_restrict?)", path)
	}
	sort.SliceStable(syms, func(i, j int) bool { return syms[i].addr < syms[j].addr })
	ks.addrs = make([]uint64, len(syms))
	ks.names = make([]string, len(syms))
	for i, s := range syms {
		ks.addrs[i], ks.names[i] = s.addr, s.name
	}
	return ks, nil
}

func (ks *Kallsyms) Lookup(name string) (uint64, bool) {
	a, ok := ks.byName[name]
	return a, ok
}

// Symbol returns the symbol at or before addr and addr's offset from it.
func (ks *Kallsyms) Symbol(addr uint64) (string, uint64, bool) {
	i := sort.Search(len(ks.addrs), func(i int) bool { return ks.addrs[i] > addr }) - 1
	if i < 0 {
		return "", 0, false
	}
	// Several names may share the address: take the first listed.
	for i > 0 && ks.addrs[i-1] == ks.addrs[i] {
		i--
	}
	return ks.names[i], addr - ks.addrs[i], true
}

// forEach calls f with every symbol name, in address order.
func (ks *Kallsyms) forEach(f func(name string)) {
	for _, n := range ks.names {
		f(n)
	}
}

package symbols

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestKallsymsLookup(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "kallsyms")
	os.WriteFile(path, []byte("ffffffff81000000 T _stext\nffffffff81000100 t helper\nffffffff81000100 t helper_alias\n0000000000000000 A fixed\nffffffff81000200 T vfs_read [kmod]\n"), 0o644)
	ks, err := readKallsyms(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		addr uint64
		name string
		off  uint64
	}{{0xffffffff81000000, "_stext", 0}, {0xffffffff81000105, "helper", 5}, {0xffffffff81000210, "vfs_read", 16}} {
		if n, off, ok := ks.Symbol(c.addr); !ok || n != c.name || off != c.off {
			t.Errorf("%x: %s+%d %v", c.addr, n, off, ok)
		}
	}
	if _, _, ok := ks.Symbol(0x1000); ok {
		t.Errorf("an address below every symbol resolved")
	}
	if a, ok := ks.Lookup("vfs_read"); !ok || a != 0xffffffff81000200 {
		t.Errorf("lookup vfs_read: %x %v", a, ok)
	}
	os.WriteFile(path, []byte("0000000000000000 T _stext\n"), 0o644)
	if _, err := readKallsyms(path); err == nil || !strings.Contains(err.Error(), "kptr_restrict") {
		t.Errorf("hidden addresses: %v", err)
	}
}

// A libc function of a live process resolves through /proc/PID/maps and
// libc's .dynsym, and still does after the process exits.
func TestUserSymbolsLibc(t *testing.T) {
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	pid := uint32(cmd.Process.Pid)
	var maps []mapping
	var err error
	for try := 0; try < 100; try++ {
		maps, err = readMappings(pid)
		if err == nil && libcMapping(maps) != nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	m := libcMapping(maps)
	if m == nil {
		t.Fatalf("no libc mapped in sleep: %v %v", maps, err)
	}
	es, err := readELFSymbols(m.path)
	if err != nil {
		t.Fatal(err)
	}
	var vaddr uint64
	for i, n := range es.names {
		if n == "nanosleep" || n == "__nanosleep" {
			vaddr = es.addrs[i]
		}
	}
	if vaddr == 0 {
		t.Fatalf("no nanosleep in %s", m.path)
	}
	// The runtime address of nanosleep+3: through the segment holding it.
	var addr uint64
	for _, p := range es.progs {
		if vaddr >= p.Vaddr && vaddr < p.Vaddr+p.Filesz {
			fileOff := vaddr - p.Vaddr + p.Off
			for _, mm := range maps {
				if mm.path == m.path && fileOff >= mm.off && fileOff < mm.off+(mm.end-mm.start) {
					addr = mm.start + fileOff - mm.off + 3
				}
			}
		}
	}
	if addr == 0 {
		t.Fatalf("nanosleep is not mapped")
	}
	u := newUserSymbols()
	u.prime(pid)
	name, off, module, ok := u.resolve(pid, addr)
	if !ok || name != "nanosleep" && !strings.HasPrefix(name, "__") || off != 3 || module != m.path {
		t.Errorf("resolve: %s+%d in %s, %v", name, off, module, ok)
	}
	cmd.Process.Kill()
	cmd.Wait()
	if n2, off2, _, ok := u.resolve(pid, addr); !ok || n2 != name || off2 != off {
		t.Errorf("after exit: %s+%d %v", n2, off2, ok)
	}
	// A process never seen resolves nothing.
	if _, _, _, ok := newUserSymbols().resolve(pid, addr); ok {
		t.Errorf("resolved in an exited process never seen")
	}
}

func libcMapping(maps []mapping) *mapping {
	for i, m := range maps {
		if strings.Contains(filepath.Base(m.path), "libc.so") || strings.Contains(filepath.Base(m.path), "libc-") {
			return &maps[i]
		}
	}
	return nil
}

// C++ and Rust symbols (legacy and v0 manglings) print as their source
// names them; other names, and every name with cpp_demangle off, as they are.
func TestDemangled(t *testing.T) {
	on, off := &Symbolizer{demangle: true}, &Symbolizer{}
	for name, want := range map[string]string{
		"_ZN6shapes6Widget4pokeEi":               "shapes::Widget::poke(int)",
		"_ZNSt6vectorIiSaIiEE9push_backERKi":     "std::vector<int, std::allocator<int> >::push_back(int const&)",
		"_Z3fooi.cold":                           "foo(int) [clone .cold]",
		"_ZN4core3fmt5write17h0123456789abcdefE": "core::fmt::write",
		"_RNvCs15kBYyAo9fc_7mycrate7example":     "mycrate::example",
		"main":                                   "main",
		"_Zunparsable":                           "_Zunparsable",
		"runtime.main":                           "runtime.main",
	} {
		if got := on.demangled(name); got != want {
			t.Errorf("demangled(%q) = %q, want %q", name, got, want)
		}
		if got := off.demangled(name); got != name {
			t.Errorf("with cpp_demangle off, %q became %q", name, got)
		}
	}
}

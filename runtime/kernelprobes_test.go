package runtime

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

func kernelProg(r *lang.Resolved) *codegen.Program {
	return &codegen.Program{Name: "p0", Attach: r}
}

// The attach requests of providers this kernel lacks, checked without it.
func TestKernelAttachRequests(t *testing.T) {
	for _, c := range []struct {
		r    *lang.Resolved
		want attachRequest
	}{
		{&lang.Resolved{Provider: probetype.Kprobe, Name: "kprobe:vfs_read", Func: "vfs_read"},
			attachRequest{Kind: "kprobe", Symbol: "vfs_read"}},
		{&lang.Resolved{Provider: probetype.Kprobe, Name: "kprobe:vfs_read+16", Func: "vfs_read", Offset: 16},
			attachRequest{Kind: "kprobe", Symbol: "vfs_read", Offset: 16}},
		{&lang.Resolved{Provider: probetype.Kprobe, Name: "kprobe:ext4:ext4_file_open", Func: "ext4_file_open", Module: "ext4"},
			attachRequest{Kind: "kprobe", Symbol: "ext4_file_open", Module: "ext4"}},
		{&lang.Resolved{Provider: probetype.Kretprobe, Name: "kretprobe:vfs_read", Func: "vfs_read"},
			attachRequest{Kind: "kretprobe", Symbol: "vfs_read"}},
		{&lang.Resolved{Provider: probetype.Fentry, Name: "fentry:vfs_read", Func: "vfs_read"},
			attachRequest{Kind: "fentry", Symbol: "vfs_read"}},
		{&lang.Resolved{Provider: probetype.Fexit, Name: "fexit:vfs_read", Func: "vfs_read"},
			attachRequest{Kind: "fexit", Symbol: "vfs_read"}},
		{&lang.Resolved{Provider: probetype.RawTracepoint, Name: "rawtracepoint:sys_enter", Event: "sys_enter"},
			attachRequest{Kind: "rawtracepoint", Symbol: "sys_enter"}},
	} {
		got, err := kernelAttachRequest(kernelProg(c.r))
		if err != nil || got != c.want {
			t.Errorf("%s: %+v, %v; want %+v", c.r.Name, got, err, c.want)
		}
	}
}

func TestPerfEventAttrs(t *testing.T) {
	for _, c := range []struct {
		r            *lang.Resolved
		typ          uint32
		config, freq uint64
	}{
		{&lang.Resolved{Provider: probetype.Hardware, Name: "hardware:cache-misses", PerfConfig: unix.PERF_COUNT_HW_CACHE_MISSES, PerfCount: 1000000},
			unix.PERF_TYPE_HARDWARE, unix.PERF_COUNT_HW_CACHE_MISSES, 1000000},
		{&lang.Resolved{Provider: probetype.Software, Name: "software:faults:7", PerfConfig: unix.PERF_COUNT_SW_PAGE_FAULTS, PerfCount: 7},
			unix.PERF_TYPE_SOFTWARE, unix.PERF_COUNT_SW_PAGE_FAULTS, 7},
		// Without the checker's resolution: the name and count as written.
		{&lang.Resolved{Provider: probetype.Hardware, Name: "hardware:instructions",
			Point: &lang.AttachPoint{Parts: []string{"instructions"}}},
			unix.PERF_TYPE_HARDWARE, unix.PERF_COUNT_HW_INSTRUCTIONS, 1000000},
		{&lang.Resolved{Provider: probetype.Software, Name: "software:cs:3",
			Point: &lang.AttachPoint{Parts: []string{"cs", "3"}}},
			unix.PERF_TYPE_SOFTWARE, unix.PERF_COUNT_SW_CONTEXT_SWITCHES, 3},
	} {
		attr, err := perfEventAttr(kernelProg(c.r))
		if err != nil || attr.Type != c.typ || attr.Config != c.config || attr.Sample != c.freq || attr.Bits&unix.PerfBitFreq != 0 {
			t.Errorf("%s: %+v, %v", c.r.Name, attr, err)
		}
	}
}

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
		if n, off, ok := ks.symbol(c.addr); !ok || n != c.name || off != c.off {
			t.Errorf("%x: %s+%d %v", c.addr, n, off, ok)
		}
	}
	if _, _, ok := ks.symbol(0x1000); ok {
		t.Errorf("an address below every symbol resolved")
	}
	if a, ok := ks.lookup("vfs_read"); !ok || a != 0xffffffff81000200 {
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

func TestListSoftwareAndHardware(t *testing.T) {
	var b bytes.Buffer
	if err := ListProbes(&b, io.Discard, "s:cpu*", false, 0); err != nil {
		t.Fatal(err)
	}
	if b.String() != "software:cpu:\nsoftware:cpu-clock:\nsoftware:cpu-migrations:\n" {
		t.Errorf("s:cpu*: %q", b.String())
	}
	b.Reset()
	if err := ListProbes(&b, io.Discard, "hardware:*", false, 0); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(b.String(), "\n"); n != 12 {
		t.Errorf("hardware:* listed %d events:\n%s", n, b.String())
	}
	if err := ListProbes(&b, io.Discard, "nope:*", false, 0); err == nil || err.Error() != "Invalid probe type: nope" {
		t.Errorf("nope:*: %v", err)
	}
}

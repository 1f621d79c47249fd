package symbols

import (
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/gobpftrace/gobpftrace/runtime/host"
)

// Indirect functions (STT_GNU_IFUNC, such as libc's strlen and memcpy):
// the symbol is a resolver that the dynamic loader calls to choose an
// implementation for this CPU. A uprobe must go on the implementation, so
// the choice is read from a process that has the file mapped: the GOT slot
// of the file's R_X86_64_IRELATIVE relocation whose addend is the
// resolver holds it.

const rX86_64IRelative = 37

// IfuncResolver finds the implementations of the indirect functions of
// one ELF file, from one process that has it loaded (found once).
type IfuncResolver struct {
	err error
	// irel maps a resolver's address to the GOT slots of its IRELATIVE
	// relocations.
	irel map[uint64][]uint64
	// from is the process read (0: none found), base the file's load
	// base there.
	from int
	base uint64
	// execSegs are the file's executable segments.
	execSegs []elf.ProgHeader
}

func NewIfuncResolver(path string, pid int) *IfuncResolver {
	r := &IfuncResolver{irel: map[uint64][]uint64{}}
	f, err := elf.Open(path)
	if err != nil {
		r.err = err
		return r
	}
	defer f.Close()
	if f.Machine != elf.EM_X86_64 {
		r.err = fmt.Errorf("indirect functions of %v files are not resolved", f.Machine)
		return r
	}
	for _, name := range []string{".rela.dyn", ".rela.plt"} {
		sec := f.Section(name)
		if sec == nil {
			continue
		}
		data, err := sec.Data()
		if err != nil {
			continue
		}
		for i := 0; i+24 <= len(data); i += 24 {
			off, info := binary.LittleEndian.Uint64(data[i:]), binary.LittleEndian.Uint64(data[i+8:])
			addend := binary.LittleEndian.Uint64(data[i+16:])
			if uint32(info) == rX86_64IRelative {
				r.irel[addend] = append(r.irel[addend], off)
			}
		}
	}
	var firstLoad *elf.Prog
	var exec []elf.ProgHeader
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD {
			if firstLoad == nil {
				firstLoad = p
			}
			if p.Flags&elf.PF_X != 0 {
				exec = append(exec, p.ProgHeader)
			}
		}
	}
	if firstLoad == nil {
		r.err = errors.New("the file has no loadable segment")
		return r
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		real = path
	}
	// A process where the relocations are applied: the -p process, else
	// any that has the file loaded.
	candidates := []int{}
	if pid > 0 {
		candidates = append(candidates, pid)
	}
	self := os.Getpid()
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		if p, err := strconv.Atoi(e.Name()); err == nil && p != pid && p != self {
			candidates = append(candidates, p)
		}
	}
	for _, p := range candidates {
		if base, ok := mappedBase(p, real, firstLoad.Vaddr&^0xfff); ok {
			r.from, r.base = p, base
			break
		}
	}
	r.execSegs = exec
	return r
}

// Impl returns the virtual address of the implementation chosen for the
// indirect function whose resolver is at resolver.
func (r *IfuncResolver) Impl(resolver uint64) (uint64, error) {
	if r.err != nil {
		return 0, r.err
	}
	slots := r.irel[resolver]
	if len(slots) == 0 {
		return 0, errors.New("the file has no relocation to read the chosen implementation from")
	}
	if r.from == 0 {
		return 0, errors.New("no running process has the file loaded to read the chosen implementation from")
	}
	mem, err := os.Open("/proc/" + strconv.Itoa(r.from) + "/mem")
	if err != nil {
		return 0, fmt.Errorf("reading process %d: %s", r.from, host.ErrnoText(err))
	}
	defer mem.Close()
	var b [8]byte
	if _, err := mem.ReadAt(b[:], int64(r.base+slots[0])); err != nil {
		return 0, fmt.Errorf("reading process %d: %s", r.from, host.ErrnoText(err))
	}
	impl := binary.LittleEndian.Uint64(b[:]) - r.base
	for _, p := range r.execSegs {
		if impl >= p.Vaddr && impl < p.Vaddr+p.Memsz && impl != resolver {
			return impl, nil
		}
	}
	return 0, fmt.Errorf("process %d has not relocated it", r.from)
}

// mappedBase returns the load base of file path (a canonical path, as
// /proc/PID/maps shows them) in process pid: the start of its mapping at
// file offset 0, less vaddr0 (the first segment's page).
func mappedBase(pid int, path string, vaddr0 uint64) (uint64, bool) {
	maps, err := readMappings(uint32(pid))
	if err != nil {
		return 0, false
	}
	for _, m := range maps {
		if m.off == 0 && m.path == path {
			return m.start - vaddr0, true
		}
	}
	return 0, false
}

package runtime

import (
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// Indirect functions (STT_GNU_IFUNC, such as libc's strlen and memcpy):
// the symbol is a resolver that the dynamic loader calls to choose an
// implementation for this CPU. A uprobe must go on the implementation, so
// the choice is read from a process that has the file mapped: the GOT slot
// of the file's R_X86_64_IRELATIVE relocation whose addend is the
// resolver holds it.

const rX86_64IRelative = 37

// ifuncImpl returns the virtual address, in the ELF file at path, of the
// implementation chosen for the indirect function whose resolver is at
// resolver. pid, when not 0, is tried first; otherwise any process that
// has the file mapped is read.
func ifuncImpl(path string, resolver uint64, pid int) (uint64, error) {
	f, err := elf.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if f.Machine != elf.EM_X86_64 {
		return 0, fmt.Errorf("indirect functions of %v files are not resolved", f.Machine)
	}
	var slots []uint64
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
			if uint32(info) == rX86_64IRelative && addend == resolver {
				slots = append(slots, off)
			}
		}
	}
	if len(slots) == 0 {
		return 0, errors.New("the file has no relocation to read the chosen implementation from")
	}
	var firstLoad *elf.Prog
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD {
			firstLoad = p
			break
		}
	}
	if firstLoad == nil {
		return 0, errors.New("the file has no loadable segment")
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		real = path
	}
	try := func(p int) (uint64, bool) {
		base, ok := mappedBase(p, real, firstLoad.Vaddr&^0xfff)
		if !ok {
			return 0, false
		}
		mem, err := os.Open("/proc/" + strconv.Itoa(p) + "/mem")
		if err != nil {
			return 0, false
		}
		defer mem.Close()
		var b [8]byte
		if _, err := mem.ReadAt(b[:], int64(base+slots[0])); err != nil {
			return 0, false
		}
		impl := binary.LittleEndian.Uint64(b[:]) - base
		for _, prog := range f.Progs {
			if prog.Type == elf.PT_LOAD && prog.Flags&elf.PF_X != 0 && impl >= prog.Vaddr && impl < prog.Vaddr+prog.Memsz && impl != resolver {
				return impl, true
			}
		}
		return 0, false // not relocated yet, or not this file
	}
	if pid > 0 {
		if impl, ok := try(pid); ok {
			return impl, nil
		}
	}
	self := os.Getpid()
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil || p == pid || p == self {
			continue
		}
		if impl, ok := try(p); ok {
			return impl, nil
		}
	}
	return 0, errors.New("no running process has the file loaded to read the chosen implementation from")
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

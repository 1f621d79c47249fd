package symbols

import (
	"github.com/gobpftrace/gobpftrace/runtime/dwarfinfo"
	"github.com/gobpftrace/gobpftrace/runtime/output"
)

var _ output.SourceLines = (*Symbolizer)(nil)

// SourceLine returns the source file and line of the instruction at addr
// in process pid, from the DWARF line table of the file mapped there
// (config show_debug_info; ok is false when it is off or the file has no
// line for the address).
func (s *Symbolizer) SourceLine(pid uint32, addr uint64) (string, int, bool) {
	if !s.debugInfo {
		return "", 0, false
	}
	path, vaddr, ok := s.user.fileAddr(pid, addr)
	if !ok {
		for _, p := range s.fixed {
			if _, _, found := s.user.resolveFixed(p, addr); found {
				path, vaddr, ok = p, addr, true
				break
			}
		}
	}
	if !ok {
		return "", 0, false
	}
	f, err := dwarfinfo.Load(path)
	if err != nil {
		return "", 0, false
	}
	return f.SourceLine(vaddr)
}

// fileAddr returns the file mapped at addr in process pid and addr's
// virtual address in it.
func (u *userSymbols) fileAddr(pid uint32, addr uint64) (string, uint64, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, m := range u.mappingsLocked(pid) {
		if addr < m.start || addr >= m.end || m.path == vdsoName {
			continue
		}
		es := u.fileLocked(m.path)
		if es == nil {
			return "", 0, false
		}
		vaddr, ok := es.vaddr(addr - m.start + m.off)
		return m.path, vaddr, ok
	}
	return "", 0, false
}

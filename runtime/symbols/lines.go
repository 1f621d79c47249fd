package symbols

import (
	"github.com/gobpftrace/gobpftrace/runtime/dwarfinfo"
	"github.com/gobpftrace/gobpftrace/runtime/output"
)

var _ output.SourceFrames = (*Symbolizer)(nil)

// SourceFrames returns the source locations of the instruction at addr in
// process pid, innermost first: the functions inlined there, then the
// function holding it, from the DWARF of the file mapped there (config
// show_debug_info; nil when it is off or the file has no line for the
// address).
func (s *Symbolizer) SourceFrames(pid uint32, addr uint64) []output.SourceFrame {
	if !s.debugInfo {
		return nil
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
		return nil
	}
	f, err := dwarfinfo.Load(path)
	if err != nil {
		return nil
	}
	frames, ok := f.SourceFrames(vaddr)
	if !ok {
		return nil
	}
	out := make([]output.SourceFrame, len(frames))
	for i, fr := range frames {
		out[i] = output.SourceFrame{Name: fr.Name, Inlined: fr.Inlined, File: fr.File, Line: fr.Line}
	}
	return out
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

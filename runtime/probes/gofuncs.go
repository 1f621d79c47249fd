package probes

import (
	"debug/elf"
	"debug/gosym"
	"errors"
)

// GoBinary reports whether the ELF file is a Go program: it has the
// sections the Go linker writes (.go.buildinfo, .gopclntab).
func GoBinary(f *elf.File) bool {
	return f.Section(".go.buildinfo") != nil || f.Section(".gopclntab") != nil
}

// GoFunctionEntries lists the entry addresses of the functions of a Go
// binary's function table (.gopclntab): Go code, as opposed to the C code
// of a cgo program.
func GoFunctionEntries(f *elf.File) (map[uint64]bool, error) {
	pcln, text := f.Section(".gopclntab"), f.Section(".text")
	if pcln == nil || text == nil {
		return nil, errors.New("no .gopclntab or .text section")
	}
	data, err := pcln.Data()
	if err != nil {
		return nil, err
	}
	tab, err := gosym.NewTable(nil, gosym.NewLineTable(data, text.Addr))
	if err != nil {
		return nil, err
	}
	entries := make(map[uint64]bool, len(tab.Funcs))
	for _, fn := range tab.Funcs {
		entries[fn.Entry] = true
	}
	return entries, nil
}

// GoFunction implements lang.GoEnv: function name of the ELF file at path
// is Go code.
func (t *Env) GoFunction(path, name string) bool {
	f, err := elf.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	if !GoBinary(f) {
		return false
	}
	entries, err := GoFunctionEntries(f)
	if err != nil {
		return false
	}
	syms, _ := f.Symbols()
	for _, s := range syms {
		if s.Name == name && elf.ST_TYPE(s.Info) == elf.STT_FUNC {
			return entries[s.Value]
		}
	}
	return false
}

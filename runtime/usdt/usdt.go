// Package usdt reads the USDT (SystemTap SDT) probes an ELF file declares in
// its .note.stapsdt notes, and parses their argument specifications.
package usdt

import (
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gobpftrace/gobpftrace/stdlib/ptregs"
)

// Note is one USDT probe as an ELF file declares it.
type Note struct {
	Provider string
	Name     string
	// Location is the probe's address (a virtual address of the file as
	// linked, already adjusted when the file was prelinked: see Base).
	Location uint64
	// Base is the .stapsdt.base address recorded in the note.
	Base uint64
	// Semaphore is the virtual address of the probe's semaphore (a u16
	// that tracers increment to enable the probe), 0 for none.
	Semaphore uint64
	// Args is the argument specification as written, e.g. "-4@%eax 8@-16(%rbp)".
	Args string

	// LocationOffset is the file offset of Location, where a uprobe attaches.
	LocationOffset uint64
	// SemaphoreOffset is the file offset of Semaphore (0 for none), for
	// the kernel's reference counter (link.UprobeOptions.RefCtrOffset).
	SemaphoreOffset uint64
}

// ntStapsdt is the note type of SystemTap probe descriptors.
const ntStapsdt = 3

// ReadNotes returns the USDT probes of the ELF file at path, in the order of
// its notes. A file without probes gives none and no error.
func ReadNotes(path string) ([]Note, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sec := f.Section(".note.stapsdt")
	if sec == nil {
		return nil, nil
	}
	data, err := sec.Data()
	if err != nil {
		return nil, fmt.Errorf("%s: reading .note.stapsdt: %v", path, err)
	}
	var baseAddr uint64
	if b := f.Section(".stapsdt.base"); b != nil {
		baseAddr = b.Addr
	}
	bo := f.ByteOrder
	wordSize := 8
	if f.Class == elf.ELFCLASS32 {
		wordSize = 4
	}
	var notes []Note
	for len(data) >= 12 {
		nameSz := int(bo.Uint32(data[0:]))
		descSz := int(bo.Uint32(data[4:]))
		typ := bo.Uint32(data[8:])
		off := 12
		nameEnd := off + align4(nameSz)
		descEnd := nameEnd + align4(descSz)
		if nameSz < 0 || descSz < 0 || nameEnd > len(data) || nameEnd+descSz > len(data) {
			return nil, fmt.Errorf("%s: truncated .note.stapsdt", path)
		}
		name := strings.TrimRight(string(data[off:off+nameSz]), "\x00")
		desc := data[nameEnd : nameEnd+descSz]
		if descEnd > len(data) {
			descEnd = len(data)
		}
		data = data[descEnd:]
		if name != "stapsdt" || typ != ntStapsdt {
			continue
		}
		n, err := parseDesc(desc, bo, wordSize)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		if baseAddr != 0 && n.Base != 0 && baseAddr != n.Base {
			// Prelinked: addresses moved by the difference.
			diff := baseAddr - n.Base
			n.Location += diff
			if n.Semaphore != 0 {
				n.Semaphore += diff
			}
		}
		n.LocationOffset = fileOffset(f, n.Location)
		if n.Semaphore != 0 {
			n.SemaphoreOffset = fileOffset(f, n.Semaphore)
		}
		notes = append(notes, n)
	}
	return notes, nil
}

func align4(n int) int { return (n + 3) &^ 3 }

func parseDesc(desc []byte, bo binary.ByteOrder, wordSize int) (Note, error) {
	var n Note
	if len(desc) < 3*wordSize {
		return n, errors.New("truncated USDT note")
	}
	word := func(b []byte) uint64 {
		if wordSize == 4 {
			return uint64(bo.Uint32(b))
		}
		return bo.Uint64(b)
	}
	n.Location = word(desc)
	n.Base = word(desc[wordSize:])
	n.Semaphore = word(desc[2*wordSize:])
	strs := strings.Split(string(desc[3*wordSize:]), "\x00")
	if len(strs) < 3 {
		return n, errors.New("malformed USDT note")
	}
	n.Provider, n.Name, n.Args = strs[0], strs[1], strs[2]
	return n, nil
}

// fileOffset converts a virtual address to a file offset through the
// loadable segments (for semaphores in .probes, through the segment that
// holds them in memory); an address outside every segment is returned as is.
func fileOffset(f *elf.File, addr uint64) uint64 {
	for _, p := range f.Progs {
		if p.Type != elf.PT_LOAD {
			continue
		}
		if addr >= p.Vaddr && addr < p.Vaddr+p.Memsz {
			return addr - p.Vaddr + p.Off
		}
	}
	return addr
}

// FileOffset converts a virtual address of the ELF file at path to a file
// offset (for uprobes given an address).
func FileOffset(path string, addr uint64) (uint64, error) {
	f, err := elf.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && addr >= p.Vaddr && addr < p.Vaddr+p.Filesz {
			return addr - p.Vaddr + p.Off, nil
		}
	}
	return 0, fmt.Errorf("address 0x%x is not in a loadable segment of %s", addr, path)
}

// ArgKind is how an argument is found.
type ArgKind int

const (
	// ArgConst: the value is Value.
	ArgConst ArgKind = iota
	// ArgReg: the value is in register Reg.
	ArgReg
	// ArgMem: the value is in memory at Reg + Value (+ Index*Scale).
	ArgMem
)

// Arg is one parsed argument specification, such as "-4@%eax".
type Arg struct {
	// Size in bytes (1, 2, 4, 8) and whether the value is signed.
	Size   int
	Signed bool
	Kind   ArgKind
	// Reg is the 64-bit name of the register (rax, rdi, r8, rip...), for
	// ArgReg and the base of ArgMem.
	Reg string
	// Value is the constant (ArgConst) or the displacement (ArgMem).
	Value int64
	// Index and Scale: ArgMem's optional index register (64-bit name).
	Index string
	Scale int
	// Symbol is the symbol of a displacement written as a name
	// ("8@counter(%rip)", "4@table+8(%rip)", as GCC writes a global
	// variable's operand): the value is at the symbol's address plus
	// Value. Only with base register rip (SymbolAddress resolves it).
	Symbol string
	// Spec is the text parsed.
	Spec string
}

// ParseArgs splits an argument specification string into its arguments.
func ParseArgs(s string) ([]Arg, error) {
	var out []Arg
	for _, f := range strings.Fields(s) {
		a, err := ParseArg(f)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// ParseArg parses one x86-64 argument specification: [-]SIZE@OPERAND where
// OPERAND is %reg, $const, DISP(%reg) or DISP(%base,%index,scale). A missing
// size (old notes) means 8 bytes, unsigned.
func ParseArg(spec string) (Arg, error) {
	a := Arg{Spec: spec, Size: 8}
	op := spec
	if sz, rest, ok := strings.Cut(spec, "@"); ok {
		n, err := strconv.Atoi(sz)
		if err != nil {
			return a, fmt.Errorf("bad USDT argument %q: size %q", spec, sz)
		}
		if n < 0 {
			a.Signed = true
			n = -n
		}
		if n != 1 && n != 2 && n != 4 && n != 8 {
			return a, fmt.Errorf("bad USDT argument %q: size %d", spec, n)
		}
		a.Size, op = n, rest
	}
	switch {
	case strings.HasPrefix(op, "$"):
		v, err := strconv.ParseInt(op[1:], 0, 64)
		if err != nil {
			u, uerr := strconv.ParseUint(op[1:], 0, 64)
			if uerr != nil {
				return a, fmt.Errorf("bad USDT argument %q: constant %q", spec, op[1:])
			}
			v = int64(u)
		}
		a.Kind, a.Value = ArgConst, v
		return a, nil
	case strings.HasPrefix(op, "%"):
		r, ok := reg64(op[1:])
		if !ok {
			return a, fmt.Errorf("bad USDT argument %q: unknown register %s", spec, op)
		}
		a.Kind, a.Reg = ArgReg, r
		return a, nil
	}
	open := strings.IndexByte(op, '(')
	if open < 0 || !strings.HasSuffix(op, ")") {
		return a, fmt.Errorf("bad USDT argument %q", spec)
	}
	a.Kind = ArgMem
	if d := op[:open]; d != "" {
		v, err := strconv.ParseInt(d, 0, 64)
		if err != nil {
			sym, off, ok := symbolDisplacement(d)
			if !ok {
				return a, fmt.Errorf("bad USDT argument %q: displacement %q", spec, d)
			}
			a.Symbol, v = sym, off
		}
		a.Value = v
	}
	parts := strings.Split(op[open+1:len(op)-1], ",")
	if len(parts) > 3 || !strings.HasPrefix(parts[0], "%") {
		return a, fmt.Errorf("bad USDT argument %q", spec)
	}
	r, ok := reg64(strings.TrimSpace(parts[0])[1:])
	if !ok {
		return a, fmt.Errorf("bad USDT argument %q: unknown register %s", spec, parts[0])
	}
	a.Reg = r
	if a.Symbol != "" && (r != "rip" || len(parts) > 1) {
		return a, fmt.Errorf("bad USDT argument %q: a symbol's address is relative to %%rip, not %s", spec, parts[0])
	}
	if len(parts) >= 2 {
		ix := strings.TrimSpace(parts[1])
		r, ok := reg64(strings.TrimPrefix(ix, "%"))
		if !ok || !strings.HasPrefix(ix, "%") {
			return a, fmt.Errorf("bad USDT argument %q: unknown register %s", spec, ix)
		}
		a.Index, a.Scale = r, 1
		if len(parts) == 3 {
			s, err := strconv.Atoi(strings.TrimSpace(parts[2]))
			if err != nil || (s != 1 && s != 2 && s != 4 && s != 8) {
				return a, fmt.Errorf("bad USDT argument %q: scale %q", spec, parts[2])
			}
			a.Scale = s
		}
	}
	return a, nil
}

// symbolDisplacement splits a displacement written with a symbol into the
// symbol and the sum of the numbers added to or taken from it, as the
// assembler writes them: "counter", "table+8", "4+table" (GCC's order),
// "buf-0x10". Exactly one term is a symbol, never subtracted.
func symbolDisplacement(d string) (string, int64, bool) {
	name, off := "", int64(0)
	for d != "" {
		neg := false
		if d[0] == '+' || d[0] == '-' {
			neg = d[0] == '-'
			d = d[1:]
		}
		term := d
		if i := strings.IndexAny(d, "+-"); i >= 0 {
			term, d = d[:i], d[i:]
		} else {
			d = ""
		}
		if v, err := strconv.ParseInt(term, 0, 64); err == nil {
			if neg {
				v = -v
			}
			off += v
			continue
		}
		if name != "" || neg || !isSymbol(term) {
			return "", 0, false
		}
		name = term
	}
	return name, off, name != ""
}

// isSymbol reports whether s is an assembler symbol name.
func isSymbol(s string) bool {
	for i, c := range s {
		if !(c == '_' || c == '.' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return s != ""
}

// SymbolAddress is the address, in the file as linked, of a symbol named
// by a USDT argument (Arg.Symbol): an object of the symbol table, or of
// the dynamic one.
func SymbolAddress(path, name string) (uint64, error) {
	f, err := elf.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	for _, get := range []func() ([]elf.Symbol, error){f.Symbols, f.DynamicSymbols} {
		syms, err := get()
		if err != nil {
			continue
		}
		for _, s := range syms {
			if s.Name == name && s.Section != elf.SHN_UNDEF {
				return s.Value, nil
			}
		}
	}
	return 0, fmt.Errorf("symbol %s is not in the symbol tables of %s", name, path)
}

// reg64 maps any x86-64 general register name to its 64-bit name.
func reg64(name string) (string, bool) {
	r, ok := ptregs.LookupAsm(name)
	if !ok {
		return "", false
	}
	return r.Asm[0], true
}

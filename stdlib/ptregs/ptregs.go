// Package ptregs is the one description of x86-64's struct pt_regs: where
// each saved register sits, the names reg() takes, the assembler spellings
// USDT notes use, and the registers that carry function arguments. The
// checker, code generation and the runtime's USDT parser all read it.
package ptregs

import (
	"strconv"
	"strings"
)

// Reg is one member of struct pt_regs.
type Reg struct {
	// Name is the member's name without its r/e prefix, as the kernel and
	// bpftrace's reg() spell it: ax, di, r8, ip, flags, orig_ax.
	Name string
	// Offset in bytes from the start of struct pt_regs.
	Offset int16
	// Asm are the register's assembler names, 64-bit first (rax eax ax al);
	// empty for members no instruction operand names (orig_ax, cs...).
	Asm []string
}

// Regs is struct pt_regs in memory order.
var Regs = []Reg{
	{"r15", 0, wide(15)},
	{"r14", 8, wide(14)},
	{"r13", 16, wide(13)},
	{"r12", 24, wide(12)},
	{"bp", 32, []string{"rbp", "ebp", "bp", "bpl"}},
	{"bx", 40, []string{"rbx", "ebx", "bx", "bl"}},
	{"r11", 48, wide(11)},
	{"r10", 56, wide(10)},
	{"r9", 64, wide(9)},
	{"r8", 72, wide(8)},
	{"ax", 80, []string{"rax", "eax", "ax", "al"}},
	{"cx", 88, []string{"rcx", "ecx", "cx", "cl"}},
	{"dx", 96, []string{"rdx", "edx", "dx", "dl"}},
	{"si", 104, []string{"rsi", "esi", "si", "sil"}},
	{"di", 112, []string{"rdi", "edi", "di", "dil"}},
	{"orig_ax", 120, nil},
	{"ip", 128, []string{"rip"}},
	{"cs", 136, nil},
	{"flags", 144, nil},
	{"sp", 152, []string{"rsp", "esp", "sp", "spl"}},
	{"ss", 160, nil},
}

// Size is sizeof(struct pt_regs).
const Size = 168

// wide spells r8..r15 in their four widths.
func wide(n int) []string {
	r := "r" + strconv.Itoa(n)
	return []string{r, r + "d", r + "w", r + "b"}
}

var byName, byAsm = func() (map[string]*Reg, map[string]*Reg) {
	names, asm := map[string]*Reg{}, map[string]*Reg{}
	for i := range Regs {
		r := &Regs[i]
		names[r.Name] = r
		for _, a := range r.Asm {
			asm[a] = r
		}
	}
	return names, asm
}()

// Lookup returns the member reg() names (ax, di, ip...).
func Lookup(name string) (Reg, bool) {
	r, ok := byName[name]
	if !ok {
		return Reg{}, false
	}
	return *r, true
}

// LookupAsm returns the member holding a register named as an assembler
// operand in any width (rax, eax, ax, al, r8d, rip), without the %.
func LookupAsm(name string) (Reg, bool) {
	r, ok := byAsm[name]
	if !ok {
		return Reg{}, false
	}
	return *r, true
}

// Names returns the names reg() takes, in pt_regs order.
func Names() []string {
	out := make([]string, len(Regs))
	for i, r := range Regs {
		out[i] = r.Name
	}
	return out
}

// Offset is the offset of the member reg() names; it panics on a name that
// is not in the table, so use it only with constants.
func Offset(name string) int16 {
	r, ok := byName[name]
	if !ok {
		panic("ptregs: no member " + name)
	}
	return r.Offset
}

// ArgNames are the registers of the first six integer arguments in the
// x86-64 System V calling convention (the kernel's too).
var ArgNames = []string{"di", "si", "dx", "cx", "r8", "r9"}

// GoArgNames are the registers of the first nine integer arguments (and
// results) of Go's internal calling convention (ABIInternal, Go 1.17 and
// later); a string takes two of them (pointer, length), a slice three
// (pointer, length, capacity).
var GoArgNames = []string{"ax", "bx", "cx", "di", "si", "r8", "r9", "r10", "r11"}

// DWARFNames names x86-64's DWARF register numbers 0-15 (the System V
// psABI's numbering, which DWARF locations use) by their pt_regs member.
var DWARFNames = []string{"ax", "dx", "cx", "bx", "si", "di", "bp", "sp", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"}

// Arg returns the offset of integer argument n, or false past the sixth.
func Arg(n int) (int16, bool) {
	if n < 0 || n >= len(ArgNames) {
		return 0, false
	}
	return Offset(ArgNames[n]), true
}

// List is the names reg() takes, comma-separated, for messages.
func List() string { return strings.Join(Names(), ", ") }

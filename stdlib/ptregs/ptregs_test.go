package ptregs

import "testing"

// The offsets are the kernel's: arch/x86/include/asm/ptrace.h, 8 bytes a
// member, in this order.
func TestLayout(t *testing.T) {
	for i, r := range Regs {
		if r.Offset != int16(8*i) {
			t.Errorf("%s at %d, want %d", r.Name, r.Offset, 8*i)
		}
	}
	if got := 8 * len(Regs); got != Size {
		t.Errorf("%d members make %d bytes, Size is %d", len(Regs), got, Size)
	}
}

func TestLookups(t *testing.T) {
	for _, c := range []struct {
		asm, name string
		off       int16
	}{
		{"rax", "ax", 80}, {"eax", "ax", 80}, {"al", "ax", 80}, {"ax", "ax", 80},
		{"rdi", "di", 112}, {"dil", "di", 112}, {"r8", "r8", 72}, {"r8d", "r8", 72},
		{"r15b", "r15", 0}, {"rip", "ip", 128}, {"rsp", "sp", 152}, {"bpl", "bp", 32},
	} {
		r, ok := LookupAsm(c.asm)
		if !ok || r.Name != c.name || r.Offset != c.off {
			t.Errorf("LookupAsm(%q) = %+v %v, want %s at %d", c.asm, r, ok, c.name, c.off)
		}
	}
	for _, bad := range []string{"r16", "r7", "rflags", "xmm0", "orig_ax", ""} {
		if r, ok := LookupAsm(bad); ok {
			t.Errorf("LookupAsm(%q) = %+v, want none", bad, r)
		}
	}
	if r, ok := Lookup("orig_ax"); !ok || r.Offset != 120 {
		t.Errorf("Lookup(orig_ax) = %+v %v", r, ok)
	}
	if _, ok := Lookup("rax"); ok {
		t.Error("reg() names are without the r prefix: rax must not be found")
	}
	want := []int16{112, 104, 96, 88, 72, 64}
	for n, off := range want {
		if got, ok := Arg(n); !ok || got != off {
			t.Errorf("Arg(%d) = %d %v, want %d", n, got, ok, off)
		}
	}
	if _, ok := Arg(6); ok {
		t.Error("Arg(6) is on the stack, not in pt_regs")
	}
}

// Every register the calling conventions and DWARF's numbering name is a
// member of the table, and DWARF numbers them as the psABI does (0 rax,
// 1 rdx, 2 rcx, 3 rbx, 4 rsi, 5 rdi, 6 rbp, 7 rsp, 8-15 r8-r15).
func TestNamedRegistersAreMembers(t *testing.T) {
	for _, list := range [][]string{ArgNames, GoArgNames, DWARFNames} {
		for _, name := range list {
			if _, ok := Lookup(name); !ok {
				t.Errorf("%s is not a member of pt_regs", name)
			}
		}
	}
	for n, asm := range []string{"rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"} {
		r, _ := LookupAsm(asm)
		if DWARFNames[n] != r.Name {
			t.Errorf("DWARF register %d is %s, want %s (%s)", n, DWARFNames[n], r.Name, asm)
		}
	}
}

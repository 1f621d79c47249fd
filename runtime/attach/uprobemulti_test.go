package attach

import (
	"sort"
	"testing"
)

// The x86-64 prefixes the kernel's uprobes refuse (arch/x86/kernel/uprobes.c,
// is_prefix_bad) are found behind other prefixes; others pass.
func TestX86RefusedPrefix(t *testing.T) {
	for _, c := range []struct {
		insn    []byte
		refused bool
	}{
		{[]byte{0xf0, 0xff, 0x0f}, true},              // lock decl (%rdi)
		{[]byte{0x66, 0xf0, 0x0f, 0xb1, 0x17}, true},  // data16 lock cmpxchg
		{[]byte{0x2e, 0xff, 0xe0}, true},              // cs jmp *%rax
		{[]byte{0x3e, 0xff, 0xe0}, true},              // ds (notrack) jmp *%rax
		{[]byte{0xf3, 0x0f, 0x1e, 0xfa}, false},       // endbr64
		{[]byte{0x55}, false},                         // push %rbp
		{[]byte{0x64, 0x48, 0x8b, 0x04, 0x25}, false}, // mov %fs:..., %rax
		{nil, false},
	} {
		if got := x86RefusedPrefix(c.insn); got != c.refused {
			t.Errorf("% x: refused %v, want %v", c.insn, got, c.refused)
		}
	}
}

// Of a function's names, func shows the plainest.
func TestAliasRank(t *testing.T) {
	names := []string{"__libc_malloc", "malloc", "__malloc", "cfree", "free", "_free"}
	sort.Slice(names, func(i, j int) bool {
		return aliasRank(names[i]) < aliasRank(names[j]) || aliasRank(names[i]) == aliasRank(names[j]) && names[i] < names[j]
	})
	want := []string{"free", "cfree", "malloc", "_free", "__malloc", "__libc_malloc"}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("order %v, want %v", names, want)
		}
	}
}

package x86insn

import (
	"debug/elf"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// Lengths as objdump decodes them (each checked against objdump -d), one
// per kind of encoding.
func TestLen(t *testing.T) {
	for _, c := range []struct {
		insn string
		code []byte
		n    int
	}{
		{"push %rbp", []byte{0x55}, 1},
		{"ret", []byte{0xc3}, 1},
		{"lea (%rdi,%rsi,1),%rax", []byte{0x48, 0x8d, 0x04, 0x37}, 4},
		{"endbr64", []byte{0xf3, 0x0f, 0x1e, 0xfa}, 4},
		{"lock decl (%rdi)", []byte{0xf0, 0xff, 0x0f}, 3},
		{"data16 cs nopw 0x0(%rax,%rax,1)", []byte{0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00}, 11},
		{"movabs $0x1122334455667788,%rax", []byte{0x48, 0xb8, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11}, 10},
		{"mov $0x1,%eax", []byte{0xb8, 0x01, 0, 0, 0}, 5},
		{"mov $0x1,%ax", []byte{0x66, 0xb8, 0x01, 0}, 4},
		{"call rel32", []byte{0xe8, 1, 2, 3, 4}, 5},
		{"jne rel8", []byte{0x75, 0x0b}, 2},
		{"je rel32", []byte{0x0f, 0x84, 1, 2, 3, 4}, 6},
		{"mov 0x10(%rip),%rax", []byte{0x48, 0x8b, 0x05, 0x10, 0, 0, 0}, 7},
		{"mov %fs:0x28,%rax", []byte{0x64, 0x48, 0x8b, 0x04, 0x25, 0x28, 0, 0, 0}, 9},
		{"cmpq $0x0,0x8(%rbp)", []byte{0x48, 0x83, 0x7d, 0x08, 0x00}, 5},
		{"testb $0x1,(%rdi)", []byte{0xf6, 0x07, 0x01}, 3},
		{"testl $0x100,0x10(%rdi)", []byte{0xf7, 0x47, 0x10, 0x00, 0x01, 0, 0}, 7},
		{"negq (%rdi)", []byte{0x48, 0xf7, 0x1f}, 3},
		{"movl $0x1,-0x4(%rbp)", []byte{0xc7, 0x45, 0xfc, 1, 0, 0, 0}, 7},
		{"pshufd $0x0,%xmm1,%xmm0", []byte{0x66, 0x0f, 0x70, 0xc1, 0x00}, 5},
		{"pcmpistri $0x1a,(%rdi),%xmm1", []byte{0x66, 0x0f, 0x3a, 0x63, 0x0f, 0x1a}, 6},
		{"pshufb %xmm1,%xmm0", []byte{0x66, 0x0f, 0x38, 0x00, 0xc1}, 5},
		{"vmovdqu (%rsi),%ymm0", []byte{0xc5, 0xfe, 0x6f, 0x06}, 4},
		{"vpcmpeqb 0x20(%rdi),%ymm0,%ymm1", []byte{0xc5, 0xfd, 0x74, 0x4f, 0x20}, 5},
		{"vpermq $0x4e,%ymm0,%ymm0", []byte{0xc4, 0xe3, 0xfd, 0x00, 0xc0, 0x4e}, 6},
		{"vzeroupper", []byte{0xc5, 0xf8, 0x77}, 3},
		{"vmovdqu64 (%rsi),%zmm16", []byte{0x62, 0xe1, 0xfe, 0x48, 0x6f, 0x06}, 6},
		{"vpcmpneqb 0x40(%rdi),%zmm16,%k1", []byte{0x62, 0xf3, 0x7d, 0x40, 0x3f, 0x4f, 0x01, 0x04}, 8},
		{"enter $0x10,$0x0", []byte{0xc8, 0x10, 0x00, 0x00}, 4},
		{"ret $0x8", []byte{0xc2, 0x08, 0x00}, 3},
		{"syscall", []byte{0x0f, 0x05}, 2},
		{"mov 0x1122334455667788,%al", []byte{0xa0, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11}, 9},
		{"shld $0x3,%eax,%edx", []byte{0x0f, 0xa4, 0xc2, 0x03}, 4},
		{"fldt 0x8(%rsp)", []byte{0xdb, 0x6c, 0x24, 0x08}, 4},
	} {
		n, err := Len(c.code)
		if err != nil || n != c.n {
			t.Errorf("%s (% x): %d, %v; want %d", c.insn, c.code, n, err, c.n)
		}
	}
	if _, err := Len([]byte{0x06}); !errors.Is(err, ErrUnknown) {
		t.Errorf("push %%es (invalid in 64-bit mode): %v", err)
	}
	if _, err := Len([]byte{0x48, 0x8b, 0x05, 0x10}); !errors.Is(err, ErrTruncated) {
		t.Errorf("truncated: %v", err)
	}
	if _, err := Len(nil); !errors.Is(err, ErrTruncated) {
		t.Errorf("empty: %v", err)
	}
}

// Every instruction start this decoder finds, walking each function of
// libc and of gofmt (a Go binary with symbols, whose runtime has AVX2 and
// AVX-512 code; test binaries have no symbols) from its first byte to its
// last, is one that objdump finds too, and no function stops with an error.
func TestLenAgreesWithObjdump(t *testing.T) {
	objdump, err := exec.LookPath("objdump")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("objdump (binutils, which gcc brings) is missing")
		}
		t.Skip("no objdump")
	}
	files := []string{filepath.Join(runtime.GOROOT(), "bin", "gofmt")}
	if libc, err := filepath.EvalSymlinks("/lib/x86_64-linux-gnu/libc.so.6"); err == nil {
		files = append(files, libc)
	}
	for _, path := range files {
		starts := objdumpStarts(t, objdump, path)
		insns, vex := 0, 0
		for _, fn := range functions(t, path) {
			for at := 0; at < len(fn.code); {
				n, err := Len(fn.code[at:])
				if err != nil {
					t.Errorf("%s: %s+%d (% x): %v", path, fn.name, at, fn.code[at:min(at+8, len(fn.code))], err)
					break
				}
				if !starts[fn.addr+uint64(at)] {
					t.Errorf("%s: %s+%d (%#x) is no instruction start for objdump", path, fn.name, at, fn.addr+uint64(at))
				}
				if c := fn.code[at]; c == 0xc4 || c == 0xc5 || c == 0x62 {
					vex++
				}
				insns++
				at += n
			}
		}
		t.Logf("%s: %d instructions, %d of them starting as VEX/EVEX", path, insns, vex)
		if insns < 10000 {
			t.Errorf("%s: only %d instructions decoded", path, insns)
		}
		if strings.HasSuffix(path, "gofmt") && vex < 100 {
			t.Errorf("%s: only %d VEX/EVEX instructions: the test no longer covers them", path, vex)
		}
	}
}

type function struct {
	name string
	addr uint64
	code []byte
}

// functions returns the code of each function symbol of an ELF file.
func functions(t *testing.T, path string) []function {
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	syms, _ := f.Symbols()
	dyn, _ := f.DynamicSymbols()
	seen := map[uint64]bool{}
	var out []function
	for _, s := range append(syms, dyn...) {
		if elf.ST_TYPE(s.Info) != elf.STT_FUNC || s.Size == 0 || seen[s.Value] {
			continue
		}
		seen[s.Value] = true
		for _, p := range f.Progs {
			if p.Type == elf.PT_LOAD && p.Flags&elf.PF_X != 0 && s.Value >= p.Vaddr && s.Value+s.Size <= p.Vaddr+p.Filesz {
				code := make([]byte, s.Size)
				if _, err := p.ReadAt(code, int64(s.Value-p.Vaddr)); err != nil {
					t.Fatal(err)
				}
				out = append(out, function{s.Name, s.Value, code})
			}
		}
	}
	return out
}

// objdumpStarts returns the address of every instruction objdump -d shows.
func objdumpStarts(t *testing.T, objdump, path string) map[uint64]bool {
	out, err := exec.Command(objdump, "-d", "-w", "--no-show-raw-insn", path).Output()
	if err != nil {
		t.Fatalf("objdump -d %s: %v", path, err)
	}
	starts := map[uint64]bool{}
	for _, line := range strings.Split(string(out), "\n") {
		line = strings.TrimSpace(line)
		addr, rest, ok := strings.Cut(line, ":")
		if !ok || strings.HasSuffix(line, ">:") || rest == "" {
			continue
		}
		if a, err := strconv.ParseUint(addr, 16, 64); err == nil {
			starts[a] = true
		}
	}
	return starts
}

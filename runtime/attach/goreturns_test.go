package attach

import (
	"bufio"
	"bytes"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/runtime/probes"
)

// buildGoHelper builds testdata/helpers/gogrow into dir with extra go
// build flags.
func buildGoHelper(t *testing.T, dir string, flags ...string) string {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go toolchain")
	}
	out := filepath.Join(dir, "gogrow")
	cmd := exec.Command("go", append(append([]string{"build"}, flags...), "-o", out, ".")...)
	cmd.Dir = filepath.Join("..", "..", "testdata", "helpers", "gogrow")
	cmd.Env = append(os.Environ(), "GO111MODULE=off", "GOFLAGS=")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building gogrow: %v\n%s", err, b)
	}
	return out
}

// The return instructions and the stack check found in every Go function
// of a Go binary are exactly those objdump shows, and a function that never
// returns has no return.
func TestGoFunctionReturnsMatchObjdump(t *testing.T) {
	if _, err := exec.LookPath("objdump"); err != nil {
		t.Skip("no objdump")
	}
	path := buildGoHelper(t, t.TempDir())
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if !probes.GoBinary(f) {
		t.Fatal("a Go binary is not recognised")
	}
	// objdump's return instructions, as function -> offsets.
	dump, err := exec.Command("objdump", "-d", "--no-show-raw-insn", path).Output()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]uint64{}
	// insns: each function's first instructions (offset, text).
	type insn struct {
		off  uint64
		text string
	}
	insns := map[string][]insn{}
	funcLine := regexp.MustCompile(`^([0-9a-f]+) <(.*)>:$`)
	insnLine := regexp.MustCompile(`^\s*([0-9a-f]+):\s+(.*)$`)
	retInsn := regexp.MustCompile(`^(rep )?retq?\b`)
	var cur string
	var start uint64
	sc := bufio.NewScanner(bytes.NewReader(dump))
	for sc.Scan() {
		if m := funcLine.FindStringSubmatch(sc.Text()); m != nil {
			cur = m[2]
			start, _ = strconv.ParseUint(m[1], 16, 64)
			want[cur] = nil
		} else if m := insnLine.FindStringSubmatch(sc.Text()); m != nil && cur != "" {
			at, _ := strconv.ParseUint(m[1], 16, 64)
			if retInsn.MatchString(m[2]) {
				want[cur] = append(want[cur], at-start)
			}
			if len(insns[cur]) < 6 {
				insns[cur] = append(insns[cur], insn{at - start, strings.Join(strings.Fields(m[2]), " ")})
			}
		}
	}
	// wantCheck is where the stack check ends, from objdump's text.
	wantCheck := func(name string) uint64 {
		is := insns[name]
		texts := func(n int) string {
			var parts []string
			for i := 0; i < n && i < len(is); i++ {
				parts = append(parts, regexp.MustCompile(`0x[0-9a-f]+|[0-9a-f]{4,} <[^>]*>`).ReplaceAllString(is[i].text, "N"))
			}
			return strings.Join(parts, "; ")
		}
		switch {
		case texts(2) == "cmp N(%r14),%rsp; jbe N" && len(is) > 2:
			return is[2].off
		case texts(3) == "lea -N(%rsp),%r12; cmp N(%r14),%r12; jbe N" && len(is) > 3:
			return is[3].off
		case texts(5) == "mov %rsp,%r12; sub $N,%r12; jb N; cmp N(%r14),%r12; jbe N" && len(is) > 5:
			return is[5].off
		}
		return 0
	}
	names := map[string]bool{}
	for name := range want {
		names[name] = true
	}
	got, err := goFunctions(path, names)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) < 1000 {
		t.Fatalf("only %d Go functions found", len(got))
	}
	checked, withCheck := 0, 0
	for name, r := range got {
		if !r.isGo {
			t.Errorf("%s: not counted as Go code", name)
		}
		if r.err != nil && !r.noReturn {
			t.Errorf("%s: %v", name, r.err)
			continue
		}
		if c := wantCheck(name); r.stackCheck != c {
			t.Errorf("%s: stack check of %d bytes, objdump %d (%v)", name, r.stackCheck, c, insns[name])
		} else if c > 0 {
			withCheck++
		}
		w := want[name]
		sort.Slice(w, func(i, j int) bool { return w[i] < w[j] })
		if !equalOffsets(r.rel, w) {
			t.Errorf("%s: returns at %#x, objdump %#x", name, r.rel, w)
		}
		checked++
	}
	if r := got["main.spin"]; !r.noReturn || r.err == nil {
		t.Errorf("main.spin: %+v, want no return", r)
	}
	if r := got["main.outer"]; len(r.rel) != 1 {
		t.Errorf("main.outer: %+v, want one return", r)
	}
	if r := got["main.deep"]; r.stackCheck != 0x12 {
		t.Errorf("main.deep: stack check %#x, want 0x12 (lea, cmp, jbe)", r.stackCheck)
	}
	if withCheck < 1000 {
		t.Errorf("only %d functions with a stack check", withCheck)
	}
	t.Logf("%d Go functions checked, %d with a stack check", checked, withCheck)
}

func equalOffsets(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// A C program is no Go binary: its uretprobes are the kernel's.
func TestGoFunctionReturnsNotGo(t *testing.T) {
	got, err := goFunctions("/bin/true", map[string]bool{"main": true})
	if err != nil || got != nil {
		t.Errorf("/bin/true: %v, %v; want nil, nil", got, err)
	}
}

func TestX86Return(t *testing.T) {
	for _, c := range []struct {
		insn []byte
		ret  bool
	}{
		{[]byte{0xc3}, true},             // ret
		{[]byte{0xf3, 0xc3}, true},       // rep ret
		{[]byte{0xc2, 0x08, 0x00}, true}, // ret $0x8
		{[]byte{0x48, 0xc3}, true},       // rex.W ret
		{[]byte{0xcc}, false},            // int3
		{[]byte{0xe9, 0, 0, 0, 0}, false},
		{[]byte{0xc6, 0x07, 0xc3}, false}, // movb $0xc3,(%rdi)
		{nil, false},
	} {
		if got := x86Return(c.insn); got != c.ret {
			t.Errorf("% x: %v, want %v", c.insn, got, c.ret)
		}
	}
}

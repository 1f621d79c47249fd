package dwarfinfo

import (
	"context"
	"debug/elf"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gobpftrace/gobpftrace/lang"
)

// buildC builds testdata/helpers/dwarftarget.c with gcc and flags.
func buildC(t *testing.T, dir string, flags ...string) string {
	t.Helper()
	return buildHelper(t, dir, "dwarftarget", flags...)
}

// buildHelper builds testdata/helpers/NAME.c with gcc and flags.
func buildHelper(t *testing.T, dir, name string, flags ...string) string {
	t.Helper()
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("no gcc")
	}
	out := filepath.Join(dir, name)
	args := append(append([]string{}, flags...), "-o", out, "../../testdata/helpers/"+name+".c")
	if b, err := exec.Command("gcc", args...).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, b)
	}
	return out
}

// describe lists a function's args as the tests compare them.
func describe(t *testing.T, f *File, fn string) string {
	t.Helper()
	args, err := f.Args(fn)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, a := range args {
		if a.Type == nil {
			fmt.Fprintf(&b, "%s: %s\n", a.Decl, a.Why)
			continue
		}
		if a.Kind == Stack {
			fmt.Fprintf(&b, "%s: %s on the stack at +%d\n", a.Decl, a.Type, a.StackOffset)
			continue
		}
		fmt.Fprintf(&b, "%s: %s in %s\n", a.Decl, a.Type, strings.Join(a.Regs, ","))
	}
	return b.String()
}

func TestCArgs(t *testing.T) {
	f, err := Open(buildC(t, t.TempDir(), "-g", "-O0"), nil)
	if err != nil {
		t.Fatal(err)
	}
	for fn, want := range map[string]string{
		"dw_ints": "int8_t a: int8 in di\nuint8_t b: uint8 in si\nint16_t c: int16 in dx\nuint16_t d: uint16 in cx\nint32_t e: int32 in r8\nuint32_t f: uint32 in r9\n",
		"dw_wide": "int64_t a: int64 in di\nuint64_t b: uint64 in si\nchar c: int8 in dx\nunsigned char d: uint8 in cx\n",
		"dw_ptrs": "const char* name: int8 * in di\nint* n: int32 * in si\nstruct point* p: struct point * in dx\n",
		// Floating-point arguments go in xmm registers and take no integer one.
		"dw_mixed": "double scale: it is passed in xmm registers, which a uprobe cannot read\nlong int count: int64 in di\nfloat f: it is passed in xmm registers, which a uprobe cannot read\nlong int after: int64 in si\n",
		"main":     "int argc: int32 in di\nchar** argv: int8 * * in si\n",
	} {
		if got := describe(t, f, fn); got != want {
			t.Errorf("%s:\n got %q\nwant %q", fn, got, want)
		}
	}
	// struct point's members, to pointers deep.
	args, _ := f.Args("dw_ptrs")
	p := args[2].Type.Elem
	var fields []string
	for _, fl := range p.Fields {
		fields = append(fields, fmt.Sprintf("%s@%d:%s", fl.Name, fl.Offset, fl.Type))
	}
	if got, want := strings.Join(fields, " "), "x@0:int32 y@4:int32 label@8:int8 * next@16:struct point *"; got != want {
		t.Errorf("struct point: got %s, want %s", got, want)
	}
	if !args[2].Type.UserSpace || !p.Fields[3].Type.UserSpace || len(p.Fields[3].Type.Elem.Fields) != 4 {
		t.Errorf("struct point's pointers are not user pointers with members: %+v", p.Fields[3].Type)
	}
	if _, err := f.Args("nosuch"); !errors.Is(err, ErrNoFunction) {
		t.Errorf("Args(nosuch) = %v, want ErrNoFunction", err)
	}
}

// Structs passed by value and parameters passed on the stack
// (testdata/helpers/structargs.c), placed as the System V ABI places them.
func TestCArgsStructsAndStack(t *testing.T) {
	f, err := Open(buildHelper(t, t.TempDir(), "structargs", "-g", "-O0"), nil)
	if err != nil {
		t.Fatal(err)
	}
	for fn, want := range map[string]string{
		"take_pair": "struct pair p: struct pair in di\nint after: int32 in si\n",
		// 24 bytes: on the stack; the 16-byte struct in two registers.
		"take_quad": "int first: int32 in di\nstruct quad q: struct quad on the stack at +0\nstruct nest n: struct nest in si,dx\nlong int after: int64 in cx\n",
		"take_big":  "struct big b: struct big on the stack at +0\nint after: int32 in di\nstruct pair p: struct pair in si\n",
		"take_mixed": "struct mixed m: it is a struct passed by value partly in xmm registers, which a uprobe cannot read (the rest in di)\n" +
			"int after: int32 in si\n",
		// The seventh and later parameters, each at a multiple of 8.
		"take_many": "int a: int32 in di\nint b: int32 in si\nint c: int32 in dx\nint d: int32 in cx\nint e: int32 in r8\nlong int f: int64 in r9\n" +
			"short int g: int16 on the stack at +0\nconst char* h: int8 * on the stack at +8\nstruct big i: struct big on the stack at +16\nunsigned char j: uint8 on the stack at +40\n",
		// Two registers needed, one left: the struct goes on the stack and
		// the next integer takes the register.
		"take_late": "long int a: int64 in di\nlong int b: int64 in si\nlong int c: int64 in dx\nlong int d: int64 in cx\nlong int e: int64 in r8\n" +
			"struct two t: struct two on the stack at +0\nlong int after: int64 in r9\n",
	} {
		if got := describe(t, f, fn); got != want {
			t.Errorf("%s:\n got %q\nwant %q", fn, got, want)
		}
	}
}

func TestLines(t *testing.T) {
	f, err := Open(buildC(t, t.TempDir(), "-g", "-O0"), nil)
	if err != nil {
		t.Fatal(err)
	}
	addr, err := f.LineAddress("dwarftarget.c", 17)
	if err != nil {
		t.Fatal(err)
	}
	file, line, ok := f.SourceLine(addr)
	if !ok || filepath.Base(file) != "dwarftarget.c" || line != 17 {
		t.Errorf("SourceLine(%#x) = %s:%d %v, want dwarftarget.c:17", addr, file, line, ok)
	}
	// The address is inside dw_ints, past its first instruction.
	ef, _ := elf.Open(f.Path)
	defer ef.Close()
	syms, _ := ef.Symbols()
	for _, s := range syms {
		if s.Name == "dw_ints" && (addr <= s.Value || addr >= s.Value+s.Size) {
			t.Errorf("line 17 at %#x is not inside dw_ints [%#x, %#x)", addr, s.Value, s.Value+s.Size)
		}
	}
	for _, c := range []struct {
		file string
		line int
		want string
	}{
		{"nosuch.c", 3, "No compilation unit matches nosuch.c"},
		{"dwarftarget.c", 15, "Unable to map 'dwarftarget.c:15' to address"},
	} {
		if _, err := f.LineAddress(c.file, c.line); err == nil || err.Error() != c.want {
			t.Errorf("LineAddress(%s, %d) = %v, want %s", c.file, c.line, err, c.want)
		}
	}
}

// TestSeparateDebugFile finds the debug information of a stripped binary
// by its build id and by its .gnu_debuglink, in a --debuginfo directory.
func TestSeparateDebugFile(t *testing.T) {
	dir := t.TempDir()
	bin := buildC(t, dir, "-g", "-O0", "-Wl,--build-id")
	ef, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	id := hex.EncodeToString(BuildID(ef))
	ef.Close()
	if id == "" {
		t.Fatal("no build id")
	}
	debugDir := filepath.Join(dir, "debug")
	byID := filepath.Join(debugDir, ".build-id", id[:2], id[2:]+".debug")
	if err := os.MkdirAll(filepath.Dir(byID), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"objcopy", "--only-keep-debug", bin, byID},
		{"objcopy", "--strip-debug", bin},
	} {
		if b, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, b)
		}
	}
	var nd *NoDebugInfoError
	if _, err := Open(bin, nil); !errors.As(err, &nd) || err.Error() != bin+" has no DWARF debug information" {
		t.Fatalf("Open(stripped) = %v, want no debug information", err)
	}
	f, err := Open(bin, []string{debugDir})
	if err != nil {
		t.Fatal(err)
	}
	if f.DebugPath != byID {
		t.Errorf("DebugPath = %s, want %s", f.DebugPath, byID)
	}
	if got, want := describe(t, f, "dw_wide"), "int64_t a: int64 in di\nuint64_t b: uint64 in si\nchar c: int8 in dx\nunsigned char d: uint8 in cx\n"; got != want {
		t.Errorf("dw_wide: got %q, want %q", got, want)
	}
	// The same file named by .gnu_debuglink.
	linked := filepath.Join(debugDir, "dwarftarget.debug")
	if err := os.Rename(byID, linked); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command("objcopy", "--add-gnu-debuglink="+linked, bin).CombinedOutput(); err != nil {
		t.Fatalf("objcopy: %v\n%s", err, b)
	}
	f, err = Open(bin, []string{debugDir})
	if err != nil || f.DebugPath != linked {
		t.Fatalf("Open by debuglink = %v, %v", f, err)
	}
}

func TestGoArgs(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go toolchain")
	}
	out := filepath.Join(t.TempDir(), "godwarf")
	cmd := exec.Command(goBin, "build", "-o", out, ".")
	cmd.Dir = "../../testdata/helpers/godwarf"
	cmd.Env = append(os.Environ(), "GO111MODULE=off", "GOFLAGS=")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	f, err := Open(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !f.Go {
		t.Fatal("godwarf is not recognised as a Go binary")
	}
	for fn, want := range map[string]string{
		"main.ints": "int8 a: int8 in ax\nuint16 b: uint16 in bx\nint32 c: int32 in cx\nint64 d: int64 in di\nuint64 e: uint64 in si\n",
		// A string takes two registers, a slice three, a float none.
		"main.text": "string name: string[0] in ax,bx\n[]int xs: int64 * in cx,di,si\n*main.point p: struct main.point * in r8\nfloat64 f: it is passed in xmm registers, which a uprobe cannot read\nint after: int64 in r9\n",
		// An interface is a record of its type and data words, a struct
		// of integers one of its fields.
		"main.vals": "fmt.Stringer w: (tab=struct internal/abi.ITab *,data=void *) in ax,bx\nmain.pair pr: (A=int32,B=uint64) in cx,di\nint last: int64 in si\n",
		// What does not fit the nine integer registers goes on the stack
		// at its alignment (offsets as the caller's code stores them:
		// 0x0, 0x10, 0x28, 0x78, 0x7e, 0x80 above its stack pointer).
		"main.many": "int a1: int64 in ax\nint a2: int64 in bx\nint a3: int64 in cx\nint a4: int64 in di\nint a5: int64 in si\nint a6: int64 in r8\nint a7: int64 in r9\nint a8: int64 in r10\n" +
			"string s: string[0] on the stack at +0\nint32 tail: int32 in r11\n[]int xs: int64 * on the stack at +16\nmain.big b: struct main.big on the stack at +40\n" +
			"[3]uint16 small: uint16[3] on the stack at +120\nint8 last: int8 on the stack at +126\nfmt.Stringer w: struct runtime.iface on the stack at +128\n",
	} {
		if got := describe(t, f, fn); got != want {
			t.Errorf("%s:\n got %q\nwant %q", fn, got, want)
		}
	}
}

// Addresses in code gcc inlined (-O2, always_inline) report the inlined
// functions innermost first, each at the line it is on, and the function
// holding them at the line of the outermost call, as addr2line -i does;
// the same with split DWARF, whose inlined subroutines are in the .dwo
// (DWARF 5, and GNU's DWARF 4 form) or in a .dwp package made of it.
func TestSourceFramesInlined(t *testing.T) {
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("no gcc")
	}
	src, err := filepath.Abs("../../testdata/helpers/dwarfinline.c")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range splitVariants(t) {
		t.Run(v.name, func(t *testing.T) {
			bin := filepath.Join(t.TempDir(), "dwarfinline")
			v.build(t, bin, src, "-O2", "-fno-omit-frame-pointer")
			checkInlineFrames(t, bin, src)
		})
	}
}

func checkInlineFrames(t *testing.T, bin, src string) {
	t.Helper()
	f, err := Open(bin, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The return address of outer's call to target is in inner, inlined
	// in middle, inlined in outer; the instruction after the call is the
	// address target returns to.
	ef, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer ef.Close()
	syms, err := ef.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	var outer, target, mainFn uint64
	for _, s := range syms {
		switch s.Name {
		case "outer":
			outer = s.Value
		case "target":
			target = s.Value
		case "main":
			mainFn = s.Value
		}
	}
	ret := returnAddress(t, bin, outer, target)
	frames, ok := f.SourceFrames(ret)
	if !ok {
		t.Fatalf("no source frames at %#x", ret)
	}
	want := []SourceFrame{
		{Name: "inner", Inlined: true, File: src, Line: 25},
		{Name: "middle", Inlined: true, File: src, Line: 30},
		{File: src, Line: 36},
	}
	if fmt.Sprint(frames) != fmt.Sprint(want) {
		t.Errorf("frames at %#x:\n got %v\nwant %v", ret, frames, want)
	}
	// target itself inlines nothing: its own line (the last row at its
	// address, as addr2line reads it).
	frames, ok = f.SourceFrames(target)
	if want := fmt.Sprint([]SourceFrame{{File: src, Line: 18}}); !ok || fmt.Sprint(frames) != want {
		t.Errorf("frames at target: got %v, want %s", frames, want)
	}
	// main is in .text.startup, whose line-table sequence comes after
	// the one of .text at higher addresses.
	ret = returnAddress(t, bin, mainFn, outer)
	if file, line, ok := f.SourceLine(ret); !ok || file != src || line != 45 {
		t.Errorf("SourceLine(%#x) = %s:%d %v, want %s:45", ret, file, line, ok, src)
	}
	// The functions of an optimised unit (with range lists) are found.
	if got := describe(t, f, "outer"); got != "long int x: int64 in di\n" {
		t.Errorf("outer: %q", got)
	}
}

// splitVariant builds a C file one way: with its DWARF in the binary, or
// split into a .dwo file or a .dwp package.
type splitVariant struct {
	name  string
	build func(t *testing.T, bin, src string, flags ...string)
}

// splitVariants are the ways of building with DWARF the tests read: in
// the binary, split DWARF 5 (.dwo, llvm-dwp's .dwp; GNU dwp 2.40 cannot
// pack DWARF 5) and GNU split DWARF 4 (.dwo, dwp's and llvm-dwp's .dwp).
// Under CI a missing packer fails the test; elsewhere its variants are
// left out.
func splitVariants(t *testing.T) []splitVariant {
	t.Helper()
	plain := func(t *testing.T, bin, src string, flags ...string) {
		gcc(t, filepath.Dir(bin), append(append([]string{"-g"}, flags...), "-o", bin, src)...)
	}
	split := func(version, packer string) func(*testing.T, string, string, ...string) {
		return func(t *testing.T, bin, src string, flags ...string) {
			// Built in its directory: the .dwo is named from -o's path.
			args := []string{"-g", "-gsplit-dwarf", "-gdwarf-" + version}
			for _, fl := range flags {
				if fl == "-O2" && packer == "llvm-dwp" && version == "5" {
					// llvm-dwp 14 (Debian 12) never ends on gcc 12's
					// DWARF 5 units at -O2.
					fl = "-O1"
				}
				args = append(args, fl)
			}
			gcc(t, filepath.Dir(bin), append(args, "-o", filepath.Base(bin), src)...)
			dwos, _ := filepath.Glob(filepath.Join(filepath.Dir(bin), "*.dwo"))
			if len(dwos) != 1 {
				t.Fatalf("gcc made the split DWARF files %v", dwos)
			}
			dwo := dwos[0]
			if packer == "" {
				return
			}
			// dwp looks for the .dwo in its working directory.
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, packer, "-e", bin, "-o", bin+".dwp")
			cmd.Dir = filepath.Dir(bin)
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s: %v\n%s", packer, err, b)
			}
			if err := os.Remove(dwo); err != nil {
				t.Fatal(err)
			}
		}
	}
	out := []splitVariant{{"dwarf", plain}, {"split5-dwo", split("5", "")}, {"split4-dwo", split("4", "")}}
	for _, p := range []struct{ name, packer, version string }{
		{"split5-llvm-dwp", "llvm-dwp", "5"}, {"split4-dwp", "dwp", "4"}, {"split4-llvm-dwp", "llvm-dwp", "4"},
	} {
		if _, err := exec.LookPath(p.packer); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is missing: .ci/run installs Debian's llvm and binutils for it", p.packer)
			}
			t.Logf("no %s: %s not tested", p.packer, p.name)
			continue
		}
		out = append(out, splitVariant{p.name, split(p.version, p.packer)})
	}
	return out
}

func gcc(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("gcc", args...)
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gcc %v: %v\n%s", args, err, b)
	}
}

// returnAddress finds the address after the call from the function at
// from to the one at to, with objdump.
func returnAddress(t *testing.T, bin string, from, to uint64) uint64 {
	t.Helper()
	out, err := exec.Command("objdump", "-d", "--no-show-raw-insn", bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(out), "\n")
	inFrom := false
	for i, l := range lines {
		if strings.HasSuffix(l, ">:") {
			inFrom = strings.HasPrefix(l, fmt.Sprintf("%016x", from))
			continue
		}
		if inFrom && strings.Contains(l, fmt.Sprintf("call   %x ", to)) && i+1 < len(lines) {
			var next uint64
			if _, err := fmt.Sscanf(strings.TrimSpace(lines[i+1]), "%x:", &next); err == nil {
				return next
			}
		}
	}
	t.Fatalf("no call from %#x to %#x in %s", from, to, bin)
	return 0
}

// Split DWARF (gcc -gsplit-dwarf, DWARF 5 and GNU's DWARF 4 form): the
// functions and their parameters are read from the .dwo file the skeleton
// unit names, or from a .dwp package, the source lines from the binary's
// own line table; without either file a function is not found and the
// error says which file is missing.
func TestSplitDWARF(t *testing.T) {
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("no gcc")
	}
	src, err := filepath.Abs("../../testdata/helpers/dwarftarget.c")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range splitVariants(t) {
		t.Run(v.name, func(t *testing.T) {
			dir := t.TempDir()
			bin := filepath.Join(dir, "split")
			v.build(t, bin, src, "-O0")
			f, err := Open(bin, nil)
			if err != nil {
				t.Fatal(err)
			}
			want := "int8_t a: int8 in di\nuint8_t b: uint8 in si\nint16_t c: int16 in dx\nuint16_t d: uint16 in cx\nint32_t e: int32 in r8\nuint32_t f: uint32 in r9\n"
			if got := describe(t, f, "dw_ints"); got != want {
				t.Errorf("dw_ints:\n got %s\nwant %s", got, want)
			}
			if got := describe(t, f, "main"); got != "int argc: int32 in di\nchar** argv: int8 * * in si\n" {
				t.Errorf("main: %s", got)
			}
			// struct point's members, read through the string forms.
			args, _ := f.Args("dw_ptrs")
			if got := fmt.Sprint(args[2].Type.Elem); got != "struct point" || len(args[2].Type.Elem.Fields) != 4 || args[2].Type.Elem.Fields[2].Name != "label" {
				t.Errorf("dw_ptrs p: %s %+v", got, args[2].Type.Elem.Fields)
			}
			if names, _ := f.FunctionNames(); len(names) != 5 {
				t.Errorf("functions %v", names)
			}
			addr, err := f.LineAddress("dwarftarget.c", 17)
			if err != nil {
				t.Fatal(err)
			}
			if file, line, ok := f.SourceLine(addr); !ok || file != src || line != 17 {
				t.Errorf("SourceLine(%#x) = %s:%d %v, want %s:17", addr, file, line, ok, src)
			}
		})
	}
	// Without the .dwo.
	dir := t.TempDir()
	gcc(t, dir, "-g", "-O0", "-gsplit-dwarf", "-gdwarf-4", "-o", "split", src)
	bin := filepath.Join(dir, "split")
	if err := os.Remove(bin + "-dwarftarget.dwo"); err != nil {
		t.Fatal(err)
	}
	f, err := Open(bin, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.Args("dw_ints")
	if want := fmt.Sprintf("dw_ints is not in the debug information of %s: its split DWARF file split-dwarftarget.dwo is missing (looked in %s and beside the binary, and for split.dwp)", bin, dir); err == nil || err.Error() != want {
		t.Errorf("without the .dwo: %v\nwant %s", err, want)
	}
}

// GCC's clones (testdata/helpers/clones.c, gcc -O2) list the declared
// parameters, each in the register the clone's DWARF places it in at its
// entry, or why it cannot be read; check, next to its clone check.part.0,
// is described by its own subprogram (found by its address).
//
// The same from split DWARF (gcc -gsplit-dwarf): the location lists are in
// the .dwo (.debug_loclists.dwo, or GNU's .debug_loc.dwo in DWARF 4), their
// addresses indexes into the binary's .debug_addr; and from a .dwp package.
func TestCloneArgs(t *testing.T) {
	for _, flags := range [][]string{
		{"-g", "-O2"},
		{"-g", "-O2", "-gsplit-dwarf"},
		{"-g", "-O2", "-gsplit-dwarf", "-gdwarf-4"},
		{"-g", "-O2", "-gsplit-dwarf", "-gdwarf-4", "dwp"},
	} {
		t.Run(strings.Join(flags, " "), func(t *testing.T) { cloneArgs(t, flags) })
	}
}

func cloneArgs(t *testing.T, flags []string) {
	dir := t.TempDir()
	dwp := flags[len(flags)-1] == "dwp"
	if dwp {
		flags = flags[:len(flags)-1]
		if _, err := exec.LookPath("dwp"); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatal("dwp is missing: .ci/run installs it")
			}
			t.Skip("no dwp")
		}
	}
	src, err := filepath.Abs("../../testdata/helpers/clones.c")
	if err != nil {
		t.Fatal(err)
	}
	gcc(t, dir, append(flags, "-o", "clones", src)...)
	if dwp {
		cmd := exec.Command("dwp", "-e", "clones", "-o", "clones.dwp")
		cmd.Dir = dir
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("dwp: %v\n%s", err, b)
		}
		dwos, _ := filepath.Glob(filepath.Join(dir, "*.dwo"))
		for _, d := range dwos {
			os.Remove(d)
		}
	}
	f, err := Open(filepath.Join(dir, "clones"), nil)
	if err != nil {
		t.Fatal(err)
	}
	// GCC writes no DW_OP_implicit_pointer into a .dwo: the known string
	// has no location there.
	tag := "the clone does not take it: its DWARF gives it as a pointer to a known value"
	if slices.Contains(flags, "-gsplit-dwarf") {
		tag = "the clone does not take it: its DWARF gives no location for it"
	}
	for fn, want := range map[string]string{
		"use_cfg.constprop.0.isra.0": "struct cfg* c: the clone does not take it: its DWARF says it is the caller's value\n" +
			"long int scale: int64 in si\nconst char* tag: " + tag + "\n",
		"add3.constprop.0": "long int x: int64 in di\nlong int y: int64 in si\nlong int z: the clone does not take it: its DWARF gives it as the constant 7\n",
		"check.part.0":     "long int x: int64 in di\nlong int y: int64 in si\nconst char* tag: int8 * in dx\n",
		"check":            "long int x: int64 in di\nlong int y: int64 in si\nconst char* tag: int8 * in dx\n",
	} {
		if got := describe(t, f, fn); got != want {
			t.Errorf("%s:\n got %q\nwant %q", fn, got, want)
		}
	}
}

// The types a script casts to in a uprobe, by the names it writes them:
// a typedef, a struct (its pointer members to their targets), a union, an
// enum; none for a name the binary does not define.
func TestNamedType(t *testing.T) {
	bin := buildHelper(t, t.TempDir(), "dwarftypes", "-g", "-O0")
	f, err := Open(bin, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"item_t":      "struct { int32 a; string[8] name; } 12",
		"struct node": "struct node { int64 value; struct node * next; } 16",
		"union word":  "union word { int32 i; string[4] bytes; } 4",
		"enum color":  "uint32 4",
	} {
		lt, found, err := f.NamedType(name)
		if err != nil || !found {
			t.Errorf("%s: %v %v", name, found, err)
			continue
		}
		var b strings.Builder
		b.WriteString(lt.String())
		if lt.Kind == lang.KStruct {
			b.WriteString(" {")
			for _, fl := range lt.Fields {
				fmt.Fprintf(&b, " %s %s;", fl.Type, fl.Name)
			}
			b.WriteString(" }")
		}
		fmt.Fprintf(&b, " %d", lt.Size)
		if b.String() != want {
			t.Errorf("%s: %s, want %s", name, b.String(), want)
		}
	}
	for _, name := range []string{"struct item_t", "struct nothere", "color", "node"} {
		if _, found, err := f.NamedType(name); found || err != nil {
			t.Errorf("%s: found %v, %v", name, found, err)
		}
	}
}

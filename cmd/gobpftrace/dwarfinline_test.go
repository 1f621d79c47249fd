package main

// End-to-end tests of functions inlined at the addresses of user stacks
// (config show_debug_info): testdata/helpers/dwarfinline.c built with
// gcc -g -O2, where outer() inlines middle() which inlines inner(), which
// calls target().

import (
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// inlineAddrs are addresses of dwarfinline: its functions', and those
// the calls of outer to target and of main to outer return to.
type inlineAddrs struct{ target, outer, main, retOuter, retMain uint64 }

// dwarfInline builds dwarfinline (position-dependent, so that its
// addresses are the same in every run) and returns its path and
// addresses.
func dwarfInline(t *testing.T) (bin string, a inlineAddrs) {
	t.Helper()
	bin = buildCHelper(t, "dwarfinline", "-g", "-O2", "-fno-omit-frame-pointer", "-no-pie", "-fno-pie")
	return bin, inlineAddresses(t, bin)
}

// inlineAddresses reads the addresses of a dwarfinline binary.
func inlineAddresses(t *testing.T, bin string) (a inlineAddrs) {
	t.Helper()
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range syms {
		switch s.Name {
		case "outer":
			a.outer = s.Value
		case "target":
			a.target = s.Value
		case "main":
			a.main = s.Value
		}
	}
	out, err := exec.Command("objdump", "-d", "--no-show-raw-insn", bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(out), "\n")
	for i, l := range lines {
		if i+1 == len(lines) {
			break
		}
		if strings.Contains(l, fmt.Sprintf("call   %x <target>", a.target)) {
			fmt.Sscanf(strings.TrimSpace(lines[i+1]), "%x:", &a.retOuter)
		}
		if strings.Contains(l, fmt.Sprintf("call   %x <outer>", a.outer)) {
			fmt.Sscanf(strings.TrimSpace(lines[i+1]), "%x:", &a.retMain)
		}
	}
	if a.retOuter <= a.outer || a.retMain <= a.main || a.target == 0 {
		t.Fatalf("no calls from main to outer to target in %s: %+v", bin, a)
	}
	return a
}

// buildSplit builds testdata/helpers/NAME.c with gcc -gsplit-dwarf in its
// own directory (DWARF version 4, GNU's form, or 5) and with packer
// (dwp, llvm-dwp) packs its .dwo into a .dwp beside it, then removes the
// .dwo. A missing packer fails the test under CI and skips it elsewhere.
func buildSplit(t *testing.T, name, version, packer string, flags ...string) string {
	t.Helper()
	if packer != "" {
		if _, err := exec.LookPath(packer); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is missing: .ci/run installs it", packer)
			}
			t.Skipf("no %s", packer)
		}
	}
	src, err := filepath.Abs("../../testdata/helpers/" + name + ".c")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Dir = dir // dwp looks for the .dwo files in its directory
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	run(append(append([]string{"gcc", "-g", "-gsplit-dwarf", "-gdwarf-" + version}, flags...), "-o", name, src)...)
	bin := filepath.Join(dir, name)
	if packer != "" {
		run(packer, "-e", bin, "-o", bin+".dwp")
		dwos, _ := filepath.Glob(filepath.Join(dir, "*.dwo"))
		for _, d := range dwos {
			os.Remove(d)
		}
	}
	return bin
}

// With show_debug_info, the frame whose address is in code inlined from
// inner() into middle() into outer() prints a line per inlined function
// before its own, innermost first, each at the line it is at, and the
// frame itself at the line of the outermost call, as bpftrace prints
// them; perf mode names them "(inlined)"; without show_debug_info the
// stack has only the frames.
func TestUstackInlinedFrames(t *testing.T) {
	requireRoot(t)
	bin, a := dwarfInline(t)
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	src := wd + "/../../testdata/helpers/dwarfinline.c"
	checkInlinedFrames(t, bin, src, a)
	script := fmt.Sprintf(`uprobe:%[1]s:target { @[ustack(2)] = count(); }`, bin)
	res := trace(t, traceRun{args: []string{"-c", bin + " 2", "-e", script}})
	wantOutput(t, res, fmt.Sprintf("\n\n@[\n    target+0\n    outer+%d\n]: 2\n", a.retOuter-a.outer), "Attached 1 probe\n")
}

// The same frames when the inlined subroutines are in split DWARF: a .dwo
// of DWARF 5, a .dwp of GNU's split DWARF 4 made by dwp.
func TestUstackInlinedFramesSplit(t *testing.T) {
	requireRoot(t)
	src, err := filepath.Abs("../../testdata/helpers/dwarfinline.c")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []struct{ version, packer string }{{"5", ""}, {"4", "dwp"}} {
		t.Run("dwarf"+v.version+v.packer, func(t *testing.T) {
			bin := buildSplit(t, "dwarfinline", v.version, v.packer, "-O2", "-fno-omit-frame-pointer", "-no-pie", "-fno-pie")
			checkInlinedFrames(t, bin, src, inlineAddresses(t, bin))
		})
	}
}

// checkInlinedFrames traces target in dwarfinline bin (built from src,
// its addresses a) with show_debug_info.
func checkInlinedFrames(t *testing.T, bin, src string, a inlineAddrs) {
	t.Helper()
	script := fmt.Sprintf(`config = { show_debug_info = 1 } uprobe:%[1]s:target { @[ustack(3)] = count(); @p[ustack(perf, 2)] = count(); }`, bin)
	res := trace(t, traceRun{args: []string{"-c", bin + " 3", "-e", script}})
	wantOutput(t, res, fmt.Sprintf(`

@[
    target+0@%[1]s:18
    [inlined] inner@%[1]s:25
    [inlined] middle@%[1]s:30
    outer+%[2]d@%[1]s:36
    main+%[6]d@%[1]s:45
]: 3
@p[
	%[3]x target+0 (%[5]s)
	%[4]x inner (inlined)
	%[4]x middle (inlined)
	%[4]x outer+%[2]d (%[5]s)
]: 3
`, src, a.retOuter-a.outer, a.target, a.retOuter, bin, a.retMain-a.main), "Attached 1 probe\n")
}

// A binary built with gcc -gsplit-dwarf: -lv and args read the .dwo file
// beside it or the .dwp package, in DWARF 5 and in GNU's DWARF 4 form, the
// source lines of show_debug_info its own line table.
func TestSplitDWARFArgs(t *testing.T) {
	requireRoot(t)
	src, err := filepath.Abs("../../testdata/helpers/dwarftarget.c")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []struct{ version, packer string }{{"5", ""}, {"4", ""}, {"4", "dwp"}, {"5", "llvm-dwp"}} {
		t.Run("dwarf"+v.version+v.packer, func(t *testing.T) {
			bin := buildSplit(t, "dwarftarget", v.version, v.packer, "-O0")
			res := trace(t, traceRun{args: []string{"-lv", "uprobe:" + bin + ":dw_ptrs"}, noAttach: true})
			wantOutput(t, res, fmt.Sprintf("uprobe:%s:dw_ptrs\n    const char* name\n    int* n\n    struct point* p\n", bin), "")
			script := fmt.Sprintf(`config = { show_debug_info = 1 } uprobe:%s:dw_ptrs { printf("%%s %%d %%d\n", str(args.name), *args.n, args.p->next->x); @[ustack(1)] = count(); }`, bin)
			res = trace(t, traceRun{args: []string{"-c", bin + " 2", "-e", script}})
			wantOutput(t, res, fmt.Sprintf("dwarf 13 1000\ndwarf 14 1001\n\n\n@[\n    dw_ptrs+0@%s:24\n]: 2\n", src), "Attached 1 probe\n")
		})
	}
}

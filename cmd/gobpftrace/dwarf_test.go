package main

// End-to-end tests of what gobpftrace reads from DWARF debug information:
// uprobe args of C functions (testdata/helpers/dwarftarget.c, built with
// gcc -g -O0) and of Go functions (testdata/helpers/godwarf), -lv, the
// errors, and separate debug files found with --debuginfo.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var (
	goDwarfOnce sync.Once
	goDwarfErr  error
	goDwarfPath string
)

// dwarfHelpers builds dwarftarget (gcc -g -O0) and godwarf once, next to
// the binary under test.
func dwarfHelpers(t *testing.T) (cPath, goPath string) {
	t.Helper()
	cPath = buildCHelper(t, "dwarftarget", "-g", "-O0")
	goDwarfOnce.Do(func() {
		goDwarfPath = filepath.Join(filepath.Dir(binPath), "godwarf")
		cmd := exec.Command("go", "build", "-o", goDwarfPath, ".")
		cmd.Dir = filepath.Join("..", "..", "testdata", "helpers", "godwarf")
		// The helper is its own main package outside the module.
		cmd.Env = append(os.Environ(), "GO111MODULE=off", "GOFLAGS=")
		if out, err := cmd.CombinedOutput(); err != nil {
			goDwarfErr = fmt.Errorf("building godwarf: %v\n%s", err, out)
		}
	})
	if goDwarfErr != nil {
		t.Fatal(goDwarfErr)
	}
	return cPath, goDwarfPath
}

// C parameters of every integer width and sign, pointers, char * through
// str(), a struct through a pointer (-> and .) and a pointer in it.
// dwarftarget 3 calls each function with i = 0, 1, 2.
func TestUprobeArgsC(t *testing.T) {
	requireRoot(t)
	bin, _ := dwarfHelpers(t)
	script := fmt.Sprintf(`uprobe:%[1]s:dw_ints { printf("ints %%d %%d %%d %%d %%d %%u\n", args.a, args.b, args.c, args.d, args.e, args.f); }
uprobe:%[1]s:dw_wide { printf("wide %%ld %%lu %%c %%d\n", args->a, args->b, args->c, args->d); }
uprobe:%[1]s:dw_ptrs { printf("ptrs %%s %%d %%d %%d %%s %%d\n", str(args.name), *args.n, args.p->x, args.p.y, str(args.p->label), args.p->next->x); }
uprobe:%[1]s:dw_mixed { printf("mixed %%d %%d\n", args.count, args.after); }`, bin)
	res := trace(t, traceRun{args: []string{"-c", bin + " 3", "-e", script}})
	var want strings.Builder
	for i := 0; i < 3; i++ {
		fmt.Fprintf(&want, "ints %d %d %d %d %d %d\n", -1-i, 200+i, -300-i, 60000+i, -70000-i, 4000000000+i)
		fmt.Fprintf(&want, "wide %d %d x 250\n", -5000000000-i, uint64(18000000000000000000)+uint64(i))
		fmt.Fprintf(&want, "ptrs dwarf %d %d %d first %d\n", 13+i, i, -i, 1000+i)
		fmt.Fprintf(&want, "mixed %d %d\n", i, 7+i)
	}
	wantOutput(t, res, want.String()+"\n\n", "Attached 4 probes\n")
}

// Go parameters in Go's registers: integers, a pointer to a struct, a
// string (two registers) and a slice (three), with a float between that
// takes no integer register; an interface and a struct passed by value
// read as records of their words. godwarf 3 calls each with i = 0, 1, 2.
func TestUprobeArgsGo(t *testing.T) {
	requireRoot(t)
	_, bin := dwarfHelpers(t)
	script := fmt.Sprintf(`uprobe:%[1]s:main.ints { @ints[args.a, args.b, args.c, args.d, args.e] = sum(args.b - 59999); }
uprobe:%[1]s:main.text { @text[args.name, args.xs.len, args.xs.cap, args.xs.ptr[3], args.p->X, args.p.Next.X] = sum(args.after);
  if (args.name == "gopher1") { @named = count(); } }
uprobe:%[1]s:main.vals { @vals[args.pr.A, args.pr.B, args.last, args.w.tab != 0, args.w.data != 0] = sum(-args.pr.A); }`, bin)
	res := trace(t, traceRun{args: []string{"-c", bin + " 3", "-e", script}})
	// The maps print in the order of their values.
	wantOutput(t, res, "sum -1340232236128684605\n\n\n"+
		"@ints[-1, 60000, -70000, -5000000000, 18000000000000000000]: 1\n"+
		"@ints[-2, 60001, -70001, -5000000001, 18000000000000000001]: 2\n"+
		"@ints[-3, 60002, -70002, -5000000002, 18000000000000000002]: 3\n"+
		"@named: 1\n"+
		"@text[gopher0, 4, 4, 0, 10, 1000]: 7\n"+
		"@text[gopher1, 4, 4, 1, 11, 1001]: 8\n"+
		"@text[gopher2, 4, 4, 2, 12, 1002]: 9\n"+
		"@vals[-5, 9, 42, true, true]: 5\n"+
		"@vals[-6, 9, 42, true, true]: 6\n"+
		"@vals[-7, 9, 42, true, true]: 7\n", "Attached 3 probes\n")
}

// Go parameters passed on the stack (more integer words than the nine
// registers, arrays, a struct of ten words), each at its alignment, read
// exactly: a string, a slice, a struct, an array (indexed with a
// constant and a variable), an int8 at an odd offset, an interface; the
// int32 after the string still in a register. godwarf 2 calls many with
// i = 0, 1.
func TestUprobeArgsGoStack(t *testing.T) {
	requireRoot(t)
	_, bin := dwarfHelpers(t)
	// Maps, not printf: godwarf prints its sum at a time of its own.
	script := fmt.Sprintf(`uprobe:%s:main.many { $i = 1;
  @[args.a1, args.a8, args.s, args.tail, args.xs.len, args.xs.ptr[2], args.b.A, args.b.J, args.small[2], args.small[$i], args.last, args.w.data != 0] = sum(args.a1);
  @b[args.a1] = args.b; @small[args.a1] = args.small; $x = args.xs; @xs[args.a1] = ($x.len, $x.cap); }`, bin)
	res := trace(t, traceRun{args: []string{"-c", bin + " 2", "-e", script}})
	wantOutput(t, res, "sum -893488157419123070\n\n\n"+
		"@[1, 80, stack0, -7, 3, 7, 100, 109, 3, 2, -100, true]: 1\n"+
		"@[2, 81, stack1, -8, 3, 8, 101, 110, 4, 2, -101, true]: 2\n"+
		"@b[1]: { .A = 100, .B = 101, .C = 102, .D = 103, .E = 104, .F = 105, .G = 106, .H = 107, .I = 108, .J = 109 }\n"+
		"@b[2]: { .A = 101, .B = 101, .C = 102, .D = 103, .E = 104, .F = 105, .G = 106, .H = 107, .I = 108, .J = 110 }\n"+
		"@small[1]: [1,2,3]\n@small[2]: [1,2,4]\n@xs[1]: (3, 3)\n@xs[2]: (3, 3)\n", "Attached 1 probe\n")
	res = trace(t, traceRun{args: []string{"-lv", "uprobe:" + bin + ":main.many"}, noAttach: true})
	wantOutput(t, res, fmt.Sprintf("uprobe:%s:main.many\n    int a1\n    int a2\n    int a3\n    int a4\n    int a5\n    int a6\n    int a7\n    int a8\n"+
		"    string s\n    int32 tail\n    []int xs\n    main.big b\n    [3]uint16 small\n    int8 last\n    fmt.Stringer w\n", bin), "")
}

// The slice as a whole prints as a record.
func TestUprobeArgsGoSliceRecord(t *testing.T) {
	requireRoot(t)
	_, bin := dwarfHelpers(t)
	res := trace(t, traceRun{args: []string{"-c", bin + " 1", "-e", fmt.Sprintf(`uprobe:%s:main.text { $s = args.xs; @[$s.len, $s.cap, *$s.ptr] = count(); }`, bin)}})
	wantOutput(t, res, "sum -446744078709561535\n\n\n@[4, 4, 1]: 1\n", "Attached 1 probe\n")
}

// -lv lists a function's parameters as bpftrace does (its DWARF type
// names, "int* n"); Go functions with Go's type names.
func TestListUprobeParams(t *testing.T) {
	requireRoot(t)
	cBin, goBin := dwarfHelpers(t)
	res := trace(t, traceRun{args: []string{"-lv", "uprobe:" + cBin + ":dw_*"}, noAttach: true})
	wantOutput(t, res, fmt.Sprintf(`uprobe:%[1]s:dw_ints
    int8_t a
    uint8_t b
    int16_t c
    uint16_t d
    int32_t e
    uint32_t f
uprobe:%[1]s:dw_mixed
    double scale
    long int count
    float f
    long int after
uprobe:%[1]s:dw_ptrs
    const char* name
    int* n
    struct point* p
uprobe:%[1]s:dw_wide
    int64_t a
    uint64_t b
    char c
    unsigned char d
`, cBin), "")
	res = trace(t, traceRun{args: []string{"-lv", "uprobe:" + goBin + ":main.text"}, noAttach: true})
	wantOutput(t, res, fmt.Sprintf("uprobe:%s:main.text\n    string name\n    []int xs\n    *main.point p\n    float64 f\n    int after\n", goBin), "")
	res = trace(t, traceRun{args: []string{"-lv", "uprobe:" + goBin + ":main.vals"}, noAttach: true})
	wantOutput(t, res, fmt.Sprintf("uprobe:%s:main.vals\n    fmt.Stringer w\n    main.pair pr\n    int last\n", goBin), "")
}

// -l takes several patterns separated by commas, as bpftrace's man page
// shows (blanks around them ignored), and -lv of a binary without DWARF
// warns once, in bpftrace's words, and lists the functions alone;
// --no-warnings silences it.
func TestListSeveralPatternsNoDWARF(t *testing.T) {
	requireRoot(t)
	cBin, _ := dwarfHelpers(t)
	nodebug := filepath.Join(t.TempDir(), "nodebug")
	if out, err := exec.Command("gcc", "-O0", "-o", nodebug, "../../testdata/helpers/dwarftarget.c").CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	res := trace(t, traceRun{args: []string{"-lv", fmt.Sprintf("uprobe:%[1]s:dw_wide, uprobe:%[2]s:dw_i*,uprobe:%[2]s:dw_p*,tracepoint:syscalls:sys_enter_close,", cBin, nodebug)}, noAttach: true})
	wantOutput(t, res, fmt.Sprintf(`uprobe:%[1]s:dw_wide
    int64_t a
    uint64_t b
    char c
    unsigned char d
uprobe:%[2]s:dw_ints
uprobe:%[2]s:dw_ptrs
tracepoint:syscalls:sys_enter_close
    int __syscall_nr
    unsigned int fd
`, cBin, nodebug), fmt.Sprintf("WARNING: No DWARF found for \"%s\", cannot show parameter info\n", nodebug))
	res = trace(t, traceRun{args: []string{"--no-warnings", "-lv", "uprobe:" + nodebug + ":dw_ints"}, noAttach: true})
	wantOutput(t, res, fmt.Sprintf("uprobe:%s:dw_ints\n", nodebug), "")
}

// Errors name the place in the script and say what to do.
func TestUprobeArgsErrors(t *testing.T) {
	requireRoot(t)
	cBin, goBin := dwarfHelpers(t)
	nodebug := filepath.Join(t.TempDir(), "nodebug")
	if out, err := exec.Command("gcc", "-O0", "-o", nodebug, "../../testdata/helpers/dwarftarget.c").CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	for _, c := range []struct{ script, want string }{
		{fmt.Sprintf(`uprobe:%s:dw_ints { print(args.a); }`, nodebug), fmt.Sprintf(`stdin:1:%[2]d-%[3]d: ERROR: %[1]s has no DWARF debug information
uprobe:%[1]s:dw_ints { print(args.a); }
%[4]s~~~~
HINT: build %[1]s with -g, or give the directory of its separate debug file with --debuginfo DIR; arg0, arg1, ... read the integer arguments without it
`, nodebug, len(nodebug)+25, len(nodebug)+29, strings.Repeat(" ", len(nodebug)+24))},
		{fmt.Sprintf(`uprobe:%s:dw_ints { print(args.z); }`, cBin), fmt.Sprintf(`stdin:1:%[2]d-%[3]d: ERROR: Can't find function parameter z
uprobe:%[1]s:dw_ints { print(args.z); }
%[4]s~~~~~~
HINT: the parameters of dw_ints: a, b, c, d, e, f
`, cBin, len(cBin)+25, len(cBin)+31, strings.Repeat(" ", len(cBin)+24))},
		{fmt.Sprintf(`uprobe:%s:dw_mixed { print(args.scale); }`, cBin), fmt.Sprintf(`stdin:1:%[2]d-%[3]d: ERROR: args.scale of dw_mixed cannot be read: it is passed in xmm registers, which a uprobe cannot read
uprobe:%[1]s:dw_mixed { print(args.scale); }
%[4]s~~~~~~~~~~
`, cBin, len(cBin)+26, len(cBin)+36, strings.Repeat(" ", len(cBin)+25))},
		{fmt.Sprintf(`uretprobe:%s:main.ints { print(args.a); }`, goBin), fmt.Sprintf(`stdin:1:%[2]d-%[3]d: ERROR: The args builtin can only be used with tracepoint/fentry/uprobe probes (uretprobe used here)
uretprobe:%[1]s:main.ints { print(args.a); }
%[4]s~~~~
HINT: a function's arguments are gone when it returns: save them in a map keyed by tid in a uprobe on main.ints
`, goBin, len(goBin)+30, len(goBin)+34, strings.Repeat(" ", len(goBin)+29))},
	} {
		res := trace(t, traceRun{args: []string{"-e", c.script}, noAttach: true})
		mustExit(t, res, 1)
		if res.stderr != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.script, res.stderr, c.want)
		}
	}
}

// --debuginfo DIR: a stripped binary's DWARF in a separate file under
// DIR/.build-id, for args and -lv.
func TestDebuginfoDir(t *testing.T) {
	requireRoot(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "stripped")
	debug := filepath.Join(dir, "debug")
	if out, err := exec.Command("gcc", "-g", "-O0", "-Wl,--build-id=sha1", "-o", bin, "../../testdata/helpers/dwarftarget.c").CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	out, err := exec.Command("readelf", "-n", bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	_, id, _ := strings.Cut(string(out), "Build ID: ")
	id = strings.TrimSpace(strings.SplitN(id, "\n", 2)[0])
	if len(id) != 40 {
		t.Fatalf("build id %q", id)
	}
	byID := filepath.Join(debug, ".build-id", id[:2], id[2:]+".debug")
	if err := os.MkdirAll(filepath.Dir(byID), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"objcopy", "--only-keep-debug", bin, byID}, {"strip", "--strip-debug", bin}} {
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	res := trace(t, traceRun{args: []string{"-lv", "uprobe:" + bin + ":main", "--debuginfo=" + debug}, noAttach: true})
	wantOutput(t, res, fmt.Sprintf("uprobe:%s:main\n    int argc\n    char** argv\n", bin), "")
	res = trace(t, traceRun{args: []string{"--debuginfo", debug, "-c", bin + " 2", "-e", fmt.Sprintf(`uprobe:%s:dw_wide { printf("%%c %%ld\n", args.c, args.a); }`, bin)}})
	wantOutput(t, res, "x -5000000000\nx -5000000001\n\n\n", "Attached 1 probe\n")
}

// A uprobe at a source line: bpftrace's uprobe:BIN@FILE:LINE, and
// uprobe:BIN:FILE:LINE; the probe fires at the line's first instruction,
// inside the function that holds it.
func TestUprobeSourceLine(t *testing.T) {
	requireRoot(t)
	bin, _ := dwarfHelpers(t)
	script := fmt.Sprintf(`uprobe:%[1]s@dwarftarget.c:17 { @a[probe, func] = count(); } uprobe:%[1]s:dwarftarget.c:21 { @b[probe, func] = count(); }`, bin)
	res := trace(t, traceRun{args: []string{"-c", bin + " 2", "-e", script}})
	// probe names the line in bpftrace's spelling.
	wantOutput(t, res, fmt.Sprintf("\n\n@a[uprobe:%[1]s@dwarftarget.c:17, dw_ints]: 2\n@b[uprobe:%[1]s@dwarftarget.c:21, dw_wide]: 2\n", bin), "Attached 2 probes\n")
	res = trace(t, traceRun{args: []string{"-e", fmt.Sprintf(`uprobe:%s@dwarftarget.c:15 { }`, bin)}, noAttach: true})
	mustExit(t, res, 1)
	if !strings.HasPrefix(res.stderr, "stdin:1:1-") || !strings.Contains(res.stderr, ": ERROR: Unable to map 'dwarftarget.c:15' to address\n") {
		t.Errorf("stderr %q", res.stderr)
	}
}

// config show_debug_info: user frames end with @FILE:LINE (the
// compilation directory joined with the file as the compiler named it).
func TestShowDebugInfo(t *testing.T) {
	requireRoot(t)
	bin, _ := dwarfHelpers(t)
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	src := wd + "/../../testdata/helpers/dwarftarget.c"
	script := fmt.Sprintf(`config = { show_debug_info = 1 } uprobe:%s:dw_ints { @[ustack(2)] = count(); }`, bin)
	res := trace(t, traceRun{args: []string{"-c", bin + " 3", "-e", script}})
	wantOutput(t, res, fmt.Sprintf("\n\n@[\n    dw_ints+0@%[1]s:16\n    main+286@%[1]s:45\n]: 3\n", src), "Attached 1 probe\n")
	// Off by default, as the stack modes other than bpftrace's.
	script = fmt.Sprintf(`uprobe:%[1]s:dw_ints { @[ustack(1)] = count(); } uprobe:%[1]s:dw_wide { @p[ustack(perf, 1)] = count(); }`, bin)
	res = trace(t, traceRun{args: []string{"-c", bin + " 1", "-e", "config = { show_debug_info = true } " + script}})
	mustExit(t, res, 0)
	if !strings.Contains(res.stdout, "@[\n    dw_ints+0@"+src+":16\n]: 1\n") || strings.Contains(res.stdout, "dw_wide+0@") {
		t.Errorf("stdout %q", res.stdout)
	}
	res = trace(t, traceRun{args: []string{"-c", bin + " 1", "-e", script}})
	mustExit(t, res, 0)
	if !strings.Contains(res.stdout, "@[\n    dw_ints+0\n]: 1\n") {
		t.Errorf("stdout %q", res.stdout)
	}
}

// args as a value is a record of the parameters, as bpftrace prints a
// uprobe's args, in text and JSON.
func TestUprobeArgsRecord(t *testing.T) {
	requireRoot(t)
	bin, _ := dwarfHelpers(t)
	script := fmt.Sprintf(`uprobe:%s:dw_ints { print(args); $a = args; @[$a.f] = sum($a.b); }`, bin)
	res := trace(t, traceRun{args: []string{"-c", bin + " 2", "-e", script}})
	wantOutput(t, res, "{ .a = -1, .b = 200, .c = -300, .d = 60000, .e = -70000, .f = 4000000000 }\n"+
		"{ .a = -2, .b = 201, .c = -301, .d = 60001, .e = -70001, .f = 4000000001 }\n\n\n"+
		"@[4000000000]: 200\n@[4000000001]: 201\n", "Attached 1 probe\n")
	res = trace(t, traceRun{args: []string{"-f", "json", "-c", bin + " 1", "-e", fmt.Sprintf(`uprobe:%s:dw_wide { print(args); }`, bin)}, noAttach: true})
	mustExit(t, res, 0)
	if !strings.Contains(res.stdout, `{"type": "value", "data": {"a": -5000000000, "b": 18000000000000000000, "c": 120, "d": 250}}`) {
		t.Errorf("stdout %q", res.stdout)
	}
}

// GCC's clones (testdata/helpers/clones.c, gcc -O2): args reads each
// parameter from the register the clone's DWARF places it in (add3's y is
// in rsi as declared; use_cfg's scale is in rsi although its first
// parameter is gone), -lv lists the declared parameters, and one the clone
// does not take is refused with what DWARF says about it. clones 3 calls
// use_cfg with scale 10+i, add3 with (i, 100+i) and check.part.0 with
// x = i-1 for i >= 1. The same from split DWARF (the location lists in
// the .dwo, DWARF 5 and GNU's DWARF 4, and in a .dwp package).
func TestUprobeArgsClones(t *testing.T) {
	requireRoot(t)
	t.Run("dwarf", func(t *testing.T) { uprobeArgsClones(t, buildCHelper(t, "clones", "-g", "-O2")) })
	for _, v := range []struct{ version, packer string }{{"5", ""}, {"4", ""}, {"4", "dwp"}} {
		t.Run("split"+v.version+v.packer, func(t *testing.T) { uprobeArgsClones(t, buildSplit(t, "clones", v.version, v.packer, "-O2")) })
	}
}

func uprobeArgsClones(t *testing.T, bin string) {
	script := fmt.Sprintf(`uprobe:%[1]s:use_cfg.constprop.0.isra.0 { @s[args.scale] = sum(args.scale); }
uprobe:%[1]s:add3.constprop.0 { @a[args.x, args.y] = sum(args.y); }
uprobe:%[1]s:check.part.0 { @c[args.x, args.y, str(args.tag)] = sum(args.x + 1); }`, bin)
	res := trace(t, traceRun{args: []string{"-c", bin + " 3", "-e", script}})
	wantOutput(t, res, "\n\n@a[0, 100]: 100\n@a[1, 101]: 101\n@a[2, 102]: 102\n"+
		"@c[0, 4, abc]: 1\n@c[1, 4, abc]: 2\n"+
		"@s[10]: 10\n@s[11]: 11\n@s[12]: 12\n", "Attached 3 probes\n")
	res = trace(t, traceRun{args: []string{"-lv", "uprobe:" + bin + ":add3*"}, noAttach: true})
	wantOutput(t, res, fmt.Sprintf("uprobe:%s:add3.constprop.0\n    long int x\n    long int y\n    long int z\n", bin), "")
	script = fmt.Sprintf(`uprobe:%s:add3.constprop.0 { print(args.z); }`, bin)
	res = trace(t, traceRun{args: []string{"-e", script}, noAttach: true})
	mustExit(t, res, 1)
	if want := fmt.Sprintf(`stdin:1:%[2]d-%[3]d: ERROR: args.z of add3.constprop.0 cannot be read: the clone does not take it: its DWARF gives it as the constant 7
%[1]s
%[4]s~~~~~~
`, script, len(bin)+34, len(bin)+40, strings.Repeat(" ", len(bin)+33)); res.stderr != want {
		t.Errorf("args.z:\n got %s\nwant %s", res.stderr, want)
	}
}

// A uprobe casts to the types its binary's DWARF defines, as bpftrace does
// (testdata/helpers/dwarftypes.c): a typedef of an anonymous struct, a
// struct through its pointer members, a union, an enum, in casts and
// declarations; the script's own definition comes first, and a probe of
// another kind does not see the binary's types.
func TestUprobeCastToDWARFTypes(t *testing.T) {
	requireRoot(t)
	bin := buildCHelper(t, "dwarftypes", "-g", "-O0")
	res := trace(t, traceRun{args: []string{"-c", bin, "-e", fmt.Sprintf(`uprobe:%s:use {
	$i = (item_t *)arg0;
	let $n: struct node * = (struct node *)arg1;
	printf("%%d %%s %%d %%d %%x\n", $i->a, $i.name, $n->value, $n->next->value, ((union word *)arg2)->i);
	print((enum color)arg3);
	print(*$i);
}`, bin)}})
	wantOutput(t, res, "42 hi 5 -7 1020304\nGREEN\n{ .a = 42, .name = hi }\n\n\n", "Attached 1 probe\n")

	res = trace(t, traceRun{args: []string{"-c", bin, "-e", fmt.Sprintf(`struct node { int lo; int hi; } uprobe:%s:use { printf("%%d %%d\n", ((struct node *)arg1)->lo, sizeof(struct node)); }`, bin)}})
	wantOutput(t, res, "5 8\n\n\n", "Attached 1 probe\n")

	res = trace(t, traceRun{args: []string{"-e", fmt.Sprintf(`uprobe:%s:use { } tracepoint:syscalls:sys_enter_close { $w = (union word *)0; }`, bin)}, noAttach: true})
	mustExit(t, res, 1)
	if !strings.HasPrefix(res.stderr, `stdin:1:`) || !strings.Contains(res.stderr, `ERROR: Cannot resolve unknown type "union word"`) {
		t.Errorf("stderr %q", res.stderr)
	}
}

package main

// End-to-end tests of #include, -I DIR and --include FILE: a user's C
// header gives the script its #define constants and struct definitions;
// kernel headers need nothing (BTF); a header found nowhere is an error.

import (
	"os"
	"path/filepath"
	"testing"
)

func TestIncludeHeaders(t *testing.T) {
	requireRoot(t)
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("inc/foo.h", "#define FOO 5\n#include \"bar.h\"\nstruct foo { int a; long b; };\n")
	write("inc/bar.h", "#define BAR (FOO * 2)\n")
	script := write("p.bt", "#include <foo.h>\n#include <linux/sched.h>\nBEGIN { printf(\"%d %d %d %d\\n\", FOO, BAR, TASK_INTERRUPTIBLE, sizeof(struct foo)); exit(); }\n")

	res := trace(t, traceRun{args: []string{"-I", filepath.Join(dir, "inc"), script}})
	wantOutput(t, res, "5 10 1 16\n\n\n", "Attached 1 probe\n")

	res = trace(t, traceRun{args: []string{script}, noAttach: true})
	mustExit(t, res, 1)
	if want := script + ":1:1-17: ERROR: 'foo.h' file not found\n#include <foo.h>\n~~~~~~~~~~~~~~~~\nHINT: add the directory that holds it with -I DIR\n"; res.stderr != want {
		t.Errorf("stderr %q, want %q", res.stderr, want)
	}

	// --include FILE: as #include <FILE> before the script's own.
	res = trace(t, traceRun{args: []string{"--include", "foo.h", "-I", filepath.Join(dir, "inc"), "-e", "BEGIN { print(BAR); exit(); }"}})
	wantOutput(t, res, "10\n\n\n", "Attached 1 probe\n")
	res = trace(t, traceRun{args: []string{"--include", "nope.h", "-e", "BEGIN { exit(); }"}, noAttach: true})
	mustExit(t, res, 1)
	if want := "ERROR: 'nope.h' file not found\nHINT: add the directory that holds it with -I DIR\n"; res.stderr != want {
		t.Errorf("stderr %q, want %q", res.stderr, want)
	}

	// A system header forced with --include gives the constants gobpftrace
	// knows for it, as an #include of the script does.
	res = trace(t, traceRun{args: []string{"--include", "errno.h", "-e", "BEGIN { printf(\"%d %d %s\\n\", EPERM, EWOULDBLOCK, strerror(ECONNREFUSED)); exit(); }"}})
	wantOutput(t, res, "1 11 Connection refused\n\n\n", "Attached 1 probe\n")

	// "file" is looked up next to the script first.
	write("q.bt", "#include \"inc/foo.h\"\nBEGIN { print(FOO * 3); exit(); }\n")
	res = trace(t, traceRun{args: []string{filepath.Join(dir, "q.bt")}})
	wantOutput(t, res, "15\n\n\n", "Attached 1 probe\n")
}

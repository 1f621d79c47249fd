package main

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// Command-line parsing as bpftrace's getopt_long does it.
func TestParseArgs(t *testing.T) {
	cases := []struct {
		args []string
		want options
	}{
		{[]string{"-e", "BEGIN{}"}, options{program: "BEGIN{}", hasProgram: true}},
		{[]string{"-eBEGIN{}"}, options{program: "BEGIN{}", hasProgram: true}},
		{[]string{"-qe", "BEGIN{}", "a", "b"}, options{program: "BEGIN{}", hasProgram: true, quiet: true, positional: []string{"a", "b"}}},
		{[]string{"-e", "BEGIN{}", "--", "-1", "-x"}, options{program: "BEGIN{}", hasProgram: true, positional: []string{"-1", "-x"}}},
		{[]string{"script.bt", "arg1", "-v", "arg2"}, options{verbose: true, positional: []string{"script.bt", "arg1", "arg2"}}},
		{[]string{"-lv", "tracepoint:*"}, options{list: true, verbose: true, positional: []string{"tracepoint:*"}}},
		{[]string{"-dasm", "-d", "types,ast", "-"}, options{stages: []string{"asm", "types", "ast"}, positional: []string{"-"}}},
		{[]string{"-d", "all", "x.bt"}, options{stages: []string{"ast", "types", "ir", "asm", "verifier"}, positional: []string{"x.bt"}}},
		{[]string{"-o", "out.txt", "-f", "json", "-B", "line", "-k", "x.bt"}, options{outFile: "out.txt", format: "json", buffering: "line", helperErrs: true, positional: []string{"x.bt"}}},
		{[]string{"--dry-run", "--unsafe", "--no-warnings", "--info"}, options{dryRun: true, unsafe: true, noWarnings: true, info: true}},
		{[]string{"-p", "42", "x.bt"}, options{pid: 42, pidArg: "42", positional: []string{"x.bt"}}},
		{[]string{"-c", "sleep 1", "x.bt"}, options{command: "sleep 1", positional: []string{"x.bt"}}},
		{[]string{"--help"}, options{help: true}},
		{[]string{"-V"}, options{version: true}},
		{[]string{"--version"}, options{version: true}},
		// bpftrace's long forms.
		{[]string{"--pid", "42", "--list", "--verbose", "--quiet", "--warnings", "--output", "o", "--debug", "ast"},
			options{pid: 42, pidArg: "42", list: true, verbose: true, quiet: true, helperErrs: true, outFile: "o", stages: []string{"ast"}}},
		{[]string{"--cmd=sleep 1", "s.bt"}, options{command: "sleep 1", positional: []string{"s.bt"}}},
		{[]string{"-I", "/a", "-I/b", "--include", "x.h", "--include=y.h", "--btf", "-b", "s.bt"},
			options{includeDirs: []string{"/a", "/b"}, includes: []string{"x.h", "y.h"}, positional: []string{"s.bt"}}},
		{[]string{"--probe-filter", "^BEGIN$", "--no-feature", "uprobe_multi,kprobe_multi", "--debuginfo", "/d1:/d2", "--traceable-functions", "f.txt", "s.bt"},
			options{probeFilter: "^BEGIN$", noFeatures: []string{"uprobe_multi", "kprobe_multi"}, debuginfo: []string{"/d1", "/d2"}, traceable: "f.txt", positional: []string{"s.bt"}}},
		{[]string{"--fmt", "s.bt"}, options{mode: "format", positional: []string{"s.bt"}}},
		{[]string{"--mode", "codegen", "s.bt"}, options{mode: "codegen", positional: []string{"s.bt"}}},
		{[]string{"--test", "--mode=test"}, options{mode: "test"}},
	}
	for _, c := range cases {
		got, err := parseArgs(c.args)
		if err != nil {
			t.Errorf("%q: %v", c.args, err)
			continue
		}
		if !reflect.DeepEqual(*got, c.want) {
			t.Errorf("%q:\n got %+v\nwant %+v", c.args, *got, c.want)
		}
	}
}

// Bad command lines: one line saying what is wrong, the usage, exit 1.
func TestBadCommandLines(t *testing.T) {
	cases := []struct {
		args []string
		msg  string
	}{
		{[]string{"-x"}, "ERROR: invalid option -- 'x'"},
		{[]string{"--nope"}, "ERROR: unrecognized option '--nope'"},
		{[]string{"-e"}, "ERROR: option requires an argument -- 'e'"},
		{[]string{"-B", "some", "-e", "BEGIN{}"}, `ERROR: Invalid buffering mode "some" for -B (use none, line or full)`},
		{[]string{"-d", "llvm", "-e", "BEGIN{}"}, `ERROR: unknown stage for -d: "llvm" (use ast, types, ir, asm, verifier or all)`},
		{[]string{"--mode", "fast", "-e", "BEGIN{}"}, `ERROR: --mode can only be 'codegen', 'compiler-bench', 'bench', 'test' or 'format'.`},
		{[]string{"--mode", "codegen", "--fmt", "-e", "BEGIN{}"}, `ERROR: --fmt conflicts with existing --mode`},
		{[]string{"--no-feature", "uprobe_multi,fast", "-e", "BEGIN{}"}, `ERROR: --no-feature can only have values 'kprobe_multi,kprobe_session,uprobe_multi'.`},
		{[]string{"--probe-filter", "a(", "-e", "BEGIN{}"}, "ERROR: --probe-filter: \"a(\" is not a regular expression: error parsing regexp: missing closing ): `a(`"},
		{[]string{"--dry-run=yes"}, "ERROR: option '--dry-run' doesn't allow an argument"},
		{[]string{"-c", "/bin/true", "-p", "1", "-e", "BEGIN{}"}, "ERROR: Cannot use both -c and -p."},
		{[]string{"--pid=1", "-e", "BEGIN{}", "--cmd", "/bin/true", "--", "x"}, "ERROR: Cannot use both -c and -p."},
	}
	for _, c := range cases {
		var stdout, stderr bytes.Buffer
		code := run(c.args, strings.NewReader(""), &stdout, &stderr)
		if code != 1 {
			t.Errorf("%q: exit %d", c.args, code)
		}
		if want := c.msg + "\n\n" + usage; stderr.String() != want {
			t.Errorf("%q: stderr\n%s\nwant first line %s", c.args, stderr.String(), c.msg)
		}
		if stdout.Len() != 0 {
			t.Errorf("%q: stdout %q", c.args, stdout.String())
		}
	}
}

// Errors bpftrace reports in one message without the usage, in its words:
// scripts compare them.
func TestPlainCommandLineErrors(t *testing.T) {
	cases := []struct {
		args []string
		msg  string
	}{
		{[]string{"-f", "jsonx", "-e", "BEGIN{}"}, "ERROR: Invalid output format \"jsonx\"\nValid formats: 'text', 'json', 'pprof', 'folded'\n"},
		{[]string{"-p", "a1111", "-e", "BEGIN{}"}, "ERROR: Failed to parse pid: invalid integer: a1111\n"},
		{[]string{"--pid=", "-e", "BEGIN{}"}, "ERROR: Failed to parse pid: invalid integer: \n"},
		{[]string{"-p", "not_a_pid", "-e", "BEGIN{}"}, "ERROR: Failed to parse pid: invalid integer: not_a_pid\n"},
		{[]string{"-p", "111a1", "-e", "BEGIN{}"}, "ERROR: Failed to parse pid: invalid trailing bytes: 111a1\n"},
		{[]string{"-p", "12 ", "-e", "BEGIN{}"}, "ERROR: Failed to parse pid: invalid trailing bytes: 12 \n"},
		{[]string{"-p", "0", "-e", "BEGIN{}"}, "ERROR: pid '0' does not exist: process ids start at 1\n"},
		{[]string{"/nonexistent/x.bt"}, "ERROR: failed to open file '/nonexistent/x.bt': No such file or directory\n"},
		{[]string{"/"}, "ERROR: could not read the script: /: is a directory\n"},
		{[]string{"-kk", "-e", "BEGIN{}"}, "ERROR: -kk has been deprecated. Use a single -k for runtime warnings for errors in map lookups and probe reads.\n"},
		{[]string{"-k", "--no-warnings", "-e", "BEGIN{}"}, "ERROR: -k, --warnings conflicts with --no-warnings\n"},
		{[]string{"--no-warnings", "--warnings", "-e", "BEGIN{}"}, "ERROR: -k, --warnings conflicts with --no-warnings\n"},
	}
	for _, c := range cases {
		var stdout, stderr bytes.Buffer
		if code := run(c.args, strings.NewReader(""), &stdout, &stderr); code != 1 {
			t.Errorf("%q: exit %d", c.args, code)
		}
		if stderr.String() != c.msg || stdout.Len() != 0 {
			t.Errorf("%q: stderr %q, want %q; stdout %q", c.args, stderr.String(), c.msg, stdout.String())
		}
	}
}

// --fmt (--mode format) prints the script back formatted, without
// privileges or the kernel; to -o's file when given.
func TestFormatMode(t *testing.T) {
	src := "BEGIN{printf(\"x\\n\");@a[1]=count();} tracepoint:syscalls:sys_enter_read /pid==1/ < @n++; >"
	want := "BEGIN {\n  printf(\"x\\n\");\n  @a[1] = count();\n}\n\ntracepoint:syscalls:sys_enter_read /pid == 1/ <\n  @n++;\n>\n"
	var stdout, stderr bytes.Buffer
	if code := run([]string{"--fmt", "-e", src}, strings.NewReader(""), &stdout, &stderr); code != 0 || stdout.String() != want || stderr.Len() != 0 {
		t.Errorf("exit %d\nstdout:\n%s\nwant:\n%s\nstderr %q", code, stdout.String(), want, stderr.String())
	}
	out := filepath.Join(t.TempDir(), "f.bt")
	stdout.Reset()
	if code := run([]string{"--mode", "format", "-o", out, "-e", src}, strings.NewReader(""), &stdout, &stderr); code != 0 || stdout.Len() != 0 {
		t.Errorf("-o: exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
	if data, _ := os.ReadFile(out); string(data) != want {
		t.Errorf("file:\n%s", data)
	}
	stderr.Reset()
	if code := run([]string{"--fmt", "-e", "BEGIN {"}, strings.NewReader(""), &stdout, &stderr); code != 1 || !strings.HasPrefix(stderr.String(), "stdin:1:") {
		t.Errorf("parse error: exit %d, stderr %q", code, stderr.String())
	}
}

func TestHelpVersionExitZero(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"--help"}, {"-V"}, {"--version"}} {
		var stdout, stderr bytes.Buffer
		if code := run(args, strings.NewReader(""), &stdout, &stderr); code != 0 || stderr.Len() != 0 {
			t.Errorf("%q: exit %d, stderr %q", args, code, stderr.String())
		}
		want := usage
		if strings.Contains(args[0], "V") || args[0] == "--version" {
			// bpftrace's line first (scripts match ^bpftrace v\d), then ours.
			want = "bpftrace v0.26.0 (gobpftrace v0.1.0)\n"
		}
		if stdout.String() != want {
			t.Errorf("%q: stdout %q", args, stdout.String())
		}
	}
}

// With no program and stdin not a terminal, there is nothing to run.
func TestNoProgram(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(nil, strings.NewReader(""), &stdout, &stderr); code != 1 {
		t.Errorf("exit %d", code)
	}
	want := "ERROR: no program given: use -e 'program', a script file or - for stdin\n\n" + usage
	if stderr.String() != want {
		t.Errorf("stderr %q", stderr.String())
	}
}

// -d ast parses without privileges or the kernel; a script file may start
// with #!, stdin is "-".
func TestDumpASTFromFileAndStdin(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.bt")
	os.WriteFile(path, []byte("#!/usr/bin/env gobpftrace\nBEGIN < printf(\"%s\\n\", str($1)); >\n"), 0o644)
	want := "BEGIN <\n  printf(\"%s\\n\", str($1));\n>\n"
	for _, args := range [][]string{{"-d", "ast", path, "x"}, {"-d", "ast", "-", "x"}} {
		var stdout, stderr bytes.Buffer
		src, _ := os.ReadFile(path)
		code := run(args, bytes.NewReader(src), &stdout, &stderr)
		if code != 0 || stdout.String() != want || stderr.Len() != 0 {
			t.Errorf("%q: exit %d\nstdout %q\nstderr %q", args, code, stdout.String(), stderr.String())
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-d", "ast", filepath.Join(dir, "missing.bt")}, nil, &stdout, &stderr); code != 1 ||
		stderr.String() != "ERROR: failed to open file '"+filepath.Join(dir, "missing.bt")+"': No such file or directory\n" {
		t.Errorf("missing file: exit %d, stderr %q", code, stderr.String())
	}
}

// -o never writes through a symbolic link.
func TestOutputFileNoFollow(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	os.WriteFile(target, []byte("precious\n"), 0o644)
	link := filepath.Join(dir, "link")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	_, err := openNoFollow(link)
	if err == nil || err.Error() != "could not open output file "+link+": it is a symbolic link, which -o does not follow" {
		t.Errorf("err = %v", err)
	}
	if data, _ := os.ReadFile(target); string(data) != "precious\n" {
		t.Errorf("target changed: %q", data)
	}
	out := filepath.Join(dir, "out")
	os.WriteFile(out, []byte("old contents that are longer\n"), 0o600)
	f, err := openNoFollow(out)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("new\n")
	f.Close()
	if data, _ := os.ReadFile(out); string(data) != "new\n" {
		t.Errorf("out = %q (want truncated)", data)
	}
}

func TestLineWriter(t *testing.T) {
	var b bytes.Buffer
	lw := &lineWriter{w: &b}
	lw.Write([]byte("a\nb"))
	if b.String() != "a\n" {
		t.Errorf("%q", b.String())
	}
	lw.Write([]byte("c\n"))
	lw.Write([]byte("d"))
	lw.flush()
	if b.String() != "a\nbc\nd" {
		t.Errorf("%q", b.String())
	}
}

// --traceable-functions on this kernel (--no-feature uprobe_multi works:
// TestNoFeatureUprobeMulti).
func TestFeatureOptions(t *testing.T) {
	dir := t.TempDir()
	list := filepath.Join(dir, "funcs.txt")
	os.WriteFile(list, []byte("vfs_read\nvfs_write\n"), 0o644)
	cases := []struct {
		args []string
		err  string
	}{
		{[]string{"--traceable-functions", filepath.Join(dir, "none"), "-e", "BEGIN{}"}, "ERROR: Failed to open kernel function info: " + filepath.Join(dir, "none") + ": No such file or directory\n"},
	}
	if _, err := os.Stat("/sys/bus/event_source/devices/kprobe"); err != nil {
		cases = append(cases, struct {
			args []string
			err  string
		}{[]string{"--traceable-functions", list, "-e", "BEGIN{}"}, "ERROR: --traceable-functions " + list + ": the list is of the functions kprobes may attach to, and this kernel has no kprobes (it is built without CONFIG_KPROBES)\n"})
	}
	for _, c := range cases {
		var stdout, stderr bytes.Buffer
		if code := run(c.args, strings.NewReader(""), &stdout, &stderr); code != 1 || stderr.String() != c.err {
			t.Errorf("%q: exit %d, stderr %q, want %q", c.args, code, stderr.String(), c.err)
		}
	}
}

// --traceable-functions FILE is the list -l takes kprobe candidates from,
// in place of available_filter_functions, as in bpftrace; a file that
// cannot be read is refused in bpftrace's words.
func TestTraceableFunctionsListing(t *testing.T) {
	requireRoot(t)
	dir := t.TempDir()
	list := filepath.Join(dir, "funcs.txt")
	os.WriteFile(list, []byte("vfs_read\nvfs_write [ext4]\nother_fn\n\n"), 0o644)
	res := trace(t, traceRun{args: []string{"--traceable-functions", list, "-l", "kprobe:vfs_*,kretprobe:o*"}, noAttach: true})
	mustExit(t, res, 0)
	if res.stdout != "kprobe:vfs_read\nkprobe:vfs_write\nkretprobe:other_fn\n" {
		t.Errorf("stdout %q", res.stdout)
	}
	if _, err := os.Stat("/sys/bus/event_source/devices/kprobe"); err != nil {
		if want := "WARNING: this kernel has no kprobes (it was built without CONFIG_KPROBES): the kprobe and kretprobe probes listed, the functions of " + list + ", cannot be attached here\n"; res.stderr != want {
			t.Errorf("stderr %q, want %q", res.stderr, want)
		}
	}
	res = trace(t, traceRun{args: []string{"--traceable-functions", filepath.Join(dir, "none"), "-l", "kprobe:*"}, noAttach: true})
	mustExit(t, res, 1)
	if want := "ERROR: Failed to open kernel function info: " + filepath.Join(dir, "none") + ": No such file or directory\n"; res.stdout != "" || res.stderr != want {
		t.Errorf("stdout %q, stderr %q", res.stdout, res.stderr)
	}
}

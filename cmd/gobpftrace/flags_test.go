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
		{[]string{"-p", "42", "-c", "sleep 1", "x.bt"}, options{pid: 42, pidArg: "42", command: "sleep 1", positional: []string{"x.bt"}}},
		{[]string{"--help"}, options{help: true}},
		{[]string{"-V"}, options{version: true}},
		{[]string{"--version"}, options{version: true}},
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
		{[]string{"-f", "xml", "-e", "BEGIN{}"}, `ERROR: Invalid output format "xml" (use text, json, pprof or folded)`},
		{[]string{"-B", "some", "-e", "BEGIN{}"}, `ERROR: Invalid buffering mode "some" for -B (use none, line or full)`},
		{[]string{"-d", "llvm", "-e", "BEGIN{}"}, `ERROR: unknown stage for -d: "llvm" (use ast, types, ir, asm, verifier or all)`},
		{[]string{"-p", "abc", "-e", "BEGIN{}"}, `ERROR: Invalid PID: "abc"`},
		{[]string{"--dry-run=yes"}, "ERROR: option '--dry-run' doesn't allow an argument"},
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

func TestHelpVersionExitZero(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"--help"}, {"-V"}, {"--version"}} {
		var stdout, stderr bytes.Buffer
		if code := run(args, strings.NewReader(""), &stdout, &stderr); code != 0 || stderr.Len() != 0 {
			t.Errorf("%q: exit %d, stderr %q", args, code, stderr.String())
		}
		want := usage
		if strings.Contains(args[0], "V") || args[0] == "--version" {
			want = version + "\n"
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
		stderr.String() != "ERROR: could not read the script: "+filepath.Join(dir, "missing.bt")+": no such file or directory\n" {
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

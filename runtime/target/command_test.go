package target

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestSplitCommand(t *testing.T) {
	for _, c := range []struct {
		line string
		want []string
		err  string
	}{
		{line: "sleep 1", want: []string{"sleep", "1"}},
		{line: "  ls \t -l  \n /tmp ", want: []string{"ls", "-l", "/tmp"}},
		{line: `echo 'a  b' c`, want: []string{"echo", "a  b", "c"}},
		{line: `echo "a 'b' \"c\" \$d \\ \x"`, want: []string{"echo", `a 'b' "c" $d \ \x`}},
		{line: `echo a\ b \'c\' \$HOME`, want: []string{"echo", "a b", "'c'", "$HOME"}},
		{line: `printf '%s\n' x''y "" ''`, want: []string{"printf", `%s\n`, "xy", "", ""}},
		{line: "echo a\\\nb \"c\\\nd\"", want: []string{"echo", "ab", "cd"}},
		{line: `echo 'x`, err: "the command has an unclosed single quote (')"},
		{line: `echo "x`, err: `the command has an unclosed double quote (")`},
		{line: `echo x\`, err: "the command ends with a backslash"},
		{line: "   ", err: "the command is empty"},
	} {
		got, err := SplitCommand(c.line)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("SplitCommand(%q) = %q, %v; want error %q", c.line, got, err, c.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("SplitCommand(%q) = %q, %v; want %q", c.line, got, err, c.want)
		}
	}
}

// CommandBinary: only ELF files count, $PATH is searched for names without
// a slash, links to one file count once, two files are an error.
func TestCommandBinary(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	elfData, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	for _, d := range []string{a, b} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(path string, data []byte, mode os.FileMode) {
		if err := os.WriteFile(path, data, mode); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(a, "tool"), elfData, 0o755)
	write(filepath.Join(a, "script"), []byte("#!/bin/sh\necho hi\n"), 0o755)
	write(filepath.Join(b, "script"), []byte("#!/bin/sh\necho hi\n"), 0o755)
	if err := os.Symlink(filepath.Join(a, "tool"), filepath.Join(b, "tool")); err != nil {
		t.Fatal(err)
	}
	write(filepath.Join(a, "twice"), elfData, 0o755)
	write(filepath.Join(b, "twice"), elfData, 0o755)
	t.Setenv("PATH", a+":"+b)
	t.Chdir(dir)

	if got, err := CommandBinary("tool"); err != nil || got != filepath.Join(a, "tool") {
		t.Errorf("CommandBinary(tool) = %q, %v", got, err)
	}
	if got, err := CommandBinary("a/tool"); err != nil || got != filepath.Join(a, "tool") {
		t.Errorf("CommandBinary(a/tool) = %q, %v", got, err)
	}
	// A name without a slash found in the current directory (and not in
	// $PATH) is that file, given as a path exec does not look up again.
	write(filepath.Join(dir, "local"), elfData, 0o755)
	if got, err := CommandBinary("local"); err != nil || got != filepath.Join(dir, "local") {
		t.Errorf("CommandBinary(local) = %q, %v", got, err)
	}
	for name, want := range map[string]string{
		"script":  "Path 'script' does not exist or is not executable",
		"missing": "Path 'missing' does not exist or is not executable",
		"b/none":  "Path 'b/none' does not exist or is not executable",
		"twice":   "Path 'twice' must refer to a unique binary but matched 2 binaries: " + filepath.Join(a, "twice") + ", " + filepath.Join(b, "twice"),
	} {
		if got, err := CommandBinary(name); err == nil || err.Error() != want {
			t.Errorf("CommandBinary(%s) = %q, %v; want error %q", name, got, err, want)
		}
	}
}

package probes

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func TestGlobMatch(t *testing.T) {
	for _, c := range []struct {
		pat, s string
		want   bool
	}{
		{"*", "", true}, {"gbt_*", "gbt_add", true}, {"gbt_*", "xgbt_add", false},
		{"*.work", "main.work", true}, {"a?c", "abc", true}, {"a?c", "ac", false},
		{"*a*b*", "xxaxxbxx", true}, {"*a*b", "xxaxxbxx", false}, {"main.work", "main.work", true},
	} {
		if got := globMatch(c.pat, c.s); got != c.want {
			t.Errorf("globMatch(%q, %q) = %v", c.pat, c.s, got)
		}
	}
}

func TestLibraryMatches(t *testing.T) {
	for _, c := range []struct {
		name, file string
		want       bool
	}{
		{"libc", "libc.so.6", true}, {"c", "libc.so.6", true}, {"libc.so.6", "libc.so.6", true},
		{"libc", "libcrypt.so.1", false}, {"libpython3.11", "libpython3.11.so.1.0", true},
		{"libz", "libzstd.so.1", false},
	} {
		if got := libraryMatches(c.name, c.file); got != c.want {
			t.Errorf("libraryMatches(%q, %q) = %v", c.name, c.file, got)
		}
	}
}

// Binaries are found by path, on $PATH (passing over scripts that come
// first, such as pyenv shims) and, for libraries, like the dynamic loader.
func TestFindBinary(t *testing.T) {
	dir := t.TempDir()
	// A script named like a program, first on PATH.
	if err := os.WriteFile(filepath.Join(dir, "env"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+":/usr/bin:/bin")
	env := NewTracefsAt(dir)
	got, err := env.FindBinary("env", 0)
	if err != nil || got == filepath.Join(dir, "env") || !isELF(got) {
		t.Errorf("env: %q %v", got, err)
	}
	libc, err := env.FindBinary("libc", 0)
	if err != nil || filepath.Base(libc) != "libc.so.6" {
		t.Errorf("libc: %q %v", libc, err)
	}
	if self, err := env.FindBinary("libc", os.Getpid()); err != nil || filepath.Base(self) != "libc.so.6" {
		// A Go test binary may be static; then the library is found anyway.
		t.Errorf("libc of this process: %q %v", self, err)
	}
	if _, err := env.FindBinary("/nonexistent/x", 0); err == nil {
		t.Error("no error for a missing path")
	}
	if _, err := env.FindBinary("no-such-program-or-library", 0); err == nil {
		t.Error("no error for an unknown name")
	}
	fns, err := env.MatchFunctions(libc, "getpi?")
	if err != nil || len(fns) != 1 || fns[0] != "getpid" {
		t.Errorf("MatchFunctions(libc, getpi?) = %v, %v", fns, err)
	}
}

// -p of a process that exited after it was looked up says so, not
// "could not read the mappings ... no such file or directory".
func TestMappedFilesExited(t *testing.T) {
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	_, err := (&Env{}).MappedFiles(pid)
	if want := fmt.Sprintf("process %d has exited", pid); err == nil || err.Error() != want {
		t.Errorf("MappedFiles of an exited process: %v, want %s", err, want)
	}
}

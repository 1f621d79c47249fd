package repl

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestHistoryRefusesSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	if err := os.WriteFile(target, []byte("precious\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, ".gobpftrace_history")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	h, _, err := openHistory(link)
	if err == nil {
		h.add("BEGIN { exit(); }")
		h.close()
		t.Fatal("a symbolic link was opened as the history file")
	}
	if want := link + " is a symbolic link, which gobpftrace does not follow"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	// A dangling link is refused too (O_CREAT would create its target).
	dangling := filepath.Join(dir, "dangling")
	if err := os.Symlink(filepath.Join(dir, "created"), dangling); err != nil {
		t.Fatal(err)
	}
	if _, _, err := openHistory(dangling); err == nil {
		t.Error("a dangling symbolic link was followed")
	}
	if _, err := os.Lstat(filepath.Join(dir, "created")); err == nil {
		t.Error("the dangling link's target was created")
	}
	if data, _ := os.ReadFile(target); string(data) != "precious\n" {
		t.Errorf("the link's target changed: %q", data)
	}
}

func TestHistoryRefusesFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err := openHistory(fifo)
	if err == nil || err.Error() != fifo+" is not a regular file" {
		t.Errorf("FIFO: got %v", err)
	}
}

func TestHistoryRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h")
	h, items, err := openHistory(path)
	if err != nil || len(items) != 0 {
		t.Fatalf("new file: %v %v", items, err)
	}
	h.add(".probes")
	h.add(".probes") // a repeat is not written twice
	h.add("BEGIN { exit(); }")
	h.close()
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("mode: %v %v", st, err)
	}
	_, items, err = openHistory(path)
	if err != nil || strings.Join(items, "|") != ".probes|BEGIN { exit(); }" {
		t.Errorf("read back %q, %v", items, err)
	}
}

func TestHistoryReadsOnlyTheTail(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h")
	var b strings.Builder
	for b.Len() < 2*historyReadMax {
		b.WriteString("@x = 1;\n")
	}
	b.WriteString("last\n")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	_, items, err := openHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != historyLimit || items[len(items)-1] != "last" {
		t.Errorf("%d items, last %q", len(items), items[len(items)-1])
	}
}

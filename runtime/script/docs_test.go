package script_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	goruntime "runtime"
	"testing"
)

// The program docs/library.md shows builds against this package: the page
// stays true as the API changes. It is built where it would sit in the
// module (through an overlay: nothing is written into the source tree).
func TestLibraryDocProgramBuilds(t *testing.T) {
	page, err := os.ReadFile("../../docs/library.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```go\n(.*?)```").FindAllSubmatch(page, -1)
	if len(blocks) != 1 {
		t.Fatalf("docs/library.md has %d go blocks, want the one program", len(blocks))
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "main.go")
	if err := os.WriteFile(src, blocks[0][1], 0o644); err != nil {
		t.Fatal(err)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	pkg := filepath.Join(wd, "internal", "docprogram")
	overlay, _ := json.Marshal(map[string]map[string]string{"Replace": {filepath.Join(pkg, "main.go"): src}})
	if err := os.WriteFile(filepath.Join(dir, "overlay.json"), overlay, 0o644); err != nil {
		t.Fatal(err)
	}
	gobin := filepath.Join(goruntime.GOROOT(), "bin", "go")
	cmd := exec.Command(gobin, "build", "-o", os.DevNull, "-overlay", filepath.Join(dir, "overlay.json"), pkg)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the program of docs/library.md does not build: %v\n%s", err, out)
	}
}

package codegen

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Code generation is a function of the script: compiling one script again
// gives the same programs, maps and events, instruction for instruction.
// Go randomises the order in which a map is walked, so a pass that walked
// one to place values, number events or order blocks would show here.
// (profile.bt was seen at 68 and 106 instructions: two builds, before and
// after commit 2fa7adf measured a failed stack's length; each compiles it
// the same way every time.)
func TestCompileIsDeterministic(t *testing.T) {
	var files []string
	for _, dir := range []string{"bench", "examples", "scripts"} {
		m, _ := filepath.Glob(filepath.Join("..", "testdata", dir, "*.bt"))
		files = append(files, m...)
	}
	compiled := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dump := func() (string, bool) {
			plan, err := tryCompile(string(src))
			if err != nil {
				return "", false
			}
			var b strings.Builder
			plan.Dump(&b)
			return b.String(), true
		}
		first, ok := dump()
		if !ok {
			continue // needs the system (tracepoint formats, binaries)
		}
		compiled++
		for i := 0; i < 10; i++ {
			if again, _ := dump(); again != first {
				t.Errorf("%s: compiled twice, two different programs:\n%s\n---\n%s", f, first, again)
				break
			}
		}
	}
	t.Logf("%d of %d scripts compiled 11 times each", compiled, len(files))
}

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// instructionTable records how many instructions each script of
// testdata/bench compiles to (all its programs, as `-d asm` counts them).
// A change in code generation that makes one longer fails here; one that
// makes them shorter updates the table with GOBPFTRACE_UPDATE=1, so the
// record stays exact.
const instructionTable = "../../testdata/bench/instructions.txt"

var asmHeader = regexp.MustCompile(`(?m)^\S+ \(.*\): (\d+) instructions$`)

func TestBenchInstructionCounts(t *testing.T) {
	requireRoot(t)
	scripts, _ := filepath.Glob("../../testdata/bench/*.bt")
	if len(scripts) == 0 {
		t.Fatal("no bench scripts")
	}
	want := map[string]int{}
	if data, err := os.ReadFile(instructionTable); err == nil {
		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			f := strings.Fields(line)
			if len(f) == 2 && !strings.HasPrefix(line, "#") {
				want[f[0]], _ = strconv.Atoi(f[1])
			}
		}
	}
	var table strings.Builder
	table.WriteString("# script instructions (all programs, as -d asm counts them); see instructions_test.go\n")
	for _, script := range scripts {
		name := filepath.Base(script)
		res := trace(t, traceRun{args: []string{"-d", "asm", script}, noAttach: true})
		mustExit(t, res, 0)
		got := 0
		for _, m := range asmHeader.FindAllStringSubmatch(res.stdout, -1) {
			n, _ := strconv.Atoi(m[1])
			got += n
		}
		fmt.Fprintf(&table, "%s %d\n", name, got)
		switch w, ok := want[name]; {
		case os.Getenv("GOBPFTRACE_UPDATE") != "":
		case !ok:
			t.Errorf("%s: %d instructions, not in %s (run with GOBPFTRACE_UPDATE=1)", name, got, instructionTable)
		case got > w:
			t.Errorf("%s: %d instructions, %d before: code generation got longer", name, got, w)
		case got < w:
			t.Errorf("%s: %d instructions, %d before: record the gain with GOBPFTRACE_UPDATE=1", name, got, w)
		}
	}
	if os.Getenv("GOBPFTRACE_UPDATE") != "" {
		if err := os.WriteFile(instructionTable, []byte(table.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

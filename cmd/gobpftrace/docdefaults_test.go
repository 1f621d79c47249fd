package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang/check"
	"github.com/gobpftrace/gobpftrace/lang/parser"
	"github.com/gobpftrace/gobpftrace/stdlib"
)

// Every default a doc states for a config setting is the registry's
// (stdlib.ConfigVars): "`max_strlen` (..., default 1024)", "`on_stack_limit`
// defaults to 64", "`perf_rb_pages` (...; default 1 MiB)". The statement
// about a setting is the text from its name to the next setting named.
func TestDocsDefaults(t *testing.T) {
	var names []string
	for _, c := range stdlib.ConfigVars {
		names = append(names, regexp.QuoteMeta(c.Name))
	}
	setting := regexp.MustCompile("`(" + strings.Join(names, "|") + ")`")
	stated := regexp.MustCompile("defaults? (?:to |is )?(?:(\\d[\\d,]*)(?: (KiB|MiB))?|`([^`]+)`)")
	files, _ := filepath.Glob("../../docs/*.md")
	files = append(files, "../../README.md")
	checked := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		locs := setting.FindAllStringSubmatchIndex(text, -1)
		for i, loc := range locs {
			end := len(text)
			if i+1 < len(locs) {
				end = locs[i+1][0]
			}
			end = min(end, loc[1]+250)
			name := text[loc[2]:loc[3]]
			m := stated.FindStringSubmatch(text[loc[1]:end])
			if m == nil {
				continue
			}
			c := stdlib.LookupConfig(name)
			line := strings.Count(text[:loc[0]], "\n") + 1
			var got, want string
			switch {
			case m[3] != "":
				got, want = m[3], c.Default
			case m[2] != "":
				// A size in bytes; perf_rb_pages counts 4 KiB pages.
				n, _ := strconv.Atoi(strings.ReplaceAll(m[1], ",", ""))
				unit := map[string]int{"KiB": 1 << 10, "MiB": 1 << 20}[m[2]]
				got = strconv.Itoa(n * unit)
				d, _ := strconv.Atoi(c.Default)
				if name == "perf_rb_pages" {
					d *= 4096
				}
				want = strconv.Itoa(d)
			default:
				got, want = strings.ReplaceAll(m[1], ",", ""), c.Default
			}
			checked++
			if got != want {
				t.Errorf("%s:%d: the doc says %s defaults to %s; stdlib says %s", filepath.Base(file), line, name, m[0], c.Default)
			}
		}
	}
	t.Logf("%d stated defaults checked", checked)
	if checked < 5 {
		t.Errorf("only %d stated defaults found: the patterns no longer match the docs", checked)
	}
}

// The ring buffer a script gets by default is perf_rb_pages' default.
func TestPerfRbPagesDefault(t *testing.T) {
	src := `BEGIN { printf("x\n"); }`
	prog, err := parser.Parse("stdin", src)
	if err != nil {
		t.Fatal(err)
	}
	checked, err := check.Check(prog, "stdin", src, nil, check.Options{})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := codegen.Compile(checked, codegen.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pages, _ := strconv.Atoi(stdlib.LookupConfig("perf_rb_pages").Default)
	if got := plan.Spec.Maps[plan.RingBuf].MaxEntries; got != uint32(pages*4096) {
		t.Errorf("the ring buffer is %d bytes; perf_rb_pages' default is %d pages (%d bytes)", got, pages, pages*4096)
	}
}

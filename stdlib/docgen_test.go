package stdlib

// docs/builtins.md is rendered from this registry. Regenerate it with
//
//	go generate ./stdlib
//
// TestBuiltinsDocUpToDate fails when the file differs from what the registry
// renders: a builtin added without a doc line, or a doc change not
// regenerated, breaks the tests.

//go:generate go test -run TestBuiltinsDocUpToDate -update-builtins-doc .

import (
	"flag"
	"os"
	"strings"
	"testing"
)

var updateBuiltinsDoc = flag.Bool("update-builtins-doc", false, "rewrite ../docs/builtins.md from the registry")

const builtinsDocPath = "../docs/builtins.md"

// builtinsDoc renders docs/builtins.md.
func builtinsDoc() string {
	var b strings.Builder
	b.WriteString(`# Builtins

<!-- Generated from the stdlib registry by "go generate ./stdlib" (stdlib/docgen_test.go). Do not edit by hand. -->

Every probe type, builtin variable, function and config setting that gobpftrace knows,
as the checker sees them. "not yet" means the name is recognised (a script using it gets a
positioned "not supported yet" error) but the later stages cannot run it today.
Argument kinds: ` + "`int`" + ` any integer expression, ` + "`const int`" + ` / ` + "`const string`" + ` a literal,
` + "`map`" + ` a map such as ` + "`@m`" + `, ` + "`address`" + ` a pointer or integer address;
arguments in brackets are optional and ` + "`...`" + ` repeats.

`)
	ref := Reference()
	b.WriteString(ref)
	b.WriteString("\nConfig settings are set in a `config = { name = value }` block or as `BPFTRACE_NAME=value`\n" +
		"in the environment (the environment wins). Of these, only the following change anything today: ")
	var on []string
	for _, c := range ConfigVars {
		if c.Supported {
			on = append(on, "`"+c.Name+"`")
		}
	}
	b.WriteString(strings.Join(on, ", "))
	b.WriteString(". The others are accepted (integer ones must be non-negative integers) and ignored.\n")
	var dep []string
	for _, d := range DeprecatedConfig {
		dep = append(dep, "`"+d+"`")
	}
	b.WriteString("As in bpftrace v0.26, " + strings.Join(dep, ", ") + " are accepted in a config block with the warning\n" +
		"`NAME is deprecated and has no effect`, whatever their value.\n")
	return b.String()
}

func TestBuiltinsDocUpToDate(t *testing.T) {
	want := builtinsDoc()
	if *updateBuiltinsDoc {
		if err := os.WriteFile(builtinsDocPath, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(builtinsDocPath)
	if err != nil {
		t.Fatalf("%v (run: go generate ./stdlib)", err)
	}
	if string(got) != want {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(want, "\n")
		for i := 0; i < len(gl) || i < len(wl); i++ {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("docs/builtins.md is out of date with the registry (run: go generate ./stdlib)\nfirst difference at line %d:\n file:     %q\n registry: %q", i+1, g, w)
			}
		}
	}
}

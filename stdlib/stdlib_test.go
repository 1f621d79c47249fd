package stdlib

import (
	"strings"
	"testing"
)

func TestEveryEntryDocumented(t *testing.T) {
	for _, v := range Vars {
		if v.Doc == "" {
			t.Errorf("variable %s has no doc", v.Name)
		}
	}
	for _, f := range Funcs {
		if f.Doc == "" || f.Result == "" {
			t.Errorf("function %s has no doc or result rule", f.Name)
		}
		if f.MaxArgs != Variadic && f.MaxArgs < f.MinArgs {
			t.Errorf("function %s: bad arity", f.Name)
		}
	}
	for _, c := range ConfigVars {
		if c.Doc == "" {
			t.Errorf("config %s has no doc", c.Name)
		}
	}
}

func TestNamesUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range Funcs {
		if seen[f.Name] {
			t.Errorf("function %s twice", f.Name)
		}
		seen[f.Name] = true
	}
}

func TestLookups(t *testing.T) {
	if LookupVar("arg3") == nil || LookupVar("arg11") == nil || LookupVar("arg01") != nil || LookupVar("argx") != nil {
		t.Error("argN lookup")
	}
	if LookupConfig("BPFTRACE_MAX_STRLEN").Name != "max_strlen" || LookupConfig("MAX_STRLEN") == nil || LookupConfig("nope") != nil {
		t.Error("config lookup")
	}
}

func TestReference(t *testing.T) {
	r := Reference()
	for _, want := range []string{"| `tracepoint` | t | yes |", "| `printf` | const string, [any...] | void | yes |", "| `lhist` | int, const int, const int, const int | lhist_t | yes |", "| `max_strlen` | 1024 |"} {
		if !strings.Contains(r, want) {
			t.Errorf("reference lacks %q", want)
		}
	}
}

package stdlib

import (
	"testing"

	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

func TestHelp(t *testing.T) {
	for name, want := range map[string]string{
		"str()":               "str(address, [int]) -> string[max_strlen] (or the length given): function\n  " + LookupFunc("str").Doc + "\n",
		"kfunc":               "fentry: probe type (also f, kfunc)\n  " + probetype.Lookup("fentry").Doc + "\n",
		"BPFTRACE_MAX_STRLEN": "max_strlen: config setting, default 1024\n  " + LookupConfig("max_strlen").Doc + "\n",
		"iter":                "iter: probe type (also it)\n  " + probetype.Lookup("iter").Doc + "\n",
		"w":                   "watchpoint: probe type (also w) (not supported yet)\n  " + probetype.Lookup("watchpoint").Doc + "\n",
	} {
		got, ok := Help(name)
		if !ok || got != want {
			t.Errorf("Help(%q) = %q, want %q", name, got, want)
		}
	}
	if _, ok := Help("nope"); ok {
		t.Error("Help(nope) found something")
	}
}

package stdlib

import (
	"fmt"
	"strings"

	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// Reference renders the registry as a Markdown reference: providers,
// builtin variables, functions and config settings, with their support
// status.
func Reference() string {
	var b strings.Builder
	status := func(ok bool) string {
		if ok {
			return "yes"
		}
		return "not yet"
	}
	b.WriteString("## Probe types\n\n| provider | aliases | supported | description |\n|---|---|---|---|\n")
	for _, p := range probetype.All {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", p.Name, strings.Join(p.Aliases, ", "), status(p.Supported), p.Doc)
	}
	b.WriteString("\n## Builtin variables\n\n| name | type | probes | supported | description |\n|---|---|---|---|---|\n")
	for _, v := range Vars {
		t := "depends on the probe"
		if v.Type != nil {
			t = v.Type.String()
		}
		probes := "all"
		if v.Providers != nil {
			probes = joinProbeTypes(v.Providers)
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", v.Name, t, probes, status(v.Supported), v.Doc)
	}
	b.WriteString("\n## Functions\n\n| function | arguments | result | supported | description |\n|---|---|---|---|---|\n")
	for _, f := range Funcs {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", f.Name, f.signature(), f.Result, status(f.Supported), f.Doc)
	}
	b.WriteString("\n## Config settings\n\n| name | default | description |\n|---|---|---|\n")
	for _, c := range ConfigVars {
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", c.Name, c.Default, c.Doc)
	}
	return b.String()
}

// signature renders the argument kinds, optional ones in brackets.
func (f *Func) signature() string {
	var parts []string
	n := f.MaxArgs
	if n == Variadic {
		n = f.MinArgs + 1
	}
	for i := 0; i < n; i++ {
		s := f.Kind(i).String()
		if f.MaxArgs == Variadic && i == n-1 {
			s += "..."
		}
		if i >= f.MinArgs {
			s = "[" + s + "]"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

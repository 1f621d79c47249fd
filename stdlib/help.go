package stdlib

import (
	"fmt"
	"strings"

	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// Help describes every registry entry called name (a function, with or
// without "()", a builtin variable, a probe type or one of its aliases, a
// config setting), as the interactive session's .help NAME prints it. It
// reports false when nothing has that name.
func Help(name string) (string, bool) {
	name = strings.TrimSuffix(strings.TrimSpace(name), "()")
	var b strings.Builder
	notYet := func(ok bool) string {
		if ok {
			return ""
		}
		return " (not supported yet)"
	}
	if f := LookupFunc(name); f != nil {
		kind := "function"
		if f.Aggregation {
			kind = "aggregation"
		}
		fmt.Fprintf(&b, "%s(%s) -> %s: %s%s\n", f.Name, f.signature(), f.Result, kind, notYet(f.Supported))
		fmt.Fprintf(&b, "  %s\n", f.Doc)
		if f.Providers != nil {
			fmt.Fprintf(&b, "  Probes: %s\n", joinProbeTypes(f.Providers))
		}
	}
	if v := LookupVar(name); v != nil {
		t := "depends on the probe"
		if v.Type != nil {
			t = v.Type.String()
		}
		fmt.Fprintf(&b, "%s: builtin variable, %s%s\n", name, t, notYet(v.Supported))
		fmt.Fprintf(&b, "  %s\n", v.Doc)
		if v.Providers != nil {
			fmt.Fprintf(&b, "  Probes: %s\n", joinProbeTypes(v.Providers))
		}
	}
	if p := probetype.Lookup(name); p != nil {
		aliases := ""
		if len(p.Aliases) > 0 {
			aliases = " (also " + strings.Join(p.Aliases, ", ") + ")"
		}
		fmt.Fprintf(&b, "%s: probe type%s%s\n", p.Name, aliases, notYet(p.Supported))
		fmt.Fprintf(&b, "  %s\n", p.Doc)
	}
	if c := LookupConfig(name); c != nil {
		fmt.Fprintf(&b, "%s: config setting, default %s%s\n", c.Name, c.Default, notYet(c.Supported))
		fmt.Fprintf(&b, "  %s\n", c.Doc)
	}
	return b.String(), b.Len() > 0
}

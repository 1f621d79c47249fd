package codegen

import (
	"fmt"
	"testing"
)

// Which maps keyed by a string are split into length classes: aggregations
// whose every use is an update keyed by str(pointer), or print, clear or
// zero of the whole map.
func TestStrClassesChosen(t *testing.T) {
	const tp = "tracepoint:syscalls:sys_enter_openat"
	cases := []struct {
		src     string
		classes string // of @m
	}{
		{tp + ` { @m[str(args.filename)] = count(); }`, "[{s64_0_m 64} {s256_0_m 256}]"},
		{tp + ` { @m[str(args.filename)] = sum(args.mode); print(@m); clear(@m); zero(@m); }`, "[{s64_0_m 64} {s256_0_m 256}]"},
		{`config = { max_strlen = 300 } ` + tp + ` { @m[str(args.filename)] = max(args.mode); }`, "[{s64_0_m 64} {s256_0_m 256}]"},
		{`config = { max_strlen = 64 } ` + tp + ` { @m[str(args.filename)] = count(); }`, "[]"},
		{`config = { max_strlen = 65 } ` + tp + ` { @m[str(args.filename)] = count(); }`, "[{s64_0_m 64}]"},
		// Other uses keep the map whole.
		{tp + ` { @m[str(args.filename)] = count(); delete(@m, str(args.filename)); }`, "[]"},
		{tp + ` { @m[str(args.filename)] = count(); @x = @m[str(args.filename)]; }`, "[]"},
		{tp + ` { @m[str(args.filename)] = count(); if (has_key(@m, "a")) { } }`, "[]"},
		{tp + ` { @m[str(args.filename)] = count(); for ($kv : @m) { } }`, "[]"},
		{tp + ` { @m[str(args.filename)] = count(); @m["fixed"] = count(); }`, "[]"},
		{tp + ` { @m[str(args.filename, 10)] = count(); }`, "[]"},
		{tp + ` { @m[comm] = count(); }`, "[]"},
		{tp + ` { @m[str(args.filename)] = hist(args.mode); }`, "[]"},
		{tp + ` { @m[str(args.filename)] = args.mode; }`, "[]"},
		{tp + ` { @m[str(args.filename), 1] = count(); }`, "[]"},
	}
	for _, c := range cases {
		plan, err := tryCompile(c.src)
		if err != nil {
			t.Errorf("%s: %v", c.src, err)
			continue
		}
		var classes []StrClass
		for _, m := range plan.Maps {
			if m.ScriptName == "@m" {
				classes = m.StrClasses
			}
		}
		if got := fmt.Sprint(classes); got != c.classes {
			t.Errorf("%s: classes %s, want %s", c.src, got, c.classes)
		}
		for _, sc := range classes {
			if s := plan.Spec.Maps[sc.Name]; s == nil || int(s.KeySize) != sc.KeySize {
				t.Errorf("%s: class map %s missing or of the wrong key size", c.src, sc.Name)
			}
		}
	}
}

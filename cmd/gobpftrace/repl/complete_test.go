package repl

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang"
)

// fakeEnv knows two tracepoints.
type fakeEnv struct{}

func (fakeEnv) Tracepoint(cat, ev string) (*lang.Type, error) {
	if cat == "syscalls" && ev == "sys_enter_openat" {
		return &lang.Type{Kind: lang.KStruct, Fields: []*lang.Field{{Name: "dfd"}, {Name: "filename"}, {Name: "flags"}}}, nil
	}
	return nil, fmt.Errorf("no tracepoint %s:%s", cat, ev)
}

func (fakeEnv) MatchTracepoints(cat, ev string) ([][2]string, error) {
	return [][2]string{{"syscalls", "sys_enter_openat"}, {"syscalls", "sys_enter_openat2"}}, nil
}

func complete(c *completer, line string) string {
	cands, n := c.Do([]rune(line), len([]rune(line)))
	var out []string
	for _, s := range cands {
		out = append(out, string(s))
	}
	return fmt.Sprintf("%d %s", n, strings.Join(out, "|"))
}

func TestComplete(t *testing.T) {
	s := &session{cfg: Config{Env: fakeEnv{}}, known: map[string]bool{"@opens": true}}
	c := &completer{s: s}
	for _, tc := range []struct{ line, want string }{
		// The shown part is what follows the last ':'; an exact name stays
		// a candidate (the empty suffix).
		{"tracepoint:syscalls:sys_enter_openat", "16 |2"},
		{"t:sys", "3 calls:"},
		{"tracepoint:syscalls:sys_enter_opena", "15 t|t2"},
		{"t:syscalls:sys_enter_openat { @x = args.fi", "2 lename"},
		{"t:syscalls:sys_enter_openat { @x = args->fl", "2 ags"},
		{"BEGIN { @op", "3 ens"},
		{"BEGIN { @abc = 1; @ab", "3 c"},
		// nsecs is a builtin and a function (nsecs(boot)): both offered.
		{"BEGIN { @x = nsec", "4 s|s("},
		{"BEGIN { @x = comm", "4 "},
		{"BEGIN { @x = coun", "4 t("},
		{".det", "4 ach"},
		{"BEG", "3 IN"},
		{"interv", "6 al:"},
	} {
		if got := complete(c, tc.line); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.line, got, tc.want)
		}
	}
}

func TestLooksLikeProgram(t *testing.T) {
	for text, want := range map[string]bool{
		"BEGIN { }": true, "tracepoint:a:b {}": true, "t:a:b": true, "config = { }": true,
		"#include <x.h>": true, "struct x { int a; }": true,
		"@x = 1;": false, "1+2": false, "comm": false, `printf("a")`: false, "$x = 1": false,
		"pid > 1 ? 1 : 2": false,
	} {
		if got := looksLikeProgram(text); got != want {
			t.Errorf("looksLikeProgram(%q) = %v", text, got)
		}
	}
}

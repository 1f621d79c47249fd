package check

import (
	"testing"

	"github.com/gobpftrace/gobpftrace/lang"
)

// varSyms lists the symbol of each variable use, in source order.
func varSyms(prog *lang.Program) []*lang.VarSym {
	var out []*lang.VarSym
	for _, e := range allExprs(prog) {
		if v, ok := e.(*lang.Var); ok {
			out = append(out, v.Sym)
		}
	}
	return out
}

func TestScopes(t *testing.T) {
	// Uses in one probe share a symbol; each probe has its own.
	prog, _ := mustCheck(t, `BEGIN { $x = 1; if (pid) { $x = 2; $y = 3 } print($x + $y) } END { $x = "s"; print($x) }`)
	s := varSyms(prog)
	if len(s) != 7 {
		t.Fatalf("%d uses", len(s))
	}
	if s[0] != s[1] || s[0] != s[3] || s[2] != s[4] || s[0] == s[2] {
		t.Errorf("BEGIN symbols: %v", s)
	}
	if s[5] != s[6] || s[5] == s[0] || s[5].Type.String() != "string[2]" {
		t.Errorf("END symbols: %+v", s[5])
	}
	ids := map[int]bool{}
	for _, v := range s {
		ids[v.ID] = true
	}
	if len(ids) != 3 {
		t.Errorf("IDs: %v", ids)
	}

	// let is block scoped: the same name in sibling blocks is two variables.
	prog, _ = mustCheck(t, `BEGIN { if (pid) { let $a = 1; print($a) } else { let $a = "x"; print($a) } }`)
	s = varSyms(prog)
	if s[0] != s[1] || s[2] != s[3] || s[0] == s[2] || s[0].Type.String() != "int8" || s[2].Type.String() != "string[2]" {
		t.Errorf("let scopes: %+v", s)
	}

	// A variable widens to hold every value; every use shows the final type.
	prog, _ = mustCheck(t, `BEGIN { $a = (uint8)1; print($a); $a = (uint32)100000 }`)
	for _, v := range varSyms(prog) {
		if v.Type.String() != "uint32" {
			t.Errorf("widened: %s", v.Type)
		}
	}
}

func TestWarnings(t *testing.T) {
	tests := []struct{ src, want string }{
		{`BEGIN { $x = (int32)pid < nsecs }`, "stdin:1:25-26: WARNING: comparison of integers of different signs: 'int32' and 'uint64' can lead to undefined behavior\nBEGIN { $x = (int32)pid < nsecs }\n                        ~\n"},
		{`BEGIN { $x = pid < -1 }`, ""},
		// A negative literal is an int8: against a uint64 no type holds both.
		{`BEGIN { $x = -1 < (uint64)1 }`, "stdin:1:17-18: WARNING: comparison of integers of different signs: 'int8' and 'uint64' can lead to undefined behavior\nBEGIN { $x = -1 < (uint64)1 }\n                ~\n"},
		// A non-negative literal adapts; uint32 and int32 meet in int64.
		{`BEGIN { $x = nsecs > 1; $y = (uint32)1 == (int32)-1; $z = 1 == -1 }`, ""},
		{`BEGIN { $a = (uint64)1 + (int64)-1; }`, "stdin:1:24-25: WARNING: arithmetic on integers of different signs: 'uint64' and 'int64' can lead to undefined behavior\nBEGIN { $a = (uint64)1 + (int64)-1; }\n                       ~\n"},
		{`BEGIN { @a = sum(-1); @b = count(); $a = @a * @b; $c = (uint8)1 - (int8)2 }`, "stdin:1:45-46: WARNING: arithmetic on integers of different signs: 'int64' and 'uint64' can lead to undefined behavior\nBEGIN { @a = sum(-1); @b = count(); $a = @a * @b; $c = (uint8)1 - (int8)2 }\n                                            ~\n"},
		// No type holds uint64 and int8: the variable becomes an int64
		// and the uint64 stored first is converted.
		{`BEGIN { $x = nsecs; $x = -1 }`, "stdin:1:14-19: WARNING: Expression of type: uint64 being cast to type: int64.\nThis may cause unexpected results. Use an explicit cast to suppress this warning.\nBEGIN { $x = nsecs; $x = -1 }\n             ~~~~~\n"},
		{`BEGIN { @x[-1] = 1; @x[(uint64)5] = 2; @y[1, -1] = 1; @y[2, 3] = 2 }`, "stdin:1:24-33: WARNING: Expression of type: uint64 being cast to type: int64.\nThis may cause unexpected results. Use an explicit cast to suppress this warning.\nBEGIN { @x[-1] = 1; @x[(uint64)5] = 2; @y[1, -1] = 1; @y[2, 3] = 2 }\n                       ~~~~~~~~~\n"},
		{`BEGIN { @x = -1; @x = (uint64)5 }`, "stdin:1:23-32: WARNING: Expression of type: uint64 being cast to type: int64.\nThis may cause unexpected results. Use an explicit cast to suppress this warning.\nBEGIN { @x = -1; @x = (uint64)5 }\n                      ~~~~~~~~~\n"},
		// A declared type is kept: arithmetic that may not fit is truncated.
		{`BEGIN { let $x: uint8 = 1; $x = $x + 1; $x += 300 }`, "stdin:1:33-39: WARNING: Expression of type: uint64 being cast to type: uint8.\nThis may cause unexpected results. Use an explicit cast to suppress this warning.\nBEGIN { let $x: uint8 = 1; $x = $x + 1; $x += 300 }\n                                ~~~~~~\nstdin:1:47-50: WARNING: Expression of type: uint64 being cast to type: uint8.\nThis may cause unexpected results. Use an explicit cast to suppress this warning.\nBEGIN { let $x: uint8 = 1; $x = $x + 1; $x += 300 }\n                                              ~~~\n"},
		{`BEGIN { $x = (uint8)1; $x = -1; $y = (int8)1; $y = 5 }`, ""},
		// A cast that changes nothing warns; a literal's cast gives it its type.
		{`BEGIN { $a = (uint32)pid; $b = (uint64)1; $c = (int8)-1; $d = (uint64)pid }`, "stdin:1:14-25: WARNING: Unnecessary cast: the expression is already of type 'uint32'\nBEGIN { $a = (uint32)pid; $b = (uint64)1; $c = (int8)-1; $d = (uint64)pid }\n             ~~~~~~~~~~~\n"},
	}
	for _, tc := range tests {
		_, out := mustCheck(t, tc.src)
		got := ""
		for _, w := range out.Warnings {
			got += lang.Format(out.File, out.Source, w)
		}
		if got != tc.want {
			t.Errorf("%s:\ngot:\n%s\nwant:\n%s", tc.src, got, tc.want)
		}
	}
}

func TestConfig(t *testing.T) {
	src := `config = { max_strlen = 64; max_map_keys = 100; stack_mode = perf } BEGIN { @[str(0)] = count() }`
	_, out, err := run(t, src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if out.Config.MaxStrlen != 64 || out.Config.MaxMapKeys != 100 || out.Maps[0].Key.String() != "string[64]" {
		t.Errorf("config block: %+v key %s", out.Config, out.Maps[0].Key)
	}
	// The environment wins over the config block.
	_, out, err = run(t, src, Options{Env: map[string]string{"BPFTRACE_MAX_STRLEN": "32"}})
	if err != nil {
		t.Fatal(err)
	}
	if out.Config.MaxStrlen != 32 || out.Maps[0].Key.String() != "string[32]" {
		t.Errorf("env: %+v", out.Config)
	}
	_, out, _ = run(t, `BEGIN {}`, Options{})
	if out.Config.MaxStrlen != 1024 || out.Config.MaxMapKeys != 4096 {
		t.Errorf("defaults: %+v", out.Config)
	}
	_, _, err = run(t, `BEGIN {}`, Options{Env: map[string]string{"BPFTRACE_MAX_STRLEN": "x"}})
	if err == nil || err.Error() != `ERROR: Invalid value for BPFTRACE_MAX_STRLEN: "x" is not a non-negative integer` {
		t.Errorf("bad env: %v", err)
	}
	// cpp_demangle: on by default, off from the script or the environment.
	for _, c := range []struct {
		src  string
		env  map[string]string
		want bool
	}{
		{`BEGIN {}`, nil, false},
		{`config = { cpp_demangle = false } BEGIN {}`, nil, true},
		{`config = { cpp_demangle = 0 } BEGIN {}`, nil, true},
		{`config = { cpp_demangle = false } BEGIN {}`, map[string]string{"BPFTRACE_CPP_DEMANGLE": "true"}, false},
	} {
		if _, out, err := run(t, c.src, Options{Env: c.env}); err != nil || out.Config.NoCppDemangle != c.want {
			t.Errorf("%s %v: NoCppDemangle %v, %v; want %v", c.src, c.env, out.Config.NoCppDemangle, err, c.want)
		}
	}
	_, _, err = run(t, `BEGIN {}`, Options{Env: map[string]string{"BPFTRACE_CPP_DEMANGLE": "yes"}})
	if err == nil || err.Error() != `ERROR: Invalid value for BPFTRACE_CPP_DEMANGLE: valid values are true and false.` {
		t.Errorf("bad cpp_demangle: %v", err)
	}
}

func TestParams(t *testing.T) {
	_, out := mustCheck(t, `BEGIN { print($1) }`)
	if len(out.Params) != 2 || out.Params[1] != "hello" {
		t.Errorf("params: %v", out.Params)
	}
}

func TestMultiAttachBuiltins(t *testing.T) {
	_, _, err := run(t, `BEGIN, tracepoint:syscalls:sys_enter_openat { print(args.dfd) }`, Options{})
	if err == nil || err.Error() != "stdin:1:53-57: ERROR: The args builtin can only be used with tracepoint/fentry/uprobe probes (special used here)\nBEGIN, tracepoint:syscalls:sys_enter_openat { print(args.dfd) }\n                                                    ~~~~" {
		t.Errorf("%v", err)
	}
}

func TestEnvSettings(t *testing.T) {
	got := EnvSettings([]string{"HOME=/root", "BPFTRACE_MAX_STRLEN=64", "BPFTRACE_NOPE=1", "MAX_STRLEN=9"})
	if len(got) != 1 || got["BPFTRACE_MAX_STRLEN"] != "64" {
		t.Errorf("%v", got)
	}
}

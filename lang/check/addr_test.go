package check

import (
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang"
)

const unstableAddrWarning = "Script is using an unstable feature: address-of operator (&). To prevent this warning you must explicitly enable it in the config e.g. unstable_addr=enable"

// &$x is a pointer to the variable's final type, &@m a void *, and
// __has_key((void *)&@m, (void *)&$k) a bool; the unstable feature is
// warned about once, without a position.
func TestAddrOfVariablesAndMaps(t *testing.T) {
	src := `BEGIN { @m[1] = 1; $x = 1; $p = &$x; $x = 100000; $r = &$x;
		$b = __has_key((void *)&@m, (void *)&$x); for ($kv : @m) { $c = __has_key((void *)&@m, (void *)&$x); } }`
	prog, out := mustCheck(t, src)
	var types []string
	lang.Inspect(prog, func(n lang.Node) bool {
		switch x := n.(type) {
		case *lang.Unary:
			if x.Op == "&" {
				types = append(types, x.Type().String())
			}
		case *lang.Call:
			types = append(types, x.Name+":"+x.Type().String())
		}
		return true
	})
	want := "int32 *,int32 *,__has_key:bool,void *,int32 *,__has_key:bool,void *,int32 *"
	if got := strings.Join(types, ","); got != want {
		t.Errorf("types of & and calls:\n got %s\nwant %s", got, want)
	}
	if len(out.Warnings) != 1 || out.Warnings[0].Msg != unstableAddrWarning || !out.Warnings[0].Global {
		t.Errorf("warnings = %+v, want one global %q", out.Warnings, unstableAddrWarning)
	}
}

// config unstable_addr = enable silences the warning; error refuses each
// use where it is.
func TestUnstableAddrConfig(t *testing.T) {
	_, out := mustCheck(t, `config = { unstable_addr = enable } BEGIN { $x = 1; $p = &$x; }`)
	if len(out.Warnings) != 0 {
		t.Errorf("warnings with unstable_addr = enable: %+v", out.Warnings)
	}
	_, out, err := run(t, `BEGIN { $x = 1; $p = &$x; }`, Options{Env: map[string]string{"BPFTRACE_UNSTABLE_ADDR": "enable"}})
	if err != nil || len(out.Warnings) != 0 {
		t.Errorf("BPFTRACE_UNSTABLE_ADDR=enable: err %v, warnings %+v", err, out.Warnings)
	}
	src := `config = { unstable_addr = error } BEGIN { $x = 1; $p = &$x; }`
	_, _, err = run(t, src, Options{})
	want := "stdin:1:57-60: ERROR: address-of operator (&) feature is not enabled by default. To enable this unstable feature, set the config flag to enable. unstable_addr=enable\n" +
		src + "\n" + strings.Repeat(" ", 56) + "~~~\nHINT: config = { unstable_addr = enable } at the top of the script"
	if err == nil || err.Error() != want {
		t.Errorf("unstable_addr = error:\n got %v\nwant %s", err, want)
	}
}

func TestAddrOfDiagnostics(t *testing.T) {
	tests := []struct{ src, want string }{
		{"BEGIN { $p = &$nope; }",
			"stdin:1:14-20: ERROR: No type available for variable $nope\nBEGIN { $p = &$nope; }\n             ~~~~~~\nHINT: assign $nope before taking its address, or declare it with its type: let $nope: int64;"},
		{"BEGIN { let $d; $p = &$d; }",
			"stdin:1:22-25: ERROR: No type available for variable $d\nBEGIN { let $d; $p = &$d; }\n                     ~~~\nHINT: give $d a type before taking its address (let $d: int64) or assign it first"},
		{"BEGIN { $p = &@nope; }",
			"stdin:1:15-20: ERROR: Undefined map: @nope\nBEGIN { $p = &@nope; }\n              ~~~~~"},
		{"BEGIN { @m[1] = 1; $p = &@m[1]; }",
			"stdin:1:25-31: ERROR: The & operator takes the address of a whole map, not of one of its elements\nBEGIN { @m[1] = 1; $p = &@m[1]; }\n                        ~~~~~~\nHINT: &@m is the map itself, for functions such as __has_key((void *)&@m, (void *)&$key); @m[...] is a value, which has no address"},
		{"BEGIN { @m[1] = 1; $x = 1; $b = __has_key(&@m, &$x); }",
			"stdin:1:48-51: ERROR: Expected void * for argument `key` got int8 *\nBEGIN { @m[1] = 1; $x = 1; $b = __has_key(&@m, &$x); }\n                                               ~~~\n" +
				"stdin:1:33-52: ERROR: Function `__has_key` requires arguments (void *, void *)\nBEGIN { @m[1] = 1; $x = 1; $b = __has_key(&@m, &$x); }\n                                ~~~~~~~~~~~~~~~~~~~\nHINT: cast each argument to void *: __has_key((void *)&@map, (void *)&$key)"},
		{"BEGIN { @m[1] = 1; $b = __has_key((void *)&@m); }",
			"stdin:1:25-47: ERROR: Function `__has_key` requires 2 arguments, got only 1\nBEGIN { @m[1] = 1; $b = __has_key((void *)&@m); }\n                        ~~~~~~~~~~~~~~~~~~~~~~\nHINT: __has_key((void *)&@map, (void *)&$key)"},
		{"BEGIN { @m[1] = 1; $b = __has_key((void *)&@m, (void *)0); }",
			"stdin:1:48-57: ERROR: __has_key() reads the key from the variable its second argument names: write it as (void *)&$key\nBEGIN { @m[1] = 1; $b = __has_key((void *)&@m, (void *)0); }\n                                               ~~~~~~~~~\nHINT: assign the key to a variable first: $key = ...; __has_key((void *)&@m, (void *)&$key)"},
		{"BEGIN { @m[1] = 1; $x = 1; $v = (void *)&@m; }",
			"stdin:1:41-44: ERROR: The address of a map can only be passed to an external function: __has_key((void *)&@m, (void *)&$key)\nBEGIN { @m[1] = 1; $x = 1; $v = (void *)&@m; }\n                                        ~~~\nHINT: the kernel lets only its helpers use a map's address; it cannot be stored, printed or computed with"},
		{"BEGIN { @m[1] = 1; $x = 1; $b = __has_key((void *)&$x, (void *)&$x); }",
			"stdin:1:43-54: ERROR: __has_key() looks the key up in the map its first argument names: write it as (void *)&@map\nBEGIN { @m[1] = 1; $x = 1; $b = __has_key((void *)&$x, (void *)&$x); }\n                                          ~~~~~~~~~~~\nHINT: gobpftrace lowers __has_key() to a lookup in that map, which it must know when the script is compiled"},
		{"BEGIN { @m = 1; $x = 0; $b = __has_key((void *)&@m, (void *)&$x); }",
			"stdin:1:40-51: ERROR: @m has no explicit keys (scalar map): __has_key() looks up a key\nBEGIN { @m = 1; $x = 0; $b = __has_key((void *)&@m, (void *)&$x); }\n                                       ~~~~~~~~~~~"},
		{"BEGIN { @m[1] = 1; $a = (int64)&@m + 1; }",
			"stdin:1:32-35: ERROR: The address of a map can only be passed to an external function: __has_key((void *)&@m, (void *)&$key)\nBEGIN { @m[1] = 1; $a = (int64)&@m + 1; }\n                               ~~~\nHINT: the kernel lets only its helpers use a map's address; it cannot be stored, printed or computed with"},
		{`BEGIN { @m[1] = 1; $s = "x"; $b = __has_key((void *)&@m, (void *)&$s); }`,
			"stdin:1:58-69: ERROR: Argument mismatch for @m: trying to access with arguments: 'string[2]' when map expects arguments: 'int8'\nBEGIN { @m[1] = 1; $s = \"x\"; $b = __has_key((void *)&@m, (void *)&$s); }\n                                                         ~~~~~~~~~~~"},
		{"BEGIN { @s = 1; $k = 0; $r = __delete((void *)&@s, (void *)&$k); }",
			"stdin:1:39-50: ERROR: @s has no explicit keys (scalar map): __delete() deletes a key\nBEGIN { @s = 1; $k = 0; $r = __delete((void *)&@s, (void *)&$k); }\n                                      ~~~~~~~~~~~"},
		{"BEGIN { @m[1] = 1; $s = \"x\"; $r = __delete((void *)&@m, (void *)&$s); }",
			"stdin:1:57-68: ERROR: Argument mismatch for @m: trying to access with arguments: 'string[2]' when map expects arguments: 'int8'\nBEGIN { @m[1] = 1; $s = \"x\"; $r = __delete((void *)&@m, (void *)&$s); }\n                                                        ~~~~~~~~~~~"},
		{"BEGIN { @m[1] = 1; $r = __delete((void *)&@m, (void *)1); }",
			"stdin:1:47-56: ERROR: __delete() reads the key from the variable its second argument names: write it as (void *)&$key\nBEGIN { @m[1] = 1; $r = __delete((void *)&@m, (void *)1); }\n                                              ~~~~~~~~~\nHINT: assign the key to a variable first: $key = ...; __delete((void *)&@m, (void *)&$key)"},
		{"BEGIN { @s = 1; $n = __elem_count((void *)&@s); }",
			"stdin:1:35-46: ERROR: @s has no explicit keys (scalar map): __elem_count() counts keys\nBEGIN { @s = 1; $n = __elem_count((void *)&@s); }\n                                  ~~~~~~~~~~~"},
		{"BEGIN { $x = 1; $n = __elem_count((void *)&$x); }",
			"stdin:1:35-46: ERROR: __elem_count() counts the elements of the map its first argument names: write it as (void *)&@map\nBEGIN { $x = 1; $n = __elem_count((void *)&$x); }\n                                  ~~~~~~~~~~~\nHINT: gobpftrace lowers __elem_count() to a count of the elements of that map, which it must know when the script is compiled"},
		{"BEGIN { $n = __elem_count(1); }",
			"stdin:1:27-28: ERROR: Expected void * for argument `map` got int8\nBEGIN { $n = __elem_count(1); }\n                          ~\nstdin:1:14-29: ERROR: Function `__elem_count` requires arguments (void *)\nBEGIN { $n = __elem_count(1); }\n             ~~~~~~~~~~~~~~~\nHINT: cast each argument to void *: __elem_count((void *)&@map)"},
		{"config = { unstable_addr = maybe } BEGIN { }",
			"stdin:1:12-33: ERROR: Invalid value for unstable_addr: valid values are error, warn and enable.\nconfig = { unstable_addr = maybe } BEGIN { }\n           ~~~~~~~~~~~~~~~~~~~~~"},
	}
	for _, tc := range tests {
		_, _, err := run(t, tc.src, Options{})
		if err == nil {
			t.Errorf("%s: no error, want\n%s", tc.src, tc.want)
			continue
		}
		// The unstable feature's warning, when the checker got as far as
		// the &, comes first (TestWarningsFollowErrors checks the order).
		got := strings.TrimPrefix(err.Error(), "WARNING: Script is using an unstable feature: address-of operator (&). To prevent this warning you must explicitly enable it in the config e.g. unstable_addr=enable\n")
		if got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.src, err, tc.want)
		}
	}
}

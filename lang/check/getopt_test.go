package check

import (
	"reflect"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang"
)

// The options getopt() declares, their values from the command line, and
// bpftrace's errors for what does not fit.
func TestGetoptOptions(t *testing.T) {
	src := `macro depth() { getopt("depth", 35, "path components to print") }
		BEGIN { $d = depth(); $s = getopt("sysname"); $n = getopt("name", "all", "a process name"); $o = getopt("offset", -3); $v = getopt("on", true) }
		END { $d = getopt("depth", 35); }`
	_, out, err := run(t, src, Options{Params: []string{"--depth=0x10", "--sysname", "p1", "--name=sshd", "--on=off"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []lang.ScriptOption{
		{Name: "depth", Kind: "int", Default: "35", Help: "path components to print"},
		{Name: "name", Kind: "string", Default: "all", Help: "a process name"},
		{Name: "offset", Kind: "int", Default: "-3"},
		{Name: "on", Kind: "bool", Default: "true"},
		{Name: "sysname", Kind: "bool", Default: "false"},
	}
	if !reflect.DeepEqual(out.Options, want) {
		t.Errorf("options:\n%+v\nwant\n%+v", out.Options, want)
	}
	values := map[string]string{"depth": "16", "sysname": "1", "name": "sshd", "offset": "-3", "on": "0"}
	if !reflect.DeepEqual(out.Getopts, values) {
		t.Errorf("values %v, want %v", out.Getopts, values)
	}
	if len(out.Params) != 1 || out.Params[0] != "p1" {
		t.Errorf("positional %q", out.Params)
	}

	errs := []struct {
		src    string
		params []string
		want   string
	}{
		{`BEGIN { $a = getopt("x", 1); } END { $b = getopt("x", 2); }`, nil,
			"stdin:1:43-57: ERROR: Command line option 'x' needs to have the same default value in all places it is used. Previous default value: 1\nBEGIN { $a = getopt(\"x\", 1); } END { $b = getopt(\"x\", 2); }\n                                          ~~~~~~~~~~~~~~"},
		{`BEGIN { $a = getopt("x", 1, "one"); } END { $b = getopt("x", 1, "two"); }`, nil,
			"stdin:1:50-71: ERROR: Command line option 'x' must have the same description in all places it's used.\nBEGIN { $a = getopt(\"x\", 1, \"one\"); } END { $b = getopt(\"x\", 1, \"two\"); }\n                                                 ~~~~~~~~~~~~~~~~~~~~~\nHINT: You can wrap it in a macro"},
		{`BEGIN { $a = getopt("x", 1, 2); }`, nil,
			"stdin:1:29-30: ERROR: getopt()'s third argument, the option's description, must be a string literal\nBEGIN { $a = getopt(\"x\", 1, 2); }\n                            ~"},
		{`BEGIN { $a = getopt("x", 1); }`, []string{"--random=low", "--y"},
			"ERROR: unexpected program command line options: --random, --y\nHINT: expected program options: --x"},
		{`BEGIN { exit(); }`, []string{"--random"},
			"ERROR: unexpected program command line options: --random\nHINT: no custom program options defined."},
		{`BEGIN { $a = getopt("x", 1); }`, []string{"--x"},
			"stdin:1:14-28: ERROR: getopt(): --x takes an integer: give it as --x=N\nBEGIN { $a = getopt(\"x\", 1); }\n             ~~~~~~~~~~~~~~"},
		{`BEGIN { $a = getopt("x", "s"); }`, []string{"--x"},
			"stdin:1:14-30: ERROR: getopt(): --x takes a string: give it as --x=VALUE\nBEGIN { $a = getopt(\"x\", \"s\"); }\n             ~~~~~~~~~~~~~~~~"},
		{`BEGIN { $a = getopt("x"); }`, []string{"--x=maybe"},
			"stdin:1:14-25: ERROR: getopt(): --x takes true, false, 1, 0, yes, no, on or off (\"maybe\" given)\nBEGIN { $a = getopt(\"x\"); }\n             ~~~~~~~~~~~"},
	}
	for _, c := range errs {
		_, _, err := run(t, c.src, Options{Params: c.params})
		if err == nil || err.Error() != c.want {
			t.Errorf("%s %q:\n got %v\nwant %s", c.src, c.params, err, c.want)
		}
	}
	// --help is not an unexpected option: the command answers it.
	if _, _, err := run(t, `BEGIN { exit(); }`, Options{Params: []string{"--help"}}); err != nil {
		t.Errorf("--help: %v", err)
	}
}

// An integer option is read by the rules of the script's integer literals,
// as bpftrace reads it: separators, bases, an exponent, C suffixes and time
// units (in nanoseconds), negative values; a value beyond int64 or not an
// integer is refused.
func TestGetoptIntegerForms(t *testing.T) {
	for given, want := range map[string]string{
		"1m": "60000000000", "10ms": "10000000", "1e3": "1000", "1_000": "1000", "0x10": "16",
		"010": "8", "5u": "5", "-10": "-10", "-2s": "-2000000000",
		"-9223372036854775808": "-9223372036854775808", "9223372036854775807": "9223372036854775807",
	} {
		_, out, err := run(t, `BEGIN { $t = getopt("t", 1); }`, Options{Params: []string{"--t=" + given}})
		if err != nil || out.Getopts["t"] != want {
			t.Errorf("--t=%s: %v %v, want %s", given, out.Getopts, err, want)
		}
	}
	for _, given := range []string{"9223372036854775808", "-9223372036854775809", "1e30", "abc", "1x", "-", "", "1.5"} {
		_, _, err := run(t, `BEGIN { $t = getopt("t", 1); }`, Options{Params: []string{"--t=" + given}})
		want := "stdin:1:14-28: ERROR: getopt(): --t takes an integer (\"" + given + "\" given)\nBEGIN { $t = getopt(\"t\", 1); }\n             ~~~~~~~~~~~~~~"
		if err == nil || err.Error() != want {
			t.Errorf("--t=%s: %v, want %s", given, err, want)
		}
	}
}

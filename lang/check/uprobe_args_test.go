package check

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/parser"
)

// dwarfEnv adds debug information to the user-space test environment:
// /opt/app's app_add(long a, char *s) and app_mul(long x, long a), with a
// double between, and a Go-style app_go(string name, []int xs, double f);
// /usr/lib/libc.so.6 has none.
type dwarfEnv struct{ userEnv }

var argPtr = &lang.Type{Kind: lang.KPtr, Size: 8, Elem: lang.TInt8, UserSpace: true}

func (dwarfEnv) UprobeArgs(path, name string) ([]*lang.UprobeArg, error) {
	if path != "/opt/app" {
		return nil, fmt.Errorf("%s has no DWARF debug information", path)
	}
	switch name {
	case "app_add":
		return []*lang.UprobeArg{{Name: "a", Type: lang.TInt64, Regs: []string{"di"}}, {Name: "s", Type: argPtr, Regs: []string{"si"}}}, nil
	case "app_mul":
		return []*lang.UprobeArg{{Name: "x", Type: lang.TInt64, Regs: []string{"di"}}, {Name: "d", Why: "it is passed in xmm registers, which a uprobe cannot read"}, {Name: "a", Type: lang.TInt64, Regs: []string{"si"}}}, nil
	case "main":
		elems := &lang.Type{Kind: lang.KPtr, Size: 8, Elem: lang.TInt64, UserSpace: true}
		return []*lang.UprobeArg{
			{Name: "name", Type: &lang.Type{Kind: lang.KString, UserSpace: true}, Regs: []string{"ax", "bx"}},
			{Name: "xs", Type: elems, Regs: []string{"cx", "di", "si"}, Fields: []string{"ptr", "len", "cap"}, FieldTypes: []*lang.Type{elems, lang.TInt64, lang.TInt64}},
		}, nil
	}
	return nil, errors.New("the debug information of /opt/app does not describe function " + name)
}

func (dwarfEnv) SourceLineAddress(path, file string, line int) (uint64, error) {
	if file == "app.c" && line == 12 {
		return 0x1180, nil
	}
	return 0, fmt.Errorf("Unable to map '%s:%d' to address", file, line)
}

func runDwarf(t *testing.T, src string) (*lang.Checked, error) {
	t.Helper()
	prog, err := parser.Parse("stdin", src)
	if err != nil {
		t.Fatalf("parse %q: %v", src, err)
	}
	return Check(prog, "stdin", src, dwarfEnv{userEnv{testEnv}}, Options{})
}

func TestUprobeArgsTypes(t *testing.T) {
	checked, err := runDwarf(t, `uprobe:/opt/app:app_add { @a = args.a; @s = str(args->s); } uprobe:/opt/app:main { @n[args.name] = count(); @l = args.xs.len; }`)
	if err != nil {
		t.Fatal(err)
	}
	r := checked.Probes[0].Attach[0]
	var fields []string
	for _, f := range r.Args.Fields {
		fields = append(fields, fmt.Sprintf("%s@%d:%s", f.Name, f.Offset, f.Type))
	}
	// The fields are at the pt_regs places of their registers (di 112, si 104).
	if got, want := strings.Join(fields, " "), "a@112:int64 s@104:int8 *"; got != want {
		t.Errorf("app_add args: %s, want %s", got, want)
	}
	fields = nil
	for _, f := range checked.Probes[1].Attach[0].Args.Fields {
		fields = append(fields, fmt.Sprintf("%s@%d", f.Name, f.Offset))
	}
	// A Go string and slice have hidden fields for their words (ax 80, bx 40, cx 88).
	if got, want := strings.Join(fields, " "), "name@80 name.ptr@80 name.len@40 xs@88 xs.ptr@88 xs.len@112 xs.cap@104"; got != want {
		t.Errorf("main args: %s, want %s", got, want)
	}
	if got := checked.Maps[2].Key.String(); !strings.HasPrefix(got, "string[") {
		t.Errorf("@n's key is %s, want a string", got)
	}
	if got := checked.Maps[3].Value.String(); got != "int64" {
		t.Errorf("@l is %s, want int64", got)
	}
	// The checked string argument stands for str() of its two words.
	var call *lang.Call
	lang.Inspect(checked.Prog, func(n lang.Node) bool {
		if fa, ok := n.(*lang.FieldAccess); ok && fa.Field == "name" {
			call, _ = fa.Expand.(*lang.Call)
		}
		return true
	})
	if call == nil || call.Name != "str" || len(call.Args) != 2 {
		t.Errorf("args.name expands to %#v", call)
	}
}

func TestUprobeArgsErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{`uprobe:/opt/app:app_add { @ = args.b; }`,
			"stdin:1:31-37: ERROR: Can't find function parameter b\nuprobe:/opt/app:app_add { @ = args.b; }\n                              ~~~~~~\nHINT: the parameters of app_add: a, s"},
		{`uprobe:/opt/app:main { @ = args.nam; }`,
			"stdin:1:28-36: ERROR: Can't find function parameter nam\nuprobe:/opt/app:main { @ = args.nam; }\n                           ~~~~~~~~\nHINT: did you mean args.name? the parameters of main: name, xs"},
		{`uprobe:/opt/app:app_mul { @ = args.d; }`,
			"stdin:1:31-37: ERROR: args.d of app_mul cannot be read: it is passed in xmm registers, which a uprobe cannot read\nuprobe:/opt/app:app_mul { @ = args.d; }\n                              ~~~~~~"},
		{`uprobe:/opt/app:app_* { @ = args.a; }`,
			"stdin:1:29-35: ERROR: args.a is in different registers in the probes this block attaches to: di in uprobe:/opt/app:app_add, si in uprobe:/opt/app:app_mul\nuprobe:/opt/app:app_* { @ = args.a; }\n                            ~~~~~~"},
		{`uretprobe:/opt/app:app_add { @ = args.a; }`,
			"stdin:1:34-38: ERROR: The args builtin can only be used with tracepoint/fentry/uprobe probes (uretprobe used here)\nuretprobe:/opt/app:app_add { @ = args.a; }\n                                 ~~~~\nHINT: a function's arguments are gone when it returns: save them in a map keyed by tid in a uprobe on app_add"},
		{`uprobe:libc:malloc { @ = args.a; }`,
			"stdin:1:26-30: ERROR: /usr/lib/libc.so.6 has no DWARF debug information\nuprobe:libc:malloc { @ = args.a; }\n                         ~~~~\nHINT: build /usr/lib/libc.so.6 with -g, or give the directory of its separate debug file with --debuginfo DIR; arg0, arg1, ... read the integer arguments without it"},
		{`uprobe:/opt/app:0x1234 { @ = args.a; }`,
			"stdin:1:30-34: ERROR: args of uprobe:/opt/app:0x1234 needs a function: the probe is at an address\nuprobe:/opt/app:0x1234 { @ = args.a; }\n                             ~~~~\nHINT: attach to the function by name (uprobe:/opt/app:FUNCTION) to read its parameters"},
		{`uprobe:/opt/app@app.c:13 { }`,
			"stdin:1:1-25: ERROR: Unable to map 'app.c:13' to address\nuprobe:/opt/app@app.c:13 { }\n~~~~~~~~~~~~~~~~~~~~~~~~"},
		{`uretprobe:/opt/app@app.c:12 { }`,
			"stdin:1:1-28: ERROR: uretprobe cannot attach at a source line: use uprobe:/opt/app@app.c:12\nuretprobe:/opt/app@app.c:12 { }\n~~~~~~~~~~~~~~~~~~~~~~~~~~~"},
	} {
		_, err := runDwarf(t, tc.src)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s:\n got %v\nwant %s", tc.src, err, tc.want)
		}
	}
}

// uprobe:BIN@FILE:LINE and uprobe:BIN:FILE:LINE attach at the line's
// address.
func TestUprobeSourceLine(t *testing.T) {
	for _, src := range []string{`uprobe:/opt/app@app.c:12 {}`, `uprobe:/opt/app:app.c:12 {}`} {
		checked, err := runDwarf(t, src)
		if err != nil {
			t.Fatal(err)
		}
		r := checked.Probes[0].Attach[0]
		if r.Name != "uprobe:/opt/app@app.c:12" || r.Address != 0x1180 || r.FileOffset != 0x180 || r.Symbol != "" {
			t.Errorf("%s: %+v", src, r)
		}
	}
}

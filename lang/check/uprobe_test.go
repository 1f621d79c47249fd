package check

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/parser"
)

// userEnv is the test environment's user-space side: one program with
// three functions and two USDT probes, and libc.
type userEnv struct{ fakeEnv }

var userFuncs = map[string][]string{
	"/opt/app":              {"app_add", "app_mul", "main"},
	"/usr/lib/libc.so.6":    {"getpid", "malloc"},
	"/usr/local/bin/tool":   {"tool_main"},
	"/opt/python/python3.x": {"main"},
}

func (userEnv) FindBinary(target string, pid int) (string, error) {
	switch target {
	case "/opt/app", "/usr/local/bin/tool":
		return target, nil
	case "libc", "libc.so.6":
		return "/usr/lib/libc.so.6", nil
	case "tool":
		return "/usr/local/bin/tool", nil
	}
	return "", fmt.Errorf("target file '%s' does not exist or is not executable", target)
}

func (userEnv) MatchFunctions(path, pattern string) ([]string, error) {
	var out []string
	for _, f := range userFuncs[path] {
		if globMatch(pattern, f) {
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out, nil
}

func (userEnv) FileOffset(path string, addr uint64) (uint64, error) {
	if addr < 0x1000 {
		return 0, errors.New("address not in a loadable segment")
	}
	return addr - 0x1000, nil
}

func (userEnv) USDTProbes(path string) ([]*lang.USDTProbe, error) {
	if path != "/opt/app" {
		return nil, nil
	}
	return []*lang.USDTProbe{
		{Provider: "app", Name: "start", Address: 0x1100, FileOffset: 0x100,
			Args: []*lang.USDTArg{{Kind: lang.USDTReg, Size: 4, Signed: true, Reg: "rax"}}},
		{Provider: "app", Name: "stop", Address: 0x1200, FileOffset: 0x200, Semaphore: 0x3000,
			Args: []*lang.USDTArg{{Kind: lang.USDTConst, Size: 8, Value: 5}, {Kind: lang.USDTMem, Size: 8, Reg: "rbp", Value: -16}}},
		{Provider: "other", Name: "stop", Address: 0x1300, FileOffset: 0x300},
	}, nil
}

func runUser(t *testing.T, src string, opts Options) (*lang.Checked, error) {
	t.Helper()
	prog, err := parser.Parse("stdin", src)
	if err != nil {
		t.Fatalf("parse %q: %v", src, err)
	}
	return Check(prog, "stdin", src, userEnv{testEnv}, opts)
}

func TestUserAttach(t *testing.T) {
	tests := []struct{ src, want string }{
		{`uprobe:/opt/app:app_add {}`, `uprobe:/opt/app:app_add bin=/opt/app sym=app_add func=app_add`},
		{`u:libc:malloc, ur:libc.so.6:getpid {}`, `
			uprobe:/usr/lib/libc.so.6:malloc bin=/usr/lib/libc.so.6 sym=malloc func=malloc
			uretprobe:/usr/lib/libc.so.6:getpid bin=/usr/lib/libc.so.6 sym=getpid func=getpid`},
		{`uprobe:tool:tool_main {}`, `uprobe:/usr/local/bin/tool:tool_main bin=/usr/local/bin/tool sym=tool_main func=tool_main`},
		{`uprobe:/opt/app:app_add+4 {}`, `uprobe:/opt/app:app_add+4 bin=/opt/app sym=app_add func=app_add off=4`},
		{`uprobe:/opt/app:0x1234 {}`, `uprobe:/opt/app:0x1234 bin=/opt/app addr=0x1234 fileoff=0x234`},
		{`uprobe:/opt/app:app_* {}`, `
			uprobe:/opt/app:app_add bin=/opt/app sym=app_add func=app_add
			uprobe:/opt/app:app_mul bin=/opt/app sym=app_mul func=app_mul`},
		{`usdt:/opt/app:app:start {}`, `usdt:/opt/app:app:start bin=/opt/app addr=0x1100 fileoff=0x100 usdt=app:start args=1`},
		// A wildcard probe type with a path: uprobe and usdt, each where
		// the rest fits.
		{`*:/opt/app:app_a* {}`, `uprobe:/opt/app:app_add bin=/opt/app sym=app_add func=app_add`},
		{`u*:/opt/app:app:stop {}`, `usdt:/opt/app:app:stop bin=/opt/app addr=0x1200 fileoff=0x200 usdt=app:stop sem=0x3000 args=2`},
		{`*:/opt/app:st* {}`, `
			usdt:/opt/app:app:start bin=/opt/app addr=0x1100 fileoff=0x100 usdt=app:start args=1
			usdt:/opt/app:app:stop bin=/opt/app addr=0x1200 fileoff=0x200 usdt=app:stop sem=0x3000 args=2
			usdt:/opt/app:other:stop bin=/opt/app addr=0x1300 fileoff=0x300 usdt=other:stop`},
		{`U:/opt/app:stop {}`, `
			usdt:/opt/app:app:stop bin=/opt/app addr=0x1200 fileoff=0x200 usdt=app:stop sem=0x3000 args=2
			usdt:/opt/app:other:stop bin=/opt/app addr=0x1300 fileoff=0x300 usdt=other:stop`},
		{`usdt:/opt/app:app:* {}`, `
			usdt:/opt/app:app:start bin=/opt/app addr=0x1100 fileoff=0x100 usdt=app:start args=1
			usdt:/opt/app:app:stop bin=/opt/app addr=0x1200 fileoff=0x200 usdt=app:stop sem=0x3000 args=2`},
	}
	for _, tc := range tests {
		out, err := runUser(t, tc.src, Options{})
		if err != nil {
			t.Errorf("%s: %v", tc.src, err)
			continue
		}
		var b strings.Builder
		for _, a := range out.Probes[0].Attach {
			fmt.Fprintf(&b, "%s bin=%s", a.Name, a.Binary)
			if a.Symbol != "" {
				fmt.Fprintf(&b, " sym=%s func=%s", a.Symbol, a.FuncName())
			}
			if a.Offset != 0 {
				fmt.Fprintf(&b, " off=%d", a.Offset)
			}
			if a.Address != 0 {
				fmt.Fprintf(&b, " addr=0x%x fileoff=0x%x", a.Address, a.FileOffset)
			}
			if a.USDTName != "" {
				fmt.Fprintf(&b, " usdt=%s:%s", a.USDTProvider, a.USDTName)
			}
			if a.USDTSemaphore != 0 {
				fmt.Fprintf(&b, " sem=0x%x", a.USDTSemaphore)
			}
			if len(a.USDTArgs) != 0 {
				fmt.Fprintf(&b, " args=%d", len(a.USDTArgs))
			}
			b.WriteString("\n")
		}
		if got, want := b.String(), trimLines(tc.want); got != want {
			t.Errorf("%s\ngot:\n%s\nwant:\n%s", tc.src, got, want)
		}
	}
}

func TestUserBuiltins(t *testing.T) {
	out, err := runUser(t, `uprobe:/opt/app:app_* { @[func] = count(); @a[arg0, arg5] = count(); }
uretprobe:/opt/app:main { @r = sum(retval); }
usdt:/opt/app:app:stop { @u[arg0, arg1] = count(); }`, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if m := out.Maps[0]; m.Key.String() != "string[8]" {
		t.Errorf("@ key %s, want string[8] (func of app_add/app_mul)", m.Key)
	}
	if _, err := runUser(t, `BEGIN { printf("%d\n", cpid); }`, Options{Command: true}); err != nil {
		t.Errorf("cpid with -c: %v", err)
	}
}

func TestUserDiagnostics(t *testing.T) {
	tests := []struct{ src, want string }{
		{`uprobe:/nope:f {}`,
			"stdin:1:1-15: ERROR: uprobe target file '/nope' does not exist or is not executable\nuprobe:/nope:f {}\n~~~~~~~~~~~~~~"},
		{`usdt:/nope:p:n {}`,
			"stdin:1:1-15: ERROR: usdt target file '/nope' does not exist or is not executable\nusdt:/nope:p:n {}\n~~~~~~~~~~~~~~"},
		{`uprobe:/opt/app:nope {}`,
			"stdin:1:1-21: ERROR: Could not resolve symbol: /opt/app:nope\nuprobe:/opt/app:nope {}\n~~~~~~~~~~~~~~~~~~~~"},
		{`uprobe:/opt/app {}`,
			"stdin:1:1-16: ERROR: uprobe probe type requires 2 arguments\nuprobe:/opt/app {}\n~~~~~~~~~~~~~~~\nHINT: write uprobe:binary:function, uprobe:binary:function+offset or uprobe:binary:address, e.g. uprobe:libc:malloc"},
		{`uretprobe:/opt/app:app_add+4 {}`,
			"stdin:1:1-29: ERROR: uretprobe can not have an offset\nuretprobe:/opt/app:app_add+4 {}\n~~~~~~~~~~~~~~~~~~~~~~~~~~~~"},
		{`uprobe:/opt/app:0x10 {}`,
			"stdin:1:1-21: ERROR: address not in a loadable segment\nuprobe:/opt/app:0x10 {}\n~~~~~~~~~~~~~~~~~~~~"},
		{`usdt:/opt/app:app:nope {}`,
			"stdin:1:1-23: ERROR: No USDT probe matches app:nope in /opt/app\nusdt:/opt/app:app:nope {}\n~~~~~~~~~~~~~~~~~~~~~~"},
		{`usdt:/opt/app {}`,
			"stdin:1:1-14: ERROR: usdt probe type requires 2 or 3 arguments\nusdt:/opt/app {}\n~~~~~~~~~~~~~\nHINT: write usdt:binary:provider:name or usdt:binary:name"},
		{`usdt::app:start {}`,
			"stdin:1:1-16: ERROR: usdt probe must specify at least path or pid to probe. To target all paths/pids set the path to '*'.\nusdt::app:start {}\n~~~~~~~~~~~~~~~\nHINT: usdt:*:PROVIDER:NAME searches the files of every running process; with -p PID the binary may be left out"},
		{`usdt:/opt/app:app: {}`,
			"stdin:1:1-19: ERROR: usdt probe must have a target function or wildcard\nusdt:/opt/app:app: {}\n~~~~~~~~~~~~~~~~~~"},
		{`*:vfs_read {}`,
			"stdin:1:1-11: ERROR: No probe type matched for *\n*:vfs_read {}\n~~~~~~~~~~\nHINT: a wildcard probe type stands for the user-space types (uprobe, usdt) when the binary is a path (has a '/') or with -p PID; kernel probe types are named in full"},
		{`*:/opt/app:nope {}`,
			"stdin:1:1-16: ERROR: Could not resolve symbol: /opt/app:nope\n*:/opt/app:nope {}\n~~~~~~~~~~~~~~~\n" +
				"stdin:1:1-16: ERROR: No USDT probe matches nope in /opt/app\n*:/opt/app:nope {}\n~~~~~~~~~~~~~~~"},
		{`uprobe:/opt/app:main { @ = retval; }`,
			"stdin:1:28-34: ERROR: The retval builtin can only be used with 'kretprobe' and 'uretprobe' and 'fexit' probes\nuprobe:/opt/app:main { @ = retval; }\n                           ~~~~~~"},
		{`usdt:/opt/app:app:start { @ = arg1; }`,
			"stdin:1:31-35: ERROR: usdt:/opt/app:app:start has one argument, so arg1 does not exist\nusdt:/opt/app:app:start { @ = arg1; }\n                              ~~~~"},
		{`usdt:/opt/app:app:start { @ = arg11; }`,
			"stdin:1:31-36: ERROR: usdt:/opt/app:app:start has one argument, so arg11 does not exist\nusdt:/opt/app:app:start { @ = arg11; }\n                              ~~~~~"},
		{`uprobe:/opt/app:main { @ = arg6; }`,
			"stdin:1:28-32: ERROR: x86_64 doesn't support arg6\nuprobe:/opt/app:main { @ = arg6; }\n                           ~~~~\nHINT: arg0 to arg5 are the arguments passed in registers; at the function's entry the seventh is on the stack: *(uint64 *)(reg(\"sp\") + 8)"},
		{`uprobe:/opt/app:main, usdt:/opt/app:app:stop { @ = arg7; }`,
			"stdin:1:52-56: ERROR: x86_64 doesn't support arg7\nuprobe:/opt/app:main, usdt:/opt/app:app:stop { @ = arg7; }\n                                                   ~~~~\nHINT: arg0 to arg5 are the arguments passed in registers; at the function's entry the seventh is on the stack: *(uint64 *)(reg(\"sp\") + 8)"},
		{`usdt:/opt/app:app:start { @ = func; }`,
			"stdin:1:31-35: ERROR: The func builtin can not be used with 'usdt' probes\nusdt:/opt/app:app:start { @ = func; }\n                              ~~~~"},
		{`uprobe:/opt/app:main { @ = args.x; }`,
			"stdin:1:28-32: ERROR: args of uprobe:/opt/app:main needs the function's DWARF debug information, which is not supported yet\nuprobe:/opt/app:main { @ = args.x; }\n                           ~~~~\nHINT: use arg0, arg1, ... (the integer arguments in registers)"},
		{`BEGIN { @ = cpid; }`,
			"stdin:1:13-17: ERROR: cpid cannot be used without child command\nBEGIN { @ = cpid; }\n            ~~~~\nHINT: start the command to trace with -c 'CMD'"},
	}
	for _, tc := range tests {
		_, err := runUser(t, tc.src, Options{})
		if err == nil {
			t.Errorf("%s: no error", tc.src)
			continue
		}
		if got := strings.TrimRight(err.Error(), "\n"); got != tc.want {
			t.Errorf("%s\ngot:\n%s\nwant:\n%s", tc.src, got, tc.want)
		}
	}
}

// Without an environment that knows user space, the error says so.
func TestUserNoEnv(t *testing.T) {
	_, _, err := run(t, `uprobe:/bin/sh:main {}`, Options{})
	if err == nil || !strings.Contains(err.Error(), "uprobe probes are unknown here (no system information)") {
		t.Errorf("%v", err)
	}
}

// goUserEnv says /opt/app's main is Go code.
type goUserEnv struct{ userEnv }

func (goUserEnv) GoFunction(path, name string) bool { return path == "/opt/app" && name == "main" }

// A uprobe on a Go function: argN warns once per name that it reads C's
// register and names Go's; args' hint names Go's registers; a C function
// keeps the C hint and no warning.
func TestGoFunctionArguments(t *testing.T) {
	check := func(src string) (string, string) {
		t.Helper()
		prog, err := parser.Parse("stdin", src)
		if err != nil {
			t.Fatal(err)
		}
		out, err := Check(prog, "stdin", src, goUserEnv{userEnv{testEnv}}, Options{})
		warns := ""
		if out != nil {
			for _, w := range out.Warnings {
				warns += lang.Format("stdin", src, w)
			}
		}
		errText := ""
		if err != nil {
			errText = err.Error()
		}
		return warns, errText
	}
	warns, _ := check(`uprobe:/opt/app:main { @[arg0, arg0, arg3] = count(); }`)
	want := "stdin:1:26-30: WARNING: arg0 reads register di, where the C calling convention passes argument 1 (as in bpftrace); main is Go code, which passes it in ax: use reg(\"ax\")\n" +
		"uprobe:/opt/app:main { @[arg0, arg0, arg3] = count(); }\n                         ~~~~\n" +
		"stdin:1:38-42: WARNING: arg3 reads register cx, where the C calling convention passes argument 4 (as in bpftrace); main is Go code, which passes it in di: use reg(\"di\")\n" +
		"uprobe:/opt/app:main { @[arg0, arg0, arg3] = count(); }\n                                     ~~~~\n"
	if warns != want {
		t.Errorf("warnings:\n%s\nwant:\n%s", warns, want)
	}
	if warns, _ := check(`uprobe:/opt/app:app_add { @ = arg0; }`); warns != "" {
		t.Errorf("C function: %q", warns)
	}
	_, errText := check(`uprobe:/opt/app:main { @ = args.x; }`)
	if !strings.HasSuffix(errText, `HINT: main is Go code, which passes integer arguments in registers ax, bx, cx, di, si, r8, r9, r10, r11 (a string as two, a slice as three): read them with reg("ax"), reg("bx"), reg("cx"), ...; arg0, arg1, ... read C's registers (see docs/userspace.md)`) {
		t.Errorf("args: %q", errText)
	}
}

package main

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
)

// -k: a failing BPF helper is reported where the script called it, in
// bpftrace v0.26's layout (text on stderr, helper_error lines with -f json).

func TestHelperErrorsText(t *testing.T) {
	requireRoot(t)
	cases := []struct {
		name   string
		env    []string
		script string
		stdout string
		stderr string
	}{
		{
			name:   "map full",
			env:    []string{"BPFTRACE_MAX_MAP_KEYS=1"},
			script: `BEGIN { @[1] = 1; @[2] = 2; exit() }`,
			stdout: "\n\n@[1]: 1\n",
			stderr: "Attached 1 probe\n" +
				"stdin:1:19-27: WARNING: Map full; can't update element. Try increasing max_map_keys config or manually setting the max entries in a map declaration e.g. `let @a = hash(5000)`\n" +
				"Additional Info - helper: map_update_elem, retcode: -7\n" +
				"BEGIN { @[1] = 1; @[2] = 2; exit() }\n" +
				"                  ~~~~~~~~\n" +
				"WARNING: 1 update of @ failed because the map was full (max_map_keys is 1)\n",
		},
		{
			name:   "map full, in-place updates",
			env:    []string{"BPFTRACE_MAX_MAP_KEYS=1"},
			script: `BEGIN { @[1]++; @[2]++; @[3] += 5; exit() }`,
			stdout: "\n\n@[1]: 1\n",
			stderr: "Attached 1 probe\n" +
				"stdin:1:17-23: WARNING: Map full; can't update element. Try increasing max_map_keys config or manually setting the max entries in a map declaration e.g. `let @a = hash(5000)`\n" +
				"Additional Info - helper: map_update_elem, retcode: -7\n" +
				"BEGIN { @[1]++; @[2]++; @[3] += 5; exit() }\n" +
				"                ~~~~~~\n" +
				"stdin:1:25-34: WARNING: Map full; can't update element. Try increasing max_map_keys config or manually setting the max entries in a map declaration e.g. `let @a = hash(5000)`\n" +
				"Additional Info - helper: map_update_elem, retcode: -7\n" +
				"BEGIN { @[1]++; @[2]++; @[3] += 5; exit() }\n" +
				"                        ~~~~~~~~~\n" +
				"WARNING: 2 updates of @ failed because the map was full (max_map_keys is 1)\n",
		},
		{
			name:   "kernel read of address 0",
			script: `BEGIN { printf("[%s]\n", str(0)); exit() }`,
			stdout: "[]\n\n\n",
			stderr: "Attached 1 probe\n" +
				"stdin:1:26-32: WARNING: Numerical result out of range\n" +
				"Additional Info - helper: probe_read_kernel_str, retcode: -34\n" +
				`BEGIN { printf("[%s]\n", str(0)); exit() }` + "\n" +
				"                         ~~~~~~\n",
		},
		{
			// A member or a whole struct read through a bad pointer is
			// reported at the expression, as bpftrace's -k reports it.
			name:   "member and struct read through address 0",
			script: `struct foo { int a; int b; } BEGIN { $x = ((struct foo *)0)->b; $s = *(struct foo *)0; print(($x, $s)); exit() }`,
			stdout: "(0, { .a = 0, .b = 0 })\n\n\n",
			stderr: "Attached 1 probe\n" +
				"stdin:1:43-63: WARNING: Numerical result out of range\n" +
				"Additional Info - helper: probe_read_kernel, retcode: -34\n" +
				"struct foo { int a; int b; } BEGIN { $x = ((struct foo *)0)->b; $s = *(struct foo *)0; print(($x, $s)); exit() }\n" +
				"                                          ~~~~~~~~~~~~~~~~~~~~\n" +
				"stdin:1:70-86: WARNING: Numerical result out of range\n" +
				"Additional Info - helper: probe_read_kernel, retcode: -34\n" +
				"struct foo { int a; int b; } BEGIN { $x = ((struct foo *)0)->b; $s = *(struct foo *)0; print(($x, $s)); exit() }\n" +
				"                                                                     ~~~~~~~~~~~~~~~~\n",
		},
		{
			name:   "missing key read and delete",
			script: `BEGIN { @x[1] = 1; printf("%d\n", @x[2]); delete(@x, 5); exit() }`,
			stdout: "0\n\n\n@x[1]: 1\n",
			stderr: "Attached 1 probe\n" +
				"stdin:1:35-40: WARNING: Can't lookup map element because it does not exist.\n" +
				"Additional Info - helper: map_lookup_elem, retcode: 0\n" +
				`BEGIN { @x[1] = 1; printf("%d\n", @x[2]); delete(@x, 5); exit() }` + "\n" +
				"                                  ~~~~~\n" +
				"stdin:1:43-56: WARNING: Can't delete map element because it does not exist.\n" +
				"Additional Info - helper: map_delete_elem, retcode: -2\n" +
				`BEGIN { @x[1] = 1; printf("%d\n", @x[2]); delete(@x, 5); exit() }` + "\n" +
				"                                          ~~~~~~~~~~~~~\n",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := traceRun{args: []string{"-k", "-e", c.script}, noAttach: true}
			if len(c.env) > 0 {
				r.wrap = append([]string{"env"}, c.env...)
			}
			res := trace(t, r)
			wantOutput(t, res, c.stdout, c.stderr)
		})
	}
}

// Without -k the reads that fail pass silently, as in bpftrace; what
// bpftrace v0.26 checks even without -k is reported: a delete() statement
// (its result discarded) that finds no key, and a full map (once per map,
// with the count at exit). --no-warnings silences both.
func TestHelperErrorsOff(t *testing.T) {
	requireRoot(t)
	script := `BEGIN { @x[1] = 1; printf("[%s] %d\n", str(0), @x[2]); delete(@x, 5); if (!delete(@x, 6)) { printf("no 6\n"); } exit() }`
	at := strings.Index(script, "delete(@x, 5)")
	res := trace(t, traceRun{args: []string{"-e", script}, noAttach: true})
	wantOutput(t, res, "[] 0\nno 6\n\n\n@x[1]: 1\n", "Attached 1 probe\n"+
		fmt.Sprintf("stdin:1:%d-%d: WARNING: Can't delete map element because it does not exist.\n", at+1, at+14)+
		"Additional Info - helper: map_delete_elem, retcode: -2\n"+
		script+"\n"+
		strings.Repeat(" ", at)+strings.Repeat("~", 13)+"\n")
	res = trace(t, traceRun{args: []string{"--no-warnings", "-e", script}, noAttach: true})
	wantOutput(t, res, "[] 0\nno 6\n\n\n@x[1]: 1\n", "Attached 1 probe\n")

	full := `BEGIN { @[1] = 1; @[2] = 2; @[3] = 3; @[4]++; exit() }`
	res = trace(t, traceRun{args: []string{"-e", full}, env: []string{"BPFTRACE_MAX_MAP_KEYS=1"}, noAttach: true})
	wantOutput(t, res, "\n\n@[1]: 1\n", "Attached 1 probe\n"+
		"stdin:1:9-17: WARNING: Map full; can't update element. Try increasing max_map_keys config or manually setting the max entries in a map declaration e.g. `let @a = hash(5000)`\n"+
		"Additional Info - helper: map_update_elem, retcode: -7\n"+
		full+"\n"+
		"        ~~~~~~~~\n"+
		"WARNING: 3 updates of @ failed because the map was full (max_map_keys is 1)\n")
	res = trace(t, traceRun{args: []string{"--no-warnings", "-e", full}, env: []string{"BPFTRACE_MAX_MAP_KEYS=1"}, noAttach: true})
	wantOutput(t, res, "\n\n@[1]: 1\n", "Attached 1 probe\n"+
		"WARNING: 3 updates of @ failed because the map was full (max_map_keys is 1)\n")
}

// A user-space read in a real probe: str() of gbt_add's second argument,
// the integer 100, is a read of address 100 of the traced process.
func TestHelperErrorsUprobe(t *testing.T) {
	requireRoot(t)
	c, _ := userHelpers(t)
	script := fmt.Sprintf(`uprobe:%s:gbt_add { printf("<%%s>\n", str(arg1)); }`, c)
	res := trace(t, traceRun{
		args:    []string{"-k", "-e", script},
		trigger: func(t *testing.T) { runHelper(t, c, "2") },
		stop:    syscall.SIGINT,
	})
	col := strings.Index(script, "str(arg1)") + 1
	warning := fmt.Sprintf("stdin:1:%d-%d: WARNING: Bad address\n", col, col+9) +
		"Additional Info - helper: probe_read_user_str, retcode: -14\n" +
		script + "\n" + strings.Repeat(" ", col-1) + "~~~~~~~~~\n"
	wantOutput(t, res, "<>\n<>\n\n\n", "Attached 1 probe\n"+warning+warning)
}

// -f json: helper errors and run-time warnings are lines of the output,
// in bpftrace's helper_error and runtime_error shapes.
func TestHelperErrorsJSON(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{
		args:     []string{"-k", "-f", "json", "-e", `BEGIN { printf("[%s]\n", str(0)); $a = 0; @y = 5 / $a; @w[1] = 1; @z = @w[3]; exit() }`},
		noAttach: true,
	})
	want := `{"type": "attached_probes", "count": 1, "data": {"probes": 1}}
{"type": "helper_error", "msg": "Numerical result out of range", "helper": "probe_read_kernel_str", "retcode": -34, "filename": "stdin", "line": 1, "col": 26}
{"type": "printf", "data": "[]\n"}
{"type": "runtime_error", "msg": "Divide or modulo by 0 detected. This can lead to unexpected results. 1 is being used as the result.", "filename": "stdin", "line": 1, "col": 48}
{"type": "helper_error", "msg": "Success", "helper": "map_lookup_elem", "retcode": 0, "filename": "stdin", "line": 1, "col": 72}
{"type": "map", "data": {"@w": {"1": 1}}}
{"type": "map", "data": {"@y": 1}}
{"type": "map", "data": {"@z": 0}}
`
	wantOutput(t, res, want, "")
}

// -k applies to the entries of the interactive session too.
func TestHelperErrorsREPL(t *testing.T) {
	requireRoot(t)
	term := startTerminal(t, t.TempDir(), "-k")
	term.expect("gobpftrace> ")
	term.send(`BEGIN { printf("[%s]\n", str(0)); }` + "\r")
	term.expect("WARNING: Numerical result out of range")
	term.expect("Additional Info - helper: probe_read_kernel_str, retcode: -34")
	term.expect("[]")
}

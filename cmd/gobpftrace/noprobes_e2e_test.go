package main

import (
	"testing"
)

// A wildcard attach point that matches nothing is dropped without a word,
// as bpftrace v0.26 drops it: beside another probe the script runs; a
// script left without probes prints bpftrace's "No probes to attach" on
// stdout (nothing with -q) and exits with 1.
func TestWildcardMatchingNothing(t *testing.T) {
	requireRoot(t)
	src := `tracepoint:nosuchcat:* { @never = count(); } tracepoint:syscalls:sys_enter_getppid /comm == "sysloop"/ { printf("hit\n"); exit(); }`
	res := trace(t, traceRun{args: []string{"-e", src}, trigger: func(t *testing.T) { runSysloop(t, 1, "") }})
	wantOutput(t, res, "hit\n\n\n", "Attached 1 probe\n")

	// The same in one probe's list of attach points.
	src = `tracepoint:syscalls:sys_enter_zzz*, tracepoint:syscalls:sys_enter_getppid /comm == "sysloop"/ { printf("%s\n", probe); exit(); }`
	res = trace(t, traceRun{args: []string{"-e", src}, trigger: func(t *testing.T) { runSysloop(t, 1, "") }})
	wantOutput(t, res, "tracepoint:syscalls:sys_enter_getppid\n\n\n", "Attached 1 probe\n")

	for _, args := range [][]string{
		{"-e", `tracepoint:nosuchcat:* { print(args.nothing); }`},
		{"-e", `tracepoint:syscalls:sys_enter_zzz*, uprobe:/bin/true:zzz* { }`},
		{"-f", "json", "-e", `tracepoint:nosuchcat:* { }`},
	} {
		res = trace(t, traceRun{args: args, noAttach: true})
		if res.code != 1 || res.stdout != "No probes to attach\n" || res.stderr != "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", args, res.code, res.stdout, res.stderr)
		}
	}
	res = trace(t, traceRun{args: []string{"-q", "-e", `tracepoint:nosuchcat:* { }`}, noAttach: true})
	if res.code != 1 || res.stdout != "" || res.stderr != "" {
		t.Errorf("-q: exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
	}

	// Probes skipped by missing_probes = warn leave none either.
	src = "config = { missing_probes = warn }\nuprobe:libc:no_such_function_here { @ = count(); }"
	res = trace(t, traceRun{args: []string{"-e", src}, noAttach: true})
	want := "stdin:2:1-34: WARNING: Could not resolve symbol: /lib/x86_64-linux-gnu/libc.so.6:no_such_function_here (skipped: missing_probes = warn)\n" +
		"uprobe:libc:no_such_function_here { @ = count(); }\n" +
		"~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
	if res.code != 1 || res.stdout != "No probes to attach\n" || res.stderr != want {
		t.Errorf("missing_probes = warn: exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
	}

	// A name without a wildcard that matches nothing stays an error.
	res = trace(t, traceRun{args: []string{"-e", `tracepoint:nosuchcat:foo { } BEGIN { exit(); }`}, noAttach: true})
	mustExit(t, res, 1)
	if want := "ERROR: Unable to attach probe: tracepoint:nosuchcat:foo. If this is expected, set the 'missing_probes' config variable to 'warn'.\n"; res.stdout != "" || len(res.stderr) < len(want) || res.stderr[len(res.stderr)-len(want):] != want {
		t.Errorf("tracepoint:nosuchcat:foo: stdout %q, stderr %q", res.stdout, res.stderr)
	}
}

package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang/check"
	"github.com/gobpftrace/gobpftrace/lang/parser"
	"github.com/gobpftrace/gobpftrace/lang/printer"
	"github.com/gobpftrace/gobpftrace/runtime/probes"
)

// --mode and its short forms: what to do with the script instead of
// running it.

// formatScript is --fmt (--mode format): the script parsed and printed
// back in gobpftrace's layout, to stdout or to -o's file. It needs no
// privileges and no kernel. Comments are not kept.
func formatScript(o *options, file, src string, stdout, stderr io.Writer) int {
	prog, err := parser.Parse(file, src)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitError
	}
	text := printer.Print(prog)
	if o.outFile == "" {
		fmt.Fprint(stdout, text)
		return exitOK
	}
	f, err := openNoFollow(o.outFile)
	if err == nil {
		_, err = io.WriteString(f, text)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, errorText(err))
		return exitError
	}
	return exitOK
}

// compilerBench is --mode compiler-bench: how long each compiler stage
// takes on the script, best of a few runs, without loading anything.
func compilerBench(o *options, file, src string, params []string, stdout, stderr io.Writer) int {
	env, err := probes.NewEnv()
	if err != nil {
		fmt.Fprintln(stderr, errorText(err))
		return exitError
	}
	const runs = 5
	best := [3]time.Duration{}
	for i := 0; i < runs; i++ {
		t0 := time.Now()
		prog, err := parser.Parse(file, src)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return exitError
		}
		t1 := time.Now()
		copts := check.Options{Params: params, Env: check.EnvSettings(os.Environ()), TargetPID: o.pid, Command: o.command != "", Unsafe: o.unsafe}
		checked, err := check.Check(prog, file, src, env, copts)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return exitError
		}
		t2 := time.Now()
		if _, err := codegen.Compile(checked, codegen.Options{HelperErrors: o.helperErrs && !o.noWarnings}); err != nil {
			fmt.Fprintln(stderr, err)
			return exitError
		}
		t3 := time.Now()
		for n, d := range []time.Duration{t1.Sub(t0), t2.Sub(t1), t3.Sub(t2)} {
			if i == 0 || d < best[n] {
				best[n] = d
			}
		}
	}
	fmt.Fprintf(stdout, "%-10s %12s  (best of %d runs)\n", "stage", "time", runs)
	for n, name := range []string{"parse", "check", "codegen"} {
		fmt.Fprintf(stdout, "%-10s %12s\n", name, best[n].Round(time.Microsecond))
	}
	return exitOK
}

// checkFeatureOptions gives --no-feature and
// --traceable-functions their effect on this gobpftrace: warnings for
// what changes nothing, an error for what cannot be honoured.
func checkFeatureOptions(o *options, stderr io.Writer) error {
	// --no-feature uprobe_multi is given to script.Options.NoUprobeMulti;
	// kprobe_multi and kprobe_session: gobpftrace attaches kprobes one by
	// one and never collapses them into sessions, so there is nothing to
	// turn off. --debuginfo is dwarfinfo.SetSearchDirs (main).
	if o.traceable != "" {
		data, err := os.ReadFile(o.traceable)
		if err != nil {
			return fmt.Errorf("Failed to open kernel function info: %s: %s", o.traceable, strerror(err))
		}
		if !fileExists("/sys/bus/event_source/devices/kprobe") {
			return fmt.Errorf("--traceable-functions %s: the list is of the functions kprobes may attach to, and this kernel has no kprobes (it is built without CONFIG_KPROBES)", o.traceable)
		}
		if !o.noWarnings {
			fmt.Fprintf(stderr, "WARNING: --traceable-functions %s: %d lines read, not used yet: kprobe wildcards match the kernel's functions from BTF\n", o.traceable, strings.Count(string(data), "\n"))
		}
	}
	return nil
}

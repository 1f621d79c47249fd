package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/check"
	"github.com/gobpftrace/gobpftrace/lang/parser"
)

// The script's own options (getopt): `gobpftrace script.bt -- --help`
// lists them instead of running the script, and -h lists them after the
// usage when a script is given.

// wantsScriptHelp reports whether --help was given after "--" to a
// script that has no option of that name itself.
func wantsScriptHelp(params []string, declared []lang.ScriptOption) bool {
	_, named := check.SplitNamedArgs(params)
	if _, ok := named["help"]; !ok {
		return false
	}
	for _, o := range declared {
		if o.Name == "help" {
			return false
		}
	}
	return true
}

// printScriptOptions lists a script's options, one per line: the option
// as it is given, its description, its default.
func printScriptOptions(w io.Writer, file string, declared []lang.ScriptOption) {
	if len(declared) == 0 {
		fmt.Fprintf(w, "%s has no options of its own (it calls no getopt()).\n", file)
		return
	}
	fmt.Fprintf(w, "OPTIONS of %s (after --):\n", file)
	for _, o := range declared {
		flag := "--" + o.Name
		def := o.Default
		switch o.Kind {
		case "int":
			flag += "=NUM"
		case "string":
			flag += "=STRING"
			def = strconv.Quote(def)
		}
		text := strings.TrimSpace(o.Help + " (default: " + def + ")")
		if len(flag) > 18 {
			fmt.Fprintf(w, "    %s\n    %-18s %s\n", flag, "", text)
			continue
		}
		fmt.Fprintf(w, "    %-18s %s\n", flag, text)
	}
}

// helpWithScript is -h given with a script: the usage, then the script's
// options, found by parsing it (no kernel, no privileges).
func helpWithScript(o *options, stdin io.Reader, stdout, stderr io.Writer) int {
	fmt.Fprint(stdout, usage)
	file, src, _, err := loadScript(o, stdin)
	if err != nil {
		fmt.Fprintln(stderr, errorText(err))
		return exitError
	}
	prog, err := parser.Parse(file, src)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitError
	}
	fmt.Fprintln(stdout)
	printScriptOptions(stdout, file, check.DeclaredOptions(prog))
	return exitOK
}

// Command gobpftrace runs bpftrace scripts, compiled straight to eBPF.
//
//	gobpftrace -e 'tracepoint:raw_syscalls:sys_enter { @[comm] = count(); }'
//	gobpftrace script.bt [ARGS...]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/check"
	"github.com/gobpftrace/gobpftrace/lang/parser"
	"github.com/gobpftrace/gobpftrace/lang/printer"
	"github.com/gobpftrace/gobpftrace/runtime"
)

const version = "gobpftrace v0.1.0"

const usage = `USAGE:
    gobpftrace [options] filename [args...]
    gobpftrace [options] - [args...]
    gobpftrace [options] -e 'program' [args...]

OPTIONS:
    -e PROGRAM     program text to run
    -d STAGE       print a compiler stage instead of running: ast, asm
    -p PID         trace this process only; stop when it exits
    -c 'CMD'       run CMD, trace it, stop when it exits
    --dry-run      compile and load the programs, but do not attach or run
    -h, --help     show this help
    -V, --version  print the version
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is main without process exit, so tests can call it.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gobpftrace", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	prog := fs.String("e", "", "program text")
	stage := fs.String("d", "", "debug stage")
	dryRun := fs.Bool("dry-run", false, "load but do not attach")
	pid := fs.Int("p", 0, "trace this process only, and stop when it exits")
	command := fs.String("c", "", "run this command and trace it")
	showVersion := fs.Bool("V", false, "version")
	fs.BoolVar(showVersion, "version", false, "version")
	help := fs.Bool("h", false, "help")
	fs.BoolVar(help, "help", false, "help")
	if err := fs.Parse(args); err != nil {
		fmt.Fprintf(stderr, "ERROR: %v\n\n%s", err, usage)
		return 1
	}
	switch {
	case *help:
		fmt.Fprint(stdout, usage)
		return 0
	case *showVersion:
		fmt.Fprintln(stdout, version)
		return 0
	}

	file, src, params, err := loadScript(*prog, fs.Args(), stdin)
	if err != nil {
		fmt.Fprintf(stderr, "ERROR: %v\n\n%s", err, usage)
		return 1
	}

	if err := runtime.CheckPrivileges(); err != nil {
		fmt.Fprintln(stderr, errorText(err))
		return 1
	}
	env, err := runtime.NewEnv()
	if err != nil {
		fmt.Fprintf(stderr, "ERROR: %v\n", err)
		return 1
	}
	plan, checked, err := compile(file, src, params, env)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	for _, w := range checked.Warnings {
		fmt.Fprint(stderr, lang.Format(file, src, w))
	}
	switch *stage {
	case "":
	case "ast":
		fmt.Fprint(stdout, printer.Print(checked.Prog))
		return 0
	case "asm":
		plan.Dump(stdout)
		return 0
	default:
		fmt.Fprintf(stderr, "ERROR: unknown stage %q for -d (use ast or asm)\n", *stage)
		return 1
	}

	ctx, stop := runtime.SignalContext(context.Background())
	defer stop()
	opts := runtime.Options{Stdout: stdout, Stderr: stderr, DryRun: *dryRun, TargetPID: *pid}
	if *command != "" {
		opts.Command = strings.Fields(*command)
	}
	if err := runtime.Run(ctx, plan, opts); err != nil {
		fmt.Fprintln(stderr, errorText(err))
		return 1
	}
	return 0
}

// loadScript returns the script's file name (for messages), its text and
// the positional parameters.
func loadScript(prog string, rest []string, stdin io.Reader) (string, string, []string, error) {
	if prog != "" {
		return "stdin", prog, rest, nil
	}
	if len(rest) == 0 {
		return "", "", nil, errors.New("no program given: use -e 'program' or a script file")
	}
	name := rest[0]
	var data []byte
	var err error
	if name == "-" {
		data, err = io.ReadAll(stdin)
		name = "stdin"
	} else {
		data, err = os.ReadFile(name)
	}
	if err != nil {
		return "", "", nil, fmt.Errorf("could not read script: %v", unwrapPathError(err))
	}
	return name, string(data), rest[1:], nil
}

// compile runs the front end and codegen.
func compile(file, src string, params []string, env lang.Env) (*codegen.Plan, *lang.Checked, error) {
	prog, err := parser.Parse(file, src)
	if err != nil {
		return nil, nil, err
	}
	checked, err := check.Check(prog, file, src, env, check.Options{Params: params, Env: check.EnvSettings(os.Environ())})
	if err != nil {
		return nil, nil, err
	}
	plan, err := codegen.Compile(checked)
	if err != nil {
		return nil, nil, err
	}
	return plan, checked, nil
}

// errorText gives runtime errors bpftrace's "ERROR: " prefix once.
func errorText(err error) string {
	s := err.Error()
	if strings.HasPrefix(s, "ERROR:") || strings.Contains(s, ": ERROR: ") {
		return s
	}
	return "ERROR: " + s
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %v", pe.Path, pe.Err)
	}
	return err
}

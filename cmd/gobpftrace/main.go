// Command gobpftrace runs bpftrace scripts, compiled straight to eBPF.
//
//	gobpftrace -e 'tracepoint:raw_syscalls:sys_enter { @[comm] = count(); }'
//	gobpftrace script.bt [ARGS...]
//	gobpftrace            (interactive session)
//
// See docs/cli.md for every option.
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/cmd/gobpftrace/repl"
	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/check"
	"github.com/gobpftrace/gobpftrace/lang/parser"
	"github.com/gobpftrace/gobpftrace/lang/printer"
	"github.com/gobpftrace/gobpftrace/runtime"
	"github.com/gobpftrace/gobpftrace/runtime/dwarfinfo"
	"github.com/gobpftrace/gobpftrace/runtime/host"
	"github.com/gobpftrace/gobpftrace/runtime/metrics"
	"github.com/gobpftrace/gobpftrace/runtime/probes"
	"github.com/gobpftrace/gobpftrace/runtime/script"
	"github.com/gobpftrace/gobpftrace/runtime/target"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

const version = "gobpftrace v0.1.0"

// versionLine is what -V prints: bpftrace's own line, naming the bpftrace
// release whose language and output gobpftrace follows (scripts and tools
// that check `bpftrace --version` read the first word and the v0.N.M
// after it), then gobpftrace's own version.
const versionLine = "bpftrace v0.26.0 (" + version + ")"

// Exit codes, as bpftrace's: 0 for a run that ended normally (Ctrl-C,
// exit(), the traced process ending), 1 for any error.
const (
	exitOK    = 0
	exitError = 1
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is main without process exit, so tests can call it.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o, err := parseArgs(args)
	var plain *plainError
	if errors.As(err, &plain) {
		fmt.Fprintf(stderr, "ERROR: %v\n", err)
		return exitError
	}
	if err != nil {
		fmt.Fprintf(stderr, "ERROR: %v\n\n%s", err, usage)
		return exitError
	}
	switch {
	case o.help && (o.hasProgram || len(o.positional) > 0) && !o.list:
		return helpWithScript(o, stdin, stdout, stderr)
	case o.help:
		fmt.Fprint(stdout, usage)
		return exitOK
	case o.version:
		fmt.Fprintln(stdout, versionLine)
		return exitOK
	}
	if err := checkTargetPID(o); err != nil {
		fmt.Fprintln(stderr, errorText(err))
		return exitError
	}
	if o.metrics.addr != "" {
		if err := metrics.CheckAddress(o.metrics.addr, o.metrics.public); err != nil {
			fmt.Fprintln(stderr, errorText(err))
			return exitError
		}
	}
	// Separate debug files (uprobe args, -lv, source lines) are looked
	// for in the --debuginfo directories first.
	dwarfinfo.SetSearchDirs(o.debuginfo)
	switch {
	case o.info:
		if err := printInfo(stdout); err != nil {
			fmt.Fprintln(stderr, errorText(err))
			return exitError
		}
		return exitOK
	case o.list:
		return listProbes(o, stdout, stderr)
	}

	if !o.hasProgram && len(o.positional) == 0 {
		if o.metrics.addr != "" {
			fmt.Fprintln(stderr, "ERROR: --metrics serves the maps of a script: give it with -e 'program' or a file (the interactive session has no --metrics)")
			return exitError
		}
		if isTerminal(stdin) && len(o.stages) == 0 {
			if o.format == "pprof" || o.format == "folded" {
				fmt.Fprintf(stderr, "ERROR: -f %s writes a script's stack maps when it ends: give the script with -e or a file (the interactive session prints text)\n", o.format)
				return exitError
			}
			return startREPL(o, stdin, stdout, stderr)
		}
		fmt.Fprintf(stderr, "ERROR: no program given: use -e 'program', a script file or - for stdin\n\n%s", usage)
		return exitError
	}
	if o.format == "pprof" && o.outFile == "" && isTerminal(stdout) && len(o.stages) == 0 {
		fmt.Fprintln(stderr, "ERROR: -f pprof writes a binary profile, not text for the terminal: name its file with -o FILE (as in -o profile.pb.gz), or redirect stdout")
		return exitError
	}
	file, src, params, err := loadScript(o, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "ERROR: %v\n", err)
		return exitError
	}

	if err := checkFeatureOptions(o, stderr); err != nil {
		fmt.Fprintln(stderr, errorText(err))
		return exitError
	}
	switch o.mode {
	case "format":
		return formatScript(o, file, src, stdout, stderr)
	}

	// -d ast needs no kernel: parse and print.
	if len(o.stages) == 1 && o.stages[0] == "ast" {
		prog, err := parser.Parse(file, src)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return exitError
		}
		fmt.Fprint(stdout, printer.Print(prog))
		return exitOK
	}

	if err := splitCommand(o); err != nil {
		fmt.Fprintln(stderr, errorText(err))
		return exitError
	}
	if err := host.CheckPrivileges(); err != nil {
		fmt.Fprintln(stderr, errorText(err))
		return exitError
	}
	if o.mode == "compiler-bench" {
		return compilerBench(o, file, src, params, stdout, stderr)
	}
	sc, err := script.Compile(src, scriptOptions(o, file, params))
	if err != nil {
		fmt.Fprintln(stderr, errorText(withoutWarnings(err, o.noWarnings)))
		return exitError
	}
	if wantsScriptHelp(params, sc.Checked().Options) {
		printScriptOptions(stdout, file, sc.Checked().Options)
		return exitOK
	}
	if !o.noWarnings {
		for _, w := range sc.Warnings() {
			fmt.Fprint(stderr, w.Text)
		}
	}
	if len(o.stages) > 0 {
		return printStages(o.stages, sc.Plan(), sc.Checked(), stdout, stderr)
	}
	if o.mode == "codegen" {
		return exitOK
	}

	out, closeOut, err := openOutput(o, stdout)
	if err != nil {
		fmt.Fprintln(stderr, errorText(err))
		return exitError
	}
	ctx, stop := runtime.SignalContext(context.Background())
	defer stop()
	var exporter *metricsServer
	if o.metrics.addr != "" && !o.dryRun {
		if exporter, err = serveMetrics(o, sc.Plan().Maps, stderr); err != nil {
			closeOut()
			fmt.Fprintln(stderr, errorText(err))
			return exitError
		}
		defer exporter.close()
	}
	code := exitOK
	ready := newReadiness(stdout, stderr)
	ropts := runOptions(o, out, stderr)
	if !o.dryRun {
		ropts.OnAttached = ready.attached
	}
	sess, runErr := sc.Start(ctx, ropts)
	if runErr == nil {
		exporter.read(sess)
		runErr = sess.Wait()
		if c, ok := sess.ExitCode(); ok {
			code = c & 0xff
		}
		if !o.dryRun {
			ready.stopping()
		}
	}
	if err := closeOut(); err != nil && runErr == nil {
		runErr = fmt.Errorf("could not write the output: %v", err)
	}
	if errors.Is(runErr, runtime.ErrNoProbes) {
		// bpftrace's words and place: stdout, no "ERROR:", none with -q.
		if !o.quiet {
			fmt.Fprintln(stdout, runErr)
		}
		return exitError
	}
	if runErr != nil {
		fmt.Fprintln(stderr, errorText(runErr))
		return exitError
	}
	return code
}

// scriptOptions maps the command line onto how the script compiles and
// runs. BPFTRACE_* variables override the script's config, as in bpftrace.
func scriptOptions(o *options, file string, params []string) script.Options {
	return script.Options{
		File:         file,
		Params:       params,
		Config:       check.EnvSettings(os.Environ()),
		Format:       o.format,
		PID:          o.pid,
		Command:      o.argv,
		Unsafe:       o.unsafe,
		HelperErrors: o.helperErrs && !o.noWarnings,
		// Prometheus histograms have a _sum: keep one per key.
		HistSums:      o.metrics.addr != "",
		NoUprobeMulti: slices.Contains(o.noFeatures, "uprobe_multi"),
		IncludeDirs:   o.includeDirs,
		Includes:      o.includes,
		ProbeFilter:   probeFilter(o),
	}
}

// probeFilter is --probe-filter's expression (checked by parseArgs).
func probeFilter(o *options) *regexp.Regexp {
	if o.probeFilter == "" {
		return nil
	}
	return regexp.MustCompile(o.probeFilter)
}

// runOptions maps the command line onto what a session does with its
// output. The maps are printed at the end and not kept after it.
func runOptions(o *options, out, stderr io.Writer) script.RunOptions {
	return script.RunOptions{
		Output:      out,
		Errors:      stderr,
		DryRun:      o.dryRun,
		Bench:       o.mode == "bench",
		Test:        o.mode == "test",
		Quiet:       o.quiet,
		NoWarnings:  o.noWarnings,
		Verbose:     o.verbose,
		FlushEvents: o.buffering == "none" || o.buffering == "line",
		ForgetMaps:  true,
	}
}

// checkTargetPID refuses -p with a number that is no process id, or
// whose process does not exist, before anything else happens (as
// bpftrace does): one line, no usage text.
func checkTargetPID(o *options) error {
	if o.pidArg == "" {
		return nil
	}
	if o.pid < 0 {
		// bpftrace's words, and the bound.
		return fmt.Errorf("Pid out of range: %s\nHINT: process ids go up to %d", o.pidArg, pidMaxLimit)
	}
	if err := unix.Kill(o.pid, 0); errors.Is(err, unix.ESRCH) {
		return fmt.Errorf("pid '%d' does not exist", o.pid)
	}
	return nil
}

// splitCommand splits -c's command into o.argv and checks, as bpftrace
// does before anything else, that the program it names exists.
func splitCommand(o *options) error {
	if o.command == "" {
		return nil
	}
	argv, err := target.SplitCommand(o.command)
	if err == nil {
		_, err = target.CommandBinary(argv[0])
	}
	if err != nil {
		return fmt.Errorf("Failed to fork child: %v", err)
	}
	o.argv = argv
	return nil
}

// loadScript returns the script's file name (for messages), its text and
// the positional parameters.
func loadScript(o *options, stdin io.Reader) (string, string, []string, error) {
	if o.hasProgram {
		return "stdin", o.program, o.positional, nil
	}
	name := o.positional[0]
	var data []byte
	var err error
	if name == "-" {
		data, err = readScript(stdin)
		name = "stdin"
	} else {
		var f *os.File
		if f, err = os.Open(name); err != nil {
			return "", "", nil, fmt.Errorf("failed to open file '%s': %s", name, strerror(err))
		}
		data, err = readScript(f)
		f.Close()
	}
	if errors.Is(err, errScriptTooLarge) {
		what := "the script " + name
		if o.positional[0] == "-" {
			what = "the script on stdin"
		}
		return "", "", nil, fmt.Errorf("%s is larger than %d bytes (%d MiB), the most gobpftrace reads", what, maxScriptBytes, maxScriptBytes>>20)
	}
	if err != nil {
		return "", "", nil, fmt.Errorf("could not read the script: %v", unwrapPathError(err))
	}
	return name, string(data), o.positional[1:], nil
}

// maxScriptBytes bounds the script read from a file or stdin: a script is
// text a person or a generator wrote, and reading /dev/zero must end with
// a message, not with the machine's memory.
const maxScriptBytes = parser.MaxScriptSize

var errScriptTooLarge = errors.New("script too large")

// readScript reads r to its end, at most maxScriptBytes.
func readScript(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxScriptBytes+1))
	if err == nil && len(data) > maxScriptBytes {
		return nil, errScriptTooLarge
	}
	return data, err
}

// openOutput returns where the script's output goes (-o, -B) and a
// function that flushes and closes it. The file is created like bpftrace
// does (truncated, mode 0644), but a symbolic link is never followed.
func openOutput(o *options, stdout io.Writer) (io.Writer, func() error, error) {
	var w io.Writer = stdout
	closeFile := func() error { return nil }
	if o.outFile != "" {
		f, err := openNoFollow(o.outFile)
		if err != nil {
			return nil, nil, err
		}
		w, closeFile = f, f.Close
	}
	switch o.buffering {
	case "full":
		bw := bufio.NewWriterSize(w, 64<<10)
		return bw, func() error {
			err := bw.Flush()
			if cerr := closeFile(); err == nil {
				err = cerr
			}
			return err
		}, nil
	case "line":
		lw := &lineWriter{w: w}
		return lw, func() error {
			err := lw.flush()
			if cerr := closeFile(); err == nil {
				err = cerr
			}
			return err
		}, nil
	}
	return w, closeFile, nil
}

// openNoFollow opens path for writing, refusing a symbolic link as the
// last component (O_NOFOLLOW): a link planted where the output should go
// must not make a root process overwrite its target.
func openNoFollow(path string) (*os.File, error) {
	fd, err := unix.Open(path, unix.O_WRONLY|unix.O_CREAT|unix.O_TRUNC|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o644)
	if err != nil {
		if errors.Is(err, unix.ELOOP) {
			return nil, fmt.Errorf("could not open output file %s: it is a symbolic link, which -o does not follow", path)
		}
		return nil, fmt.Errorf("could not open output file %s: %v", path, err)
	}
	return os.NewFile(uintptr(fd), path), nil
}

// lineWriter passes whole lines through and keeps a partial line until its
// newline (or the end) arrives: -B line.
type lineWriter struct {
	w   io.Writer
	buf []byte
}

func (l *lineWriter) Write(p []byte) (int, error) {
	l.buf = append(l.buf, p...)
	if i := strings.LastIndexByte(string(l.buf), '\n'); i >= 0 {
		_, err := l.w.Write(l.buf[:i+1])
		l.buf = append(l.buf[:0], l.buf[i+1:]...)
		if err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

func (l *lineWriter) flush() error {
	if len(l.buf) == 0 {
		return nil
	}
	_, err := l.w.Write(l.buf)
	l.buf = l.buf[:0]
	return err
}

// listProbes implements -l [PATTERN|FILE]: the probes matching PATTERN,
// or those of the script FILE (as -l -e).
func listProbes(o *options, stdout, stderr io.Writer) int {
	pattern := ""
	if o.hasProgram {
		return listProgramProbes(o, "stdin", o.program, o.positional, stdout, stderr)
	}
	if len(o.positional) > 0 {
		pattern = o.positional[0]
	}
	if len(o.positional) > 1 {
		fmt.Fprintf(stderr, "ERROR: -l takes one pattern (%d given)\n\n%s", len(o.positional), usage)
		return exitError
	}
	if st, err := os.Stat(pattern); pattern != "" && err == nil && !st.IsDir() {
		file, src, _, err := loadScript(o, nil)
		if err != nil {
			fmt.Fprintln(stderr, errorText(err))
			return exitError
		}
		return listProgramProbes(o, file, src, nil, stdout, stderr)
	}
	if looksLikeFileName(pattern) && !o.noWarnings {
		// bpftrace's words: a name with a dot and no ':' or '*' was
		// probably meant as a script.
		fmt.Fprintf(stderr, "WARNING: It appears that '%s' is a filename but the file does not exist. Treating '%s' as a search pattern.\n", pattern, pattern)
	}
	if err := host.CheckPrivileges(); err != nil {
		fmt.Fprintln(stderr, errorText(err))
		return exitError
	}
	warn := stderr
	if o.noWarnings {
		warn = io.Discard
	}
	if o.traceable != "" {
		// The kprobe candidates, in place of available_filter_functions.
		if _, err := os.ReadFile(o.traceable); err != nil {
			fmt.Fprintf(stderr, "ERROR: Failed to open kernel function info: %s: %s\n", o.traceable, strerror(err))
			return exitError
		}
		probes.SetTraceableFunctions(o.traceable)
	}
	if err := listProbesFunc(stdout, warn, pattern, o.verbose, o.pid); err != nil {
		fmt.Fprintln(stderr, errorText(err))
		return exitError
	}
	return exitOK
}

// looksLikeFileName reports whether an -l pattern that is no file looks
// like the name of one (bpftrace's test: a dot, and neither ':' nor '*').
func looksLikeFileName(pattern string) bool {
	return strings.Contains(pattern, ".") && !strings.ContainsAny(pattern, ":*")
}

// listProgramProbes implements -l -e PROGRAM and -l FILE: the concrete
// probes the program's attach points expand to (wildcards resolved), one
// per line.
func listProgramProbes(o *options, file, src string, params []string, stdout, stderr io.Writer) int {
	if err := host.CheckPrivileges(); err != nil {
		fmt.Fprintln(stderr, errorText(err))
		return exitError
	}
	env, err := probes.NewEnv()
	if err != nil {
		fmt.Fprintln(stderr, errorText(err))
		return exitError
	}
	prog, err := parser.Parse(file, src)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitError
	}
	copts := check.Options{Params: params, Env: check.EnvSettings(os.Environ()), TargetPID: o.pid, Command: o.command != "", Unsafe: o.unsafe}
	checked, err := check.Check(prog, file, src, env, copts)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitError
	}
	for _, cp := range checked.Probes {
		// A USDT probe with several locations resolves once per
		// location; it is one probe.
		seen := map[string]bool{}
		for _, r := range cp.Attach {
			name, ok := listedName(r)
			if ok && !seen[name] {
				seen[name] = true
				fmt.Fprintln(stdout, name)
			}
		}
	}
	return exitOK
}

// listedName is how -l -e and -l FILE show an attach point, as bpftrace
// lists a program's probes: BEGIN, END and self probes attach to nothing
// and are left out; an event counted or timed (interval, profile, software,
// hardware) shows as the event its provider lists, without its count or
// rate ("interval:ms:", "hardware:cache-misses:").
func listedName(r *lang.Resolved) (string, bool) {
	switch r.Provider {
	case probetype.Begin, probetype.End, probetype.Self:
		return "", false
	case probetype.Interval, probetype.Profile, probetype.Software, probetype.Hardware:
		if parts := strings.SplitN(r.Name, ":", 3); len(parts) >= 2 {
			return parts[0] + ":" + parts[1] + ":", true
		}
	}
	return r.Name, true
}

// startREPL runs the interactive session.
func startREPL(o *options, stdin io.Reader, stdout, stderr io.Writer) int {
	if err := splitCommand(o); err != nil {
		fmt.Fprintln(stderr, errorText(err))
		return exitError
	}
	if err := host.CheckPrivileges(); err != nil {
		fmt.Fprintln(stderr, errorText(err))
		return exitError
	}
	env, err := probes.NewEnv()
	if err != nil {
		fmt.Fprintln(stderr, errorText(err))
		return exitError
	}
	cfg := repl.Config{
		Stdin:   stdin,
		Stdout:  stdout,
		Stderr:  stderr,
		Env:     env,
		Compile: scriptOptions(o, "stdin", nil),
		Run: func(out io.Writer) script.RunOptions {
			return runOptions(o, out, stderr)
		},
		Version: version,
		Stage:   replStage,
		List:    listProbesFunc,
	}
	if err := repl.Run(cfg); err != nil {
		fmt.Fprintln(stderr, errorText(err))
		return exitError
	}
	return exitOK
}

// replStage prints one -d stage of an interactive entry (.asm, .ir) with
// the machinery -d uses, so each stage -d has is there too.
func replStage(stage string, plan *codegen.Plan, checked *lang.Checked, out, errOut io.Writer) error {
	if !slices.Contains(stageNames, stage) {
		return fmt.Errorf("the %s stage is not available yet: this gobpftrace has no -d %s (its stages: %s)", stage, stage, strings.Join(stageNames, ", "))
	}
	printStages([]string{stage}, plan, checked, out, errOut) // prints its own errors
	return nil
}

// isTerminal reports whether r (a reader or a writer) is a terminal.
func isTerminal(r any) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// withoutWarnings drops the warnings that follow the errors of a script
// that does not compile when --no-warnings is given.
func withoutWarnings(err error, noWarnings bool) error {
	var ce *script.CompileError
	if !noWarnings || !errors.As(err, &ce) {
		return err
	}
	var b strings.Builder
	for _, d := range ce.Diagnostics {
		if d.Severity != script.Warning {
			b.WriteString(d.Text)
		}
	}
	// Each text holds its "ERROR:", which errorText keeps.
	return errors.New(strings.TrimSuffix(b.String(), "\n"))
}

// errorText gives runtime errors bpftrace's "ERROR: " prefix once.
func errorText(err error) string {
	s := err.Error()
	var diags *lang.Diagnostics
	if errors.As(err, &diags) || strings.HasPrefix(s, "ERROR:") || strings.Contains(s, ": ERROR: ") {
		// Diagnostics carry their own severities (a warning may come
		// first, as for a missing tracepoint).
		return s
	}
	return "ERROR: " + s
}

// strerror is the C library's text of err's errno ("No such file or
// directory"), which bpftrace prints and scripts compare; Go's own text
// is the same in lower case.
func strerror(err error) string {
	var errno unix.Errno
	if !errors.As(err, &errno) {
		return unwrapPathError(err).Error()
	}
	msg := errno.Error()
	return strings.ToUpper(msg[:1]) + msg[1:]
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %v", pe.Path, pe.Err)
	}
	return err
}

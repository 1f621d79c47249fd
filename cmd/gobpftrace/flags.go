package main

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Command-line parsing, the way bpftrace's getopt_long does it: short
// options may be combined (-lv, -qe 'prog'), an option's argument may be
// attached (-dasm, -otrace.txt) or the next word, long options are
// written --name or --name=value, options may come anywhere (after the
// script file or the positional parameters too), and "--" ends them:
// every word after it is positional, even one starting with '-'.

// options is the parsed command line.
type options struct {
	program    string // -e
	hasProgram bool
	list       bool // -l
	verbose    bool // -v
	stages     []string
	outFile    string   // -o
	format     string   // -f: text, json, pprof or folded
	quiet      bool     // -q
	buffering  string   // -B: none, line or full ("" = default)
	helperErrs bool     // -k
	unsafe     bool     // --unsafe
	dryRun     bool     // --dry-run
	info       bool     // --info
	noWarnings bool     // --no-warnings
	pid        int      // -p (-1: out of range)
	pidArg     string   // -p as written
	command    string   // -c
	argv       []string // -c split into arguments (splitCommand)
	help       bool
	version    bool
	// --metrics and the flags that shape its metrics (metricsflags.go).
	metrics metricsOptions
	// includeDirs (-I) and includes (--include) are where #include looks
	// for headers and the headers every script starts with.
	includeDirs []string
	includes    []string
	probeFilter string   // --probe-filter REGEX
	noFeatures  []string // --no-feature
	debuginfo   []string // --debuginfo DIR[:DIR]
	traceable   string   // --traceable-functions FILE
	mode        string   // --mode (--fmt, --test and --bench set it too)
	// positional holds every non-option word in order: the script file
	// (unless -e was given), then the parameters $1...
	positional []string
}

// usageError is a bad command line: one line of explanation, then usage.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// optSpec describes one option.
type optSpec struct {
	short   byte   // 0 when long only
	long    string // "" when short only
	hasArg  bool
	argName string
	apply   func(o *options, arg string) error
}

var stageNames = []string{"ast", "types", "ir", "asm", "verifier"}

// outputFormats are -f's values: bpftrace's two, then the stacks as a
// pprof profile or folded lines (runtime/output/printer_stacks.go).
var outputFormats = []string{"text", "json", "pprof", "folded"}

var optSpecs = []optSpec{
	{short: 'e', hasArg: true, argName: "PROGRAM", apply: func(o *options, a string) error {
		o.program, o.hasProgram = a, true
		return nil
	}},
	{short: 'l', long: "list", apply: func(o *options, _ string) error { o.list = true; return nil }},
	{short: 'v', long: "verbose", apply: func(o *options, _ string) error { o.verbose = true; return nil }},
	{short: 'd', long: "debug", hasArg: true, argName: "STAGE", apply: func(o *options, a string) error {
		for _, s := range strings.Split(a, ",") {
			ok := false
			for _, n := range stageNames {
				ok = ok || s == n
			}
			if s == "all" {
				o.stages = append(o.stages, stageNames...)
				continue
			}
			if !ok {
				return usagef("unknown stage for -d: %q (use %s or all)", s, strings.Join(stageNames, ", "))
			}
			o.stages = append(o.stages, s)
		}
		return nil
	}},
	{short: 'o', long: "output", hasArg: true, argName: "FILE", apply: func(o *options, a string) error {
		if a == "" {
			return usagef("-o needs a file name")
		}
		o.outFile = a
		return nil
	}},
	{short: 'f', hasArg: true, argName: "FORMAT", apply: func(o *options, a string) error {
		if !slices.Contains(outputFormats, a) {
			return plainf("Invalid output format %q\nValid formats: '%s'", a, strings.Join(outputFormats, "', '"))
		}
		o.format = a
		return nil
	}},
	{short: 'q', long: "quiet", apply: func(o *options, _ string) error { o.quiet = true; return nil }},
	{short: 'B', hasArg: true, argName: "MODE", apply: func(o *options, a string) error {
		if a != "none" && a != "line" && a != "full" {
			return usagef("Invalid buffering mode %q for -B (use none, line or full)", a)
		}
		o.buffering = a
		return nil
	}},
	{short: 'k', long: "warnings", apply: func(o *options, _ string) error {
		// bpftrace's words: -kk was the old "check every helper".
		if o.helperErrs {
			return plainf("-kk has been deprecated. Use a single -k for runtime warnings for errors in map lookups and probe reads.")
		}
		if o.noWarnings {
			return plainf("-k, --warnings conflicts with --no-warnings")
		}
		o.helperErrs = true
		return nil
	}},
	{short: 'p', long: "pid", hasArg: true, argName: "PID", apply: func(o *options, a string) error {
		n, err := parsePID(a)
		if err != nil {
			return err
		}
		o.pid, o.pidArg = n, a
		return nil
	}},
	{short: 'c', long: "cmd", hasArg: true, argName: "CMD", apply: func(o *options, a string) error {
		if strings.TrimSpace(a) == "" {
			return usagef("-c needs a command")
		}
		o.command = a
		return nil
	}},
	{short: 'I', hasArg: true, argName: "DIR", apply: func(o *options, a string) error {
		o.includeDirs = append(o.includeDirs, a)
		return nil
	}},
	{long: "include", hasArg: true, argName: "FILE", apply: func(o *options, a string) error {
		o.includes = append(o.includes, a)
		return nil
	}},
	{short: 'h', long: "help", apply: func(o *options, _ string) error { o.help = true; return nil }},
	{short: 'V', long: "version", apply: func(o *options, _ string) error { o.version = true; return nil }},
	{long: "unsafe", apply: func(o *options, _ string) error { o.unsafe = true; return nil }},
	{long: "dry-run", apply: func(o *options, _ string) error { o.dryRun = true; return nil }},
	{long: "info", apply: func(o *options, _ string) error { o.info = true; return nil }},
	{long: "no-warnings", apply: func(o *options, _ string) error {
		if o.helperErrs {
			return plainf("-k, --warnings conflicts with --no-warnings")
		}
		o.noWarnings = true
		return nil
	}},
	{long: "metrics", hasArg: true, argName: "ADDR", apply: func(o *options, a string) error { o.metrics.addr = a; return nil }},
	{long: "metrics-public", apply: func(o *options, _ string) error { o.metrics.public = true; return nil }},
	{long: "metrics-prefix", hasArg: true, argName: "PREFIX", apply: func(o *options, a string) error { o.metrics.prefix = &a; return nil }},
	{long: "metric-name", hasArg: true, argName: "@MAP=NAME", apply: (*options).addMetricName},
	{long: "metric-labels", hasArg: true, argName: "@MAP=LABEL,...", apply: (*options).addMetricLabels},
	{long: "metrics-max-series", hasArg: true, argName: "N", apply: (*options).setMaxSeries},
	{long: "probe-filter", hasArg: true, argName: "REGEX", apply: func(o *options, a string) error {
		if _, err := regexp.Compile(a); err != nil {
			return usagef("--probe-filter: %q is not a regular expression: %v", a, err)
		}
		o.probeFilter = a
		return nil
	}},
	{long: "no-feature", hasArg: true, argName: "FEATURE[,FEATURE]", apply: func(o *options, a string) error {
		for _, f := range strings.Split(a, ",") {
			if !slices.Contains(noFeatureNames, f) {
				return usagef("--no-feature can only have values '%s'.", strings.Join(noFeatureNames, ","))
			}
			o.noFeatures = append(o.noFeatures, f)
		}
		return nil
	}},
	{long: "debuginfo", hasArg: true, argName: "DIR[:DIR]", apply: func(o *options, a string) error {
		o.debuginfo = append(o.debuginfo, strings.Split(a, ":")...)
		return nil
	}},
	{long: "traceable-functions", hasArg: true, argName: "FILE", apply: func(o *options, a string) error {
		o.traceable = a
		return nil
	}},
	{long: "mode", hasArg: true, argName: "MODE", apply: setModeArg},
	// --test-mode is --mode's name in bpftrace releases before v0.26
	// (its own tests still use it); not in the usage.
	{long: "test-mode", hasArg: true, argName: "MODE", apply: setModeArg},
	{long: "fmt", apply: setMode("fmt", "format")},
	{long: "test", apply: setMode("test", "test")},
	{long: "bench", apply: setMode("bench", "bench")},
	// --usdt-file-activation is accepted and does nothing, as in bpftrace
	// on a kernel with uprobe reference counters (this one): the kernel
	// counts a USDT probe's semaphore up in every process that maps the
	// file, those started later included.
	{long: "usdt-file-activation", apply: func(*options, string) error { return nil }},
	// -b/--btf is accepted and does nothing, as in bpftrace: kernel types
	// always come from BTF.
	{short: 'b', long: "btf", apply: func(*options, string) error { return nil }},
}

// noFeatureNames are --no-feature's values: the kernel features bpftrace
// uses when the kernel has them.
var noFeatureNames = []string{"kprobe_multi", "kprobe_session", "uprobe_multi"}

// modeNames are --mode's values.
var modeNames = []string{"codegen", "compiler-bench", "bench", "test", "format"}

// setModeArg is --mode MODE.
func setModeArg(o *options, a string) error {
	if !slices.Contains(modeNames, a) {
		return usagef("--mode can only be '%s' or '%s'.", strings.Join(modeNames[:len(modeNames)-1], "', '"), modeNames[len(modeNames)-1])
	}
	o.mode = a
	return nil
}

// setMode is --fmt, --test and --bench: a short form of --mode that
// refuses to override another mode.
func setMode(flag, mode string) func(*options, string) error {
	return func(o *options, _ string) error {
		if o.mode != "" && o.mode != mode {
			return usagef("--%s conflicts with existing --mode", flag)
		}
		o.mode = mode
		return nil
	}
}

// plainError is a bad command line reported in one message without the
// usage, the way bpftrace reports a bad -f or -p value.
type plainError struct{ msg string }

func (e *plainError) Error() string { return e.msg }

func plainf(format string, args ...any) error {
	return &plainError{fmt.Sprintf(format, args...)}
}

// pidMaxLimit is the largest process id Linux can have (PID_MAX_LIMIT on
// 64-bit systems): /proc/sys/kernel/pid_max may not be set above it.
const pidMaxLimit = 4194304

// parsePID accepts a positive decimal number, refusing anything else in
// bpftrace v0.26's words: "invalid integer" when no digit starts it,
// "invalid trailing bytes" when something follows the digits. A number
// too large to be a process id is kept as -1 (checkTargetPID refuses it
// with the text as given), never wrapped to a small one.
func parsePID(a string) (int, error) {
	digits := len(a) - len(strings.TrimLeft(a, "0123456789"))
	switch {
	case digits == 0:
		return 0, plainf("Failed to parse pid: invalid integer: %s", a)
	case digits < len(a):
		return 0, plainf("Failed to parse pid: invalid trailing bytes: %s", a)
	}
	n, err := strconv.ParseUint(a, 10, 64)
	if err != nil || n > pidMaxLimit {
		return -1, nil
	}
	if n == 0 {
		return 0, plainf("pid '0' does not exist: process ids start at 1")
	}
	return int(n), nil
}

func findShort(c byte) *optSpec {
	for i := range optSpecs {
		if optSpecs[i].short == c {
			return &optSpecs[i]
		}
	}
	return nil
}

// parseArgs parses the command line (without the program name).
func parseArgs(args []string) (*options, error) {
	o := &options{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			o.positional = append(o.positional, args[i+1:]...)
			return o, o.check()
		case strings.HasPrefix(a, "--"):
			name, val, hasVal := strings.Cut(a[2:], "=")
			var spec *optSpec
			for j := range optSpecs {
				if optSpecs[j].long == name {
					spec = &optSpecs[j]
				}
			}
			if spec == nil {
				return nil, usagef("unrecognized option '--%s'", name)
			}
			if spec.hasArg {
				if !hasVal {
					if i+1 >= len(args) {
						return nil, usagef("option '--%s' requires an argument", name)
					}
					i++
					val = args[i]
				}
			} else if hasVal {
				return nil, usagef("option '--%s' doesn't allow an argument", name)
			}
			if err := spec.apply(o, val); err != nil {
				return nil, err
			}
		case len(a) > 1 && a[0] == '-':
			for k := 1; k < len(a); k++ {
				spec := findShort(a[k])
				if spec == nil {
					return nil, usagef("invalid option -- '%c'", a[k])
				}
				val := ""
				if spec.hasArg {
					if k+1 < len(a) {
						val = a[k+1:]
					} else if i+1 < len(args) {
						i++
						val = args[i]
					} else {
						return nil, usagef("option requires an argument -- '%c'", a[k])
					}
					k = len(a)
				}
				if err := spec.apply(o, val); err != nil {
					return nil, err
				}
			}
		default:
			// A lone "-" (stdin) is positional too.
			o.positional = append(o.positional, a)
		}
	}
	return o, o.check()
}

// check refuses options that cannot go together, once all are read.
func (o *options) check() error {
	if o.command != "" && o.pidArg != "" {
		return usagef("Cannot use both -c and -p.")
	}
	return o.metrics.check()
}

// usage is printed by -h and after a command-line error.
const usage = `USAGE:
    gobpftrace [options] filename [args...] [-- --name=value...]
    gobpftrace [options] - [args...]
    gobpftrace [options] -e 'program' [args...] [-- --name=value...]
    gobpftrace                              (no program: interactive session)

OPTIONS:
    -e PROGRAM     program text to run
    -l, --list [PATTERN|FILE]
                   list probes (tracepoints, software events...) matching PATTERN,
                   or those of the script FILE
    -v, --verbose  verbose: details on stderr, the verifier log of a rejected program
    -d, --debug STAGE
                   print a compiler stage instead of running:
                   ast, types, ir, asm, verifier, or all (comma-separated list allowed)
    -o, --output FILE
                   write the output to FILE (never through a symbolic link)
    -f FORMAT      output format: text (default), json, or the stack maps as
                   pprof (a profile, with -o FILE) or folded (flame graph lines)
    -q, --quiet    quiet: no "Attached N probes" line
    -B MODE        output buffering: none, line or full
    -k, --warnings report errors returned by BPF helpers
    -p, --pid PID  trace this process only; stop when it exits
    -c, --cmd CMD  run CMD, trace it, stop when it exits
    -I DIR         look for #include headers in DIR too
    --include FILE start the script with #include <FILE>
    --probe-filter REGEX
                   keep only the attach points whose name REGEX matches
    --no-feature FEATURE[,FEATURE]
                   do not use kprobe_multi, kprobe_session or uprobe_multi
    --debuginfo DIR[:DIR]
                   look for separate debug info files in DIR too
    --usdt-file-activation
                   accepted for bpftrace's scripts: USDT semaphores are always
                   counted up by the kernel, in every process
    --traceable-functions FILE
                   the kernel functions kprobes may use, one per line
    --unsafe       allow builtins that change the system
    --dry-run      compile and load the programs, but do not attach or run
    --info         print what this kernel supports, probed feature by feature
    --no-warnings  do not print warnings
    --metrics ADDR serve the maps as Prometheus metrics at ADDR/metrics while the script
                   runs; ADDR is 127.0.0.1:PORT (another host needs --metrics-public);
                   --metrics-prefix, --metric-name, --metric-labels and
                   --metrics-max-series shape them (see docs/cli.md)
    --fmt          print the script formatted, without running it
    --mode MODE    codegen (compile only), compiler-bench (time each stage),
                   format (as --fmt), bench or test
    --test, --bench
                   run the test: or bench: probes (as --mode test, --mode bench)
    -h, --help     show this help (with a script: its options too)
    -V, --version  print the version
    --             end of options: what follows is positional ($1, $2...),
                   or the script's own options (--name=value, read by getopt)

ENVIRONMENT:
    BPFTRACE_MAX_STRLEN      bytes a string may hold (default 1024)
    BPFTRACE_MAX_MAP_KEYS    entries of each map (default 4096)
    (any config setting NAME can be set as BPFTRACE_NAME; see docs/cli.md)
    __BPFTRACE_NOTIFY_PROBES_ATTACHED   print this line on stdout once attached
    NOTIFY_SOCKET            send READY=1 there once attached (systemd)

EXAMPLES:
    gobpftrace -e 'tracepoint:raw_syscalls:sys_enter { @[comm] = count(); }'
    gobpftrace -l 'tracepoint:syscalls:*open*'
    gobpftrace -f json -e 'interval:s:1 { printf("tick\n"); exit(); }'
    gobpftrace script.bt -- --help          (the options the script takes)
`

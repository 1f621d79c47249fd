package runtime

import (
	"io"

	"github.com/gobpftrace/gobpftrace/runtime/output"
)

// Options control Run.
type Options struct {
	// Stdout receives the script's output (printf, print, maps at exit).
	Stdout io.Writer
	// Stderr receives "Attached N probes", warnings and, in Verbose mode,
	// details such as the verifier log of a rejected program.
	Stderr io.Writer
	// DryRun loads and attaches every program, then detaches and returns
	// without running BEGIN/END or printing anything (bpftrace --dry-run).
	DryRun bool
	// Quiet suppresses the "Attached N probes" line (bpftrace -q).
	Quiet bool
	// Bench is --mode bench: BEGIN runs, then each bench: probe many
	// times, then END; the time one run of each bench probe takes prints
	// as a table, and no other probe is attached and no map printed.
	// Without it bench: probes are ignored.
	Bench bool
	// Test is --mode test: BEGIN runs, then each test: probe once, then
	// END; each test's result prints as bpftrace prints it, and no other
	// probe is attached and no map printed. Without it test: probes are
	// ignored.
	Test bool
	// CompactExit drops the two newlines printed before the maps at exit
	// (the interactive session, where they would leave blank lines).
	CompactExit bool
	// NoWarnings silences warnf() (bpftrace --no-warnings).
	NoWarnings bool
	// Verbose prints extra details on stderr (bpftrace -v).
	Verbose bool
	// Unsafe is --unsafe: a uretprobe on a Go function whose return
	// instructions cannot be found becomes a return probe (with a warning)
	// instead of an error (see runtime/attach/goreturns.go).
	Unsafe bool
	// OnAttached, when set, is called once every probe is attached (after
	// the "Attached" line); tests use it to start their workload.
	OnAttached func()
	// TargetPID is bpftrace's -p PID: probes that can be filtered by process
	// only fire for it, and the run ends when that process exits. 0 = none.
	TargetPID int
	// Command is bpftrace's -c CMD (already split into argv): its process
	// is created before attaching and execs the command once every probe
	// is attached (this program is run again to wait: see
	// runtime/target/stub.go), its pid is `cpid`, and the run ends when it
	// exits. Empty = none.
	Command []string
	// Format is the output format: "text" (or "") prints like bpftrace's
	// text output; "json" writes one JSON object per line in bpftrace's
	// shapes (see runtime/output/json.go), the attached-probes line
	// included (on Stdout, unless Quiet); "pprof" and "folded" write the
	// maps keyed by kstack/ustack at exit to Stdout, as one gzipped pprof
	// profile or as folded stack lines, and print everything else as
	// text on Stderr (runtime/output/printer_stacks.go). Run refuses them
	// for a script without such a map.
	Format string
	// HelperErrors is bpftrace's -k (off with --no-warnings). The checks
	// themselves are compiled in (codegen.Options.HelperErrors): the
	// command line and the REPL pass this value on to codegen; the runtime
	// prints whatever EvHelperError records arrive.
	HelperErrors bool
	// FlushEvents flushes Stdout after every event instead of when the
	// ring buffer runs empty (-B none and -B line).
	FlushEvents bool
	// OnExitCode, when set, is called before a clean return from Run when
	// the script stopped with exit(code): the command exits with that code,
	// as bpftrace does. exit() without a code does not call it.
	OnExitCode func(code int)
	// OnLoaded, when set, is called once the programs are loaded with the
	// run's Live handle, which reads and prints its maps from any
	// goroutine (the REPL's .maps, runtime/script's Session.Map).
	OnLoaded func(*Live)
	// KeepMaps keeps every map's contents as the run ends (after END), so
	// that Live still reads them after Run returns.
	KeepMaps bool
	// Observe, when set, is called once with the run's Formatter and
	// returns a printer that receives everything the run prints (events,
	// notices, print(@m)), after the printer of Format, from the run's
	// goroutine. The maps printed at exit are not passed on.
	Observe func(*output.Formatter) output.Printer
}

func (o *Options) stdout() io.Writer {
	if o.Stdout == nil {
		return io.Discard
	}
	return o.Stdout
}

func (o *Options) stderr() io.Writer {
	if o.Stderr == nil {
		return io.Discard
	}
	return o.Stderr
}

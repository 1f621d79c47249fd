package runtime

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/runtime/attach"
	"github.com/gobpftrace/gobpftrace/runtime/host"
	"github.com/gobpftrace/gobpftrace/runtime/output"
)

// The programs gobpftrace runs itself, besides BEGIN and END: self:
// probes on its own events and bench: probes of --mode bench.

// runOnSignal runs the self:signal:SIGUSR1 programs, in order, each time
// the process receives SIGUSR1, until the returned stop is called (more
// than once is fine). Their events go through the ring buffer as any
// probe's.
func (s *session) runOnSignal(selfs []*codegen.Program) (stop func()) {
	if len(selfs) == 0 {
		return func() {}
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGUSR1)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for {
			select {
			case <-sigs:
				if err := s.runSpecial(selfs); err != nil {
					fmt.Fprintf(s.opts.stderr(), "ERROR: %v\n", err)
				}
			case <-done:
				return
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			signal.Stop(sigs)
			close(done)
			<-finished
		})
	}
}

// benchTime is how long each bench: probe is run, at least benchMinRuns
// and at most benchMaxRuns times.
const (
	benchTime    = 200 * time.Millisecond
	benchMinRuns = 100
	benchMaxRuns = 1_000_000
)

// runBench is --mode bench: BEGIN, each bench: probe run repeatedly,
// END, then the table of the time one run of each takes, as bpftrace
// prints it. The time is the kernel's own count for the program
// (kernel.bpf_stats_enabled, turned on while the benchmarks run):
// run_time_ns / run_cnt, without the cost of the system call that runs
// it. What the bench probes print is not shown; no map is printed.
func (s *session) runBench(ctx context.Context, begins, ends, benches []*codegen.Program) error {
	if err := s.startSpecial(begins, len(begins)+len(ends)+len(benches)); err != nil {
		return err
	}
	stats, err := ebpf.EnableStats(uint32(unix.BPF_STATS_RUN_TIME))
	if err != nil {
		return fmt.Errorf("--mode bench times the programs with the kernel's BPF statistics, which could not be turned on: %s", host.ErrnoText(err))
	}
	var results []output.Benchmark
	for _, p := range benches {
		if ctx.Err() != nil {
			break
		}
		ns, err := s.benchOne(p)
		if err != nil {
			stats.Close()
			return err
		}
		results = append(results, output.Benchmark{Name: strings.TrimPrefix(attach.ProbeName(p), "bench:"), Nanoseconds: ns})
		// What the benchmark printed is left out: it ran thousands of
		// times.
		if err := s.discard(); err != nil {
			stats.Close()
			return err
		}
	}
	stats.Close()
	if err := s.runSpecial(ends); err != nil {
		return err
	}
	if err := s.drain(); err != nil {
		return err
	}
	if err := s.out.Flush(); err != nil {
		return err
	}
	sort.Slice(results, func(i, j int) bool { return results[i].Name < results[j].Name })
	output.NewReport(s.opts.Format, s.opts.stdout(), nil).Benchmarks(results)
	return nil
}

// benchOne runs p repeatedly and returns the nanoseconds one run takes,
// from the kernel's statistics of the program.
func (s *session) benchOne(p *codegen.Program) (uint64, error) {
	prog := s.loaded.Progs[p.Name]
	before, err := prog.Stats()
	if err != nil {
		return 0, fmt.Errorf("could not read the statistics of %s: %s", attach.ProbeName(p), host.ErrnoText(err))
	}
	start := time.Now()
	runs := 0
	for runs < benchMaxRuns && (runs < benchMinRuns || time.Since(start) < benchTime) {
		if _, err := prog.Run(&ebpf.RunOptions{}); err != nil {
			return 0, fmt.Errorf("could not run %s: %s", attach.ProbeName(p), host.ErrnoText(err))
		}
		runs++
	}
	after, err := prog.Stats()
	if err != nil {
		return 0, fmt.Errorf("could not read the statistics of %s: %s", attach.ProbeName(p), host.ErrnoText(err))
	}
	n := after.RunCount - before.RunCount
	if n == 0 {
		return 0, fmt.Errorf("%s: the kernel counted none of its %d runs (are BPF statistics available?)", attach.ProbeName(p), runs)
	}
	return uint64(after.Runtime-before.Runtime) / n, nil
}

// startSpecial starts a run of programs that are run rather than attached
// (--mode bench, --mode test): the globals, BEGIN and what it printed, then
// the "Attached" line for n programs.
func (s *session) startSpecial(begins []*codegen.Program, n int) error {
	if err := s.writeGlobals(); err != nil {
		return err
	}
	if err := s.runSpecial(begins); err != nil {
		return err
	}
	if err := s.drain(); err != nil { // what BEGIN printed
		return err
	}
	if !s.opts.Quiet {
		s.out.Attached(n)
	}
	if s.opts.OnAttached != nil {
		s.opts.OnAttached()
	}
	return nil
}

package runtime

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/ringbuf"
	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/runtime/attach"
	"github.com/gobpftrace/gobpftrace/runtime/host"
	"github.com/gobpftrace/gobpftrace/runtime/load"
	"github.com/gobpftrace/gobpftrace/runtime/maps"
	"github.com/gobpftrace/gobpftrace/runtime/output"
	"github.com/gobpftrace/gobpftrace/runtime/symbols"
	"github.com/gobpftrace/gobpftrace/runtime/target"
	"github.com/gobpftrace/gobpftrace/runtime/tracefs"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// ErrNoProbes is Run's answer to a script left without any probe (every
// attach point dropped: a wildcard that matched nothing, a probe skipped by
// missing_probes). bpftrace v0.26 prints its text, "No probes to attach",
// on stdout without a prefix (and not with -q), and exits with 1.
var ErrNoProbes = errors.New("No probes to attach")

// Run loads plan, runs BEGIN, attaches every probe, prints events until ctx
// is cancelled, exit() is called, or (for a script with only BEGIN/END) the
// events run out; then it detaches, runs END, prints END's events and every
// map, and releases everything it created in the kernel. A clean stop
// returns nil.
//
// The order follows bpftrace v0.26: BEGIN runs before the other probes are
// attached, "Attached N probes" (each BEGIN and END counting as one) is
// printed to stderr once they are, and only then are events read, so BEGIN's
// output follows that line.
func Run(ctx context.Context, plan *codegen.Plan, opts Options) (err error) {
	defer recoverRun(&err)
	if plan == nil || plan.Spec == nil {
		return errors.New("internal error: no plan to run")
	}
	if len(plan.Programs) == 0 {
		return ErrNoProbes
	}
	if !host.Privileged() {
		return host.PrivilegeError()
	}
	plan = attach.SkipUnsupported(plan, opts.stderr())
	if len(plan.Programs) == 0 {
		return ErrNoProbes
	}
	if err := attach.CheckSupported(plan); err != nil {
		return err
	}
	if (opts.Format == "pprof" || opts.Format == "folded") && !output.HasStackMap(plan.Maps) {
		return fmt.Errorf("output format %s writes the maps keyed by kstack or ustack, and this script has none: key a map by a stack, as in @[kstack, ustack, comm] = count()", opts.Format)
	}
	if opts.TargetPID != 0 && len(opts.Command) != 0 {
		return errors.New("-p and -c can not be used together")
	}
	if opts.TargetPID < 0 {
		return fmt.Errorf("pid '%d' is not valid", opts.TargetPID)
	}
	l, err := load.Load(plan, load.Options{Verbose: opts.Verbose, Stderr: opts.stderr()})
	if err != nil {
		return err
	}
	defer l.Close()
	s := &session{plan: plan, opts: &opts, loaded: l}
	s.syms = symbols.NewSymbolizer(plan, l.Maps)
	s.format = &output.Formatter{Symbols: s.syms, UserSpace: newUserSpace(), TruncTrailer: plan.Config.StrTruncTrailer, Errors: formatErrors(opts.stderr())}
	s.live = &Live{s: s}
	defer s.live.close() // before the maps close
	defer func() { attach.ReleaseAll(s.attached); s.holder.Release() }()
	if opts.TargetPID != 0 && !opts.DryRun {
		wctx, stop, err := target.WatchPID(ctx, opts.TargetPID)
		if err != nil {
			return err
		}
		defer stop()
		ctx = wctx
		s.pid = opts.TargetPID
		s.syms.Prime(uint32(opts.TargetPID))
	}
	if len(opts.Command) != 0 && !opts.DryRun {
		// Stopped right after its exec, the command has its program
		// mapped: its user stacks resolve even if it exits before the
		// maps print.
		c, err := target.StartChild(opts.Command, opts.stdout(), opts.stderr(), func(pid int) { s.syms.Prime(uint32(pid)) }, hasUSDT(plan))
		if err != nil {
			return err
		}
		defer c.Stop()
		s.child, s.pid = c, c.Pid()
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		go func() {
			select {
			case <-c.Exited():
				cancel()
			case <-cctx.Done():
			}
		}()
		ctx = cctx
	}
	err = s.run(ctx)
	if err == nil && s.disp != nil && s.disp.failed != nil {
		err = s.disp.failed
	}
	return err
}

// session is one run of a loaded plan.
type session struct {
	// warned are the warnings of attaching printed so far (warn).
	warned   map[string]bool
	plan     *codegen.Plan
	opts     *Options
	loaded   *load.Loaded
	ring     *ringbuf.Reader
	batch    batcher
	attached []io.Closer
	// format formats values with this run's symbols and user-space
	// lookups; out prints in the run's output format.
	format *output.Formatter
	out    output.Printer
	disp   *dispatcher
	syms   *symbols.Symbolizer
	// pid is the process of -p, or the child of -c (0: none). As in
	// bpftrace v0.26, the probes opened per process (see attach) are
	// limited to it; with -p the others filter in BPF (lang.Checked.PIDFilter).
	pid int
	// child is the command of -c, released once every probe is attached.
	child *target.Child
	// lostSeen is the number of lost events reported so far, lostCheck
	// when the counter was last read.
	lostSeen  uint64
	lostCheck time.Time
	// fills are the maps that refused an update as lookAtFill last saw
	// them; fillsFinal once they were looked at before END.
	fills      map[string]mapFillLook
	fillsFinal bool
	// warnedFull are the maps whose first refused update was reported
	// (warnFullMaps).
	warnedFull map[string]bool
	// lostAtExit is the number of events lost before the first exit()
	// record (exitSeen); later losses are not the user's (drops.go).
	lostAtExit uint64
	exitSeen   bool
	anchor     lostAnchor
	// pendingExit is the exit record rebuilt for an exit() the ring buffer
	// had no room for (drops.go), handled once exitAfter more bytes of
	// records (those the ring buffer held when it was found) are read.
	pendingExit []byte
	exitAfter   int
	// skipped counts the attach points that failed to attach and were
	// skipped (config missing_probes), and the functions of uprobe
	// wildcards the kernel refused (warnAttach).
	skipped int
	// holder takes the perf events that are slow to close (closer.go).
	holder *attach.PerfHolder
	// live reads the maps for other goroutines (Options.OnLoaded).
	live *Live
}

func (s *session) run(ctx context.Context) error {
	begins, ends, selfs, benches, tests, probes := splitPrograms(s.plan.Programs)
	if s.opts.DryRun {
		return s.attachAll(ctx, probes)
	}
	if err := s.openRing(); err != nil {
		return err
	}
	defer s.closeRing()
	s.out = s.newPrinter(s.opts.stdout())
	if s.opts.Observe != nil {
		s.out = tee{s.out, s.opts.Observe(s.format)}
	}
	defer s.out.Flush()
	s.disp = &dispatcher{plan: s.plan, format: s.format, out: s.out, stderr: s.opts.stderr(), mapOf: s.mapOf, noWarnings: s.opts.NoWarnings}
	if s.opts.OnLoaded != nil {
		s.opts.OnLoaded(s.live)
	}
	if s.opts.Bench {
		return s.runBench(ctx, begins, ends, benches)
	}
	if s.opts.Test {
		return s.runTests(ctx, begins, ends, tests)
	}

	// Start: BEGIN, then the probes, then the "Attached" line.
	if err := s.writeGlobals(); err != nil {
		return err
	}
	if err := attach.CheckPins(probes); err != nil {
		return err
	}
	if err := s.runSpecial(begins); err != nil {
		return err
	}
	if err := s.attachAll(ctx, probes); err != nil {
		return err
	}
	// Caught from here: a signal sent once "Attached" shows runs them.
	stopSelf := s.runOnSignal(selfs)
	defer stopSelf()
	if !s.opts.Quiet && ctx.Err() == nil {
		s.out.Attached(len(begins) + len(ends) + len(selfs) + attachPoints(probes) - s.skipped)
	}
	if s.opts.OnAttached != nil {
		s.opts.OnAttached()
	}
	if s.child != nil && ctx.Err() == nil {
		s.out.Flush()
		if err := s.child.Start(); err != nil {
			return err
		}
	}
	// An iter probe runs once over its objects, then the run ends as if
	// exit() was called, after the events it sent are printed.
	pollCtx := ctx
	if hasIter(probes) && ctx.Err() == nil {
		iterCtx, iterDone := context.WithCancel(ctx)
		defer iterDone()
		pollCtx = iterCtx
		if hasPinnedIter(probes) {
			// Pinned instead of run: reading the file runs it.
			iterDone()
			if err := s.pinIterators(); err != nil {
				return err
			}
		} else {
			go func() {
				defer iterDone()
				if _, err := attach.RunIterators(s.attached); err != nil {
					fmt.Fprintf(s.opts.stderr(), "ERROR: %v\n", err)
				}
			}()
		}
	}

	primeCtx, stopPrime := context.WithCancel(context.Background())
	primed := make(chan struct{})
	go func() { defer close(primed); s.primeUserSymbols(primeCtx) }()
	err := s.poll(pollCtx, len(probes) == 0 && len(selfs) == 0 && s.pid == 0)
	stopPrime()
	stopSelf()
	<-primed
	if err != nil {
		return err
	}

	// Stop: detach, END, its events, the maps.
	attach.DetachAll(s.attached) // Run closes them after the maps are printed
	s.holder.Detach()
	if s.disp.exited {
		// bpftrace ignores the events that follow exit(); with every probe
		// detached their number is finite.
		if err := s.discard(); err != nil {
			return err
		}
		s.disp.exited = false
	}
	s.lookAtRefusingMaps()
	if err := s.runSpecial(ends); err != nil {
		return err
	}
	if err := s.drain(); err != nil {
		return err
	}
	s.reportDrops()
	if testPanic == "maps" {
		panic(injectedPanic)
	}
	maps := s.plan.Maps
	if s.plan.Config.NoPrintMapsOnExit {
		maps = nil
	}
	exitMaps := s.out.ExitMaps
	if s.opts.CompactExit {
		exitMaps = s.out.Maps // without the end-of-output separator
	}
	read := s.readScriptMap
	if s.opts.KeepMaps {
		s.live.keepFinal()
		read = s.live.readFinal
	}
	if err := exitMaps(maps, read); err != nil {
		return fmt.Errorf("could not print maps: %v", err)
	}
	if err := s.out.Flush(); err != nil {
		return err
	}
	if s.disp.hasExitCode && s.opts.OnExitCode != nil {
		s.opts.OnExitCode(s.disp.exitCode)
	}
	return nil
}

// newPrinter is a printer of the run's format writing the script's
// output to stdout.
func (s *session) newPrinter(stdout io.Writer) output.Printer {
	return output.New(s.opts.Format, s.format, output.Destination{
		Stdout: stdout, Stderr: s.opts.stderr(), File: s.plan.File, Source: s.plan.Source,
	})
}

// hasIter reports whether probes holds an iter probe.
func hasIter(probes []*codegen.Program) bool {
	for _, p := range probes {
		if attach.Provider(p) == probetype.Iter {
			return true
		}
	}
	return false
}

// hasPinnedIter reports whether probes holds a pinned iter probe.
func hasPinnedIter(probes []*codegen.Program) bool {
	for _, p := range probes {
		if attach.Provider(p) == probetype.Iter && p.Attach.Pin != "" {
			return true
		}
	}
	return false
}

// pinIterators pins the pinned iterators and says where, on stdout as
// bpftrace does ("Program pinned to PATH"), in every output format.
func (s *session) pinIterators() error {
	paths, err := attach.PinIterators(s.attached)
	if err := s.out.Flush(); err != nil {
		return err
	}
	for _, p := range paths {
		fmt.Fprintf(s.opts.stdout(), "Program pinned to %s\n", p)
	}
	return err
}

// splitPrograms separates the programs that are run (BEGIN, END, self:,
// bench: and test: probes) from the probes, which are attached.
func splitPrograms(progs []*codegen.Program) (begins, ends, selfs, benches, tests, probes []*codegen.Program) {
	for _, p := range progs {
		switch attach.Provider(p) {
		case probetype.Begin:
			begins = append(begins, p)
		case probetype.End:
			ends = append(ends, p)
		case probetype.Self:
			selfs = append(selfs, p)
		case probetype.Bench:
			benches = append(benches, p)
		case probetype.Test:
			tests = append(tests, p)
		default:
			probes = append(probes, p)
		}
	}
	return begins, ends, selfs, benches, tests, probes
}

func (s *session) openRing() error {
	if s.plan.RingBuf == "" {
		return nil
	}
	m := s.loaded.Maps[s.plan.RingBuf]
	if m == nil {
		return fmt.Errorf("internal error: ring buffer %s is missing from the plan", s.plan.RingBuf)
	}
	r, err := ringbuf.NewReader(m)
	if err != nil {
		return fmt.Errorf("could not read the ring buffer: %s", host.ErrnoText(err))
	}
	s.ring = r
	s.batch.ringSize = r.BufferSize()
	return nil
}

func (s *session) closeRing() {
	if s.ring != nil {
		s.ring.Close()
	}
}

// writeGlobals stores the start time that `elapsed` subtracts, the pid of
// the -c child (`cpid`), the CPU count and the TAI offset (`nsecs(sw_tai)`).
func (s *session) writeGlobals() error {
	if s.plan.Globals == "" {
		return nil
	}
	m := s.loaded.Maps[s.plan.Globals]
	if m == nil {
		return fmt.Errorf("internal error: globals map %s is missing from the plan", s.plan.Globals)
	}
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return fmt.Errorf("could not read the clock: %s", host.ErrnoText(err))
	}
	val := make([]byte, max(codegen.GlobalsSize, int(m.ValueSize())))
	binary.LittleEndian.PutUint64(val[codegen.GlobalStartNs:], uint64(ts.Nano()))
	if s.child != nil {
		binary.LittleEndian.PutUint32(val[codegen.GlobalCpid:], uint32(s.child.Pid()))
	}
	if n, err := ebpf.PossibleCPU(); err == nil {
		binary.LittleEndian.PutUint32(val[codegen.GlobalNcpus:], uint32(n))
	}
	binary.LittleEndian.PutUint64(val[codegen.GlobalTaiOffset:], uint64(taiOffset()))
	key := make([]byte, m.KeySize()) // index 0, whatever its width
	if err := m.Update(key, val[:m.ValueSize()], ebpf.UpdateAny); err != nil {
		return fmt.Errorf("could not set the start time: %s", host.ErrnoText(err))
	}
	return nil
}

// taiOffset measures how far CLOCK_TAI is ahead of CLOCK_BOOTTIME, for
// nsecs(sw_tai): a TAI reading between two boot clock readings, compared
// with their midpoint, keeping the closest of a few tries.
func taiOffset() int64 {
	var best, off int64 = -1, 0
	for range 5 {
		var b1, tai, b2 unix.Timespec
		if unix.ClockGettime(unix.CLOCK_BOOTTIME, &b1) != nil || unix.ClockGettime(unix.CLOCK_TAI, &tai) != nil ||
			unix.ClockGettime(unix.CLOCK_BOOTTIME, &b2) != nil {
			return 0
		}
		if span := b2.Nano() - b1.Nano(); best < 0 || span < best {
			best, off = span, tai.Nano()-(b1.Nano()+b2.Nano())/2
		}
	}
	return off
}

// runSpecial runs BEGIN or END programs once each, in order.
func (s *session) runSpecial(progs []*codegen.Program) error {
	for _, p := range progs {
		if _, err := s.loaded.Progs[p.Name].Run(&ebpf.RunOptions{}); err != nil {
			return fmt.Errorf("could not run %s: %s", attach.ProbeName(p), host.ErrnoText(err))
		}
	}
	return nil
}

// attachAll attaches probes in the order that makes the probes of one
// event run in the script's order (attach.AttachOrder), then gives the
// messages of attaching in the script's order. A stop request (Ctrl-C)
// ends it early; the run then stops normally. Runs of tracepoints are
// attached concurrently (attachConcurrently), with the same outcome as in
// order. The first probe that fails to attach ends it with its error,
// unless config missing_probes skips it.
func (s *session) attachAll(ctx context.Context, probes []*codegen.Program) error {
	if s.holder == nil && attach.SlowToClose(probes) >= attach.HolderMin {
		s.holder = attach.StartPerfHolder()
	}
	if slices.ContainsFunc(probes, isTracepoint) {
		if dir, err := tracefs.Dir(); err == nil {
			// Other runs' release children wait while these open.
			defer tracefs.Busy(dir)()
		}
	}
	skipMissing := s.plan.Config.MissingProbes == "warn" || s.plan.Config.MissingProbes == "ignore"
	order := attach.AttachOrder(probes)
	results := make([]attachResult, len(probes)) // by the probes' index
	failed := -1
attaching:
	for i := 0; i < len(order); {
		if ctx.Err() != nil {
			break
		}
		run := []*codegen.Program{probes[order[i]]}
		for i+len(run) < len(order) && isTracepoint(run[0]) && isTracepoint(probes[order[i+len(run)]]) {
			run = append(run, probes[order[i+len(run)]])
		}
		for k, r := range s.attachConcurrently(ctx, run) {
			results[order[i+k]] = r
		}
		for _, idx := range order[i : i+len(run)] {
			switch r := results[idx]; {
			case !r.tried:
				break attaching // stopped
			case r.err != nil && !skipMissing:
				failed = idx
				break attaching
			}
		}
		i += len(run)
	}
	// Whatever was attached is released with the rest when the run ends
	// early (a stop, an error).
	for idx, r := range results {
		s.attached = append(s.attached, r.closers...)
		if !r.tried {
			continue
		}
		for _, m := range r.msgs {
			m.replay(s)
		}
		if r.err != nil && skipMissing {
			// config missing_probes: warn or ignore skips the probe.
			if s.plan.Config.MissingProbes == "warn" {
				fmt.Fprintf(s.opts.stderr(), "WARNING: %v (skipped: missing_probes = warn)\n", r.err)
			}
			s.skipped += max(1, len(probes[idx].Group))
		}
	}
	if failed >= 0 {
		return results[failed].err
	}
	return nil
}

func isTracepoint(p *codegen.Program) bool { return attach.Provider(p) == probetype.Tracepoint }

// attachParallelism bounds the tracepoints attached at once. Opening a
// tracepoint's perf event takes the kernel's event mutex, which another
// process closing tracepoint perf events holds for an RCU grace period
// per event (20-30 ms here): one attach at a time waited about that long
// for each of 720 tracepoints (13 s), while several waiting at once take
// their turns in a row.
const attachParallelism = 16

// attachResult is the outcome of attaching one probe, with the messages
// it gave, replayed in the probes' order.
type attachResult struct {
	tried   bool
	closers []io.Closer
	err     error
	msgs    []attachMsg
}

// attachMsg is one call of an attach.Env callback.
type attachMsg struct {
	kind int // 0 skip (warnAttach), 1 warn, 2 verbose
	text string
}

func (m attachMsg) replay(s *session) {
	switch m.kind {
	case 0:
		s.warnAttach(m.text)
	case 1:
		s.warn(m.text)
	default:
		s.verbose(m.text)
	}
}

// attachConcurrently attaches probes (one, or a run of tracepoints) and
// hands each attachment to the perf holder as soon as it is made. The
// probes of one tracepoint are attached by one worker in their order,
// which is the order the kernel runs them in.
func (s *session) attachConcurrently(ctx context.Context, probes []*codegen.Program) []attachResult {
	results := make([]attachResult, len(probes))
	one := func(k int) {
		p, r := probes[k], &results[k]
		if ctx.Err() != nil {
			return
		}
		r.tried = true
		env := attach.Env{PID: s.pid, Running: s.opts.TargetPID != 0, Unsafe: s.opts.Unsafe,
			Skip:    func(m string) { r.msgs = append(r.msgs, attachMsg{0, m}) },
			Warn:    func(m string) { r.msgs = append(r.msgs, attachMsg{1, m}) },
			Verbose: func(m string) { r.msgs = append(r.msgs, attachMsg{2, m}) },
		}
		r.closers, r.err = attach.Attach(p, s.loaded.Progs[p.Name], env)
		if r.err == nil {
			s.holder.HandOver(r.closers)
		}
	}
	if len(probes) == 1 {
		one(0)
		return results
	}
	lanes := sameEventLanes(probes)
	var wg sync.WaitGroup
	next := make(chan []int)
	for range min(attachParallelism, len(lanes)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for lane := range next {
				for _, k := range lane {
					one(k)
				}
			}
		}()
	}
	for _, lane := range lanes {
		next <- lane
	}
	close(next)
	wg.Wait()
	return results
}

// sameEventLanes groups the indexes of tracepoint probes by event, each
// lane in the probes' order, the lanes in the order of their first probe.
func sameEventLanes(probes []*codegen.Program) [][]int {
	var lanes [][]int
	laneOf := map[string]int{}
	for k, p := range probes {
		event := p.Attach.Category + ":" + p.Attach.Event
		i, ok := laneOf[event]
		if !ok {
			i = len(lanes)
			laneOf[event] = i
			lanes = append(lanes, nil)
		}
		lanes[i] = append(lanes[i], k)
	}
	return lanes
}

// warn prints a warning of attaching that skips nothing.
// Each warning is printed once (several probes of one file share it).
func (s *session) warn(msg string) {
	if s.warned[msg] {
		return
	}
	if s.warned == nil {
		s.warned = map[string]bool{}
	}
	s.warned[msg] = true
	fmt.Fprintf(s.opts.stderr(), "WARNING: %s\n", msg)
}

// verbose prints a detail of attaching with -v.
func (s *session) verbose(msg string) {
	if s.opts.Verbose {
		fmt.Fprintln(s.opts.stderr(), msg)
	}
}

// warnAttach prints a warning of attaching; each one is a function of a
// uprobe wildcard skipped, which the "Attached" line then does not count.
func (s *session) warnAttach(msg string) {
	s.skipped++
	fmt.Fprintf(s.opts.stderr(), "WARNING: %s\n", msg)
}

func (s *session) mapOf(script string) (*codegen.Map, []*ebpf.Map) {
	for _, m := range s.plan.Maps {
		if m.ScriptName == script {
			return m, s.kernelMaps(m)
		}
	}
	return nil, nil
}

// kernelMaps are the kernel maps holding m: m's own, then those of its
// string length classes (codegen.Map.StrClasses). Nil when one is missing.
func (s *session) kernelMaps(m *codegen.Map) []*ebpf.Map {
	km := s.loaded.Maps[m.Name]
	if km == nil {
		return nil
	}
	out := []*ebpf.Map{km}
	for _, c := range m.StrClasses {
		cm := s.loaded.Maps[c.Name]
		if cm == nil {
			return nil
		}
		out = append(out, cm)
	}
	return out
}

func (s *session) readScriptMap(m *codegen.Map) (*output.Entries, error) {
	kms := s.kernelMaps(m)
	if kms == nil {
		return nil, fmt.Errorf("map %s is missing from the plan", m.ScriptName)
	}
	return maps.ReadPadded(kms, m.KeySize)
}

// attachPoints counts the attach points of probes as bpftrace does: a
// uprobe_multi program counts each function it attaches to, as separate
// programs would; a USDT probe whose notes give several locations (a
// marker inlined or written twice) counts once, however many locations
// are attached.
func attachPoints(probes []*codegen.Program) int {
	n := 0
	type usdtProbe struct {
		block *lang.Probe
		name  string
	}
	usdtSeen := map[usdtProbe]bool{}
	for _, p := range probes {
		if a := p.Attach; a != nil && a.Provider == probetype.USDT {
			key := usdtProbe{p.Probe, a.Name}
			if usdtSeen[key] {
				continue
			}
			usdtSeen[key] = true
		}
		n += max(1, len(p.Group))
	}
	return n
}

// formatErrors writes the errors met while formatting values (a stack id
// gone from its stack map) on stderr as bpftrace logs them, one line
// each, whichever goroutine prints.
func formatErrors(stderr io.Writer) func(string) {
	var mu sync.Mutex
	return func(msg string) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(stderr, "ERROR: %s\n", msg)
	}
}

// hasUSDT reports whether the plan has usdt probes: bpftrace v0.26 then
// execs the -c command before attaching (stopped right after its exec, so
// its files are mapped), not after.
func hasUSDT(plan *codegen.Plan) bool {
	for _, p := range plan.Programs {
		if attach.Provider(p) == probetype.USDT {
			return true
		}
	}
	return false
}

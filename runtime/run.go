package runtime

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/ringbuf"
	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/runtime/output"
)

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
func Run(ctx context.Context, plan *codegen.Plan, opts Options) error {
	if plan == nil || plan.Spec == nil {
		return errors.New("internal error: no plan to run")
	}
	if !privileged() {
		return privilegeError()
	}
	if err := checkSupported(plan); err != nil {
		return err
	}
	l, err := load(plan, &opts)
	if err != nil {
		return err
	}
	defer l.close()
	s := &session{plan: plan, opts: &opts, loaded: l}
	defer func() { closeAll(s.attached) }()
	return s.run(ctx)
}

// session is one run of a loaded plan.
type session struct {
	plan     *codegen.Plan
	opts     *Options
	loaded   *loaded
	ring     *ringbuf.Reader
	attached []io.Closer
	out      *bufio.Writer
	disp     *dispatcher
}

func (s *session) run(ctx context.Context) error {
	var begins, ends, probes []*codegen.Program
	for _, p := range s.plan.Programs {
		switch provider(p) {
		case provBegin:
			begins = append(begins, p)
		case provEnd:
			ends = append(ends, p)
		default:
			probes = append(probes, p)
		}
	}
	if s.opts.DryRun {
		return s.attachAll(ctx, probes)
	}

	if s.plan.RingBuf != "" {
		m := s.loaded.maps[s.plan.RingBuf]
		if m == nil {
			return fmt.Errorf("internal error: ring buffer %s is missing from the plan", s.plan.RingBuf)
		}
		r, err := ringbuf.NewReader(m)
		if err != nil {
			return fmt.Errorf("could not read the ring buffer: %s", errnoText(err))
		}
		s.ring = r
		defer r.Close()
	}
	s.out = bufio.NewWriterSize(s.opts.stdout(), 64<<10)
	defer s.out.Flush()
	s.disp = &dispatcher{plan: s.plan, out: s.out, stderr: s.opts.stderr(), mapOf: s.mapOf}

	if err := s.writeGlobals(); err != nil {
		return err
	}
	if err := s.runSpecial(begins); err != nil {
		return err
	}
	if err := s.attachAll(ctx, probes); err != nil {
		return err
	}
	if !s.opts.Quiet && ctx.Err() == nil {
		n := len(begins) + len(ends) + len(probes)
		if n == 1 {
			fmt.Fprintln(s.opts.stderr(), "Attached 1 probe")
		} else {
			fmt.Fprintf(s.opts.stderr(), "Attached %d probes\n", n)
		}
	}
	if s.opts.OnAttached != nil {
		s.opts.OnAttached()
	}

	if err := s.poll(ctx, len(probes) == 0); err != nil {
		return err
	}
	detachAll(s.attached) // closed by Run, after the maps are printed
	if s.disp.exited {
		// bpftrace ignores the events that follow exit(); with every probe
		// detached their number is finite.
		if err := s.discard(); err != nil {
			return err
		}
		s.disp.exited = false
	}
	if err := s.runSpecial(ends); err != nil {
		return err
	}
	if err := s.drain(); err != nil {
		return err
	}
	if err := output.ExitMaps(s.out, s.plan.Maps, s.readScriptMap); err != nil {
		return fmt.Errorf("could not print maps: %v", err)
	}
	return s.out.Flush()
}

// writeGlobals stores the start time that `elapsed` subtracts.
func (s *session) writeGlobals() error {
	if s.plan.Globals == "" {
		return nil
	}
	m := s.loaded.maps[s.plan.Globals]
	if m == nil {
		return fmt.Errorf("internal error: globals map %s is missing from the plan", s.plan.Globals)
	}
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return fmt.Errorf("could not read the clock: %s", errnoText(err))
	}
	val := make([]byte, max(codegen.GlobalsSize, int(m.ValueSize())))
	binary.LittleEndian.PutUint64(val[codegen.GlobalStartNs:], uint64(ts.Nano()))
	if err := m.Update(uint32(0), val[:m.ValueSize()], ebpf.UpdateAny); err != nil {
		return fmt.Errorf("could not set the start time: %s", errnoText(err))
	}
	return nil
}

// runSpecial runs BEGIN or END programs once each, in order.
func (s *session) runSpecial(progs []*codegen.Program) error {
	for _, p := range progs {
		if _, err := s.loaded.progs[p.Name].Run(&ebpf.RunOptions{}); err != nil {
			return fmt.Errorf("could not run %s: %s", probeName(p), errnoText(err))
		}
	}
	return nil
}

// attachAll attaches probes in order. A stop request (Ctrl-C) ends it
// early; the run then stops normally.
func (s *session) attachAll(ctx context.Context, probes []*codegen.Program) error {
	for _, p := range probes {
		if ctx.Err() != nil {
			return nil
		}
		cs, err := attach(p, s.loaded.progs[p.Name])
		if err != nil {
			return err
		}
		s.attached = append(s.attached, cs...)
	}
	return nil
}

// poll dispatches events until ctx is done, exit() is called, or, with
// drainOnly, the ring buffer is empty.
func (s *session) poll(ctx context.Context, drainOnly bool) error {
	if s.ring == nil {
		if !drainOnly {
			<-ctx.Done()
		}
		return nil
	}
	stopWatch := make(chan struct{})
	watcherDone := make(chan struct{})
	go func() {
		defer close(watcherDone)
		select {
		case <-ctx.Done():
			s.ring.Flush() // wakes the blocked read
		case <-stopWatch:
		}
	}()
	defer func() {
		close(stopWatch)
		<-watcherDone
	}()

	if drainOnly {
		s.ring.SetDeadline(time.Now())
	} else {
		s.ring.SetDeadline(time.Time{})
	}
	var rec ringbuf.Record
	for {
		if ctx.Err() != nil {
			return nil // the final drain prints what is pending
		}
		err := s.ring.ReadInto(&rec)
		switch {
		case err == nil:
			s.disp.handle(rec.RawSample)
			if s.disp.exited {
				return s.out.Flush()
			}
			if rec.Remaining == 0 {
				s.out.Flush()
			}
		case errors.Is(err, os.ErrDeadlineExceeded):
			s.out.Flush()
			return nil
		case errors.Is(err, ringbuf.ErrFlushed):
			s.out.Flush()
		case errors.Is(err, ringbuf.ErrClosed):
			return nil
		default:
			return fmt.Errorf("could not read events: %s", errnoText(err))
		}
	}
}

// discard drops every event still in the ring buffer.
func (s *session) discard() error {
	if s.ring == nil {
		return nil
	}
	s.ring.SetDeadline(time.Now())
	var rec ringbuf.Record
	for {
		err := s.ring.ReadInto(&rec)
		switch {
		case err == nil, errors.Is(err, ringbuf.ErrFlushed):
		case errors.Is(err, os.ErrDeadlineExceeded):
			return nil
		default:
			return fmt.Errorf("could not read events: %s", errnoText(err))
		}
	}
}

// drain prints every event still in the ring buffer (END's among them).
func (s *session) drain() error {
	if s.ring == nil {
		return nil
	}
	s.ring.SetDeadline(time.Now())
	var rec ringbuf.Record
	for {
		err := s.ring.ReadInto(&rec)
		switch {
		case err == nil:
			if !s.disp.exited {
				s.disp.handle(rec.RawSample)
			}
		case errors.Is(err, os.ErrDeadlineExceeded):
			return s.out.Flush()
		case errors.Is(err, ringbuf.ErrFlushed):
		default:
			return fmt.Errorf("could not read events: %s", errnoText(err))
		}
	}
}

func (s *session) mapOf(script string) (*codegen.Map, *ebpf.Map) {
	for _, m := range s.plan.Maps {
		if m.ScriptName == script {
			return m, s.loaded.maps[m.Name]
		}
	}
	return nil, nil
}

func (s *session) readScriptMap(m *codegen.Map) ([]output.Entry, error) {
	km := s.loaded.maps[m.Name]
	if km == nil {
		return nil, fmt.Errorf("map %s is missing from the plan", m.ScriptName)
	}
	return readMap(km)
}

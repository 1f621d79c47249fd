package script

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/gobpftrace/gobpftrace/runtime"
	"github.com/gobpftrace/gobpftrace/runtime/output"
)

// RunOptions are what one session of a script does with its output.
type RunOptions struct {
	// Output receives what the script prints (printf, print, the maps at
	// the end...) in the script's Format, exactly as gobpftrace prints it.
	// Nil discards it.
	Output io.Writer
	// Errors receives the notices gobpftrace writes on its standard error
	// ("Attached 1 probe", warnings, errorf). Nil discards them.
	Errors io.Writer
	// OnEvent, when set, receives every event as a Go value, in order,
	// from the session's goroutine: while it runs, no other event is
	// read (events that find the ring buffer full are lost), so it should
	// be quick, or hand the event on (to a channel, say).
	OnEvent func(Event)
	// Quiet leaves out the "Attached N probes" notice (-q).
	Quiet bool
	// NoWarnings silences warnings, warnf() and helper errors
	// (--no-warnings).
	NoWarnings bool
	// Verbose adds details to Errors, such as the verifier's whole log
	// for a program it rejects (-v).
	Verbose bool
	// DryRun loads and attaches every program, then detaches it and ends
	// without running BEGIN or END (--dry-run).
	DryRun bool
	// Bench runs the script's bench: probes and prints how long one run
	// of each takes (--mode bench); see runtime.Options.Bench.
	Bench bool
	// Test runs the script's test: probes and reports which pass (--mode
	// test); see runtime.Options.Test.
	Test bool
	// FlushEvents writes Output after each event rather than whenever the
	// events run out (-B line).
	FlushEvents bool
	// NoExitSeparator leaves out the two blank lines the text output
	// prints before the maps at the end (gobpftrace's interactive
	// session).
	NoExitSeparator bool
	// OnAttached, when set, is called once every probe is attached (after
	// the "Attached" notice), from the session's goroutine, before any
	// event is read: gobpftrace prints its readiness line there.
	OnAttached func()
	// ForgetMaps does not keep the maps' contents at the end, which saves
	// their memory when nothing reads them then: Map returns an error
	// once the session has ended.
	ForgetMaps bool
}

// Session is one run of a script.
type Session struct {
	script *Script
	cancel context.CancelFunc
	done   chan struct{}
	err    error // valid once done is closed

	mu       sync.Mutex
	live     *runtime.Live
	code     int
	exitCode bool
}

// ErrNotRunning is returned by Map when the session never loaded its
// maps (it failed before, or was a dry run).
var ErrNotRunning = errors.New("the session has no maps: it did not start")

// Start loads the script, runs BEGIN, attaches every probe, and returns
// once they are attached (or, for a script of BEGIN and END blocks only,
// once it has ended). An error loading or attaching ends the session
// (nothing stays loaded) and is returned. The session then runs until ctx
// ends, the script calls exit(), a -p process or -c command exits, or
// Stop is called; it then runs END and prints the maps to Output.
func (s *Script) Start(ctx context.Context, opts RunOptions) (*Session, error) {
	ctx, cancel := context.WithCancel(ctx)
	sess := &Session{script: s, cancel: cancel, done: make(chan struct{})}
	attached := make(chan struct{})
	var once sync.Once
	ropts := runtime.Options{
		Stdout:      opts.Output,
		Stderr:      opts.Errors,
		DryRun:      opts.DryRun,
		Bench:       opts.Bench,
		Test:        opts.Test,
		Quiet:       opts.Quiet,
		CompactExit: opts.NoExitSeparator,
		NoWarnings:  opts.NoWarnings,
		Verbose:     opts.Verbose,
		Unsafe:      s.opts.Unsafe,
		OnAttached: func() {
			if opts.OnAttached != nil {
				opts.OnAttached()
			}
			once.Do(func() { close(attached) })
		},
		TargetPID:    s.opts.PID,
		Command:      s.opts.Command,
		Format:       s.opts.Format,
		HelperErrors: s.opts.HelperErrors && !opts.NoWarnings,
		FlushEvents:  opts.FlushEvents,
		OnExitCode: func(code int) {
			sess.mu.Lock()
			sess.code, sess.exitCode = code, true
			sess.mu.Unlock()
		},
		OnLoaded: func(l *runtime.Live) {
			sess.mu.Lock()
			sess.live = l
			sess.mu.Unlock()
		},
		KeepMaps: !opts.ForgetMaps,
	}
	if opts.OnEvent != nil {
		ropts.Observe = func(f *output.Formatter) output.Printer {
			return &observer{f: f, s: sess, emit: opts.OnEvent}
		}
	}
	go func() {
		defer close(sess.done)
		defer cancel()
		sess.err = runtime.Run(ctx, s.plan, ropts)
	}()
	select {
	case <-attached:
	case <-sess.done:
		if sess.err != nil {
			return nil, sess.err
		}
	}
	return sess, nil
}

// Run starts the script and waits for its end: Start, then Wait.
func (s *Script) Run(ctx context.Context, opts RunOptions) error {
	sess, err := s.Start(ctx, opts)
	if err != nil {
		return err
	}
	return sess.Wait()
}

// Wait waits for the session to end and returns its error (nil for a
// clean end: its context ended, exit(), Stop). When Wait returns, nothing
// of the session is left in the kernel.
func (s *Session) Wait() error {
	<-s.done
	return s.err
}

// Stop ends the session as Ctrl-C ends gobpftrace: END runs, the maps
// print, everything is released. It returns Wait's error.
func (s *Session) Stop() error {
	s.cancel()
	return s.Wait()
}

// Done is closed when the session has ended and released everything.
func (s *Session) Done() <-chan struct{} { return s.done }

// ExitCode is exit(code)'s code, once the script called it.
func (s *Session) ExitCode() (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.code, s.exitCode
}

// Map reads the map called name ("@calls", or "calls"): from the kernel
// while the session runs, as it was at the end (after END) once it has
// ended.
func (s *Session) Map(name string) (*Map, error) {
	m := s.script.mapNamed(name)
	if m == nil {
		return nil, fmt.Errorf("the script has no map %s (its maps: %v)", name, s.script.Maps())
	}
	l := s.loaded()
	if l == nil {
		return nil, ErrNotRunning
	}
	entries, err := l.Typed(m)
	if err != nil {
		return nil, fmt.Errorf("could not read %s: %w", m.ScriptName, err)
	}
	out := &Map{Name: m.ScriptName, Kind: aggregation(m.Value)}
	for _, e := range entries {
		out.Entries = append(out.Entries, Entry{Key: e.Key, Value: e.Value})
	}
	return out, nil
}

// Maps reads every map, in order of first use in the script.
func (s *Session) Maps() ([]*Map, error) {
	var out []*Map
	for _, name := range s.script.Maps() {
		m, err := s.Map(name)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// PrintMaps prints every map's current contents to w as gobpftrace
// prints them at exit (without the blank lines before them), in the
// script's Format. It may be called while the session prints its events.
func (s *Session) PrintMaps(w io.Writer) error {
	l := s.loaded()
	if l == nil {
		return ErrNotRunning
	}
	return l.PrintMaps(w)
}

func (s *Session) loaded() *runtime.Live {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.live
}

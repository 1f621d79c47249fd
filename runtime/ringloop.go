package runtime

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/cilium/ebpf/ringbuf"

	"github.com/gobpftrace/gobpftrace/runtime/host"
)

// The ring buffer loops: poll while probes run, then discard or drain.

// poll dispatches events until ctx is done, exit() is called, or, with
// drainOnly, the ring buffer is empty.
func (s *session) poll(ctx context.Context, drainOnly bool) error {
	if s.ring == nil {
		if !drainOnly {
			<-ctx.Done()
		}
		return nil
	}
	s.disp.stop = ctx.Done()
	defer func() { s.disp.stop = nil }()
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
			s.disp.handleSafe(rec.RawSample)
			if s.disp.exited {
				s.noteExit()
			}
			s.recordRead(len(rec.RawSample))
			if s.disp.exited || s.disp.failed != nil {
				return s.out.Flush()
			}
			pending := s.pendingExit != nil
			s.reportLost(false)
			read := 0
			if pending {
				read = (len(rec.RawSample) + 8 + 7) &^ 7
			}
			// An exit() the ring buffer had no room for: its flag was read
			// before this record when pending.
			if s.exitIfPending(read, pending && rec.Remaining == 0) {
				s.noteExit()
				return s.out.Flush()
			}
			if rec.Remaining == 0 || s.opts.FlushEvents {
				s.out.Flush()
			}
			if !drainOnly {
				s.batch.read(len(rec.RawSample))
				if rec.Remaining == 0 {
					s.batch.pause(ctx) // the events meanwhile are one batch (batch.go)
				}
			}
			if rec.Remaining == 0 && !drainOnly && s.plan.Drops != "" {
				// Events lost since the last look (at most a second ago)
				// are reported a second after it if nothing else comes.
				s.ring.SetDeadline(s.lostCheck.Add(time.Second))
			}
		case errors.Is(err, os.ErrDeadlineExceeded) && !drainOnly:
			pending := s.pendingExit != nil // its flag read before the ring buffer was found empty
			s.reportLost(true)              // the timer may fire a little early
			s.out.Flush()
			// An exit() without room: at once if nothing came since its
			// flag was read, else after what came.
			if s.pendingExit != nil && s.exitIfPending(0, pending) {
				s.noteExit()
				return nil
			}
			s.ring.SetDeadline(time.Time{})
		case errors.Is(err, os.ErrDeadlineExceeded):
			s.out.Flush()
			return nil
		case errors.Is(err, ringbuf.ErrFlushed):
			s.out.Flush()
		case errors.Is(err, ringbuf.ErrClosed):
			return nil
		default:
			return fmt.Errorf("could not read events: %s", host.ErrnoText(err))
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
			return fmt.Errorf("could not read events: %s", host.ErrnoText(err))
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
				s.disp.handleSafe(rec.RawSample)
			}
		case errors.Is(err, os.ErrDeadlineExceeded):
			return s.out.Flush()
		case errors.Is(err, ringbuf.ErrFlushed):
		default:
			return fmt.Errorf("could not read events: %s", host.ErrnoText(err))
		}
	}
}

package runtime

import (
	"context"
	"time"
)

// Batching the ring buffer's records. The kernel wakes the reader when a
// record is committed to an empty ring buffer, so a reader that keeps up
// wakes for every event or so, and a wake-up costs far more than a record
// (on this 2-vCPU VM about 100-200 µs of CPU in context switches of the Go
// runtime's threads against well under a microsecond to format a printf).
// After emptying the ring buffer the reader therefore pauses: the records
// committed meanwhile wake no one (the kernel wakes only for the first, and
// no one waits) and are read as one batch. An event that comes alone is
// still printed at once; later ones wait at most maxBatchPause.
const (
	maxBatchPause = 10 * time.Millisecond
	// Shorter pauses save too little to be worth a timer.
	minBatchPause = 50 * time.Microsecond
)

// batcher times the reader's pauses. A pause is cut short so that, at the
// rate of the last batch, a quarter of the ring buffer fills meanwhile at
// most: pausing must not lose events that a reader which kept up would
// have read.
type batcher struct {
	ringSize int
	timer    *time.Timer
	bytes    int       // bytes of records read since the last pause
	last     time.Time // when the last pause began
}

// read counts a record of n bytes (its 8-byte header and padding added).
func (b *batcher) read(n int) { b.bytes += (n + 8 + 7) &^ 7 }

// pause waits after the ring buffer was emptied, until ctx is done at most.
func (b *batcher) pause(ctx context.Context) {
	now := time.Now()
	d := maxBatchPause
	if b.bytes > 0 && !b.last.IsZero() {
		// The time a quarter of the ring buffer takes to fill at the rate
		// of the records read since the last pause.
		fill := time.Duration(float64(now.Sub(b.last)) * float64(b.ringSize/4) / float64(b.bytes))
		d = min(d, fill)
	}
	b.bytes, b.last = 0, now
	if d < minBatchPause || ctx.Err() != nil {
		return
	}
	if b.timer == nil {
		b.timer = time.NewTimer(d)
	} else {
		b.timer.Reset(d)
	}
	select {
	case <-b.timer.C:
	case <-ctx.Done():
		b.timer.Stop()
	}
}

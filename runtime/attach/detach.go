package attach

import (
	"io"
	"os"
	"sync"

	"github.com/cilium/ebpf/link"
)

// detacher is an attachment that can stop its program from running before
// it is closed.
type detacher interface {
	io.Closer
	// Detach stops the program from running; Close still releases the rest.
	Detach()
}

// tracepointAttachment keeps a second handle on the perf event of a
// tracepoint (or single uprobe). Closing the last handle of such a perf
// event makes the kernel wait for RCU grace periods under a global mutex
// (about 35ms each here, so 12s for syscalls:sys_enter_*), while closing
// the BPF link alone detaches the program at once. The handle goes to the
// gobpftrace-release child when there are many (closer.go); otherwise Run
// detaches every link, runs END and prints the maps, and only then closes
// the perf events.
type tracepointAttachment struct {
	link link.Link
	perf *os.File // nil when the link gave no perf event handle
	once sync.Once
}

func newTracepointAttachment(l link.Link) *tracepointAttachment {
	a := &tracepointAttachment{link: l}
	if pe, ok := l.(link.PerfEvent); ok {
		if f, err := pe.PerfEvent(); err == nil {
			a.perf = f
		}
	}
	return a
}

func (a *tracepointAttachment) Detach() {
	a.once.Do(func() { a.link.Close() })
}

func (a *tracepointAttachment) Close() error {
	a.Detach()
	if a.perf != nil {
		return a.perf.Close()
	}
	return nil
}

// DetachAll stops every program. Detaches run concurrently because each
// waits for an RCU grace period, which concurrent detaches share (measured
// here: 30 tracepoints in 1.5s one by one, in 40ms together).
func DetachAll(cs []io.Closer) {
	var rest []io.Closer
	var ds []detacher
	for _, c := range cs {
		if d, ok := c.(detacher); ok {
			ds = append(ds, d)
		} else {
			rest = append(rest, c)
		}
	}
	inParallel(ds, func(d detacher) { d.Detach() })
	closeAll(rest)
}

// closeAll closes everything concurrently, ignoring errors: it runs on
// teardown, where some closes wait on the kernel.
func closeAll(cs []io.Closer) {
	inParallel(cs, func(c io.Closer) { c.Close() })
}

// parallelism bounds the goroutines of inParallel.
const parallelism = 64

func inParallel[T any](xs []T, fn func(T)) {
	if len(xs) <= 1 {
		for _, x := range xs {
			fn(x)
		}
		return
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, parallelism)
	for _, x := range xs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			fn(x)
			<-sem
		}()
	}
	wg.Wait()
}

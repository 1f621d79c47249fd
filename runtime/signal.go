package runtime

import (
	"context"
	"os/signal"
	"syscall"
)

// SignalContext returns a context cancelled on SIGINT or SIGTERM, which
// makes Run stop, run END and print the maps, as bpftrace does on Ctrl-C.
// Signals stay caught until stop is called: `timeout -s INT` delivers its
// signal twice (to the process and to its group), and the second one must
// not kill the process while END runs and the maps print.
func SignalContext(parent context.Context) (ctx context.Context, stop context.CancelFunc) {
	return signal.NotifyContext(parent, syscall.SIGINT, syscall.SIGTERM)
}

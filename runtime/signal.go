package runtime

import (
	"context"
	"os/signal"
	"syscall"
)

// SignalContext returns a context cancelled on SIGINT or SIGTERM, which
// makes Run stop, run END and print the maps, as bpftrace does on Ctrl-C.
// Call stop to restore default signal handling.
func SignalContext(parent context.Context) (ctx context.Context, stop context.CancelFunc) {
	return signal.NotifyContext(parent, syscall.SIGINT, syscall.SIGTERM)
}

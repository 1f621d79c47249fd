package runtime

import (
	"context"
	"os/signal"
	"syscall"
)

// SignalContext returns a context cancelled on SIGINT, SIGTERM or SIGHUP,
// which makes Run stop, run END and print the maps, as bpftrace does on
// Ctrl-C. SIGHUP (a closed terminal or ssh session) ends the run the same
// way instead of killing the process before END and the maps.
// Signals stay caught until stop is called: `timeout -s INT` delivers its
// signal twice (to the process and to its group), and the second one must
// not kill the process while END runs and the maps print.
func SignalContext(parent context.Context) (ctx context.Context, stop context.CancelFunc) {
	return signal.NotifyContext(parent, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
}

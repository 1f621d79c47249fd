package runtime

import (
	"fmt"
	"os"
)

// testPanic injects a panic so tests can check that the run still ends
// cleanly: END once, the maps once, everything released, one error line.
// Only tests set GOBPFTRACE_TEST_PANIC: "event" makes the first event
// handled panic, "maps" the printing of the maps at exit.
var testPanic = os.Getenv("GOBPFTRACE_TEST_PANIC")

const injectedPanic = "injected by GOBPFTRACE_TEST_PANIC"

// handleSafe is handle with a bug in the runtime contained: a panic while
// handling a record is recovered and kept as the run's error, and the run
// stops as after exit() (END runs, maps print), then fails.
func (d *dispatcher) handleSafe(rec []byte) {
	defer func() {
		if r := recover(); r != nil && d.failed == nil {
			d.failed = fmt.Errorf("internal error while handling an event: %v", r)
		}
	}()
	if testPanic == "event" && !d.injected {
		d.injected = true
		panic(injectedPanic)
	}
	d.handle(rec)
}

// recoverRun turns a panic anywhere in Run into its error. Run's deferred
// cleanups (detaching, closing maps and programs) have run by then.
func recoverRun(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("internal error: %v", r)
	}
}

package runtime

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang/check"
	"github.com/gobpftrace/gobpftrace/lang/parser"
	"github.com/gobpftrace/gobpftrace/runtime/probes"
)

// Lost events in both formats, as bpftrace v0.26 reports them: "Lost N
// events" on stderr in text mode; in JSON mode a line of the output,
// {"type": "lost_events", "count": N, "data": {"events": N}}. The ring
// buffer is overrun as in TestLostEventsReported.
func TestLostEventsFormats(t *testing.T) {
	requireRoot(t)
	env, err := probes.NewEnv()
	if err != nil {
		t.Fatal(err)
	}
	src := fmt.Sprintf(`tracepoint:syscalls:sys_enter_getppid /pid == %d/ { printf("ev %%d %%d %%d %%d\n", nsecs, nsecs, nsecs, nsecs); }`, os.Getpid())
	prog, err := parser.Parse("stdin", src)
	if err != nil {
		t.Fatal(err)
	}
	c, err := check.Check(prog, "stdin", src, env, check.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const n = 100000
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			plan, err := codegen.Compile(c)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var stdout, stderr syncBuffer
			err = Run(ctx, plan, Options{Stdout: &stdout, Stderr: &stderr, Format: format, OnAttached: func() {
				for i := 0; i < n; i++ {
					unix.Getppid()
				}
				cancel()
			}})
			checkNoLeaks(t)
			if err != nil {
				t.Fatal(err)
			}
			out, errs := stdout.String(), stderr.String()
			lost := 0
			if format == "text" {
				for _, m := range regexp.MustCompile(`(?m)^Lost (\d+) events$`).FindAllStringSubmatch(errs, -1) {
					k, _ := strconv.Atoi(m[1])
					lost += k
				}
				if strings.Contains(out, "Lost ") {
					t.Errorf("Lost lines in stdout")
				}
			} else {
				for _, m := range regexp.MustCompile(`(?m)^\{"type": "lost_events", "count": (\d+), "data": \{"events": (\d+)\}\}$`).FindAllStringSubmatch(out, -1) {
					if m[1] != m[2] {
						t.Errorf("count %s, events %s", m[1], m[2])
					}
					k, _ := strconv.Atoi(m[1])
					lost += k
				}
			}
			printed := strings.Count(out, "ev ")
			if lost == 0 || printed+lost != n {
				t.Errorf("%d events: %d printed, %d reported lost", n, printed, lost)
			}
			if want := fmt.Sprintf("WARNING: %d events lost in total", lost); !strings.Contains(errs, want) {
				t.Errorf("no %q on stderr:\n%s", want, errs)
			}
		})
	}
}

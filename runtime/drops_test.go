package runtime

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang/check"
	"github.com/gobpftrace/gobpftrace/lang/parser"
	"github.com/gobpftrace/gobpftrace/runtime/probes"
)

// An overrun ring buffer: nothing reads it while the test makes 100000
// events of 40 bytes (4 MB for a 1 MB buffer). Every event is either
// printed or counted in "Lost N events", and the total is on stderr.
func TestLostEventsReported(t *testing.T) {
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
	plan, err := codegen.Compile(c)
	if err != nil {
		t.Fatal(err)
	}
	const n = 100000
	out, err := runPlan(t, plan, func() {
		// Run calls this before it reads the ring buffer.
		for i := 0; i < n; i++ {
			unix.Getppid()
		}
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	printed := strings.Count(out, "ev ")
	lost := 0
	for _, m := range regexp.MustCompile(`(?m)^Lost (\d+) events$`).FindAllStringSubmatch(out, -1) {
		k, _ := strconv.Atoi(m[1])
		lost += k
	}
	if lost == 0 || printed+lost != n {
		t.Errorf("%d events: %d printed, %d reported lost", n, printed, lost)
	}
	if want := fmt.Sprintf("WARNING: %d events lost in total", lost); !strings.Contains(out, want) {
		t.Errorf("no %q in the output", want)
	}
}

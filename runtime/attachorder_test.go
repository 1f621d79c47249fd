package runtime

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
)

// Tracepoints attached concurrently: the probes of one tracepoint share a
// lane, in their order, so that the kernel runs them in that order.
func TestSameEventLanes(t *testing.T) {
	var probes []*codegen.Program
	for _, ev := range []string{"syscalls:a", "sched:b", "syscalls:a", "syscalls:c", "sched:b", "syscalls:a"} {
		cat, name, _ := strings.Cut(ev, ":")
		probes = append(probes, &codegen.Program{Attach: &lang.Resolved{Category: cat, Event: name}})
	}
	if got := fmt.Sprint(sameEventLanes(probes)); got != "[[0 2 5] [1 4] [3]]" {
		t.Errorf("lanes %s, want [[0 2 5] [1 4] [3]]", got)
	}
}

package runtime

import (
	"fmt"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/codegen"
)

// softwareEvent is a software perf event and bpftrace's default count.
type softwareEvent struct {
	config       uint64
	defaultCount uint64
}

// softwareEvents maps bpftrace's software event names and aliases.
var softwareEvents = map[string]softwareEvent{
	"cpu-clock":        {unix.PERF_COUNT_SW_CPU_CLOCK, 1000000},
	"cpu":              {unix.PERF_COUNT_SW_CPU_CLOCK, 1000000},
	"task-clock":       {unix.PERF_COUNT_SW_TASK_CLOCK, 1000000},
	"page-faults":      {unix.PERF_COUNT_SW_PAGE_FAULTS, 100},
	"faults":           {unix.PERF_COUNT_SW_PAGE_FAULTS, 100},
	"context-switches": {unix.PERF_COUNT_SW_CONTEXT_SWITCHES, 1000},
	"cs":               {unix.PERF_COUNT_SW_CONTEXT_SWITCHES, 1000},
	"cpu-migrations":   {unix.PERF_COUNT_SW_CPU_MIGRATIONS, 1},
	"minor-faults":     {unix.PERF_COUNT_SW_PAGE_FAULTS_MIN, 100},
	"major-faults":     {unix.PERF_COUNT_SW_PAGE_FAULTS_MAJ, 1},
	"alignment-faults": {unix.PERF_COUNT_SW_ALIGNMENT_FAULTS, 1},
	"emulation-faults": {unix.PERF_COUNT_SW_EMULATION_FAULTS, 1},
	"dummy":            {unix.PERF_COUNT_SW_DUMMY, 1},
	"bpf-output":       {unix.PERF_COUNT_SW_BPF_OUTPUT, 1},
}

// softwareAttr reads software:<event>[:<count>] from the attach point as
// written (the checker resolves no extra fields for it yet); a non-zero
// PeriodNs, when the checker sets it, is the count.
func softwareAttr(p *codegen.Program) (unix.PerfEventAttr, error) {
	var parts []string
	if p.Attach.Point != nil {
		parts = p.Attach.Point.Parts
	}
	if len(parts) == 0 {
		return unix.PerfEventAttr{}, fmt.Errorf("%s: missing software event name", probeName(p))
	}
	ev, ok := softwareEvents[parts[0]]
	if !ok {
		return unix.PerfEventAttr{}, fmt.Errorf("%s: unknown software event %q", probeName(p), parts[0])
	}
	count := ev.defaultCount
	if p.Attach.PeriodNs != 0 {
		count = p.Attach.PeriodNs
	} else if len(parts) > 1 && parts[1] != "" {
		n, err := strconv.ParseUint(parts[1], 10, 64)
		if err != nil || n == 0 {
			return unix.PerfEventAttr{}, fmt.Errorf("%s: bad count %q", probeName(p), parts[1])
		}
		count = n
	}
	attr := cpuClockEvent(count, 0)
	attr.Config = ev.config
	return attr, nil
}

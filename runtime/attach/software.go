package attach

import (
	"fmt"
	"io"
	"strconv"
	"unsafe"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/stdlib"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// attachSoftware attaches a software or hardware program to its perf
// event on every CPU, counting process pid only when it is not 0.
func attachSoftware(p *codegen.Program, prog *ebpf.Program, pid int) ([]io.Closer, error) {
	attr, err := perfEventAttr(p)
	if err != nil {
		return nil, err
	}
	return attachEveryCPU(p, prog, attr, pid)
}

// perfEventAttr describes the perf event of a software or hardware probe:
// the checker resolved the event's config and count (the event's default
// when the probe gives none).
func perfEventAttr(p *codegen.Program) (unix.PerfEventAttr, error) {
	a := p.Attach
	config, count := a.PerfConfig, a.PerfCount
	if count == 0 {
		// A plan made without the checker's resolution: find the event.
		var parts []string
		if a.Point != nil {
			parts = a.Point.Parts
		}
		if len(parts) == 0 {
			return unix.PerfEventAttr{}, fmt.Errorf("%s: missing %s event name", ProbeName(p), a.Provider)
		}
		ev := stdlib.LookupPerfEvent(a.Provider, parts[0])
		if ev == nil {
			return unix.PerfEventAttr{}, fmt.Errorf("%s: unknown %s event %q", ProbeName(p), a.Provider, parts[0])
		}
		config, count = ev.Config, ev.DefaultCount
		if a.PeriodNs != 0 {
			count = a.PeriodNs
		} else if len(parts) > 1 && parts[1] != "" {
			n, err := strconv.ParseUint(parts[1], 10, 64)
			if err != nil || n == 0 {
				return unix.PerfEventAttr{}, fmt.Errorf("%s: bad count %q", ProbeName(p), parts[1])
			}
			count = n
		}
	}
	typ := uint32(unix.PERF_TYPE_SOFTWARE)
	if a.Provider == probetype.Hardware {
		typ = unix.PERF_TYPE_HARDWARE
	}
	return unix.PerfEventAttr{
		Type:   typ,
		Config: config,
		Size:   uint32(unsafe.Sizeof(unix.PerfEventAttr{})),
		Sample: count,
	}, nil
}

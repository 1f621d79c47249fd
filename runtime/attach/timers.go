package attach

import (
	"fmt"
	"io"
	"unsafe"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/codegen"
)

// Timers: interval and profile probes are cpu-clock perf events.

// attachInterval attaches an interval program: as in bpftrace, a timer on
// the first CPU, never limited to a process.
func attachInterval(p *codegen.Program, prog *ebpf.Program) ([]io.Closer, error) {
	a := p.Attach
	if a.PeriodNs == 0 {
		return nil, fmt.Errorf("%s: the interval must be at least 1ns", ProbeName(p))
	}
	pa, err := attachPerfEvent(prog, cpuClockEvent(a.PeriodNs, 0), 0, 0)
	if err != nil {
		return nil, attachError(p, err)
	}
	return []io.Closer{pa}, nil
}

// attachProfile attaches a profile program on every CPU, counting process
// pid only when it is not 0.
func attachProfile(p *codegen.Program, prog *ebpf.Program, pid int) ([]io.Closer, error) {
	a := p.Attach
	if a.PeriodNs == 0 && a.Frequency == 0 {
		return nil, fmt.Errorf("%s: the rate must be at least 1", ProbeName(p))
	}
	return attachEveryCPU(p, prog, cpuClockEvent(a.PeriodNs, a.Frequency), pid)
}

// cpuClockEvent describes a PERF_COUNT_SW_CPU_CLOCK event firing every
// periodNs nanoseconds, or freq times a second when freq != 0.
func cpuClockEvent(periodNs, freq uint64) unix.PerfEventAttr {
	attr := unix.PerfEventAttr{
		Type:   unix.PERF_TYPE_SOFTWARE,
		Config: unix.PERF_COUNT_SW_CPU_CLOCK,
		Size:   uint32(unsafe.Sizeof(unix.PerfEventAttr{})),
		Sample: periodNs,
	}
	if freq != 0 {
		attr.Sample = freq
		attr.Bits |= unix.PerfBitFreq
	}
	return attr
}

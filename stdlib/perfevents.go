package stdlib

import "github.com/gobpftrace/gobpftrace/stdlib/probetype"

// PerfEvent is one named event of the software or hardware provider.
type PerfEvent struct {
	// Name is the canonical name; Alias the short spelling ("" when none).
	Name, Alias string
	// Config is the perf_event_attr config (PERF_COUNT_SW_* or
	// PERF_COUNT_HW_*).
	Config uint64
	// DefaultCount is the sample period used when the probe gives none.
	DefaultCount uint64
}

// SoftwareEvents are the software provider's events, as bpftrace names
// them (perf_event_attr type PERF_TYPE_SOFTWARE).
var SoftwareEvents = []PerfEvent{
	{"alignment-faults", "", 7, 1},
	{"bpf-output", "", 10, 1},
	{"context-switches", "cs", 3, 1000},
	{"cpu-clock", "cpu", 0, 1000000},
	{"cpu-migrations", "", 4, 1},
	{"dummy", "", 9, 1},
	{"emulation-faults", "", 8, 1},
	{"major-faults", "", 6, 1},
	{"minor-faults", "", 5, 100},
	{"page-faults", "faults", 2, 100},
	{"task-clock", "", 1, 1},
}

// HardwareEvents are the hardware provider's events, as bpftrace names them
// (perf_event_attr type PERF_TYPE_HARDWARE).
var HardwareEvents = []PerfEvent{
	{"backend-stalls", "", 8, 1000000},
	{"branch-instructions", "branches", 4, 100000},
	{"branch-misses", "", 5, 100000},
	{"bus-cycles", "", 6, 100000},
	{"cache-misses", "", 3, 1000000},
	{"cache-references", "", 2, 1000000},
	{"cpu-cycles", "cycles", 0, 1000000},
	{"frontend-stalls", "", 7, 1000000},
	{"instructions", "", 1, 1000000},
	{"ref-cycles", "", 9, 1000000},
}

// LookupPerfEvent finds a software or hardware event by name or alias.
func LookupPerfEvent(provider probetype.Type, name string) *PerfEvent {
	list := SoftwareEvents
	if provider == probetype.Hardware {
		list = HardwareEvents
	}
	for i := range list {
		if list[i].Name == name || list[i].Alias != "" && list[i].Alias == name {
			return &list[i]
		}
	}
	return nil
}

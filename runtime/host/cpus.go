package host

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/cilium/ebpf"
)

// NumCPU returns the number of possible CPUs: the number of values a
// per-CPU map holds for each key.
func NumCPU() int {
	n, err := ebpf.PossibleCPU()
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// OnlineCPUs lists the CPUs that are online now (profile attaches to each).
func OnlineCPUs() ([]int, error) {
	data, err := os.ReadFile("/sys/devices/system/cpu/online")
	if err != nil {
		return nil, fmt.Errorf("could not list online CPUs: %s", ErrnoText(err))
	}
	return ParseCPUList(strings.TrimSpace(string(data)))
}

// ParseCPUList parses the kernel's CPU list format: "0-3,5,7-8".
func ParseCPUList(s string) ([]int, error) {
	var cpus []int
	for _, part := range strings.Split(s, ",") {
		if part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			return nil, fmt.Errorf("bad CPU list %q", s)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return nil, fmt.Errorf("bad CPU list %q", s)
			}
		}
		for c := a; c <= b; c++ {
			cpus = append(cpus, c)
		}
	}
	return cpus, nil
}

// HasPMU reports whether the processor's performance counters are there
// (hardware perf events).
func HasPMU() bool {
	_, err := os.Stat("/sys/bus/event_source/devices/cpu")
	return err == nil
}

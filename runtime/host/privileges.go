package host

import (
	"os"
	"strconv"
	"strings"
)

// Capability bit numbers (linux/capability.h).
const (
	CapSysAdmin = 21
	capPerfmon  = 38
	capBPF      = 39
)

// Privileged reports whether the process can load tracing programs: root,
// or CAP_BPF with CAP_PERFMON, or CAP_SYS_ADMIN.
func Privileged() bool {
	if os.Geteuid() == 0 {
		return true
	}
	caps, ok := effectiveCaps()
	if !ok {
		return false
	}
	has := func(bit uint) bool { return caps&(1<<bit) != 0 }
	return has(CapSysAdmin) || has(capBPF) && has(capPerfmon)
}

// effectiveCaps reads CapEff from /proc/self/status.
func effectiveCaps() (uint64, bool) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "CapEff:"); ok {
			caps, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			return caps, err == nil
		}
	}
	return 0, false
}

// CheckPrivileges returns the one-line error a user without the rights to
// trace gets, or nil. The command calls it before compiling, so that the
// first thing such a user reads is what to do.
func CheckPrivileges() error {
	if !Privileged() {
		return PrivilegeError()
	}
	return nil
}

// Package kerneltest holds what the runtime packages' privileged tests share:
// they need root, and they must leave nothing loaded in the kernel.
package kerneltest

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cilium/ebpf"
)

// RequireRoot skips a test that needs root, except in CI, where every
// privileged test must run.
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("this test needs root, and CI=true forbids skipping it")
	}
	t.Skip("needs root")
}

// CheckNoLeaks fails if a test program or map (named gbt*) is still in the
// kernel: a leaked link or perf event would keep its program alive too. The
// kernel frees objects after an RCU grace period, so it waits a little.
func CheckNoLeaks(t testing.TB) {
	t.Helper()
	var leaks []string
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		leaks = Objects()
		if len(leaks) == 0 || time.Now().After(deadline) {
			break
		}
	}
	for _, l := range leaks {
		t.Errorf("%s is still loaded", l)
	}
}

// Objects lists the test programs and maps (named gbt*) in the kernel.
func Objects() []string {
	var found []string
	var id ebpf.ProgramID
	for {
		next, err := ebpf.ProgramGetNextID(id)
		if err != nil {
			break
		}
		id = next
		p, err := ebpf.NewProgramFromID(id)
		if err != nil {
			continue
		}
		info, err := p.Info()
		p.Close()
		if err == nil && strings.HasPrefix(info.Name, "gbt") {
			found = append(found, fmt.Sprintf("program %s (id %d)", info.Name, id))
		}
	}
	var mid ebpf.MapID
	for {
		next, err := ebpf.MapGetNextID(mid)
		if err != nil {
			break
		}
		mid = next
		m, err := ebpf.NewMapFromID(mid)
		if err != nil {
			continue
		}
		info, err := m.Info()
		m.Close()
		if err == nil && strings.HasPrefix(info.Name, "gbt") {
			found = append(found, fmt.Sprintf("map %s (id %d)", info.Name, mid))
		}
	}
	return found
}

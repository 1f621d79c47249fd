package symbols

import (
	"testing"

	"github.com/cilium/ebpf"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/runtime/internal/kerneltest"
)

// A stack id the kernel's stack map does not hold is an error in
// bpftrace's words, naming the map, before and after the maps are frozen
// at the end of a run.
func TestStackLookupFailed(t *testing.T) {
	kerneltest.RequireRoot(t)
	m, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.StackTrace, KeySize: 4, ValueSize: 8 * 127, MaxEntries: 16})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	plan := &codegen.Plan{StackMaps: map[int]string{127: "stack127"}}
	s := NewSymbolizer(plan, map[string]*ebpf.Map{"stack127": m})
	const want = "BPF map operation lookup failed: No such file or directory [map = stack127]"
	frames, err := s.Stack(127, 5)
	if err == nil || err.Error() != want || frames != nil {
		t.Errorf("Stack(127, 5) = %v, %v; want the error %q", frames, err, want)
	}
	s.Freeze()
	if _, err := s.Stack(127, 5); err == nil || err.Error() != want {
		t.Errorf("after Freeze: %v; want %q", err, want)
	}
	// A negative id is a stack the program could not record.
	if frames, err := s.Stack(127, -17); frames != nil || err == nil || err.Error() != want {
		t.Errorf("Stack(127, -17) = %v, %v; want the error %q", frames, err, want)
	}
}

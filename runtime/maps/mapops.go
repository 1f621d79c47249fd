package maps

import (
	"errors"
	"fmt"

	"github.com/cilium/ebpf"

	"github.com/gobpftrace/gobpftrace/runtime/host"
)

// clearMap removes every entry of m (clear(@m)); arrays cannot lose
// entries, so they are zeroed, as bpftrace does.
func Clear(m *ebpf.Map) error {
	if m.Type() == ebpf.Array || m.Type() == ebpf.PerCPUArray {
		return Zero(m)
	}
	keys, err := mapKeys(m)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := m.Delete(k); err != nil && !errors.Is(err, ebpf.ErrKeyNotExist) {
			return fmt.Errorf("could not clear map: %s", host.ErrnoText(err))
		}
	}
	return nil
}

// zeroMap sets every existing value of m to zero (zero(@m)).
func Zero(m *ebpf.Map) error {
	keys, err := mapKeys(m)
	if err != nil {
		return err
	}
	var zero any = make([]byte, m.ValueSize())
	if isPerCPU(m) {
		zero = byteArrays(host.NumCPU(), int(m.ValueSize())).Interface()
	}
	for _, k := range keys {
		err := m.Update(k, zero, ebpf.UpdateExist)
		if err != nil && !errors.Is(err, ebpf.ErrKeyNotExist) {
			return fmt.Errorf("could not zero map: %s", host.ErrnoText(err))
		}
	}
	return nil
}

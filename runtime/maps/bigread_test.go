package maps

import (
	"encoding/binary"
	"errors"
	"syscall"
	"testing"
	"time"

	"github.com/cilium/ebpf"

	"github.com/gobpftrace/gobpftrace/runtime/host"
	"github.com/gobpftrace/gobpftrace/runtime/internal/kerneltest"
	"github.com/gobpftrace/gobpftrace/runtime/output"
)

// BenchmarkReadBigMap reads a per-CPU hash of 1,000,000 u64 keys made as
// codegen makes bigmap.bt's (elements allocated on insert, max entries
// twice the keys), filled from user space. Filling it takes seconds.
func BenchmarkReadBigMap(b *testing.B) {
	benchmarkReadBigMap(b, Read)
}

func benchmarkReadBigMap(b *testing.B, read func(*ebpf.Map) (*output.Entries, error)) {
	kerneltest.RequireRoot(b)
	const n = 1_000_000
	m, err := ebpf.NewMap(&ebpf.MapSpec{Name: "gbt_bigread", Type: ebpf.PerCPUHash, KeySize: 8, ValueSize: 8, MaxEntries: 2 * n, Flags: 1 /* BPF_F_NO_PREALLOC */})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	ncpu := host.NumCPU()
	const chunk = 10_000
	keys, vals := byteArrays(chunk, 8), byteArrays(chunk*ncpu, 8)
	for base := 0; base < n; base += chunk {
		for i := 0; i < chunk; i++ {
			binary.LittleEndian.PutUint64(keys.Index(i).Bytes(), uint64(1e9+(base+i)*977))
			binary.LittleEndian.PutUint64(vals.Index(i*ncpu).Bytes(), uint64(i%7+1))
		}
		// The kernel allocates elements without sleeping: a busy machine
		// refuses some for a moment.
		for try := 0; ; try++ {
			_, err = m.BatchUpdate(keys.Interface(), vals.Interface(), nil)
			if err == nil || !errors.Is(err, syscall.ENOMEM) || try == 100 {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		entries, err := read(m)
		if err != nil || entries.Len() != n {
			b.Fatalf("%d entries, %v", entries.Len(), err)
		}
	}
}

package maps

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sync"
	"testing"

	"github.com/cilium/ebpf"

	"github.com/gobpftrace/gobpftrace/runtime/host"
	"github.com/gobpftrace/gobpftrace/runtime/internal/kerneltest"
	"github.com/gobpftrace/gobpftrace/runtime/output"
)

// halvesShape is a map read in halves: its kernel spec and how its n-th
// key and n-th value (every CPU's, side by side) are made.
type halvesShape struct {
	name  string
	spec  ebpf.MapSpec
	key   func(n int) []byte
	value func(n, cpu int) []byte
}

func halvesShapes() []halvesShape {
	const max = parallelMin // 65,536 buckets: the halves meet at 32,768
	u64 := func(x uint64) []byte { return binary.LittleEndian.AppendUint64(nil, x) }
	return []halvesShape{{
		// bigmap.bt's @[nsecs] = count(): u64 keys, a count per CPU.
		name:  "per-CPU count",
		spec:  ebpf.MapSpec{Type: ebpf.PerCPUHash, KeySize: 8, ValueSize: 8, MaxEntries: max},
		key:   func(n int) []byte { return u64(1e12 + uint64(n)*7919) },
		value: func(n, cpu int) []byte { return u64(uint64(n*(cpu+1)) % 1000) },
	}, {
		// @[str(...)] = sum(...) at 64-byte strings, not per-CPU.
		name: "string keys",
		spec: ebpf.MapSpec{Type: ebpf.Hash, KeySize: 64, ValueSize: 8, MaxEntries: max},
		key: func(n int) []byte {
			k := make([]byte, 64)
			copy(k, fmt.Sprintf("/some/path/%d/file-%x", n, n*31))
			return k
		},
		value: func(n, _ int) []byte { return u64(uint64(n) << 20) },
	}, {
		// @[tid] = hist(...): the user key then the bucket index, one
		// u64 count per CPU; 12-byte values check the per-CPU stride.
		name: "hist",
		spec: ebpf.MapSpec{Type: ebpf.PerCPUHash, KeySize: 16, ValueSize: 12, MaxEntries: max},
		key: func(n int) []byte {
			return binary.LittleEndian.AppendUint64(u64(uint64(n/40)), uint64(n%40))
		},
		value: func(n, cpu int) []byte { return append(u64(uint64(n+cpu)), 1, 2, byte(cpu)+3, 4) },
	}, {
		name:  "LRU",
		spec:  ebpf.MapSpec{Type: ebpf.LRUHash, KeySize: 4, ValueSize: 8, MaxEntries: 2 * max}, // an LRU map evicts before it is full
		key:   func(n int) []byte { return binary.LittleEndian.AppendUint32(nil, uint32(n)*2654435761) },
		value: func(n, _ int) []byte { return u64(^uint64(n)) },
	}}
}

// fill puts keys 0..n-1 of shape into m.
func (s halvesShape) fill(t *testing.T, m *ebpf.Map, n int) {
	t.Helper()
	ncpu := 1
	if isPerCPU(m) {
		ncpu = host.NumCPU()
	}
	const chunk = 4096
	for base := 0; base < n; base += chunk {
		c := min(chunk, n-base)
		keys, vals := byteArrays(c, int(m.KeySize())), byteArrays(c*ncpu, int(m.ValueSize()))
		for i := range c {
			copy(keys.Index(i).Bytes(), s.key(base+i))
			for cpu := range ncpu {
				copy(vals.Index(i*ncpu+cpu).Bytes(), s.value(base+i, cpu))
			}
		}
		if _, err := m.BatchUpdate(keys.Interface(), vals.Interface(), nil); err != nil {
			t.Fatalf("%s: filling: %v", s.name, err)
		}
	}
}

// checkEntries asserts that entries hold keys 0..n-1 of shape exactly
// once each, with their values, and nothing else.
func (s halvesShape) checkEntries(t *testing.T, entries *output.Entries, n int) {
	t.Helper()
	index := map[string]int{}
	for i := range n {
		index[string(s.key(i))] = i
	}
	seen := make([]bool, n)
	for i := range entries.Len() {
		k, ok := index[string(entries.Key(i))]
		if !ok {
			t.Fatalf("%s: entry %d has a key never put: %x", s.name, i, entries.Key(i))
		}
		if seen[k] {
			t.Fatalf("%s: key %d read twice", s.name, k)
		}
		seen[k] = true
		vs := entries.Values(i)
		for cpu := range vs.Len() {
			if want := s.value(k, cpu); !bytes.Equal(vs.At(cpu), want) {
				t.Fatalf("%s: key %d cpu %d: value %x, want %x", s.name, k, cpu, vs.At(cpu), want)
			}
		}
	}
	if entries.Len() != n {
		t.Fatalf("%s: %d entries, want %d", s.name, entries.Len(), n)
	}
}

// A hash map read in halves holds every key once with its values, in the
// order of one batch reader (which decides the order of ties once sorted),
// whether its halves' batches overlap at the middle or not.
func TestReadHalvesExact(t *testing.T) {
	kerneltest.RequireRoot(t)
	if host.NumCPU() < 2 {
		t.Skip("one CPU: maps are read by one reader")
	}
	overlaps := 0
	for _, s := range halvesShapes() {
		for _, n := range []int{0, 1, 3000, 45000} {
			spec := s.spec
			spec.Name = "gbt_halves"
			m, err := ebpf.NewMap(&spec)
			if err != nil {
				t.Fatal(err)
			}
			s.fill(t, m, n)
			if !readsInHalves(m) {
				t.Fatalf("%s: not read in halves", s.name)
			}
			halves, overlap, err := readHalves(m)
			if err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			overlaps += overlap
			s.checkEntries(t, halves, n)
			one, err := readBatch(m)
			if err != nil {
				t.Fatal(err)
			}
			for i := range one.Len() {
				if !bytes.Equal(one.Key(i), halves.Key(i)) {
					t.Fatalf("%s, %d keys: entry %d is %x read in halves, %x by one reader", s.name, n, i, halves.Key(i), one.Key(i))
				}
			}
			// Through Read, as the printers get it.
			read, err := Read(m)
			if err != nil {
				t.Fatal(err)
			}
			s.checkEntries(t, read, n)
			m.Close()
		}
	}
	// Batches of about 1,024 entries of 45,000 keys in 65,536 buckets:
	// the first half's last one ends exactly at the middle by chance only.
	if overlaps == 0 {
		t.Errorf("no batch of the first half ran past the middle: the seam was not tested")
	}
}

// A hash map that changes while it is read in halves: the keys that stay
// are read once each with their values; keys put and deleted meanwhile
// are read at most once, with theirs.
func TestReadHalvesWhileChanging(t *testing.T) {
	kerneltest.RequireRoot(t)
	if host.NumCPU() < 2 {
		t.Skip("one CPU: maps are read by one reader")
	}
	const stay, churn = 30000, 20000
	m, err := ebpf.NewMap(&ebpf.MapSpec{Name: "gbt_halves", Type: ebpf.Hash, KeySize: 8, ValueSize: 8, MaxEntries: parallelMin})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	value := func(k uint64) uint64 { return k*3 + 1 }
	for k := uint64(0); k < stay; k++ {
		if err := m.Put(k, value(k)); err != nil {
			t.Fatal(err)
		}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		// Put and delete keys stay..stay+churn, and put the staying keys
		// again (a hash map replaces an element by a new one at the head
		// of its bucket), until the reads are done.
		defer wg.Done()
		for round := uint64(0); ; round++ {
			for i := uint64(0); i < churn; i++ {
				select {
				case <-stop:
					return
				default:
				}
				k := stay + i
				if (i+round)%2 == 0 {
					m.Put(k, value(k))
				} else {
					m.Delete(k)
				}
				m.Put(i*stay/churn, value(i*stay/churn))
			}
		}
	}()
	defer func() { close(stop); wg.Wait() }()
	for r := 0; r < 15; r++ {
		entries, _, err := readHalves(m)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[uint64]bool{}
		for i := range entries.Len() {
			k := binary.LittleEndian.Uint64(entries.Key(i))
			v := binary.LittleEndian.Uint64(entries.Values(i).First())
			if seen[k] {
				t.Fatalf("read %d: key %d read twice", r, k)
			}
			seen[k] = true
			if k >= stay+churn || v != value(k) {
				t.Fatalf("read %d: key %d, value %d", r, k, v)
			}
		}
		for k := uint64(0); k < stay; k++ {
			if !seen[k] {
				t.Fatalf("read %d: key %d, there all along, was not read", r, k)
			}
		}
	}
}

// BenchmarkReadBigMapOneReader is BenchmarkReadBigMap read by one batch
// reader, for comparison (Read reads it in halves).
func BenchmarkReadBigMapOneReader(b *testing.B) {
	benchmarkReadBigMap(b, readBatch)
}

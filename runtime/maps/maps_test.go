package maps

import (
	"bytes"
	"errors"
	"testing"

	"github.com/cilium/ebpf"

	"github.com/gobpftrace/gobpftrace/runtime/host"
	"github.com/gobpftrace/gobpftrace/runtime/internal/kerneltest"
	"github.com/gobpftrace/gobpftrace/runtime/output"
)

func TestReadMapBatchAndIterate(t *testing.T) {
	kerneltest.RequireRoot(t)
	for _, typ := range []ebpf.MapType{ebpf.Hash, ebpf.PerCPUHash, ebpf.Array, ebpf.PerCPUArray} {
		m, err := ebpf.NewMap(&ebpf.MapSpec{Name: "gbt_read", Type: typ, KeySize: 4, ValueSize: 12, MaxEntries: 2500})
		if err != nil {
			t.Fatal(err)
		}
		ncpu := 1
		if isPerCPU(m) {
			ncpu = host.NumCPU()
		}
		for k := uint32(0); k < 2500; k++ { // several batches
			var val any = []byte{byte(k), byte(k >> 8), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xee}
			if ncpu > 1 || isPerCPU(m) {
				vals := byteArrays(ncpu, 12)
				for c := 0; c < ncpu; c++ {
					b := vals.Index(c).Bytes()
					b[0], b[1], b[4] = byte(k), byte(k>>8), byte(c+1)
				}
				val = vals.Interface()
			}
			if err := m.Put(k, val); err != nil {
				t.Fatal(err)
			}
		}
		for _, read := range []func(*ebpf.Map) (*output.Entries, error){readBatch, readIterate} {
			entries, err := read(m)
			if err != nil {
				t.Fatalf("%v: %v", typ, err)
			}
			if entries.Len() != 2500 {
				t.Fatalf("%v: %d entries", typ, entries.Len())
			}
			seen := map[uint32]bool{}
			for i := range entries.Len() {
				e := entries.Entry(i)
				k := uint32(e.Key[0]) | uint32(e.Key[1])<<8
				seen[k] = true
				if len(e.Values) != ncpu {
					t.Fatalf("%v: %d values", typ, len(e.Values))
				}
				for c, v := range e.Values {
					if len(v) != 12 || uint32(v[0])|uint32(v[1])<<8 != k || ncpu > 1 && v[4] != byte(c+1) {
						t.Fatalf("%v: key %d cpu %d value %x", typ, k, c, v)
					}
				}
			}
			if len(seen) != 2500 {
				t.Fatalf("%v: %d distinct keys", typ, len(seen))
			}
		}
		// Keys padded (as for string length classes) keep their values:
		// a key's bytes sit before its values in one batch buffer.
		padded, err := ReadPadded([]*ebpf.Map{m, m}, 9)
		if err != nil || padded.Len() != 5000 {
			t.Fatalf("%v: padded: %d entries, %v", typ, padded.Len(), err)
		}
		for i := range padded.Len() {
			e := padded.Entry(i)
			k := uint32(e.Key[0]) | uint32(e.Key[1])<<8
			if len(e.Key) != 9 || !bytes.Equal(e.Key[4:], make([]byte, 5)) || uint32(e.Values[0][0])|uint32(e.Values[0][1])<<8 != k {
				t.Fatalf("%v: padded key %x value %x", typ, e.Key, e.Values[0])
			}
		}
		if err := Zero(m); err != nil {
			t.Fatal(err)
		}
		if err := Clear(m); err != nil {
			t.Fatal(err)
		}
		entries, _ := Read(m)
		wantLen := 0
		if typ == ebpf.Array || typ == ebpf.PerCPUArray {
			wantLen = 2500 // arrays are zeroed, not emptied
			for i := range entries.Len() {
				e := entries.Entry(i)
				for _, v := range e.Values {
					if !bytes.Equal(v, make([]byte, 12)) {
						t.Fatalf("%v: not zeroed: %x", typ, v)
					}
				}
			}
		}
		if entries.Len() != wantLen {
			t.Errorf("%v: %d entries after clear", typ, entries.Len())
		}
		m.Close()
	}
	kerneltest.CheckNoLeaks(t)
}

var _ = errors.New

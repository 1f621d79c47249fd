package maps

import (
	"errors"
	"math/bits"
	"unsafe"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/runtime/host"
	"github.com/gobpftrace/gobpftrace/runtime/output"
)

// Reading a large hash map on two CPUs. The kernel's batch lookup walks a
// hash map's buckets in order, taking each non-empty bucket's lock with
// interrupts off; for a map of a million keys that is most of the time of
// printing it (0.4-0.7 s on this paravirtualised VM), and one CPU's work.
// The cursor of a hash map's batch lookup is the index of the next bucket
// (kernel/bpf/hashtab.c), so two readers walk the two halves at once: the
// first from bucket 0 until its cursor reaches the middle, the second from
// the middle to the end.
//
// A batch returns whole buckets, so the first reader's last batch may run
// past the middle into buckets the second one also reads. Those keys are
// dropped from the first reader's entries: the keys the second reader
// found in its batches that began before the first reader's final cursor
// are looked for in the first reader's last batch. A key lives in one
// bucket, so every key comes out once, even from a map that changes while
// it is read, and the entries come out in bucket order, as one reader
// would read them (the same order of ties once they are sorted).

// parallelMin is the fewest max entries of a hash map read by two
// readers: smaller maps are read in a few milliseconds anyway.
const parallelMin = 1 << 16

// bucketCount is the number of buckets the kernel gives a hash map: its
// max entries rounded up to a power of two. Were it another number, the
// two readers would still cover every bucket: the first stops at its
// guess of the middle or at the end, the second reads to the end.
func bucketCount(maxEntries uint32) uint32 {
	if maxEntries <= 1 {
		return 1
	}
	return 1 << bits.Len32(maxEntries-1)
}

// readsInHalves reports whether m is a hash map worth reading in halves.
func readsInHalves(m *ebpf.Map) bool {
	switch m.Type() {
	case ebpf.Hash, ebpf.PerCPUHash, ebpf.LRUHash, ebpf.LRUCPUHash:
		return m.MaxEntries() >= parallelMin && host.NumCPU() > 1
	}
	return false
}

// batchSpan is one batch a bucketReader read: the bucket it began at, and
// its entries.
type batchSpan struct {
	from       uint32
	start, end int
}

// bucketReader reads m's buckets from from, until its cursor reaches
// until (0: the end), into entries.
type bucketReader struct {
	m           *ebpf.Map
	from, until uint32

	entries *output.Entries
	batches []batchSpan
	cursor  uint32 // the bucket the next batch would begin at
	atEnd   bool   // the kernel said there are no more buckets
	err     error
	// inOut are the batch's cursors the kernel reads and writes, in the
	// reader (on the heap, where the syscall's pointers stay valid).
	inOut [2]uint32
}

// read reads the reader's buckets. BPF_MAP_LOOKUP_BATCH is called
// directly: cilium's cursor cannot start at a given bucket.
func (r *bucketReader) read() {
	ncpu, stride := layout(r.m)
	r.entries = output.NewEntries(int(r.m.KeySize()), int(r.m.ValueSize()), stride, ncpu)
	r.entries.Alloc = output.HugeAlloc
	n := batchSize
	in, out := &r.inOut[0], &r.inOut[1]
	*in = r.from
	for r.until == 0 || *in < r.until {
		kb, vb := r.entries.Spare(n)
		// union bpf_attr's batch: in_batch, out_batch, keys, values,
		// count, map_fd, elem_flags, flags.
		attr := struct {
			inBatch, outBatch, keys, values uint64
			count, mapFD                    uint32
			elemFlags, flags                uint64
		}{
			inBatch:  uint64(uintptr(unsafe.Pointer(in))),
			outBatch: uint64(uintptr(unsafe.Pointer(out))),
			keys:     uint64(uintptr(unsafe.Pointer(unsafe.SliceData(kb)))),
			values:   uint64(uintptr(unsafe.Pointer(unsafe.SliceData(vb)))),
			count:    uint32(n),
			mapFD:    uint32(r.m.FD()),
		}
		_, _, errno := unix.Syscall(unix.SYS_BPF, unix.BPF_MAP_LOOKUP_BATCH, uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr))
		switch errno {
		case 0, unix.ENOENT:
			// The kernel sets count before it can fail (0 then).
			start := r.entries.Len()
			r.entries.Added(int(attr.count))
			r.batches = append(r.batches, batchSpan{from: *in, start: start, end: r.entries.Len()})
			if errno == unix.ENOENT {
				r.atEnd = true
				return
			}
			*in = *out
		case unix.ENOSPC:
			n *= 2 // one bucket holds more than a batch
		default:
			r.err = errno
			return
		}
	}
	r.cursor = *in
}

// errHalves: the kernel refused a batch lookup from a given bucket; the
// caller reads the map the usual way.
var errHalves = errors.New("batch lookup from a bucket refused")

// readHalves reads a hash map with two bucketReaders. overlap is how many
// entries of the first reader's last batch the second one also read.
func readHalves(m *ebpf.Map) (entries *output.Entries, overlap int, err error) {
	mid := bucketCount(m.MaxEntries()) / 2
	first := &bucketReader{m: m, until: mid}
	second := &bucketReader{m: m, from: mid}
	done := make(chan struct{})
	go func() {
		defer close(done)
		second.read()
	}()
	first.read()
	<-done
	if first.err != nil || second.err != nil {
		return nil, 0, errHalves
	}
	if first.atEnd {
		return first.entries, 0, nil // it read every bucket: fewer than thought
	}
	if last := len(first.batches) - 1; last >= 0 && first.cursor > mid {
		seen := map[string]bool{}
		for _, b := range second.batches {
			if b.from >= first.cursor {
				break
			}
			for i := b.start; i < b.end; i++ {
				seen[string(second.entries.Key(i))] = true
			}
		}
		if len(seen) > 0 {
			es := first.entries
			before := es.Len()
			es.Compact(first.batches[last].start, func(i int) bool { return !seen[string(es.Key(i))] })
			overlap = before - es.Len()
		}
	}
	first.entries.AppendAll(second.entries)
	return first.entries, overlap, nil
}

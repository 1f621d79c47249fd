package maps

import (
	"errors"
	"fmt"
	"reflect"
	"unsafe"

	"github.com/cilium/ebpf"

	"github.com/gobpftrace/gobpftrace/runtime/host"
	"github.com/gobpftrace/gobpftrace/runtime/output"
)

// batchSize is how many entries one batch lookup asks for. Hash maps need
// at least a bucket's worth; this is plenty.
const batchSize = 1024

var byteType = reflect.TypeFor[byte]()

// byteArrays makes a []([size]byte) of n elements: cilium marshals it with
// no copy, and each element is one key, value or per-CPU value.
func byteArrays(n, size int) reflect.Value {
	return reflect.MakeSlice(reflect.SliceOf(reflect.ArrayOf(size, byteType)), n, n)
}

func isPerCPU(m *ebpf.Map) bool {
	switch m.Type() {
	case ebpf.PerCPUHash, ebpf.PerCPUArray, ebpf.LRUCPUHash:
		return true
	}
	return false
}

// Read returns every entry of m: one value per possible CPU for per-CPU
// maps, else one. It uses batch lookups, on two CPUs for a large hash map
// (parread.go), and falls back to iterating.
func Read(m *ebpf.Map) (*output.Entries, error) {
	if readsInHalves(m) {
		if entries, _, err := readHalves(m); err == nil {
			return entries, nil
		}
	}
	entries, err := readBatch(m)
	if err == nil {
		return entries, nil
	}
	if !errors.Is(err, ebpf.ErrNotSupported) && !errors.Is(err, errBatchUnsupported) {
		return nil, err
	}
	return readIterate(m)
}

// ReadPadded reads every entry of the kernel maps holding one script map
// (its own and its string length classes, whose keys are shorter): each
// key is zero-padded to keySize. A string has one class, so the maps
// never hold the same key.
func ReadPadded(kms []*ebpf.Map, keySize int) (*output.Entries, error) {
	if len(kms) == 1 {
		return Read(kms[0])
	}
	var all *output.Entries
	for _, km := range kms {
		entries, err := Read(km)
		if err != nil {
			return nil, err
		}
		if all == nil {
			ncpu, stride := layout(km)
			all = output.NewEntries(keySize, int(km.ValueSize()), stride, ncpu)
		}
		for i := range entries.Len() {
			vs := entries.Values(i)
			k, v := all.Spare(1)
			copy(k, entries.Key(i))
			for c := range vs.Len() {
				copy(v[c*(len(v)/vs.Len()):], vs.At(c)) // the same layout in every class
			}
			all.Added(1)
		}
	}
	return all, nil
}

// layout is how a batch lookup lays out the values of one key of m: how
// many there are and how far apart. The kernel rounds each CPU's value of
// a per-CPU map up to 8 bytes.
func layout(m *ebpf.Map) (ncpu, stride int) {
	if isPerCPU(m) {
		return host.NumCPU(), (int(m.ValueSize()) + 7) &^ 7
	}
	return 1, int(m.ValueSize())
}

var errBatchUnsupported = errors.New("batch lookup not supported for this map")

// readBatch reads m with batch lookups written straight into the arrays of
// its Entries: no copy, no allocation per entry.
func readBatch(m *ebpf.Map) (*output.Entries, error) {
	switch m.Type() {
	case ebpf.Hash, ebpf.PerCPUHash, ebpf.LRUHash, ebpf.LRUCPUHash, ebpf.Array, ebpf.PerCPUArray:
	default:
		return nil, errBatchUnsupported
	}
	ncpu, stride := layout(m)
	ks := int(m.KeySize())
	entries := output.NewEntries(ks, int(m.ValueSize()), stride, ncpu)
	entries.Alloc = output.HugeAlloc
	n := min(batchSize, max(int(m.MaxEntries()), 1))
	keyType, valueType := reflect.ArrayOf(ks, byteType), reflect.ArrayOf(stride, byteType)
	var cursor ebpf.MapBatchCursor
	for {
		kb, vb := entries.Spare(n)
		// Views of the spare room as the []([size]byte) slices cilium
		// hands the kernel as they are, without a copy.
		keys := reflect.SliceAt(keyType, unsafe.Pointer(unsafe.SliceData(kb)), n).Interface()
		vals := reflect.SliceAt(valueType, unsafe.Pointer(unsafe.SliceData(vb)), n*ncpu).Interface()
		count, err := m.BatchLookup(&cursor, keys, vals, nil)
		entries.Added(count)
		if errors.Is(err, ebpf.ErrKeyNotExist) {
			return entries, nil
		}
		if err != nil {
			if entries.Len() == 0 && !errors.Is(err, ebpf.ErrNotSupported) {
				// e.g. EINVAL from a kernel without batch support for this type.
				return nil, fmt.Errorf("%w: %v", errBatchUnsupported, err)
			}
			return nil, fmt.Errorf("could not read map: %s", host.ErrnoText(err))
		}
	}
}

func readIterate(m *ebpf.Map) (*output.Entries, error) {
	keys, err := mapKeys(m)
	if err != nil {
		return nil, err
	}
	ncpu, stride := layout(m)
	entries := output.NewEntries(int(m.KeySize()), int(m.ValueSize()), stride, ncpu)
	for _, k := range keys {
		var vals []byte
		var out any
		if isPerCPU(m) {
			vs := byteArrays(ncpu, int(m.ValueSize()))
			out = vs.Interface()
			err = m.Lookup(k, out)
			for c := 0; err == nil && c < ncpu; c++ {
				vals = append(vals, vs.Index(c).Bytes()...)
				vals = append(vals, make([]byte, stride-int(m.ValueSize()))...)
			}
		} else {
			vals = make([]byte, m.ValueSize())
			err = m.Lookup(k, vals)
		}
		if errors.Is(err, ebpf.ErrKeyNotExist) {
			continue // deleted while we read
		}
		if err != nil {
			return nil, fmt.Errorf("could not read map: %s", host.ErrnoText(err))
		}
		kb, vb := entries.Spare(1)
		copy(kb, k)
		copy(vb, vals)
		entries.Added(1)
	}
	return entries, nil
}

// mapKeys snapshots the keys of m.
func mapKeys(m *ebpf.Map) ([][]byte, error) {
	var keys [][]byte
	var prev []byte
	for {
		next := make([]byte, m.KeySize())
		var err error
		if prev == nil {
			err = m.NextKey(nil, next)
		} else {
			err = m.NextKey(prev, next)
		}
		if errors.Is(err, ebpf.ErrKeyNotExist) {
			return keys, nil
		}
		if err != nil {
			return nil, fmt.Errorf("could not list map keys: %s", host.ErrnoText(err))
		}
		keys = append(keys, next)
		prev = next
	}
}

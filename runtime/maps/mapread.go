package maps

import (
	"errors"
	"fmt"
	"reflect"
	"slices"

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

// arrayBytes copies element i of a byteArrays slice.
func arrayBytes(v reflect.Value, i int) []byte {
	return slices.Clone(v.Index(i).Bytes())
}

func isPerCPU(m *ebpf.Map) bool {
	switch m.Type() {
	case ebpf.PerCPUHash, ebpf.PerCPUArray, ebpf.LRUCPUHash:
		return true
	}
	return false
}

// readMap returns every entry of m: one value per possible CPU for per-CPU
// maps, else one. It uses batch lookups and falls back to iterating.
func Read(m *ebpf.Map) ([]output.Entry, error) {
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
func ReadPadded(kms []*ebpf.Map, keySize int) ([]output.Entry, error) {
	if len(kms) == 1 {
		return Read(kms[0])
	}
	var all []output.Entry
	for _, km := range kms {
		entries, err := Read(km)
		if err != nil {
			return nil, err
		}
		for i := range entries {
			if k := entries[i].Key; len(k) < keySize {
				entries[i].Key = append(k, make([]byte, keySize-len(k))...)
			}
		}
		all = append(all, entries...)
	}
	return all, nil
}

var errBatchUnsupported = errors.New("batch lookup not supported for this map")

func readBatch(m *ebpf.Map) ([]output.Entry, error) {
	switch m.Type() {
	case ebpf.Hash, ebpf.PerCPUHash, ebpf.LRUHash, ebpf.LRUCPUHash, ebpf.Array, ebpf.PerCPUArray:
	default:
		return nil, errBatchUnsupported
	}
	ncpu := 1
	if isPerCPU(m) {
		ncpu = host.NumCPU()
	}
	n := min(batchSize, max(int(m.MaxEntries()), 1))
	keys := byteArrays(n, int(m.KeySize()))
	vals := byteArrays(n*ncpu, int(m.ValueSize()))
	var entries []output.Entry
	var cursor ebpf.MapBatchCursor
	for {
		count, err := m.BatchLookup(&cursor, keys.Interface(), vals.Interface(), nil)
		// One allocation for the batch's bytes and one for its value
		// lists, rather than several per entry: a map of a million keys
		// is a few thousand objects for the garbage collector, not
		// millions.
		ks, vs := int(m.KeySize()), int(m.ValueSize())
		data := make([]byte, 0, count*(ks+ncpu*vs))
		lists := make([][]byte, count*ncpu)
		for i := 0; i < count; i++ {
			at := len(data)
			data = append(data, keys.Index(i).Bytes()...)
			e := output.Entry{Key: data[at:len(data):len(data)], Values: lists[i*ncpu : (i+1)*ncpu : (i+1)*ncpu]}
			for c := 0; c < ncpu; c++ {
				at := len(data)
				data = append(data, vals.Index(i*ncpu+c).Bytes()...)
				e.Values[c] = data[at:len(data):len(data)]
			}
			entries = append(entries, e)
		}
		if errors.Is(err, ebpf.ErrKeyNotExist) {
			return entries, nil
		}
		if err != nil {
			if len(entries) == 0 && !errors.Is(err, ebpf.ErrNotSupported) {
				// e.g. EINVAL from a kernel without batch support for this type.
				return nil, fmt.Errorf("%w: %v", errBatchUnsupported, err)
			}
			return nil, fmt.Errorf("could not read map: %s", host.ErrnoText(err))
		}
	}
}

func readIterate(m *ebpf.Map) ([]output.Entry, error) {
	keys, err := mapKeys(m)
	if err != nil {
		return nil, err
	}
	ncpu := 1
	if isPerCPU(m) {
		ncpu = host.NumCPU()
	}
	var entries []output.Entry
	for _, k := range keys {
		e := output.Entry{Key: k}
		if ncpu > 1 || isPerCPU(m) {
			vals := byteArrays(ncpu, int(m.ValueSize()))
			err = m.Lookup(k, vals.Interface())
			for c := 0; err == nil && c < ncpu; c++ {
				e.Values = append(e.Values, arrayBytes(vals, c))
			}
		} else {
			val := make([]byte, m.ValueSize())
			err = m.Lookup(k, val)
			e.Values = [][]byte{val}
		}
		if errors.Is(err, ebpf.ErrKeyNotExist) {
			continue // deleted while we read
		}
		if err != nil {
			return nil, fmt.Errorf("could not read map: %s", host.ErrnoText(err))
		}
		entries = append(entries, e)
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

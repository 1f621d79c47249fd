package output

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// Entry is one map entry given by its parts: Key as stored; Values one
// element per CPU for per-CPU maps, else one. EntriesOf gathers them into
// Entries (tests, readers of a few entries).
type Entry struct {
	Key    []byte
	Values [][]byte
}

// Entries are the entries of one kernel map as a batch lookup returns
// them: every key in one array, every value in another, the per-CPU values
// of an entry side by side. A map of a million keys is two allocations
// rather than several per entry, and its bytes are decoded as they are
// sorted and printed. The zero value is an empty map.
type Entries struct {
	n         int
	keySize   int
	valueSize int
	stride    int // bytes from one CPU's value to the next
	ncpu      int
	keys      []byte
	values    []byte
	// Alloc, when set, allocates the arrays as they grow (the reader's
	// policy for large arrays); make otherwise.
	Alloc func(size int) []byte
}

// NewEntries returns empty Entries of keys of keySize bytes, each with ncpu
// values of valueSize bytes stored stride bytes apart (the kernel rounds a
// per-CPU value up to 8 bytes; stride is valueSize otherwise).
func NewEntries(keySize, valueSize, stride, ncpu int) *Entries {
	return &Entries{keySize: keySize, valueSize: valueSize, stride: max(stride, valueSize), ncpu: max(ncpu, 1)}
}

// EntriesOf gathers entries given by their parts. Keys and values shorter
// than the longest are zero-padded, and so are missing CPUs' values.
func EntriesOf(list []Entry) *Entries {
	ks, vs, ncpu := 0, 0, 1
	for _, e := range list {
		ks = max(ks, len(e.Key))
		ncpu = max(ncpu, len(e.Values))
		for _, v := range e.Values {
			vs = max(vs, len(v))
		}
	}
	es := NewEntries(ks, vs, vs, ncpu)
	for _, e := range list {
		es.Append(e.Key, e.Values...)
	}
	return es
}

// Len is the number of entries.
func (es *Entries) Len() int {
	if es == nil {
		return 0
	}
	return es.n
}

// KeySize is the size of every key.
func (es *Entries) KeySize() int { return es.keySize }

// Key is entry i's key.
func (es *Entries) Key(i int) []byte {
	at := i * es.keySize
	return es.keys[at : at+es.keySize : at+es.keySize]
}

// Values are entry i's values, one per CPU.
func (es *Entries) Values(i int) Values {
	size := es.ncpu * es.stride
	at := i * size
	return Values{b: es.values[at : at+size : at+size], size: int32(es.valueSize), stride: int32(es.stride), n: int32(es.ncpu)}
}

// Append adds an entry: key is zero-padded or cut to the key size, each
// value to the value size; CPUs without a value get zeros.
func (es *Entries) Append(key []byte, values ...[]byte) {
	k, v := es.Spare(1)
	clear(k)
	clear(v)
	copy(k, key)
	for c := 0; c < es.ncpu && c < len(values); c++ {
		copy(v[c*es.stride:c*es.stride+es.valueSize], values[c])
	}
	es.Added(1)
}

// Spare makes room for n more entries and returns it: n keys and n times
// ncpu values, laid out as a batch lookup writes them, holding anything.
// Added then counts the entries written there.
func (es *Entries) Spare(n int) (keys, values []byte) {
	kn, vn := n*es.keySize, n*es.ncpu*es.stride
	es.keys = es.grow(es.keys, kn)
	es.values = es.grow(es.values, vn)
	return es.keys[len(es.keys) : len(es.keys)+kn], es.values[len(es.values) : len(es.values)+vn]
}

// Added counts n entries written at the start of what Spare returned.
func (es *Entries) Added(n int) {
	es.keys = es.keys[:len(es.keys)+n*es.keySize]
	es.values = es.values[:len(es.values)+n*es.ncpu*es.stride]
	es.n += n
}

// grow returns b with room for n more bytes after its length: doubling,
// so that reading a map copies each byte about once.
func (es *Entries) grow(b []byte, n int) []byte {
	if cap(b)-len(b) >= n {
		return b
	}
	size := max(2*cap(b), len(b)+n, 4096)
	var nb []byte
	if es.Alloc != nil {
		nb = es.Alloc(size)[:len(b)]
	} else {
		nb = make([]byte, len(b), size)
	}
	copy(nb, b)
	return nb
}

// Values are one entry's values, one per CPU (one for a map that is not
// per-CPU), viewed in place.
type Values struct {
	b            []byte
	size, stride int32
	n            int32
}

// Len is the number of values (CPUs).
func (v Values) Len() int { return int(v.n) }

// At is CPU c's value.
func (v Values) At(c int) []byte {
	at := c * int(v.stride)
	return v.b[at : at+int(v.size) : at+int(v.size)]
}

// First is the first CPU's value (the value of a map that is not
// per-CPU), nil when there is none.
func (v Values) First() []byte {
	if v.n == 0 {
		return nil
	}
	return v.At(0)
}

// Entry is entry i by its parts (its values as a list, allocated): for
// tests and readers of a few entries.
func (es *Entries) Entry(i int) Entry {
	vs := es.Values(i)
	e := Entry{Key: es.Key(i), Values: make([][]byte, vs.Len())}
	for c := range e.Values {
		e.Values[c] = vs.At(c)
	}
	return e
}

// Compact drops the entries from index from on for which keep is false,
// keeping the others in order, and returns the new length.
func (es *Entries) Compact(from int, keep func(i int) bool) int {
	vsize := es.ncpu * es.stride
	n := from
	for i := from; i < es.n; i++ {
		if !keep(i) {
			continue
		}
		if n != i {
			copy(es.keys[n*es.keySize:(n+1)*es.keySize], es.keys[i*es.keySize:(i+1)*es.keySize])
			copy(es.values[n*vsize:(n+1)*vsize], es.values[i*vsize:(i+1)*vsize])
		}
		n++
	}
	es.keys = es.keys[:n*es.keySize]
	es.values = es.values[:n*vsize]
	es.n = n
	return n
}

// AppendAll appends the entries of other, which have the same layout.
func (es *Entries) AppendAll(other *Entries) {
	n := other.Len()
	if n == 0 {
		return
	}
	k, v := es.Spare(n)
	copy(k, other.keys)
	copy(v, other.values)
	es.Added(n)
}

// HugeAlloc allocates size bytes (an Alloc for Entries). An array of
// several megabytes is advised into transparent huge pages (the kernel's setting here is
// "madvise"): a million-key map's arrays are tens of megabytes that the
// process touches for the first time, and a page fault on this
// paravirtualised VM costs about 10 µs, 2 MB of 4 KiB pages 5 ms and
// more; a huge page is one fault.
func HugeAlloc(size int) []byte {
	b := make([]byte, size)
	const huge = 2 << 20
	if size < 2*huge {
		return b
	}
	at := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	off := int((at+huge-1)&^(huge-1) - at)
	n := (size - off) &^ (huge - 1)
	unix.Madvise(b[off:off+n], unix.MADV_HUGEPAGE) // advice: nothing to do if refused
	return b
}

package output

import "github.com/gobpftrace/gobpftrace/lang"

// Folding per-CPU aggregation values into one number, as bpftrace does in
// user space. Each function takes one element per CPU.

// sumU64 adds the first 8 bytes of each CPU's value (count, sum, hist
// bucket), wrapping like C's uint64 arithmetic.
func sumU64(values Values) uint64 {
	var s uint64
	for c := range values.Len() {
		s += readUint(values.At(c), 8)
	}
	return s
}

// minMax folds {int64 value; u64 set} elements, skipping CPUs that never
// stored a value. Comparison is signed or unsigned as bpftrace's template
// type is: printing uses the map's signedness, sorting always uses uint64.
func minMax(values Values, isMax, signed bool) uint64 {
	var best uint64
	set := false
	for c := range values.Len() {
		v := values.At(c)
		if readUint(slice(v, 8, 8), 8) == 0 {
			continue
		}
		x := readUint(v, 8)
		switch {
		case !set:
			best, set = x, true
		case signed && isMax && int64(x) > int64(best),
			signed && !isMax && int64(x) < int64(best),
			!signed && isMax && x > best,
			!signed && !isMax && x < best:
			best = x
		}
	}
	return best
}

// stats is the fold of {int64 sum; u64 count} elements.
type stats struct {
	count, total, avg uint64 // two's complement bits; see signed
}

func foldStats(values Values, signed bool) stats {
	var s stats
	for c := range values.Len() {
		v := values.At(c)
		s.total += readUint(v, 8)
		s.count += readUint(slice(v, 8, 8), 8)
	}
	if s.count > 0 {
		if signed {
			s.avg = uint64(int64(s.total) / int64(s.count))
		} else {
			s.avg = s.total / s.count
		}
	}
	return s
}

// number makes a signed or unsigned item from two's complement bits.
func number(bits uint64, signed bool) item {
	if signed {
		return intItem(int64(bits))
	}
	return uintItem(bits)
}

// divide applies print()'s divisor the way C does for the map's type.
func divide(bits uint64, signed bool, div uint64) uint64 {
	if div <= 1 {
		return bits
	}
	if signed {
		return uint64(int64(bits) / int64(div))
	}
	return bits / div
}

// plainInt reads a non-aggregated integer value and divides it in the
// width and signedness of its type, as bpftrace's reduce does.
func plainInt(t *lang.Type, b []byte, div uint64) item {
	if t.Signed {
		v := readInt(b, t.Size)
		if div > 1 {
			switch t.Size {
			case 1:
				v = int64(int8(v) / int8(div))
			case 2:
				v = int64(int16(v) / int16(div))
			case 4:
				v = int64(int32(v) / int32(div))
			default:
				v /= int64(div)
			}
		}
		return intItem(v)
	}
	v := readUint(b, t.Size)
	if div > 1 {
		v /= div
	}
	return uintItem(v)
}

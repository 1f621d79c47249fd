package output

import (
	"strconv"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
)

// The maps keyed by stacks, as profiles (pprof.go) and folded stacks
// (folded.go) see them: each entry becomes a list of symbolized frames,
// the other parts of its key as labels, and one number.

// IsStackMap reports whether m is keyed by a kstack or ustack, alone or
// as an element of a tuple key: the maps -f pprof and -f folded write.
func IsStackMap(m *codegen.Map) bool {
	if m.Key == nil {
		return false
	}
	if m.Key.Kind == lang.KStack {
		return true
	}
	if m.Key.Kind != lang.KTuple {
		return false
	}
	for _, e := range m.Key.Elems {
		if e.Kind == lang.KStack {
			return true
		}
	}
	return false
}

// HasStackMap reports whether any of maps is a stack map.
func HasStackMap(maps []*codegen.Map) bool {
	for _, m := range maps {
		if IsStackMap(m) {
			return true
		}
	}
	return false
}

// frame is one symbolized stack frame.
type frame struct {
	name   string // the function without offset, or the address in hex
	module string // user frames: the file the address is in ("" unknown)
	addr   uint64
	kernel bool
}

// kernelSuffix marks kernel frames in folded stacks and profiles, as the
// FlameGraph tools' stackcollapse-perf.pl --kernel does.
const kernelSuffix = "_[k]"

// label is a part of a stack map's key that is not a stack (comm, pid...).
type label struct {
	key   string // the record field's name, else "key" + its position
	text  string // its value as a map key prints it
	num   int64
	isNum bool
}

// stackSample is one entry of a stack map.
type stackSample struct {
	labels []label
	// frames are leaf first: kernel frames, then user frames (a kernel
	// stack is called from the user stack of the same event).
	frames []frame
	value  int64
}

// stackSamples decodes the entries of stack map m, values folded over
// CPUs and divided by div (when > 1). Entries whose value is not positive
// are left out: a flame graph cannot draw them.
func (f *Formatter) stackSamples(m *codegen.Map, entries *Entries, div uint64) []stackSample {
	v := valueType(m)
	keySize := codegen.Sizeof(m.Key)
	var xs []stackSample
	index := map[string]int{} // hist buckets of one key add up
	for i := range entries.Len() {
		key := slice(entries.Key(i), 0, keySize)
		val := sampleValue(v, entries.Values(i), div)
		if v.Kind == lang.KHist || v.Kind == lang.KLhist {
			if n, ok := index[string(key)]; ok {
				xs[n].value += val
				continue
			}
			index[string(key)] = len(xs)
		}
		s := stackSample{value: val}
		f.splitKey(m.Key, key, &s)
		xs = append(xs, s)
	}
	out := xs[:0]
	for _, s := range xs {
		if s.value > 0 {
			out = append(out, s)
		}
	}
	return out
}

// sampleValue folds one entry's per-CPU values into the sample's number:
// count() and sum() as printed; min, max and avg their value; stats,
// hist and lhist how many values they counted.
func sampleValue(v *lang.Type, values Values, div uint64) int64 {
	first := values.First()
	switch v.Kind {
	case lang.KCount:
		return int64(sumU64(values) / div)
	case lang.KHist, lang.KLhist:
		return int64(sumU64(values))
	case lang.KStats:
		return int64(foldStats(values, v.Signed).count)
	case lang.KSum:
		return signedOf(divide(sumU64(values), v.Signed, div), v.Signed)
	case lang.KMin, lang.KMax:
		return signedOf(divide(minMax(values, v.Kind == lang.KMax, v.Signed), v.Signed, div), v.Signed)
	case lang.KAvg:
		return signedOf(divide(foldStats(values, v.Signed).avg, v.Signed, div), v.Signed)
	case lang.KInt:
		it := plainInt(v, first, div)
		if it.kind == itemInt {
			return it.i
		}
		return signedOf(it.u, false)
	}
	return 0
}

// valueUnit is the unit of a stack map's samples: count(), hist(),
// lhist() and stats() count events, the others carry a value.
func valueUnit(v *lang.Type) string {
	switch v.Kind {
	case lang.KCount, lang.KHist, lang.KLhist, lang.KStats:
		return "count"
	}
	return "value"
}

// signedOf reads two's complement bits as int64; an unsigned value too
// large for it is clamped.
func signedOf(bits uint64, signed bool) int64 {
	if !signed && bits > 1<<63-1 {
		return 1<<63 - 1
	}
	return int64(bits)
}

// splitKey fills s's labels and frames from a key of type t.
func (f *Formatter) splitKey(t *lang.Type, key []byte, s *stackSample) {
	if t.Kind != lang.KTuple {
		f.addPart(t, key, "key0", s)
		return
	}
	offs := codegen.TupleOffsets(t)
	var kernel, user []frame
	for n, e := range t.Elems {
		name := "key" + strconv.Itoa(n)
		if n < len(t.Names) && t.Names[n] != "" {
			name = t.Names[n]
		}
		b := slice(key, offs[n], codegen.Sizeof(e))
		if e.Kind != lang.KStack {
			f.addPart(e, b, name, s)
			continue
		}
		if e.UserSpace {
			user = append(user, f.stackFrames(e, b)...)
		} else {
			kernel = append(kernel, f.stackFrames(e, b)...)
		}
	}
	s.frames = append(append(s.frames, kernel...), user...)
}

// addPart adds a key part: a stack's frames, or a label.
func (f *Formatter) addPart(t *lang.Type, b []byte, name string, s *stackSample) {
	switch t.Kind {
	case lang.KStack:
		s.frames = append(s.frames, f.stackFrames(t, b)...)
	case lang.KInt:
		it := plainInt(t, b, 1)
		l := label{key: name, isNum: true, num: it.i}
		if it.kind == itemUint {
			l.num = int64(it.u)
		}
		l.text = it.text()
		s.labels = append(s.labels, l)
	default:
		s.labels = append(s.labels, label{key: name, text: f.decode(t, b).mapText()})
	}
}

// stackFrames symbolizes a kstack or ustack value, leaf first, as
// gobpftrace prints its frames (without the offsets).
func (f *Formatter) stackFrames(t *lang.Type, b []byte) []frame {
	s := f.Symbols
	pid, addrs, _ := f.stackAddrs(t, b)
	var frames []frame
	for _, addr := range addrs {
		fr := frame{addr: addr, kernel: !t.UserSpace, name: hexAddr(addr)}
		if t.UserSpace {
			name, _, module, ok := s.User(pid, addr)
			fr.module = module
			if ok {
				fr.name = name
			}
		} else if name, _, ok := s.Kernel(addr); ok {
			fr.name = name
		}
		frames = append(frames, fr)
	}
	return frames
}

// displayName is the frame's name in folded stacks and profiles: kernel
// frames end with _[k].
func (fr frame) displayName() string {
	if fr.kernel {
		return fr.name + kernelSuffix
	}
	return fr.name
}

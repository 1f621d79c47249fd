package output

import (
	"cmp"
	"compress/gzip"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/gobpftrace/gobpftrace/codegen"
)

// Profiles (-f pprof): every stack map of a run in one pprof profile
// (profile.proto, written gzipped as `go tool pprof` reads it). Each map
// is a sample type named after it ("@", "@bytes"), so one profile holds
// them all and `go tool pprof -sample_index=@bytes` picks one; the first
// map by name is the default. An entry is a sample: its stacks are the
// locations (kernel frames, then user frames, leaf first), its value the
// map's value (see sampleValue), and the other parts of its key are labels
// named key0, key1... by their position in the key (`go tool pprof
// -tagroot=key2` puts them at the root of the graph).
//
// Locations carry their function names already (symbolized as text
// output symbolizes them), so pprof does not look for the binaries.
// Kernel frames are in the mapping "[kernel.kallsyms]" and their names end
// with _[k]; user frames are in one mapping per file.
//
// The protobuf is written here (pprofwire.go) rather than by
// github.com/google/pprof/profile: linking that package cost every run of
// gobpftrace, with or without -f pprof, about 1.7 ms of package
// initialisation (its regular expressions) and its code in the binary
// (docs/performance.md). The library stays the tests' oracle: they parse
// this output with it and compare it with the profile it builds from the
// same samples.

// kernelMapping is the name perf and pprof give the kernel's mapping.
const kernelMapping = "[kernel.kallsyms]"

// Profile parts, numbered from 1 as profile.proto's ids are.
type (
	pprofMapping struct {
		id           uint64
		start, limit uint64
		file         string
	}
	pprofFunction struct {
		id   uint64
		name string
	}
	pprofLocation struct {
		id      uint64
		mapping *pprofMapping
		addr    uint64
		fn      *pprofFunction
	}
	pprofSample struct {
		locations []*pprofLocation
		values    []int64
		labels    []label
	}
	pprofValueType struct{ typ, unit string }
)

// profileBuilder collects the samples of several maps into one profile.
type profileBuilder struct {
	timeNanos   int64
	sampleTypes []pprofValueType
	samples     []*pprofSample
	mappingList []*pprofMapping
	locList     []*pprofLocation
	funcList    []*pprofFunction
	mappings    map[string]*pprofMapping
	functions   map[string]*pprofFunction
	locations   map[locationKey]*pprofLocation
}

type locationKey struct {
	kernel       bool
	module, name string
	addr         uint64
}

// profileMap is one stack map's samples and their sample type.
type profileMap struct {
	name, unit string
	samples    []stackSample
}

// writeProfile writes the profile of maps (each a stack map, with its
// entries) to w.
func (f *Formatter) writeProfile(w io.Writer, maps []*codegen.Map, read ReadEntries, now time.Time) error {
	var all []profileMap
	for _, m := range maps {
		entries, err := read(m)
		if err != nil {
			return err
		}
		all = append(all, profileMap{m.ScriptName, valueUnit(valueType(m)), f.stackSamples(m, entries, 1)})
	}
	return buildProfile(all, now).write(w)
}

func buildProfile(all []profileMap, now time.Time) *profileBuilder {
	b := &profileBuilder{
		timeNanos: now.UnixNano(),
		mappings:  map[string]*pprofMapping{},
		functions: map[string]*pprofFunction{},
		locations: map[locationKey]*pprofLocation{},
	}
	for _, pm := range all {
		b.sampleTypes = append(b.sampleTypes, pprofValueType{pm.name, pm.unit})
	}
	for n, pm := range all {
		for _, s := range pm.samples {
			b.addSample(s, n, len(all))
		}
	}
	return b
}

func (b *profileBuilder) addSample(s stackSample, index, types int) {
	ps := &pprofSample{values: make([]int64, types), labels: s.labels}
	ps.values[index] = s.value
	for _, fr := range s.frames {
		ps.locations = append(ps.locations, b.location(fr))
	}
	b.samples = append(b.samples, ps)
}

func (b *profileBuilder) location(fr frame) *pprofLocation {
	k := locationKey{kernel: fr.kernel, module: fr.module, name: fr.name, addr: fr.addr}
	if loc := b.locations[k]; loc != nil {
		return loc
	}
	file := fr.module
	switch {
	case fr.kernel:
		file = kernelMapping
	case file == "":
		file = "[unknown]"
	}
	m := b.mapping(file, fr.addr)
	fn := b.function(fr.displayName())
	loc := &pprofLocation{id: uint64(len(b.locList) + 1), mapping: m, addr: fr.addr, fn: fn}
	b.locList = append(b.locList, loc)
	b.locations[k] = loc
	return loc
}

// mapping returns file's mapping, its range grown to hold addr.
func (b *profileBuilder) mapping(file string, addr uint64) *pprofMapping {
	m := b.mappings[file]
	if m == nil {
		m = &pprofMapping{id: uint64(len(b.mappingList) + 1), file: file, start: addr, limit: addr + 1}
		b.mappingList = append(b.mappingList, m)
		b.mappings[file] = m
	}
	m.start = min(m.start, addr)
	m.limit = max(m.limit, addr+1)
	return m
}

// function returns the function called name. Its source file is not
// known (the mapping says which binary it is in).
func (b *profileBuilder) function(name string) *pprofFunction {
	if fn := b.functions[name]; fn != nil {
		return fn
	}
	fn := &pprofFunction{id: uint64(len(b.funcList) + 1), name: name}
	b.funcList = append(b.funcList, fn)
	b.functions[name] = fn
	return fn
}

// write writes the profile gzipped.
func (b *profileBuilder) write(w io.Writer) error {
	gz := gzip.NewWriter(w)
	if _, err := gz.Write(b.encode()); err != nil {
		return err
	}
	return gz.Close()
}

// encode is the profile as a profile.proto Profile message.
func (b *profileBuilder) encode() []byte {
	var e pbEncoder
	e.strings = map[string]int64{"": 0}
	e.table = []string{""}
	var out []byte
	for _, st := range b.sampleTypes {
		var m []byte
		m = e.int(m, 1, e.str(st.typ))
		m = e.int(m, 2, e.str(st.unit))
		out = pbBytes(out, 1, m)
	}
	for _, s := range b.samples {
		var m []byte
		ids := make([]uint64, len(s.locations))
		for i, l := range s.locations {
			ids[i] = l.id
		}
		m = pbPacked(m, 1, ids)
		vals := make([]uint64, len(s.values))
		for i, v := range s.values {
			vals[i] = uint64(v)
		}
		m = pbPacked(m, 2, vals)
		// Labels by key, strings before numbers, as pprof writes them.
		labels := slices.Clone(s.labels)
		slices.SortStableFunc(labels, func(x, y label) int {
			if x.isNum != y.isNum {
				return cmp.Compare(boolInt(x.isNum), boolInt(y.isNum))
			}
			return strings.Compare(x.key, y.key)
		})
		for _, l := range labels {
			var lm []byte
			lm = e.int(lm, 1, e.str(l.key))
			if l.isNum {
				lm = e.int(lm, 3, l.num)
			} else {
				lm = e.int(lm, 2, e.str(l.text))
			}
			m = pbBytes(m, 3, lm)
		}
		out = pbBytes(out, 2, m)
	}
	for _, mp := range b.mappingList {
		var m []byte
		m = pbUint(m, 1, mp.id)
		m = pbUint(m, 2, mp.start)
		m = pbUint(m, 3, mp.limit)
		m = e.int(m, 5, e.str(mp.file))
		m = pbUint(m, 7, 1) // has_functions
		out = pbBytes(out, 3, m)
	}
	for _, l := range b.locList {
		var m, line []byte
		m = pbUint(m, 1, l.id)
		m = pbUint(m, 2, l.mapping.id)
		m = pbUint(m, 3, l.addr)
		line = pbUint(line, 1, l.fn.id)
		m = pbBytes(m, 4, line)
		out = pbBytes(out, 4, m)
	}
	for _, fn := range b.funcList {
		var m []byte
		m = pbUint(m, 1, fn.id)
		name := e.str(fn.name)
		m = e.int(m, 2, name)
		m = e.int(m, 3, name) // system_name
		out = pbBytes(out, 5, m)
	}
	out = e.int(out, 9, b.timeNanos)
	if len(b.sampleTypes) > 0 {
		out = e.int(out, 14, e.str(b.sampleTypes[0].typ)) // default_sample_type
	}
	// The string table last: every index above is known by now.
	for _, s := range e.table {
		out = pbBytes(out, 6, []byte(s))
	}
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

package output

import (
	"io"
	"time"

	"github.com/google/pprof/profile"

	"github.com/gobpftrace/gobpftrace/codegen"
)

// Profiles (-f pprof): every stack map of a run in one pprof profile
// (github.com/google/pprof/profile, written gzipped as `go tool pprof`
// reads it). Each map is a sample type named after it ("@", "@bytes"),
// so one profile holds them all and `go tool pprof -sample_index=@bytes`
// picks one; the first map by name is the default. An entry is a sample:
// its stacks are the locations (kernel frames, then user frames, leaf
// first), its value the map's value (see sampleValue), and the other parts
// of its key are labels named key0, key1... by their position in the key
// (`go tool pprof -tagroot=key2` puts them at the root of the graph).
//
// Locations carry their function names already (symbolized as text
// output symbolizes them), so pprof does not look for the binaries.
// Kernel frames are in the mapping "[kernel.kallsyms]" and their names end
// with _[k]; user frames are in one mapping per file.

// kernelMapping is the name perf and pprof give the kernel's mapping.
const kernelMapping = "[kernel.kallsyms]"

// profileBuilder collects the samples of several maps into one profile.
type profileBuilder struct {
	p         *profile.Profile
	mappings  map[string]*profile.Mapping
	functions map[string]*profile.Function
	locations map[locationKey]*profile.Location
}

type locationKey struct {
	kernel       bool
	module, name string
	addr         uint64
}

// writeProfile writes the profile of maps (each a stack map, with its
// entries) to w.
func (f *Formatter) writeProfile(w io.Writer, maps []*codegen.Map, read ReadEntries, now time.Time) error {
	b := &profileBuilder{
		p:         &profile.Profile{TimeNanos: now.UnixNano()},
		mappings:  map[string]*profile.Mapping{},
		functions: map[string]*profile.Function{},
		locations: map[locationKey]*profile.Location{},
	}
	type mapSamples struct {
		m       *codegen.Map
		samples []stackSample
	}
	var all []mapSamples
	for _, m := range maps {
		entries, err := read(m)
		if err != nil {
			return err
		}
		samples := f.stackSamples(m, entries, 1)
		b.p.SampleType = append(b.p.SampleType, &profile.ValueType{Type: m.ScriptName, Unit: valueUnit(valueType(m))})
		all = append(all, mapSamples{m, samples})
	}
	if len(b.p.SampleType) > 0 {
		b.p.DefaultSampleType = b.p.SampleType[0].Type
	}
	for n, ms := range all {
		for _, s := range ms.samples {
			b.addSample(s, n, len(all))
		}
	}
	if err := b.p.CheckValid(); err != nil {
		return err
	}
	return b.p.Write(w)
}

func (b *profileBuilder) addSample(s stackSample, index, types int) {
	ps := &profile.Sample{Value: make([]int64, types)}
	ps.Value[index] = s.value
	for _, fr := range s.frames {
		ps.Location = append(ps.Location, b.location(fr))
	}
	for _, l := range s.labels {
		if l.isNum {
			if ps.NumLabel == nil {
				ps.NumLabel = map[string][]int64{}
			}
			ps.NumLabel[l.key] = []int64{l.num}
			continue
		}
		if ps.Label == nil {
			ps.Label = map[string][]string{}
		}
		ps.Label[l.key] = []string{l.text}
	}
	b.p.Sample = append(b.p.Sample, ps)
}

func (b *profileBuilder) location(fr frame) *profile.Location {
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
	loc := &profile.Location{ID: uint64(len(b.p.Location) + 1), Mapping: m, Address: fr.addr, Line: []profile.Line{{Function: fn}}}
	b.p.Location = append(b.p.Location, loc)
	b.locations[k] = loc
	return loc
}

// mapping returns file's mapping, its range grown to hold addr.
func (b *profileBuilder) mapping(file string, addr uint64) *profile.Mapping {
	m := b.mappings[file]
	if m == nil {
		m = &profile.Mapping{ID: uint64(len(b.p.Mapping) + 1), File: file, Start: addr, Limit: addr + 1, HasFunctions: true}
		b.p.Mapping = append(b.p.Mapping, m)
		b.mappings[file] = m
	}
	m.Start = min(m.Start, addr)
	m.Limit = max(m.Limit, addr+1)
	return m
}

// function returns the function called name. Its source file is not
// known (the mapping says which binary it is in).
func (b *profileBuilder) function(name string) *profile.Function {
	if fn := b.functions[name]; fn != nil {
		return fn
	}
	fn := &profile.Function{ID: uint64(len(b.p.Function) + 1), Name: name, SystemName: name}
	b.p.Function = append(b.p.Function, fn)
	b.functions[name] = fn
	return fn
}

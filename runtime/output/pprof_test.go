package output

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/pprof/profile"
)

// The profile written here is the one github.com/google/pprof/profile
// builds from the same samples: both are written, parsed back by the
// library and compared in its own text form (samples, values, labels,
// locations, mappings, functions, ids).
func TestPprofAsTheLibraryWritesIt(t *testing.T) {
	maps, read := profileMaps()
	f := &Formatter{Symbols: stackSymbols{}}
	var all []profileMap
	for _, m := range maps[1:] { // the stack maps @sys and @
		entries, _ := read(m)
		all = append(all, profileMap{m.ScriptName, valueUnit(valueType(m)), f.stackSamples(m, entries, 1)})
	}
	now := time.Unix(1700000000, 5)
	var ours, theirs bytes.Buffer
	if err := buildProfile(all, now).write(&ours); err != nil {
		t.Fatal(err)
	}
	lib := libraryProfile(all, now)
	if err := lib.CheckValid(); err != nil {
		t.Fatal(err)
	}
	if err := lib.Write(&theirs); err != nil {
		t.Fatal(err)
	}
	got, err := profile.Parse(&ours)
	if err != nil {
		t.Fatal(err)
	}
	if err := got.CheckValid(); err != nil {
		t.Fatal(err)
	}
	want, err := profile.Parse(&theirs)
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() || len(got.Sample) == 0 {
		t.Errorf("ours:\n%s\nthe library's:\n%s", got, want)
	}
	if got.DefaultSampleType != want.DefaultSampleType || got.TimeNanos != want.TimeNanos {
		t.Errorf("default sample type %q, time %d; the library's %q, %d", got.DefaultSampleType, got.TimeNanos, want.DefaultSampleType, want.TimeNanos)
	}
}

// libraryProfile builds the profile with the library, as gobpftrace did
// before it wrote profile.proto itself.
func libraryProfile(all []profileMap, now time.Time) *profile.Profile {
	p := &profile.Profile{TimeNanos: now.UnixNano()}
	mappings := map[string]*profile.Mapping{}
	functions := map[string]*profile.Function{}
	locations := map[locationKey]*profile.Location{}
	for _, pm := range all {
		p.SampleType = append(p.SampleType, &profile.ValueType{Type: pm.name, Unit: pm.unit})
	}
	if len(p.SampleType) > 0 {
		p.DefaultSampleType = p.SampleType[0].Type
	}
	for n, pm := range all {
		for _, s := range pm.samples {
			ps := &profile.Sample{Value: make([]int64, len(all))}
			ps.Value[n] = s.value
			for _, fr := range s.frames {
				k := locationKey{kernel: fr.kernel, module: fr.module, name: fr.name, addr: fr.addr}
				loc := locations[k]
				if loc == nil {
					file := fr.module
					switch {
					case fr.kernel:
						file = kernelMapping
					case file == "":
						file = "[unknown]"
					}
					m := mappings[file]
					if m == nil {
						m = &profile.Mapping{ID: uint64(len(p.Mapping) + 1), File: file, Start: fr.addr, Limit: fr.addr + 1, HasFunctions: true}
						p.Mapping = append(p.Mapping, m)
						mappings[file] = m
					}
					m.Start, m.Limit = min(m.Start, fr.addr), max(m.Limit, fr.addr+1)
					fn := functions[fr.displayName()]
					if fn == nil {
						fn = &profile.Function{ID: uint64(len(p.Function) + 1), Name: fr.displayName(), SystemName: fr.displayName()}
						p.Function = append(p.Function, fn)
						functions[fn.Name] = fn
					}
					loc = &profile.Location{ID: uint64(len(p.Location) + 1), Mapping: m, Address: fr.addr, Line: []profile.Line{{Function: fn}}}
					p.Location = append(p.Location, loc)
					locations[k] = loc
				}
				ps.Location = append(ps.Location, loc)
			}
			for _, l := range s.labels {
				if l.isNum {
					if ps.NumLabel == nil {
						ps.NumLabel = map[string][]int64{}
					}
					ps.NumLabel[l.key] = []int64{l.num}
				} else {
					if ps.Label == nil {
						ps.Label = map[string][]string{}
					}
					ps.Label[l.key] = []string{l.text}
				}
			}
			p.Sample = append(p.Sample, ps)
		}
	}
	return p
}

package script

import (
	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/runtime/output"
)

// Map is the contents of one map at one moment.
type Map struct {
	// Name is the map's name in the script ("@calls", or "@").
	Name string
	// Kind is the aggregation its values come from: "count", "sum", "min",
	// "max", "avg", "stats", "hist", "lhist", or "" for values assigned
	// (@x = 1, @s = comm).
	Kind string
	// Entries are in the order print(@m) prints them.
	Entries []Entry
}

// Entry is one key of a map and its value, folded over CPUs. Key is nil
// for a map without keys (@x = count()). Keys and values are:
//
//	integers                 int64 (signed types) or uint64 (unsigned)
//	bool                     bool
//	strings, and the values  string, as gobpftrace prints them
//	printed as text          (str, comm, ksym/usym, ntop, strftime,
//	                         username, strerror, macaddr, cgroup_path...)
//	buf()                    []byte
//	pointers                 uint64 (the address)
//	tuples                   Tuple; named tuples and C structs: Record
//	arrays                   []any
//	kstack, ustack           Stack
//	count()                  uint64
//	sum, min, max, avg       int64 or uint64, as the expression's type
//	stats()                  Stats
//	hist(), lhist()          Histogram
type Entry struct {
	Key, Value any
}

// Get returns the entry whose key equals key (compared with ==, so tuple
// keys are not found this way: range over Entries).
func (m *Map) Get(key any) (any, bool) {
	for _, e := range m.Entries {
		if isComparable(e.Key) && isComparable(key) && e.Key == key {
			return e.Value, true
		}
	}
	return nil, false
}

func isComparable(v any) bool {
	switch v.(type) {
	case nil, int64, uint64, string, bool:
		return true
	}
	return false
}

// The value types. They are runtime/output's, which decodes them.
type (
	// Tuple is a tuple: one value per element.
	Tuple = output.Tuple
	// Record is a named tuple ((a=1, b="x")) or a C struct: its Fields in
	// order; Get finds one by name.
	Record = output.Record
	// Field is one field of a Record: Name and Value.
	Field = output.Field
	// Stack is a kstack or ustack: User, the PID of a user stack, and its
	// Frames innermost first, each with its Addr, Symbol, Offset, Module
	// (user frames) and Text (as gobpftrace prints it).
	Stack = output.Stack
	// Frame is one frame of a Stack.
	Frame = output.Frame
	// Stats is a stats() value: Count, Sum, Average (uint64 bits when
	// Signed is false).
	Stats = output.Stats
	// Histogram is a hist() or lhist() value: its Buckets from the first
	// to the last one holding a count, ascending; Total adds them up.
	Histogram = output.Histogram
	// Bucket is one bucket of a Histogram: Count values v with
	// Min <= v <= Max. The bucket below the range has Min math.MinInt64,
	// lhist's bucket above it Max math.MaxInt64.
	Bucket = output.Bucket
)

// typedMap decodes the entries read from m.
func typedMap(f *output.Formatter, m *codegen.Map, entries *output.Entries) *Map {
	out := &Map{Name: m.ScriptName, Kind: aggregation(m.Value)}
	for _, e := range f.TypedMap(m, entries) {
		out.Entries = append(out.Entries, Entry{Key: e.Key, Value: e.Value})
	}
	return out
}

func aggregation(t *lang.Type) string {
	if t == nil {
		return ""
	}
	switch t.Kind {
	case lang.KCount:
		return "count"
	case lang.KSum:
		return "sum"
	case lang.KMin:
		return "min"
	case lang.KMax:
		return "max"
	case lang.KAvg:
		return "avg"
	case lang.KStats:
		return "stats"
	case lang.KHist:
		return "hist"
	case lang.KLhist:
		return "lhist"
	}
	return ""
}

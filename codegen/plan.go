// Package codegen lowers a checked program (lang.Checked) to eBPF
// instructions and describes everything the runtime needs in a Plan. It is
// pure data: no syscalls, so it is testable without privileges.
package codegen

import (
	"strconv"

	"github.com/cilium/ebpf"

	"github.com/gobpftrace/gobpftrace/codegen/ir"
	"github.com/gobpftrace/gobpftrace/lang"
)

// Plan is the output of codegen and the input of the runtime.
type Plan struct {
	// Spec holds every program and map. Programs reference maps by name
	// (asm.LoadMapPtr(...).WithReference(name)), so ebpf.NewCollection
	// resolves them.
	Spec *ebpf.CollectionSpec
	// Programs in source order (one per concrete attach point).
	Programs []*Program
	// Maps are the script's maps (@x), in order of first appearance.
	Maps []*Map
	// Events is the asynchronous event table; an event's wire id is its
	// index. See EventHeaderSize for the record layout.
	Events []*Event
	// RingBuf is the name in Spec.Maps of the one ring buffer that carries
	// every event; empty when the script sends none.
	RingBuf string
	// Globals is the name in Spec.Maps of a one-entry array map (key u32 0)
	// whose value holds values the runtime sets before BEGIN runs; empty
	// when unused. Layout: GlobalStartNs at offset 0, GlobalCpid at 8.
	Globals string
	// Drops is the name in Spec.Maps of the array (key u32 0, one value of
	// u64 slots) counting what was lost in the kernel: slot DropEvent the events
	// that found the ring buffer full, the slots of MapDrops the updates a
	// full map refused. Empty when nothing can be lost.
	Drops string
	// MapDrops gives, for each map (by Map.Name) whose updates can be
	// refused because it is full, its u64 slot in the Drops value.
	MapDrops map[string]int
	// MapDropSpans gives, for each map of MapDrops, where the script first
	// writes it: the runtime's warning when the map is first found full
	// points there.
	MapDropSpans map[string]lang.Span
	// ExitFlag, when not 0, is the slot of the Drops value where an exit()
	// whose record found the ring buffer full writes its event id + 1 (and
	// the next slot its exit code, the bytes of its argument): the runtime
	// then exits as if the record had arrived.
	ExitFlag int
	// NestDrop, when not 0, is the slot of the Drops value counting the
	// probe runs skipped because every level of the scratch buffer was
	// held by programs running nested on the CPU (codegen/nest.go).
	NestDrop int
	// StackMaps names, for each frame limit that kstack/ustack values of
	// the script use (lang.Type.StackLimit), the BPF_MAP_TYPE_STACK_TRACE
	// map in Spec.Maps that bpf_get_stackid fills: key u32 stack id, value
	// limit u64 instruction pointers (zero after the last frame). kstack and
	// ustack of the same limit share a map. Nil when no stack is taken.
	StackMaps map[int]string
	// BuildIDStackMaps are the same for ustack(build_id): stack maps
	// created with BPF_F_STACK_BUILD_ID, whose frames are 32-byte struct
	// bpf_stack_build_id (status, build id, file offset or address).
	BuildIDStackMaps map[int]string
	// Config is the checked config.
	Config lang.Config
	// File and Source, for messages that point into the script.
	File   string
	Source string

	// checked and opts compiled the plan; DumpIR compiles them again
	// with KeepIR when the plan did not keep its IR.
	checked *lang.Checked
	opts    Options
}

// Program is one eBPF program and where it attaches.
type Program struct {
	// Name is the key in Plan.Spec.Programs.
	Name string
	// Attach is the resolved attach point (provider, tracepoint, period...).
	Attach *lang.Resolved
	// Probe is the probe block it was generated from.
	Probe *lang.Probe
	// Spans parallels Plan.Spec.Programs[Name].Instructions: the script
	// construct (statement, expression, predicate, or the probe itself for
	// the prologue) each instruction was emitted for. The runtime uses it to
	// point at the script line of an instruction the verifier rejects, and
	// `-d asm` to group instructions under their line. It is a side table
	// rather than asm.Comment sources, which would make the kernel demand
	// line info. Spans are ids of SpanTable (see Span), which the
	// programs of a plan share: most instructions of a statement share
	// one, and an id is a twelfth of a span's bytes.
	Spans     []ir.SpanID
	SpanTable *ir.SpanTable
	// Group, when not nil, lists every attach point this one program
	// serves, Attach being Group[0]: the matches of a uprobe/uretprobe
	// wildcard, attached together with one uprobe_multi link whose cookie
	// for Group[i] is i (the program's ProgramSpec has AttachType
	// AttachTraceUprobeMulti). `probe` and `func` are looked up by cookie.
	Group []*lang.Resolved
	// Cookie is the attach cookie of this attach point. The tracepoints of
	// a probe that does not use args share one program (one verifier pass
	// and one load for a wildcard's hundreds of matches): each has a
	// Program of the same Name whose Cookie is the index of its name in
	// the program's table of names, which `probe` reads (0 elsewhere).
	Cookie uint64
	// Funcs are the program's functions in the IR, as code generation
	// built them before lowering (the probe's, then its callbacks'), for
	// `-d ir`; only with Options.KeepIR (DumpIR compiles again for them).
	Funcs []*ir.Func
}

// Map describes one script map for reading and printing.
//
// Layouts (all little endian, see Layout for sizes and offsets):
//   - Key: the user key encoded by Layout(Key); a map without keys uses a
//     single u64 zero key.
//   - KHist/KLhist values: the kernel map's key is the user key followed by
//     a u64 bucket index in the key's last 8 bytes (at KeySize-8; a histogram
//     without keys is keyed by the bucket alone); the value is a per-CPU u64
//     count.
//   - KCount: per-CPU u64. KSum: per-CPU 8-byte int (Signed per Value).
//   - KMin/KMax: per-CPU {int64 value; u64 set}, set is 1 once a value was
//     stored on that CPU; CPUs with set == 0 are ignored when folding.
//   - KAvg/KStats: per-CPU {int64 sum; u64 count}.
//   - KTseries: the kernel key ends with a u64 bucket as for histograms,
//     epoch % TseriesIntervals where epoch = TAI nanoseconds / TseriesInterval;
//     the value is a per-CPU {int64 value; u64 meta; u64 epoch}: meta is the
//     TAI time of the value (last-value series), the count (avg), 1 once set
//     (min, max), or unused (sum). epoch 0: the CPU never wrote the bucket.
//   - Anything else: a plain (not per-CPU) hash value encoded by Layout(Value).
type Map struct {
	// Name is the key in Plan.Spec.Maps.
	Name string
	// ScriptName is "@x" (or "@").
	ScriptName string
	// Key is nil for a map without keys; a KTuple for multi-key maps.
	Key *lang.Type
	// Value is the value type.
	Value *lang.Type
	// KeySize is the size of the kernel map key in bytes (bucket included).
	KeySize int
	// ValueSize is the size of one CPU's value in bytes.
	ValueSize int
	// PerCPU is true for aggregation maps.
	PerCPU bool
	// DeclaredSize is N of `let @m = hash(N)`; 0 when max_map_keys applies.
	DeclaredSize int
	// StrClasses, when not empty, are the kernel maps holding the keys of
	// a map keyed by one string that are shorter than KeySize, by length
	// class (see strkeys.go): each key there is zero-padded to KeySize to
	// read it as a key of this map. Name holds the longest strings.
	StrClasses []StrClass
}

// EventKind tells the runtime what to do with an event.
type EventKind int

const (
	// EvPrintf: format Format with Args and print it.
	EvPrintf EventKind = iota
	// EvPrintMap: print(@map[, Top[, Div]]) prints Map now.
	EvPrintMap
	// EvPrintValue: print(value) prints Args[0] on its own line.
	EvPrintValue
	// EvExit: exit(); the runtime stops, runs END, prints maps.
	EvExit
	// EvClear: clear(@map).
	EvClear
	// EvZero: zero(@map).
	EvZero
	// EvTime: time(Format) prints the current time.
	EvTime
	// EvWarning: a run-time warning (Format) about the code at Span, such
	// as a division by zero.
	EvWarning
	// EvHelperError: with -k, BPF helper Helper failed at Span; Args[0]
	// is its int64 return code (helpererrors.go).
	EvHelperError
	// EvCat: cat(Format, Args...) prints the file the formatted name names.
	EvCat
	// EvSystem: system(Format, Args...) runs the formatted command.
	EvSystem
	// EvErrorf, EvWarnf: errorf/warnf(Format, Args...) print the formatted
	// message as an error or warning about the code at Span.
	EvErrorf
	EvWarnf
	// EvJoin: join(argv, sep): the record holds a u64 count at offset 8 and
	// JoinArgs slots of JoinSlot bytes from offset 16, each a string;
	// Format is the separator.
	EvJoin
)

// DivideByZeroMsg is bpftrace's run-time warning for x / 0 and x % 0,
// whose result is then 1.
const DivideByZeroMsg = "Divide or modulo by 0 detected. This can lead to unexpected results. 1 is being used as the result."

// ArrayOutOfBoundsMsg is bpftrace's run-time warning for an array index
// found out of bounds at run time; the element then reads as zeroes.
const ArrayOutOfBoundsMsg = "Array access out of bounds. This can lead to unexpected results."

// GlobalStartNs is the offset in the Globals value of the u64 start time
// (CLOCK_MONOTONIC nanoseconds, the clock of bpf_ktime_get_ns) that the
// runtime writes before running BEGIN; `elapsed` subtracts it.
const GlobalStartNs = 0

// GlobalCpid is the offset in the Globals value of the u32 pid of the
// child started with -c (`cpid`), which the runtime writes before BEGIN.
const GlobalCpid = 8

// GlobalNcpus is the offset in the Globals value of the u32 number of
// possible CPUs (`ncpus`), which the runtime writes before BEGIN.
const GlobalNcpus = 12

// GlobalTaiOffset is the offset in the Globals value of the u64 that
// CLOCK_TAI is ahead of CLOCK_BOOTTIME (`nsecs(sw_tai)`), which the runtime
// measures and writes before BEGIN.
const GlobalTaiOffset = 16

// GlobalsSize is the size of the Globals value.
const GlobalsSize = 24

// EventHeaderSize is the size of the record header: a u64 event id at
// offset 0. Arguments follow at their Offset (which is >= EventHeaderSize).
const EventHeaderSize = 8

// Event is one entry of the event table.
type Event struct {
	Kind EventKind
	// Format is the printf/time format string, escapes decoded.
	Format string
	// Args are the packed arguments.
	Args []*EventArg
	// Map is the script name of the map for EvPrintMap / EvClear / EvZero.
	Map string
	// Top and Div are print(@m, top, div)'s extra arguments (0 when absent).
	Top, Div int64
	// Range marks print(@m, min, max) of a tseries map: Top and Div are
	// the chart's min and max.
	Range bool
	// Size is the whole record's size in bytes, header included.
	Size int
	// Span is where the call is in the script.
	Span lang.Span
	// Helper is the failing helper's name for EvHelperError
	// ("map_update_elem", "probe_read_user_str", ...).
	Helper string
	// JoinSlot is the size of each string slot of an EvJoin record.
	JoinSlot int
}

// identity is everything that tells ev apart from another event.
func (ev *Event) identity() string {
	// Appended field by field: fmt's reflection was most of the cost of
	// every event of a large script.
	b := make([]byte, 0, 128+len(ev.Format))
	num := func(v int64) { b = strconv.AppendInt(append(b, '|'), v, 10) }
	b = strconv.AppendInt(b, int64(ev.Kind), 10)
	b = strconv.AppendQuote(append(b, '|'), ev.Format)
	b = strconv.AppendQuote(append(b, '|'), ev.Map)
	num(ev.Top)
	num(ev.Div)
	b = strconv.AppendBool(append(b, '|'), ev.Range)
	num(int64(ev.Size))
	for _, p := range []lang.Pos{ev.Span.Start, ev.Span.End} {
		num(int64(p.Offset))
		num(int64(p.Line))
		num(int64(p.Col))
	}
	b = strconv.AppendQuote(append(b, '|'), ev.Helper)
	num(int64(ev.JoinSlot))
	for _, a := range ev.Args {
		num(int64(a.Offset))
		b = append(b, ':')
		if a.Type != nil {
			b = append(b, a.Type.String()...)
		}
	}
	return string(b)
}

// EventArg is one argument of an event.
type EventArg struct {
	Offset int
	Type   *lang.Type
}

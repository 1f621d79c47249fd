package codegen

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/ringbuf"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/check"
	"github.com/gobpftrace/gobpftrace/lang/parser"
)

// fakeEnv knows two tracepoints, with the kernel's field layouts.
type fakeEnv struct{}

func common() []*lang.Field {
	return []*lang.Field{
		{Name: "common_type", Offset: 0, Type: lang.TUint16},
		{Name: "common_flags", Offset: 2, Type: lang.TUint8},
		{Name: "common_preempt_count", Offset: 3, Type: lang.TUint8},
		{Name: "common_pid", Offset: 4, Type: lang.TInt32},
	}
}

var tracepoints = map[string]*lang.Type{
	"raw_syscalls:sys_enter": {Kind: lang.KStruct, Name: "struct sys_enter_args", Size: 64, Fields: append(common(),
		&lang.Field{Name: "id", Offset: 8, Type: lang.TInt64},
		&lang.Field{Name: "args", Offset: 16, Type: &lang.Type{Kind: lang.KArray, Len: 6, Elem: lang.TUint64}},
	)},
	"syscalls:sys_enter_openat": {Kind: lang.KStruct, Name: "struct sys_enter_openat_args", Size: 48, Fields: append(common(),
		&lang.Field{Name: "__syscall_nr", Offset: 8, Type: lang.TInt32},
		&lang.Field{Name: "dfd", Offset: 16, Type: lang.TInt64},
		&lang.Field{Name: "filename", Offset: 24, Type: &lang.Type{Kind: lang.KPtr, Elem: lang.TInt8, UserSpace: true}},
		&lang.Field{Name: "flags", Offset: 32, Type: lang.TInt64},
		&lang.Field{Name: "mode", Offset: 40, Type: lang.TUint64},
	)},
	"sched:sched_process_exec": {Kind: lang.KStruct, Name: "struct sched_process_exec_args", Size: 20, Fields: append(common(),
		&lang.Field{Name: "filename", Offset: 8, Type: &lang.Type{Kind: lang.KPtr, Elem: lang.TInt8}, DataLoc: true},
		&lang.Field{Name: "pid", Offset: 12, Type: lang.TInt32},
		&lang.Field{Name: "old_pid", Offset: 16, Type: lang.TInt32},
	)},
}

func (fakeEnv) Tracepoint(category, event string) (*lang.Type, error) {
	if t, ok := tracepoints[category+":"+event]; ok {
		return t, nil
	}
	return nil, fmt.Errorf("tracepoint %s:%s not found", category, event)
}

func (fakeEnv) MatchTracepoints(category, event string) ([][2]string, error) {
	if _, ok := tracepoints[category+":"+event]; ok {
		return [][2]string{{category, event}}, nil
	}
	return nil, nil
}

// compileScript parses, checks and compiles src.
func compileScript(t *testing.T, src string, params ...string) *Plan {
	t.Helper()
	plan, err := tryCompile(src, params...)
	if err != nil {
		t.Fatalf("compile %q:\n%v", src, err)
	}
	return plan
}

func tryCompile(src string, params ...string) (*Plan, error) {
	prog, err := parser.Parse("test.bt", src)
	if err != nil {
		return nil, err
	}
	checked, err := check.Check(prog, "test.bt", src, fakeEnv{}, check.Options{Params: params})
	if err != nil {
		return nil, err
	}
	return Compile(checked)
}

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("in-kernel codegen tests need root")
		}
		t.Skip("needs root")
	}
}

// loaded is a plan loaded into the kernel.
type loaded struct {
	t    *testing.T
	plan *Plan
	coll *ebpf.Collection
	rb   *ringbuf.Reader
}

func load(t *testing.T, plan *Plan) *loaded {
	t.Helper()
	requireRoot(t)
	coll, err := ebpf.NewCollection(plan.Spec)
	if err != nil {
		var ve *ebpf.VerifierError
		if errors.As(err, &ve) {
			var b strings.Builder
			plan.Dump(&b)
			t.Fatalf("load: %+v\n%s", ve, b.String())
		}
		t.Fatalf("load: %v", err)
	}
	l := &loaded{t: t, plan: plan, coll: coll}
	t.Cleanup(func() {
		if l.rb != nil {
			l.rb.Close()
		}
		coll.Close()
	})
	if plan.RingBuf != "" {
		l.rb, err = ringbuf.NewReader(coll.Maps[plan.RingBuf])
		if err != nil {
			t.Fatal(err)
		}
	}
	return l
}

// run runs the program of the given provider (BEGIN, END) once.
func (l *loaded) run(provider string) {
	l.t.Helper()
	for _, p := range l.plan.Programs {
		if string(p.Attach.Provider) == provider {
			ret, err := l.coll.Programs[p.Name].Run(&ebpf.RunOptions{})
			if err != nil {
				l.t.Fatalf("run %s: %v", p.Name, err)
			}
			if ret != 0 {
				l.t.Fatalf("%s returned %d", p.Name, ret)
			}
			return
		}
	}
	l.t.Fatalf("no %s program", provider)
}

// record is one ring buffer record.
type record struct {
	ev   *Event
	data []byte
}

func (r record) u64(i int) uint64 {
	a := r.ev.Args[i]
	return binary.LittleEndian.Uint64(r.data[a.Offset:])
}

func (r record) int(i int) int64 {
	a := r.ev.Args[i]
	b := r.data[a.Offset:]
	switch Sizeof(a.Type) {
	case 1:
		if a.Type.Signed {
			return int64(int8(b[0]))
		}
		return int64(b[0])
	case 2:
		v := binary.LittleEndian.Uint16(b)
		if a.Type.Signed {
			return int64(int16(v))
		}
		return int64(v)
	case 4:
		v := binary.LittleEndian.Uint32(b)
		if a.Type.Signed {
			return int64(int32(v))
		}
		return int64(v)
	}
	return int64(binary.LittleEndian.Uint64(b))
}

func (r record) str(i int) string {
	a := r.ev.Args[i]
	b := r.data[a.Offset : a.Offset+a.Type.Size]
	if n := strings.IndexByte(string(b), 0); n >= 0 {
		b = b[:n]
	}
	return string(b)
}

// events drains the ring buffer.
func (l *loaded) events() []record {
	l.t.Helper()
	var out []record
	if l.rb == nil {
		return nil
	}
	l.rb.SetDeadline(time.Now().Add(50 * time.Millisecond))
	for {
		rec, err := l.rb.Read()
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				return out
			}
			l.t.Fatal(err)
		}
		id := binary.LittleEndian.Uint64(rec.RawSample)
		if id >= uint64(len(l.plan.Events)) {
			l.t.Fatalf("event id %d out of range", id)
		}
		ev := l.plan.Events[id]
		if len(rec.RawSample) < ev.Size {
			l.t.Fatalf("event %d: %d bytes, want %d", id, len(rec.RawSample), ev.Size)
		}
		out = append(out, record{ev, rec.RawSample})
	}
}

// printfs returns the printf records.
func (l *loaded) printfs() []record {
	var out []record
	for _, r := range l.events() {
		if r.ev.Kind == EvPrintf {
			out = append(out, r)
		}
	}
	return out
}

// scriptMap returns the kernel map of a script map.
func (l *loaded) scriptMap(name string) (*Map, *ebpf.Map) {
	l.t.Helper()
	for _, m := range l.plan.Maps {
		if m.ScriptName == name {
			return m, l.coll.Maps[m.Name]
		}
	}
	l.t.Fatalf("no map %s", name)
	return nil, nil
}

// values returns a map's entries: the key bytes (as a string) to the value
// bytes, per-CPU values folded by summing u64 words (min/max are read with
// perCPU instead).
func (l *loaded) entries(name string) map[string][]byte {
	l.t.Helper()
	m, km := l.scriptMap(name)
	out := map[string][]byte{}
	kms := []*ebpf.Map{km}
	for _, c := range m.StrClasses {
		kms = append(kms, l.coll.Maps[c.Name])
	}
	for _, km := range kms {
		l.readEntries(m, km, out)
	}
	return out
}

// readEntries adds the entries of km, one of the kernel maps of m, to out,
// its keys padded to m's key size (see Map.StrClasses).
func (l *loaded) readEntries(m *Map, km *ebpf.Map, out map[string][]byte) {
	key := make([]byte, km.KeySize())
	pad := string(make([]byte, m.KeySize-len(key)))
	it := km.Iterate()
	if m.PerCPU {
		var vals [][]byte
		for it.Next(&key, &vals) {
			sum := make([]byte, m.ValueSize)
			for _, v := range vals {
				for i := 0; i+8 <= len(v); i += 8 {
					binary.LittleEndian.PutUint64(sum[i:], binary.LittleEndian.Uint64(sum[i:])+binary.LittleEndian.Uint64(v[i:]))
				}
			}
			out[wideKey(m, string(key)+pad)] = sum
		}
	} else {
		val := make([]byte, m.ValueSize)
		for it.Next(&key, &val) {
			out[wideKey(m, string(key)+pad)] = append([]byte(nil), val...)
		}
	}
	if err := it.Err(); err != nil {
		l.t.Fatal(err)
	}
}

// wideKey extends a key that is one integer narrower than 8 bytes to 8,
// as its type extends it, so that tests name every integer key with le64.
func wideKey(m *Map, key string) string {
	t := m.Key
	if t == nil || t.Kind != lang.KInt || t.Size >= 8 || len(key) != t.Size {
		return key
	}
	v := u64([]byte(key))
	if t.Signed {
		v = uint64(i64([]byte(key)))
	}
	return string(le64(v))
}

// value returns the value of a map without keys (or of key k).
func (l *loaded) value(name string, key []byte) []byte {
	l.t.Helper()
	if key == nil {
		key = make([]byte, 8)
	}
	v, ok := l.entries(name)[string(key)]
	if !ok {
		l.t.Fatalf("%s has no key %x", name, key)
	}
	return v
}

// u64 and i64 read an integer at the start of b: 8 bytes, or all of a
// shorter b (a map value of 1, 2 or 4 bytes), zero- or sign-extended.
func u64(b []byte) uint64 {
	switch len(b) {
	case 1:
		return uint64(b[0])
	case 2:
		return uint64(binary.LittleEndian.Uint16(b))
	case 4:
		return uint64(binary.LittleEndian.Uint32(b))
	}
	return binary.LittleEndian.Uint64(b)
}

func i64(b []byte) int64 {
	switch len(b) {
	case 1:
		return int64(int8(b[0]))
	case 2:
		return int64(int16(binary.LittleEndian.Uint16(b)))
	case 4:
		return int64(int32(binary.LittleEndian.Uint32(b)))
	}
	return int64(binary.LittleEndian.Uint64(b))
}

func le64(v uint64) []byte {
	return binary.LittleEndian.AppendUint64(nil, v)
}

// strKey is a NUL-padded string key.
func strKey(s string, size int) []byte {
	b := make([]byte, size)
	copy(b, s)
	return b
}

// runBegin compiles, loads and runs BEGIN.
func runBegin(t *testing.T, src string, params ...string) *loaded {
	t.Helper()
	l := load(t, compileScript(t, src, params...))
	l.run("BEGIN")
	return l
}

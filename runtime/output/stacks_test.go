package output

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/pprof/profile"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
)

// stackSymbols knows a few stacks (leaf first) and names every address:
// kernel addresses (0xffff...) kfn_<low byte>, user addresses by the table
// below, in /bin/prog, except 0x666 which no file holds.
type stackSymbols struct{}

var userNames = map[uint64]string{0x100: "c", 0x200: "b", 0x300: "a", 0x400: "main", 0x500: "libc_start"}

func (stackSymbols) Kernel(addr uint64) (string, uint64, bool) {
	if addr < 0xffff000000000000 {
		return "", 0, false
	}
	return "kfn_" + string(rune('a'+addr&0xf)), 3, true
}

func (stackSymbols) User(pid uint32, addr uint64) (string, uint64, string, bool) {
	if name, ok := userNames[addr&^0xf]; ok {
		return name, addr & 0xf, "/bin/prog", true
	}
	if addr == 0x666 {
		return "", 0, "", false
	}
	return "", 0, "/lib/libx.so", false
}

func (stackSymbols) Stack(limit int, id int64) ([]uint64, error) {
	switch id {
	case 1: // main -> a -> b -> c
		return []uint64{0x101, 0x205, 0x302, 0x400, 0x500}, nil
	case 2: // main -> b -> c, the same functions at other addresses
		return []uint64{0x108, 0x209, 0x401, 0x500}, nil
	case 3: // c -> a syscall
		return []uint64{0xffff000000000001, 0xffff000000000002}, nil
	case 4: // an unknown frame
		return []uint64{0x666, 0x700, 0x401}, nil
	case 5: // the same functions as 2, another stack id
		return []uint64{0x10c, 0x20a, 0x402, 0x500}, nil
	case 9, -17: // gone from the stack map, or never in it (EEXIST)
		return nil, errors.New("BPF map operation lookup failed: No such file or directory [map = stack_127]")
	}
	return nil, nil
}

var (
	tKstack = &lang.Type{Kind: lang.KStack, Name: "kstack", Size: 8, StackLimit: 127}
	tUstack = &lang.Type{Kind: lang.KStack, Name: "ustack", Size: 16, StackLimit: 127, UserSpace: true}
	tCount  = &lang.Type{Kind: lang.KCount}
	tU32    = &lang.Type{Kind: lang.KInt, Size: 4}
)

// ustackKey is the bytes of a ustack value: stack id, pid.
func ustackKey(id int64, pid uint32) []byte {
	b := i64(id)
	b = append(b, byte(pid), byte(pid>>8), byte(pid>>16), byte(pid>>24), 0, 0, 0, 0)
	return b
}

// stackEntry builds the entry of a tuple key from its parts' bytes.
func stackEntry(m *codegen.Map, parts [][]byte, cpus ...uint64) Entry {
	key := make([]byte, codegen.Sizeof(m.Key))
	if m.Key.Kind == lang.KTuple {
		offs := codegen.TupleOffsets(m.Key)
		for n, p := range parts {
			copy(key[offs[n]:], p)
		}
	} else {
		copy(key, parts[0])
	}
	var vals [][]byte
	for _, c := range cpus {
		vals = append(vals, u64(c))
	}
	return Entry{Key: key, Values: vals}
}

func comm(s string) []byte { return encode(tStr16, s) }

// profileMaps are a run's maps: @ by user stack and comm, @sys by kernel
// and user stack and pid, and @n without a stack.
func profileMaps() ([]*codegen.Map, ReadEntries) {
	users := newMap("@", tuple(tUstack, tStr16), tCount)
	sys := newMap("@sys", tuple(tKstack, tUstack, tU32), &lang.Type{Kind: lang.KSum})
	n := newMap("@n", nil, tCount)
	entries := map[*codegen.Map][]Entry{
		users: {
			stackEntry(users, [][]byte{ustackKey(1, 42), comm("prog")}, 3, 2),
			stackEntry(users, [][]byte{ustackKey(2, 42), comm("prog")}, 1, 2),
			stackEntry(users, [][]byte{ustackKey(5, 42), comm("prog")}, 4, 0), // folds with id 2
			stackEntry(users, [][]byte{ustackKey(4, 43), comm("other;x")}, 1, 0),
			stackEntry(users, [][]byte{ustackKey(-14, 44), comm("nostack")}, 1, 1),
			stackEntry(users, [][]byte{ustackKey(1, 42), comm("zero")}, 0, 0), // no count: left out
		},
		sys: {
			stackEntry(sys, [][]byte{i64(3), ustackKey(1, 42), encode(tU32, 42)}, 100, 0),
		},
		n: {entry(n, nil, u64(7), u64(1))},
	}
	return []*codegen.Map{n, sys, users}, func(m *codegen.Map) (*Entries, error) { return EntriesOf(entries[m]), nil }
}

func TestFoldedOutput(t *testing.T) {
	maps, read := profileMaps()
	var out, errOut bytes.Buffer
	p := New("folded", &Formatter{Symbols: stackSymbols{}}, Destination{Stdout: &out, Stderr: &errOut})
	p.Printf("hello\n")
	if err := p.ExitMaps(maps, read); err != nil {
		t.Fatal(err)
	}
	if err := p.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "@;nostack 2\n" +
		"@;other:x;main;0x700;0x666 1\n" +
		"@;prog;libc_start;main;a;b;c 5\n" +
		"@;prog;libc_start;main;b;c 7\n" +
		"@sys;42;libc_start;main;a;b;c;kfn_c_[k];kfn_b_[k] 100\n"
	if out.String() != want {
		t.Errorf("folded output:\n%s\nwant:\n%s", out.String(), want)
	}
	if errOut.String() != "hello\n\n\n@n: 8\n" {
		t.Errorf("stderr: %q", errOut.String())
	}

	// One stack map: no map name in front; print(@m, top) keeps the top.
	out.Reset()
	p = New("folded", &Formatter{Symbols: stackSymbols{}}, Destination{Stdout: &out, Stderr: &errOut})
	entries, _ := read(maps[2])
	if err := p.Map(maps[2], entries, 2, 0); err != nil {
		t.Fatal(err)
	}
	p.Flush()
	if want := "prog;libc_start;main;a;b;c 5\nprog;libc_start;main;b;c 4\n"; out.String() != want {
		t.Errorf("print(@, 2):\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestPprofOutput(t *testing.T) {
	maps, read := profileMaps()
	var out, errOut bytes.Buffer
	p := New("pprof", &Formatter{Symbols: stackSymbols{}}, Destination{Stdout: &out, Stderr: &errOut})
	p.(*stackPrinter).now = func() time.Time { return time.Unix(1700000000, 5) }
	p.Printf("hello\n")
	if err := p.ExitMaps(maps, read); err != nil {
		t.Fatal(err)
	}
	if err := p.Flush(); err != nil {
		t.Fatal(err)
	}
	if errOut.String() != "hello\n\n\n@n: 8\n" {
		t.Errorf("stderr: %q", errOut.String())
	}
	prof, err := profile.Parse(&out)
	if err != nil {
		t.Fatal(err)
	}
	if prof.TimeNanos != 1700000000000000005 {
		t.Errorf("time %d", prof.TimeNanos)
	}
	var types []string
	for _, st := range prof.SampleType {
		types = append(types, st.Type+"/"+st.Unit)
	}
	if got := strings.Join(types, " "); got != "@/count @sys/value" || prof.DefaultSampleType != "@" {
		t.Errorf("sample types %q, default %q", got, prof.DefaultSampleType)
	}
	// Each sample: its values, frames leaf first, labels.
	var got []string
	for _, s := range prof.Sample {
		var frames []string
		for _, loc := range s.Location {
			frames = append(frames, loc.Line[0].Function.Name+"@"+loc.Mapping.File)
		}
		got = append(got, fmt.Sprint(s.Value[0], " ", s.Value[1], " ", strings.Join(frames, ","), " ", fmtLabels(s)))
	}
	want := []string{
		"5 0 c@/bin/prog,b@/bin/prog,a@/bin/prog,main@/bin/prog,libc_start@/bin/prog key1=prog",
		"3 0 c@/bin/prog,b@/bin/prog,main@/bin/prog,libc_start@/bin/prog key1=prog",
		"4 0 c@/bin/prog,b@/bin/prog,main@/bin/prog,libc_start@/bin/prog key1=prog",
		"1 0 0x666@[unknown],0x700@/lib/libx.so,main@/bin/prog key1=other;x",
		"2 0  key1=nostack",
		"0 100 kfn_b_[k]@[kernel.kallsyms],kfn_c_[k]@[kernel.kallsyms],c@/bin/prog,b@/bin/prog,a@/bin/prog,main@/bin/prog,libc_start@/bin/prog key2=42",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("samples:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// One function per name; addresses kept; the kernel mapping spans
	// its frames.
	names := map[string]int{}
	for _, fn := range prof.Function {
		names[fn.Name]++
	}
	for name, n := range names {
		if n != 1 {
			t.Errorf("function %s %d times", name, n)
		}
	}
	for _, m := range prof.Mapping {
		if m.File == kernelMapping && (m.Start != 0xffff000000000001 || m.Limit != 0xffff000000000003 || !m.HasFunctions) {
			t.Errorf("kernel mapping %+v", m)
		}
	}
	if prof.Sample[0].Location[0].Address != 0x101 {
		t.Errorf("address of c: %#x", prof.Sample[0].Location[0].Address)
	}
}

func fmtLabels(s *profile.Sample) string {
	var parts []string
	for k, v := range s.Label {
		parts = append(parts, k+"="+v[0])
	}
	for k, v := range s.NumLabel {
		parts = append(parts, fmt.Sprint(k, "=", v[0]))
	}
	return strings.Join(parts, ",")
}

// A map of histograms keyed by a stack: a sample per key, the count of
// all its buckets.
func TestStackHistSamples(t *testing.T) {
	m := newMap("@h", tKstack, &lang.Type{Kind: lang.KHist})
	key := func(idx uint64, cpus ...uint64) Entry {
		k := append(i64(3), u64(idx)...)
		var vals [][]byte
		for _, c := range cpus {
			vals = append(vals, u64(c))
		}
		return Entry{Key: k, Values: vals}
	}
	f := &Formatter{Symbols: stackSymbols{}}
	lines := f.foldedLines(m, EntriesOf([]Entry{key(2, 1, 2), key(5, 4, 0)}), 0, 1, "")
	if want := []string{"kfn_c_[k];kfn_b_[k] 7"}; !reflect.DeepEqual(lines, want) {
		t.Errorf("%q, want %q", lines, want)
	}
}

func TestIsStackMap(t *testing.T) {
	for _, c := range []struct {
		key  *lang.Type
		want bool
	}{
		{nil, false},
		{tStr16, false},
		{tKstack, true},
		{tuple(tStr16, tU32), false},
		{tuple(tU32, tUstack), true},
	} {
		if got := IsStackMap(&codegen.Map{Key: c.key}); got != c.want {
			t.Errorf("IsStackMap(%v) = %v", c.key, got)
		}
	}
}

// A stack id the stack map no longer holds prints as an empty stack, as
// bpftrace prints it, and its error goes to Errors once per value; the
// other stacks print as usual.
func TestLostStack(t *testing.T) {
	var errs []string
	f := &Formatter{Symbols: stackSymbols{}, Errors: func(msg string) { errs = append(errs, msg) }}
	m := newMap("@", tUstack, tCount)
	k := newMap("@k", tKstack, tCount)
	entries := map[*codegen.Map][]Entry{
		m: {stackEntry(m, [][]byte{ustackKey(9, 42)}, 2), stackEntry(m, [][]byte{ustackKey(2, 42)}, 1)},
		k: {stackEntry(k, [][]byte{i64(9)}, 5), stackEntry(k, [][]byte{i64(-14)}, 1), // -14: EFAULT, no stack and no error
			// -17 (EEXIST: no room) in the lower half, 4 frames in the upper
			stackEntry(k, [][]byte{u64(4<<32 | uint64(uint32(0xffffffef)))}, 3)},
	}
	var out, errOut bytes.Buffer
	p := New("text", f, Destination{Stdout: &out, Stderr: &errOut})
	for _, mp := range []*codegen.Map{m, k} {
		if err := p.Map(mp, EntriesOf(entries[mp]), 0, 0); err != nil {
			t.Fatal(err)
		}
	}
	p.Value(tKstack, i64(9))
	p.Flush()
	want := "@[\n    c+8\n    b+9\n    main+1\n    libc_start+0\n]: 1\n@[]: 2\n@k[\n]: 1\n@k[]: 3\n@k[]: 5\n\n"
	if out.String() != want {
		t.Errorf("text output:\n%q\nwant:\n%q", out.String(), want)
	}
	const gone = ": BPF map operation lookup failed: No such file or directory [map = stack_127]"
	wantErrs := []string{
		"failed to look up stack id: 9 stack length: 0 (pid 42)" + gone,
		"failed to look up stack id: -17 stack length: 4 (pid 0)" + gone,
		"failed to look up stack id: 9 stack length: 0 (pid 0)" + gone,
		"failed to look up stack id: 9 stack length: 0 (pid 0)" + gone,
	}
	if !reflect.DeepEqual(errs, wantErrs) {
		t.Errorf("errors:\n%q\nwant:\n%q", errs, wantErrs)
	}
}

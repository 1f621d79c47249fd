package output

import (
	"reflect"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang"
)

// inlineSymbols is stackSymbols that also knows source locations (config
// show_debug_info): at 0x205 c is inlined in b inlined in the function of
// the address; other known addresses have only their own line.
type inlineSymbols struct{ stackSymbols }

func (inlineSymbols) SourceFrames(pid uint32, addr uint64) []SourceFrame {
	switch {
	case addr == 0x205:
		return []SourceFrame{
			{Name: "c", Inlined: true, File: "/src/p.c", Line: 3},
			{Name: "b", Inlined: true}, // no call location
			{File: "/src/p.c", Line: 20},
		}
	case addr == 0x666:
		return nil
	}
	return []SourceFrame{{File: "/src/p.c", Line: int(addr >> 8)}}
}

// A user frame with functions inlined at its address prints one line per
// inlined function before its own, as bpftrace does: "[inlined] NAME@..."
// in bpftrace mode, "ADDR NAME (inlined)" in perf mode; raw mode and
// kernel frames are unchanged.
func TestInlinedFrames(t *testing.T) {
	f := &Formatter{Symbols: inlineSymbols{}}
	perf := *tUstack
	perf.StackMode = "perf"
	raw := *tUstack
	raw.StackMode = "raw"
	for _, c := range []struct {
		t    *lang.Type
		want string
	}{
		{tUstack, "\n        c+1@/src/p.c:1\n        [inlined] c@/src/p.c:3\n        [inlined] b\n        b+5@/src/p.c:20\n        a+2@/src/p.c:3\n        main+0@/src/p.c:4\n        libc_start+0@/src/p.c:5\n"},
		{&perf, "\n\t101 c+1 (/bin/prog)\n\t205 c (inlined)\n\t205 b (inlined)\n\t205 b+5 (/bin/prog)\n\t302 a+2 (/bin/prog)\n\t400 main+0 (/bin/prog)\n\t500 libc_start+0 (/bin/prog)\n"},
		{&raw, "\n101\n205\n302\n400\n500\n"},
	} {
		if got := f.Value(c.t, ustackKey(1, 7)); got != c.want {
			t.Errorf("%s mode:\n got %q\nwant %q", c.t.StackMode, got, c.want)
		}
	}
	st := f.Decode(tUstack, ustackKey(1, 7)).(Stack)
	var got []Frame
	for _, fr := range st.Frames[:4] {
		got = append(got, Frame{Addr: fr.Addr, Symbol: fr.Symbol, Text: fr.Text, Inlined: fr.Inlined})
	}
	want := []Frame{
		{Addr: 0x101, Symbol: "c", Text: "c+1@/src/p.c:1"},
		{Addr: 0x205, Symbol: "c", Text: "[inlined] c@/src/p.c:3", Inlined: true},
		{Addr: 0x205, Symbol: "b", Text: "[inlined] b", Inlined: true},
		{Addr: 0x205, Symbol: "b", Text: "b+5@/src/p.c:20"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("typed frames:\n got %+v\nwant %+v", got, want)
	}
}

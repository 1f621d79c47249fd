package output

import (
	"strings"
	"sync"
	"testing"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
)

// fakeSymbols names every address after its run, so that a value resolved
// with another run's symbols shows.
type fakeSymbols struct{ run string }

func (s fakeSymbols) Kernel(addr uint64) (string, uint64, bool) {
	return s.run + "_kfunc", addr & 0xf, true
}

func (s fakeSymbols) User(pid uint32, addr uint64) (string, uint64, string, bool) {
	return s.run + "_ufunc", addr & 0xf, "/bin/" + s.run, true
}

func (s fakeSymbols) Stack(limit int, id int64) ([]uint64, error) {
	if id != 7 {
		return nil, nil
	}
	return []uint64{0x1001, 0x2002}, nil
}

// Two runs print at the same time, each with its own format, destination,
// symbols, user-space lookups and str() trailer: neither sees the other's
// (run with -race, the runs share nothing but read-only tables).
func TestConcurrentRunsDoNotShareState(t *testing.T) {
	ksym := &lang.Type{Kind: lang.KSym, Size: 8}
	usym := &lang.Type{Kind: lang.KSym, Size: 16, UserSpace: true}
	kstack := &lang.Type{Kind: lang.KStack, Name: "kstack", Size: 8, StackLimit: 4}
	user := &lang.Type{Kind: lang.KUsername, Size: 8}
	str4 := lang.StringType(4)
	counts := newMap("@", tuple(ksym, str4), &lang.Type{Kind: lang.KCount})
	key := append(u64(0x1234), "abcd"...)
	key = append(key, make([]byte, codegen.Sizeof(counts.Key)-len(key))...)
	printf := &codegen.Event{Kind: codegen.EvPrintf, Format: "%s in %s\n", Args: []*codegen.EventArg{{Type: ksym, Offset: 8}, {Type: usym, Offset: 16}}}
	rec := append(append(u64(0), u64(0x2005)...), append(u64(0x4003), u64(42)...)...)

	type run struct {
		format string
		f      *Formatter
		want   string
	}
	runs := []*run{
		{format: "text", f: &Formatter{Symbols: fakeSymbols{"a"}, UserSpace: fakeUserSpace{}, TruncTrailer: "~~"},
			want: "a_kfunc in a_ufunc\n" +
				"a_kfunc\n" +
				"abcd~~\n" +
				"root\n" +
				"\n        a_kfunc+1\n        a_kfunc+2\n\n" +
				"@[a_kfunc, abcd~~]: 3\n"},
		{format: "json", f: &Formatter{Symbols: fakeSymbols{"b"}, TruncTrailer: ".."},
			want: `{"type": "printf", "data": "b_kfunc in b_ufunc\n"}` + "\n" +
				`{"type": "value", "data": "b_kfunc"}` + "\n" +
				`{"type": "value", "data": "abcd.."}` + "\n" +
				`{"type": "value", "data": "0"}` + "\n" +
				`{"type": "value", "data": ["b_kfunc+1","b_kfunc+2"]}` + "\n" +
				`{"type": "map", "data": {"@": {"b_kfunc,abcd..": 3}}}` + "\n"},
	}
	const rounds = 300
	var wg sync.WaitGroup
	got := make([]string, len(runs))
	for n, r := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var sb strings.Builder
			p := New(r.format, r.f, Destination{Stdout: &sb, Stderr: &sb, File: "stdin"})
			for range rounds {
				text, err := r.f.Sprintf(printf, rec)
				if err != nil {
					t.Error(err)
					return
				}
				p.Printf(text)
				p.Value(ksym, u64(0xff01))
				p.Value(str4, []byte("abcd"))
				p.Value(user, u64(0))
				p.Value(kstack, u64(7))
				p.Map(counts, EntriesOf([]Entry{{Key: key, Values: [][]byte{u64(1), u64(2)}}}), 0, 0)
			}
			p.Flush()
			got[n] = sb.String()
		}()
	}
	wg.Wait()
	for n, r := range runs {
		if want := strings.Repeat(r.want, rounds); got[n] != want {
			t.Errorf("%s run printed\n%.600s\nwant (%d times)\n%s", r.format, got[n], rounds, r.want)
		}
	}
}

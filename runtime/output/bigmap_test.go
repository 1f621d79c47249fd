package output

import (
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
)

// bigCountMap is bigmap.bt's map (@[nsecs] = count()) with n keys on two
// CPUs, in a scrambled order as the kernel returns them.
func bigCountMap(n int) (*codegen.Map, *Entries) {
	m := newMap("@", lang.TUint64, &lang.Type{Kind: lang.KCount})
	entries := NewEntries(8, 8, 8, 2)
	for i := 0; i < n; i++ {
		k := uint64(i) * 7919 % uint64(n) // a permutation: 7919 is prime
		entries.Append(u64(1_000_000_000+k*977), u64(k%3), u64(1))
	}
	return m, entries
}

// BenchmarkPrintBigMap prints a 1,000,000-key count map as at exit
// (cmd/gobpftrace-bench's bigmap section measures it end to end, reading
// the map from the kernel included).
func BenchmarkPrintBigMap(b *testing.B) {
	m, entries := bigCountMap(1_000_000)
	entries.Alloc = HugeAlloc // as runtime/maps reads them
	f := &Formatter{}
	b.ReportAllocs()
	for b.Loop() {
		p := NewText(f, Destination{Stdout: io.Discard, Stderr: io.Discard})
		if err := p.Map(m, entries, 0, 0); err != nil {
			b.Fatal(err)
		}
		p.Flush()
	}
}

// bigRow is one entry of a big map as the test generates it, with what
// it should print: the key's text and JSON key, the folded value's text
// and JSON, and what the entries are ordered by.
type bigRow struct {
	key, value   []byte // kernel bytes: key, and every CPU's value side by side
	keyText      string
	keyJSON      string
	valueText    string
	valueJSON    string
	sortSigned   int64  // for signed orders
	sortUnsigned uint64 // for unsigned orders
	sortKey      string // for key orders
}

// bigCase is one map of the test and how its rows are ordered.
type bigCase struct {
	m     *codegen.Map
	rows  []bigRow
	order string // "signed", "unsigned" or "key"
	json  string // the JSON line's type
}

// distinctStrings returns n different lowercase strings of 1 to 15
// bytes (they fit a 16-byte string with its NUL), in random order.
func distinctStrings(r *rand.Rand, n int) []string {
	seen := map[string]bool{}
	out := make([]string, 0, n)
	for len(out) < n {
		b := make([]byte, 1+r.IntN(15))
		for i := range b {
			b[i] = byte('a' + r.IntN(26))
		}
		if s := string(b); !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// bigCases builds maps of n keys of several key and value types. The
// values (or keys, for maps ordered by key) are all different, so the
// order is fully determined; each row's text is computed here from the
// numbers it was built from, not by the package's formatting code.
func bigCases(n int) []bigCase {
	r := rand.New(rand.NewPCG(17, 2026))
	perm := r.Perm(n) // the kernel's order: anything
	strs := distinctStrings(r, n)
	var cases []bigCase

	// @c[u64] = count(): ascending by count, counts split over 2 CPUs.
	c := bigCase{m: newMap("@c", lang.TUint64, &lang.Type{Kind: lang.KCount}), order: "unsigned", json: "map", rows: make([]bigRow, 0, n)}
	for _, i := range perm {
		k := uint64(i)*2654435761 + 1<<40
		count := uint64(i)*3 + 1
		cpu0 := count / uint64(2+i%3)
		c.rows = append(c.rows, bigRow{
			key: u64(k), value: append(u64(cpu0), u64(count-cpu0)...),
			keyText: fmt.Sprint(k), keyJSON: fmt.Sprint(k), valueText: fmt.Sprint(count), valueJSON: fmt.Sprint(count),
			sortUnsigned: count,
		})
	}
	cases = append(cases, c)

	// @s[int32] = sum() of signed values: ascending as int64, negative
	// keys and sums.
	s := bigCase{m: newMap("@s", lang.TInt32, &lang.Type{Kind: lang.KSum, Signed: true}), order: "signed", json: "map", rows: make([]bigRow, 0, n)}
	for _, i := range perm {
		k := int32(i) - int32(n/2)
		sum := (int64(i) - int64(n)/3) * 7
		cpu0 := int64(r.IntN(1000)) - 500
		s.rows = append(s.rows, bigRow{
			key: encode(lang.TInt32, int64(k)), value: append(i64(cpu0), i64(sum-cpu0)...),
			keyText: fmt.Sprint(k), keyJSON: fmt.Sprint(k), valueText: fmt.Sprint(sum), valueJSON: fmt.Sprint(sum),
			sortSigned: sum,
		})
	}
	cases = append(cases, s)

	// @t[u64, string] = count(): a tuple key; JSON keys drop the space.
	tk := tuple(lang.TUint64, tStr16)
	t := bigCase{m: newMap("@t", tk, &lang.Type{Kind: lang.KCount}), order: "unsigned", json: "map", rows: make([]bigRow, 0, n)}
	for _, i := range perm {
		a := uint64(i % 1000)
		count := uint64(n-i) * 5
		t.rows = append(t.rows, bigRow{
			key: encode(tk, []any{a, strs[i]}), value: append(u64(count), u64(0)...),
			keyText: fmt.Sprintf("%d, %s", a, strs[i]), keyJSON: fmt.Sprintf("%d,%s", a, strs[i]),
			valueText: fmt.Sprint(count), valueJSON: fmt.Sprint(count), sortUnsigned: count,
		})
	}
	cases = append(cases, t)

	// @a[string] = avg(): ascending by the average, a "stats" line in JSON.
	a := bigCase{m: newMap("@a", tStr16, &lang.Type{Kind: lang.KAvg}), order: "unsigned", json: "stats", rows: make([]bigRow, 0, n)}
	for _, i := range perm {
		avg := uint64(i)*11 + 3
		cnt0, cnt1 := uint64(1+i%4), uint64(i%3)
		total := avg * (cnt0 + cnt1)
		sum0 := total / 2
		a.rows = append(a.rows, bigRow{
			key: encode(tStr16, strs[i]), value: append(append(u64(sum0), u64(cnt0)...), append(u64(total-sum0), u64(cnt1)...)...),
			keyText: strs[i], keyJSON: strs[i], valueText: fmt.Sprint(avg), valueJSON: fmt.Sprint(avg), sortUnsigned: avg,
		})
	}
	cases = append(cases, a)

	// @v[string] = string: not an aggregation, ordered by key bytewise.
	v := bigCase{m: newMap("@v", tStr16, tStr16), order: "key", json: "map", rows: make([]bigRow, 0, n)}
	for _, i := range perm {
		val := strings.ToUpper(strs[(i+1)%n])
		v.rows = append(v.rows, bigRow{
			key: encode(tStr16, strs[i]), value: encode(tStr16, val),
			keyText: strs[i], keyJSON: strs[i], valueText: val, valueJSON: strconv.Quote(val), sortKey: strs[i],
		})
	}
	cases = append(cases, v)
	return cases
}

// entries are the rows as read from the kernel, in the rows' order.
func (c bigCase) entries() *Entries {
	ncpu := 1
	if c.m.PerCPU {
		ncpu = 2
	}
	es := NewEntries(c.m.KeySize, c.m.ValueSize, c.m.ValueSize, ncpu)
	for _, r := range c.rows {
		var vals [][]byte
		for cpu := 0; cpu < ncpu; cpu++ {
			vals = append(vals, r.value[cpu*c.m.ValueSize:(cpu+1)*c.m.ValueSize])
		}
		es.Append(r.key, vals...)
	}
	return es
}

// want is the text and JSON print(@m) should write.
func (c bigCase) want() (text, json string) {
	rows := append([]bigRow(nil), c.rows...)
	sort.Slice(rows, func(i, j int) bool {
		switch c.order {
		case "signed":
			return rows[i].sortSigned < rows[j].sortSigned
		case "unsigned":
			return rows[i].sortUnsigned < rows[j].sortUnsigned
		}
		return rows[i].sortKey < rows[j].sortKey
	})
	var tb, jb strings.Builder
	fmt.Fprintf(&jb, `{"type": "%s", "data": {"%s": {`, c.json, c.m.ScriptName)
	for n, r := range rows {
		fmt.Fprintf(&tb, "%s[%s]: %s\n", c.m.ScriptName, r.keyText, r.valueText)
		if n > 0 {
			jb.WriteString(", ")
		}
		fmt.Fprintf(&jb, "%q: %s", r.keyJSON, r.valueJSON)
	}
	jb.WriteString("}}}\n")
	return tb.String(), jb.String()
}

// TestBigMapsExact prints maps of 200,000 keys of several types in text
// and JSON and compares every byte with what the test computes itself.
func TestBigMapsExact(t *testing.T) {
	n := 200_000
	if testing.Short() {
		n = 20_000
	}
	for _, c := range bigCases(n) {
		es := c.entries()
		if es.Len() != n {
			t.Fatalf("%s: %d entries", c.m.ScriptName, es.Len())
		}
		wantText, wantJSON := c.want()
		for format, want := range map[string]string{"text": wantText, "json": wantJSON} {
			got := printed(format, plain, func(p Printer) {
				if err := p.Map(c.m, es, 0, 0); err != nil {
					t.Fatal(err)
				}
			})
			if got != want {
				gl, wl := strings.SplitAfter(got, "\n"), strings.SplitAfter(want, "\n")
				for i := 0; i < min(len(gl), len(wl)); i++ {
					if gl[i] != wl[i] {
						t.Fatalf("%s %s: line %d is %.200q, want %.200q", c.m.ScriptName, format, i+1, gl[i], wl[i])
					}
				}
				if format == "json" {
					for i := 0; i < min(len(got), len(want)); i++ {
						if got[i] != want[i] {
							t.Fatalf("%s json: byte %d: got %.120q, want %.120q", c.m.ScriptName, i, got[max(i-40, 0):], want[max(i-40, 0):])
						}
					}
				}
				t.Fatalf("%s %s: %d bytes, want %d", c.m.ScriptName, format, len(got), len(want))
			}
		}
	}
}

package codegen

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// TestBoundedMapSizes checks which maps boundedMaps finds and the number
// of keys it gives them: the map is sized to it, preallocated, and has no
// loss counter; every other map keeps max_map_keys, allocation on insert
// (per-CPU) and its counter.
func TestBoundedMapSizes(t *testing.T) {
	cases := []struct {
		src  string
		want string // "@name=keys" of the bounded maps, sorted
	}{
		{`BEGIN { @ = count(); }`, "@=1"},
		{`BEGIN { @a = count(); @a = count(); } END { @a = count(); }`, "@a=3"},
		{`BEGIN { @t[pid > 100 ? 1 : 0] = count(); }`, "@t=2"},
		{`BEGIN { @t[pid > 100 ? 1 : (pid > 5 ? 2 : 3)] = count(); }`, "@t=3"},
		{`BEGIN { @t[pid == 1] = count(); @u[!pid] = count(); }`, "@t=2 @u=2"},
		{`BEGIN { @b[(uint8)pid] = count(); }`, "@b=256"},
		{`BEGIN { @b[(uint8)pid, pid > 1] = count(); }`, "@b=512"},
		{`BEGIN { @m["a", 1] = 5; @m["b", 2] = 6; }`, "@m=2"},
		{`BEGIN { @l = lhist(pid, 0, 500, 10); }`, "@l=53"},                                  // 52 buckets and the sum
		{`BEGIN { @h = hist(pid); }`, "@h=67"},                                               // 66 buckets and the sum
		{`BEGIN { @h[pid > 1 ? 1 : 0] = hist(pid); }`, "@h=134"},                             // two keys
		{`BEGIN { @x = 1; @x++; }`, "@x=2"},                                                  // ++ writes too
		{`BEGIN { @c[comm] = count(); }`, ""},                                                // any string
		{`BEGIN { @c[pid] = count(); }`, ""},                                                 // any integer
		{`BEGIN { @c[1] = count(); @c[pid] = count(); }`, ""},                                // one unbounded write
		{`BEGIN { @c[(uint16)pid] = count(); }`, ""},                                         // 65,536 > 4,096
		{`let @c = hash(10); BEGIN { @c[1] = 1; }`, ""},                                      // declared: as declared
		{`config = { max_map_keys = 2 } BEGIN { @t[pid > 1 ? 1 : (pid ? 2 : 3)] = 1; }`, ""}, // 3 > 2
		{`BEGIN { @l[pid > 1] = lhist(pid, 0, 1000, 1); }`, "@l=2006"},
		{`BEGIN { @l[(uint8)pid] = lhist(pid, 0, 100, 1); }`, ""}, // 256*103 buckets
		{`rawtracepoint:sched_switch { @r = count(); }`, ""},      // no bpf_prog_active guard
		{`self:signal:SIGUSR1 { @s = count(); }`, ""},             // runs beside the probes
	}
	for _, c := range cases {
		p, err := tryCompile(c.src)
		if err != nil {
			t.Errorf("%s: %v", c.src, err)
			continue
		}
		var got []string
		for _, m := range p.Maps {
			spec := p.Spec.Maps[m.Name]
			_, counted := p.MapDrops[m.Name]
			n := p.bounded(m.ScriptName)
			switch {
			case n > 0:
				got = append(got, fmt.Sprintf("%s=%d", m.ScriptName, n))
				if counted || spec.MaxEntries != uint32(n) || spec.Flags != 0 {
					t.Errorf("%s: %s counted %v, %d entries, flags %#x", c.src, m.ScriptName, counted, spec.MaxEntries, spec.Flags)
				}
			case !counted:
				t.Errorf("%s: %s is not bounded and has no loss counter", c.src, m.ScriptName)
			}
		}
		sort.Strings(got)
		if s := strings.Join(got, " "); s != c.want {
			t.Errorf("%s: bounded %q, want %q", c.src, s, c.want)
		}
	}
}

// bounded finds a script map's size when boundedMaps sized it: the plan
// has no other record of the decision.
func (p *Plan) bounded(script string) int {
	for _, m := range p.Maps {
		if m.ScriptName != script {
			continue
		}
		if _, counted := p.MapDrops[m.Name]; counted {
			return 0
		}
		return int(p.Spec.Maps[m.Name].MaxEntries)
	}
	return 0
}

// TestBoundedMapsHoldEveryKey writes every key of bounded maps, more times
// than they have keys: a map sized one key short would lose one, silently
// since it has no counter.
func TestBoundedMapsHoldEveryKey(t *testing.T) {
	l := runBegin(t, `BEGIN {
		for $i : 0..600 { @b[(uint8)$i] = count(); }
		for $j : -5..520 { @l = lhist($j, 0, 500, 10); }
		@h = hist(-1); @h = hist(0);
		for $k : 0..63 { @h = hist(1 << $k); }
	}`)
	b := l.entries("@b")
	if len(b) != 256 {
		t.Fatalf("@b has %d keys, want 256", len(b))
	}
	for k := 0; k < 256; k++ {
		want := int64(2) // 600 = 2*256 + 88
		if k < 88 {
			want = 3
		}
		if got := i64(b[string(le64(uint64(k)))]); got != want {
			t.Errorf("@b[%d] = %d, want %d", k, got, want)
		}
	}
	lm, _ := l.scriptMap("@l")
	lh := l.entries("@l")
	if len(lh) != 52 {
		t.Errorf("@l has %d buckets, want 52", len(lh))
	}
	// Bucket 0 holds -5..-1, 1..50 hold ten values each, 51 holds 500..519.
	for bucket, want := range map[uint64]int64{0: 5, 1: 10, 50: 10, 51: 20} {
		if got := i64(lh[string(histKey(lm, nil, bucket))]); got != want {
			t.Errorf("@l bucket %d = %d, want %d", bucket, got, want)
		}
	}
	if h := l.entries("@h"); len(h) != 65 {
		t.Errorf("@h has %d buckets, want 65 (negative, zero and 63 powers of two)", len(h))
	}
}

// Writers that may nest on one CPU keep the counter: a guarded program
// (tracepoint, perf event, possibly in NMI) may interrupt a uprobe_multi
// program, which runs without bpf_prog_active; raw tracepoints, fentry and
// iterators nest anywhere.
func TestWritersNestSafe(t *testing.T) {
	cases := []struct {
		providers []probetype.Type
		want      bool
	}{
		{[]probetype.Type{probetype.Begin, probetype.End}, true},
		{[]probetype.Type{probetype.Tracepoint, probetype.Profile, probetype.Begin}, true},
		{[]probetype.Type{probetype.Uprobe, probetype.USDT, probetype.End}, true},
		{[]probetype.Type{probetype.Uprobe, probetype.Tracepoint}, false},
		{[]probetype.Type{probetype.Uretprobe, probetype.Hardware}, false},
		{[]probetype.Type{probetype.RawTracepoint}, false},
		{[]probetype.Type{probetype.Fentry, probetype.Begin}, false},
		{[]probetype.Type{probetype.Iter}, false},
		{[]probetype.Type{probetype.Self}, false},
	}
	for _, c := range cases {
		k := writersBeginEnd
		for _, p := range c.providers {
			k |= writerKindOf(p)
		}
		if got := nestSafe(k); got != c.want {
			t.Errorf("%v: nestSafe %v, want %v", c.providers, got, c.want)
		}
	}
}

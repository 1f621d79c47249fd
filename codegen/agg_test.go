package codegen

import (
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
)

func TestAggregations(t *testing.T) {
	l := runBegin(t, `BEGIN {
		@c = count(); @c = count(); @c = count();
		@ck[1] = count(); @ck[2] = count(); @ck[2] = count();
		@s = sum(5); @s = sum(-8); @s = sum(100);
		@mn = min(5); @mn = min(-3); @mn = min(7);
		@mx = max(5); @mx = max(-3); @mx = max(7);
		@umn = min((uint64)9); @umn = min((uint64)4);
		@a = avg(10); @a = avg(20); @a = avg(-3);
		@st = stats(4); @st = stats(6);
		@sk["x"] = sum(2); @sk["x"] = sum(3);
	}`)
	check := func(name string, key []byte, want ...int64) {
		t.Helper()
		v := l.value(name, key)
		for i, w := range want {
			if got := i64(v[8*i:]); got != w {
				t.Errorf("%s word %d = %d, want %d", name, i, got, w)
			}
		}
	}
	check("@c", nil, 3)
	check("@ck", le64(1), 1)
	check("@ck", le64(2), 2)
	check("@s", nil, 97)
	check("@mn", nil, -3, 1)
	check("@mx", nil, 7, 1)
	check("@umn", nil, 4, 1)
	check("@a", nil, 27, 3)
	check("@st", nil, 10, 2)
	m, _ := l.scriptMap("@sk")
	check("@sk", strKey("x", m.KeySize), 5)
	if m, _ := l.scriptMap("@c"); !m.PerCPU || m.ValueSize != 8 || m.KeySize != 8 {
		t.Errorf("@c layout %+v", m)
	}
	if m, _ := l.scriptMap("@mn"); m.ValueSize != 16 {
		t.Errorf("@mn value size %d", m.ValueSize)
	}
}

// Each read of a count/sum/min/max/avg value is a fold over the CPUs with
// 56 bytes of slots in the probe's frame; an expression of a dozen reads
// fits because each fold frees its slots once read (it was refused with
// "the loop needs more than 512 bytes of stack").
func TestAggregationReadsReuseSlots(t *testing.T) {
	l := runBeginFolding(t, `BEGIN {
		@m = max(3); @c = count(); @a = avg(4); @a = avg(6);
		@r = @m + @c + @a + @m + @c + @a + @m + @c + @a + @m + @c + (@a * 2);
	}`)
	if got := i64(l.value("@r", nil)); got != 3*4+1*4+5*5 {
		t.Errorf("@r = %d, want %d", got, 3*4+1*4+5*5)
	}
}

// runBeginFolding is runBegin with the globals' CPU count set, as the
// runtime sets it, so that reading an aggregation folds the CPUs' copies.
func runBeginFolding(t *testing.T, src string) *loaded {
	t.Helper()
	p := compileScript(t, src)
	l := load(t, p)
	n, err := ebpf.PossibleCPU()
	if err != nil {
		t.Fatal(err)
	}
	g := make([]byte, GlobalsSize)
	binary.LittleEndian.PutUint32(g[GlobalNcpus:], uint32(n))
	if err := l.coll.Maps[p.Globals].Put(uint32(0), g); err != nil {
		t.Fatal(err)
	}
	l.run("BEGIN")
	return l
}

// histKey is a hist/lhist kernel key: user key, then the u64 bucket.
func histKey(m *Map, user []byte, bucket uint64) []byte {
	k := make([]byte, m.KeySize)
	copy(k, user)
	binary.LittleEndian.PutUint64(k[m.KeySize-8:], bucket)
	return k
}

func TestHistograms(t *testing.T) {
	l := runBegin(t, `BEGIN {
		@h = hist(-5);
		@h = hist(0);
		@h = hist(1);
		@h = hist(2); @h = hist(3);
		@h = hist(4); @h = hist(7);
		@h = hist(1024);
		@h = hist(0x7fffffffffffffff);
		@hk[7] = hist(100);
		@l = lhist(-1, 0, 100, 10);
		@l = lhist(0, 0, 100, 10);
		@l = lhist(9, 0, 100, 10);
		@l = lhist(10, 0, 100, 10);
		@l = lhist(99, 0, 100, 10);
		@l = lhist(100, 0, 100, 10);
		@l = lhist(5000, 0, 100, 10);
	}`)
	hm, _ := l.scriptMap("@h")
	if hm.KeySize != 8 { // a histogram without keys is keyed by its bucket
		t.Fatalf("@h key size %d", hm.KeySize)
	}
	wantH := map[uint64]uint64{0: 1, 1: 1, 2: 1, 3: 2, 4: 2, 12: 1, 64: 1}
	got := l.entries("@h")
	if len(got) != len(wantH) {
		t.Errorf("@h has %d buckets, want %d", len(got), len(wantH))
	}
	for b, n := range wantH {
		if v, ok := got[string(histKey(hm, nil, b))]; !ok || u64(v) != n {
			t.Errorf("@h bucket %d = %v, want %d", b, v, n)
		}
	}
	hk, _ := l.scriptMap("@hk")
	if v := l.value("@hk", histKey(hk, le64(7), 8)); u64(v) != 1 {
		t.Errorf("@hk[7] bucket 8 = %d", u64(v))
	}
	lm, _ := l.scriptMap("@l")
	wantL := map[uint64]uint64{0: 1, 1: 2, 2: 1, 10: 1, 11: 2}
	gotL := l.entries("@l")
	if len(gotL) != len(wantL) {
		t.Errorf("@l has %d buckets, want %d", len(gotL), len(wantL))
	}
	for b, n := range wantL {
		if v, ok := gotL[string(histKey(lm, nil, b))]; !ok || u64(v) != n {
			t.Errorf("@l bucket %d = %v, want %d", b, v, n)
		}
	}
}

// histIndex is the reference bucket numbering (see histBucket).
func histIndex(v int64, k int) uint64 {
	if v < 0 {
		return 0
	}
	if v < 1<<k {
		return uint64(v) + 1
	}
	n := 63
	for v>>n == 0 {
		n--
	}
	return uint64((n-k+1)<<k) + uint64(v>>(n-k))&(1<<k-1) + 1
}

func TestHistBits(t *testing.T) {
	values := []int64{-3, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 100, 1000, 1 << 20, 3 << 40, 1<<62 + 12345}
	for k := 0; k <= 5; k++ {
		var b strings.Builder
		b.WriteString("BEGIN {\n")
		for _, v := range values {
			fmt.Fprintf(&b, "@h = hist(%d, %d);\n", v, k)
		}
		b.WriteString("}\n")
		l := runBegin(t, b.String())
		hm, _ := l.scriptMap("@h")
		want := map[uint64]uint64{}
		for _, v := range values {
			want[histIndex(v, k)]++
		}
		got := l.entries("@h")
		if len(got) != len(want) {
			t.Errorf("k=%d: %d buckets, want %d", k, len(got), len(want))
		}
		for bucket, n := range want {
			if v, ok := got[string(histKey(hm, nil, bucket))]; !ok || u64(v) != n {
				t.Errorf("k=%d: bucket %d = %v, want %d", k, bucket, v, n)
			}
		}
	}
}

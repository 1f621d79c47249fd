package check

import (
	"fmt"
	"strings"
	"testing"
)

func mapDump(t *testing.T, src string) string {
	t.Helper()
	_, out := mustCheck(t, src)
	var b strings.Builder
	for i, m := range out.Maps {
		if m.Index != i {
			t.Errorf("%s: map %s has Index %d at position %d", src, m.Name, m.Index, i)
		}
		fmt.Fprintf(&b, "%s key=%s value=%s\n", m.Name, typeText(m.Key), typeText(m.Value))
	}
	return b.String()
}

func TestMaps(t *testing.T) {
	tests := []struct{ src, want string }{
		{`BEGIN { @ = count(); @a[pid] = sum(pid); @b[comm, tid] = min(-1); @c = max(1); @d["x"] = avg(cpu); @e = stats(1) }`, `
			@ key=nil value=count_t
			@a key=uint32 value=sum_t
			@b key=(string[16],uint32) value=min_t(signed)
			@c key=nil value=max_t
			@d key=string[2] value=avg_t
			@e key=nil value=stats_t`},
		{`BEGIN { @h = hist(pid); @h2[1] = hist(pid, 3); @l = lhist(pid, 0, 100, 10) }`, `
			@h key=nil value=hist_t(bits=0)
			@h2 key=int8 value=hist_t(bits=3)
			@l key=nil value=lhist_t(0,100,10)`},
		// Integers keep their width in maps (bpftrace v0.26) and widen as
		// variables do, a literal's sign adapting to an unsigned value;
		// strings widen.
		{`BEGIN { @x = 1; @x = -1; @s = "a"; @s = "abc"; @t[1, "a"] = (1, comm); @t[2, "bb"] = (pid, comm) }`, `
			@x key=nil value=int8
			@s key=nil value=string[4]
			@t key=(int8,string[3]) value=(uint32,string[16])`},
		{`BEGIN { @x = (uint8)1; @y[(int16)5] = 1; @z[(uint8)1, "a"] = 1; @w = (int32)-1; @w = 5; @v = (uint8)1; @v = 300; @u = (uint16)1; @u = (int8)-1 }`, `
			@x key=nil value=uint8
			@y key=int16 value=int8
			@z key=(uint8,string[2]) value=int8
			@w key=nil value=int32
			@v key=nil value=uint16
			@u key=nil value=int32`},
		// A literal key or value meets an unsigned one in its type; no
		// integer type holds uint64 and a signed value: int64 (with a
		// warning, castWarnings).
		{`BEGIN { @k[1] = 1; @k[nsecs] = pid; @m = (uint64)1; @m = -1; @p = 1; @p++; @q = (uint8)1; @q++ }`, `
			@k key=uint64 value=uint32
			@m key=nil value=int64
			@p key=nil value=int64
			@q key=nil value=int64`},
		// A map read on the right of its own first assignment starts at 0.
		{`BEGIN { @n = @n + 1; @k[1] = @k[2] * 3 }`, `
			@n key=nil value=int64
			@k key=int8 value=int64`},
		// The sum of signed values is signed.
		{`BEGIN { @s = sum(1); @s = sum(-1) }`, `
			@s key=nil value=sum_t(signed)`},
		// Implicit int64 maps from ++ and compound assignment.
		{`BEGIN { @c++; @d += 2; @e[pid] -= 1 }`, `
			@c key=nil value=int64
			@d key=nil value=int64
			@e key=uint32 value=int64`},
		// Reads before writes, in another probe: types come from the writes;
		// order is first appearance.
		{`END { print(@late); clear(@x) } interval:s:1 { @late[tid] = max(elapsed); @x = 1 }`, `
			@late key=uint32 value=max_t
			@x key=nil value=int8`},
		{`tracepoint:syscalls:sys_enter_openat { @start[tid] = nsecs } tracepoint:syscalls:sys_exit_openat /@start[tid]/ { @ns = hist(nsecs - @start[tid]); delete(@start, tid); delete(@start[tid]) }`, `
			@start key=uint32 value=uint64
			@ns key=nil value=hist_t(bits=0)`},
		{`let @m = lruhash(100); BEGIN { @m[1] = 1 }`, `
			@m key=int8 value=int8`},
	}
	for _, tc := range tests {
		if got, want := mapDump(t, tc.src), trimLines(tc.want); got != want {
			t.Errorf("%s\ngot:\n%s\nwant:\n%s", tc.src, got, want)
		}
	}
}

func TestMapSymsShared(t *testing.T) {
	prog, out := mustCheck(t, `BEGIN { @a[1] = 1; @b = count() } END { print(@a[1]); print(@b) }`)
	uses := map[string][]*mapUse{}
	for _, e := range allExprs(prog) {
		if m, ok := e.(*mapUse); ok {
			uses[m.Name] = append(uses[m.Name], m)
		}
	}
	for name, list := range uses {
		for _, m := range list {
			if m.Sym == nil || m.Sym != out.Maps[m.Sym.Index] || m.Sym.Name != name {
				t.Errorf("%s: bad symbol %+v", name, m.Sym)
			}
		}
	}
	if len(uses["@a"]) != 2 || len(uses["@b"]) != 2 {
		t.Errorf("uses: %v", uses)
	}
	if out.Maps[0].Decl != nil || out.Maps[0].First.Start.Col != 9 {
		t.Errorf("first use of @a: %+v", out.Maps[0].First)
	}
}

func TestMapDecl(t *testing.T) {
	_, out := mustCheck(t, `let @m = lruhash(100); BEGIN { @m[1] = 1 }`)
	if d := out.Maps[0].Decl; d == nil || d.Kind != "lruhash" || d.MaxEntries != 100 {
		t.Errorf("decl: %+v", d)
	}
}

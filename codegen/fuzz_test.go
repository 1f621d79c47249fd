package codegen

import (
	"errors"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/check"
	"github.com/gobpftrace/gobpftrace/lang/parser"
)

// FuzzCompile: whatever the checker accepts, codegen either compiles or
// rejects with a positioned diagnostic; it never fails internally.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		`BEGIN { @x = 1 + 2; printf("%d %s\n", 5, comm); exit(); }`,
		`tracepoint:raw_syscalls:sys_enter /args.id == 1 || comm == "bash"/ { @[args.id, comm] = count(); }`,
		`tracepoint:syscalls:sys_enter_openat { @[str(args.filename)] = hist(args.flags, 2); }`,
		`BEGIN { $t = (1, "two"); @tv = $t; $x = $t.0 ? "a" : "b"; print($x); @l = lhist(pid, 0, 100, 10); }`,
		`BEGIN { @m[1] = 2; @m[1] += 3; @m[2]++; delete(@m[1]); print(@m, 1, 2); clear(@m); zero(@m); time("%H"); }`,
		`BEGIN { $a = (int8)-3; $b = $a >> 1; @s = stats($b); @mn = min($b); @mx = max($a); @a = avg(-$b); }`,
		`interval:s:1 { @i = count(); } END { printf("%d\n", elapsed); }`,
		`BEGIN { @m[1] = "a"; for ($kv : @m) { if ($kv.1 == "a") { break; } @n[$kv.0] = len(@m); } for ($i : 0..pid) { continue; } while (@x < 3) { @x++; } unroll(2) { @u++; } }`,
		`macro inc($x) { $x += 1; $x } #define N 4
BEGIN { $a = 1; $b = inc($a) + N; $r = (k = "v", n = (uint8[2])(uint16)$b); print($r); printf("%d %d\n", strcontains(str($1), "x"), strncmp(comm, "gb", 2)); }`,
		`struct s { int a; char n[4]; unsigned b : 3; long v[2]; struct s *next; }; enum e { A, B = 4 };
BEGIN { $p = (struct s *)0; @x = $p->next->n[1] + $p->v[pid % 2] + $p.b + sizeof(*$p) + offsetof(struct s, v); @y = *$p; @z = &$p->v[1]; printf("%s %s\n", $p->n, (enum e)4); $q = $p + 1; @w = $q->a; }`,
		`macro comm($p) { $p } BEGIN { let $v; @m[1] = (1, "x"); $s = str_concat(comm(), "x"); printf("%d %d %d %d %s %d\n", strstr($s, "x"), memcmp($s, "ab", 2), is_str($s), strcap($s), signal_name(9), find(@m, 1, $v)); static_assert(is_integer(__builtin_pid), "pid"); if (0) { fail("no"); } assert(leader_tid > 0, "tid"); debugf("%d", usermode); $c = config().max_strlen; }`,
		`BEGIN { @m[1, "a"] = 1; $k = (1, "a"); $x = 2; $p = &$x; $q = $p - 1; @d = $p - $q; print(__has_key((void *)&@m, (void *)&$k)); for ($kv : @m) { $j = $kv.0; @h = __has_key((void *)&@m, (void *)&$j); } for ($i : 0..3) { @r = __has_key((void *)&@m, (void *)&$i); } }`,
		`BEGIN { @m[1] = 1; @m[2] = 2; $k = 2; $r = __delete((void *)&@m, (void *)&$k); __delete((void *)&@m, (void *)&$k); for ($kv : @m) { $j = $kv.0; @c = __delete((void *)&@m, (void *)&$j) + __elem_count((void *)&@m); } @n = __elem_count((void *)&@m) + $r; }`,
	} {
		f.Add(s)
	}
	// The shapes of issue 15 and 12: long operator chains, deep nesting,
	// a big if body (jumps beyond 16 bits), loops inside callbacks.
	nest := func(open, close string, n int, inner string) string {
		return strings.Repeat(open, n) + inner + strings.Repeat(close, n)
	}
	for _, s := range []string{
		`BEGIN { $x = 1` + strings.Repeat(" - 1", 2000) + `; $y = pid` + strings.Repeat(" < 1", 200) + `; }`,
		`BEGIN /pid != 1` + strings.Repeat(" && pid != 2", 500) + `/ { @x = 1; }`,
		`BEGIN { ` + nest("if (pid > 1) { ", "} ", 20, "@x = 1; ") + `}`,
		`BEGIN { ` + nest("while (@w < 2) { @w++; ", "} ", 4, `printf("%d\n", @w); `) + `}`,
		`BEGIN { if (pid == 1) { ` + strings.Repeat("@x = 1; ", 4196) + `} else { @y = 2; } printf("after\n"); }`,
		`BEGIN { $a = pid == 1 ? (` + strings.Repeat("pid + ", 3000) + `1) : 7; }`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		prog, err := parser.Parse("fuzz.bt", src)
		if err != nil {
			return
		}
		c, err := check.Check(prog, "fuzz.bt", src, fakeEnv{}, check.Options{})
		if err != nil {
			return
		}
		_, err = Compile(c)
		if err == nil {
			return
		}
		var d *lang.Diagnostics
		if !errors.As(err, &d) {
			t.Fatalf("%q: error %T %v", src, err, err)
		}
		for _, x := range d.List {
			if strings.Contains(x.Msg, "internal error") || x.Span.Start.Line == 0 {
				t.Fatalf("%q: %v", src, err)
			}
		}
	})
}

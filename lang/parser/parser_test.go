package parser_test

import (
	"testing"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/parser"
)

// shapeCases pairs a script with the s-expression of its AST (see dump_test.go).
var shapeCases = []struct{ src, want string }{
	{"BEGIN { @x = (pid_t)$x; @y = (pid) - 1; @w = (pid_t)(-1); @v = (pid_t)-1; @o = (foo)@m[1]; @s = sizeof(pid_t) }", "(prog (probe BEGIN| ({} (= @x (cast \"pid_t\" $x)) (= @y (- pid 1)) (= @w (cast \"pid_t\" (- 1))) (= @v (- pid_t 1)) (= @o (cast \"foo\" (@m[] 1))) (= @s (sizeof pid_t)))))"},
	{"BEGIN { }", "(prog (probe BEGIN| ({})))"},
	{"BEGIN < >", "(prog (probe BEGIN| (<>)))"},
	{"begin { } end { }", "(prog (probe begin| ({})) (probe end| ({})))"},
	{"BEGIN,END { exit(); }", "(prog (probe BEGIN|,END| ({} (call exit))))"},
	{"tracepoint:syscalls:sys_enter_open* { }", "(prog (probe tracepoint|syscalls|sys_enter_open* ({})))"},
	{"t:sched:sched_switch { }", "(prog (probe t|sched|sched_switch ({})))"},
	{"kprobe:do_sys_open+0x10 { }", "(prog (probe kprobe|do_sys_open+0x10 ({})))"},
	{"uprobe:/bin/bash:readline { }", "(prog (probe uprobe|/bin/bash|readline ({})))"},
	{"uprobe:libc:malloc { }", "(prog (probe uprobe|libc|malloc ({})))"},
	{"usdt:/usr/bin/python3:function__entry { }", "(prog (probe usdt|/usr/bin/python3|function__entry ({})))"},
	{"interval:s:1 { }", "(prog (probe interval|s|1 ({})))"},
	{"interval:1s { }", "(prog (probe interval|1s ({})))"},
	{"profile:hz:99 { }", "(prog (probe profile|hz|99 ({})))"},
	{"software:cpu-clock:1000000 { }", "(prog (probe software|cpu-clock|1000000 ({})))"},
	{"kfunc:vmlinux:vfs_read { }", "(prog (probe kfunc|vmlinux|vfs_read ({})))"},
	{"rawtracepoint:sched_switch { }", "(prog (probe rawtracepoint|sched_switch ({})))"},
	{"kprobe:vfs_r?ad* { }", "(prog (probe kprobe|vfs_r?ad* ({})))"},
	{"uprobe:\"/path with space\":f { }", "(prog (probe uprobe|/path with space|f ({})))"},
	{"uprobe:./a.out:main { }", "(prog (probe uprobe|./a.out|main ({})))"},
	// A relative path without ./ is a path, not a predicate.
	{"uprobe:bin/tool:main { }", "(prog (probe uprobe|bin/tool|main ({})))"},
	{"*:./app:f, *:./app:p:n { }", "(prog (probe *|./app|f,*|./app|p|n ({})))"},
	{"ur:bin/sub/tool*:f* { }", "(prog (probe ur|bin/sub/tool*|f* ({})))"},
	{"usdt:bin/tool:gbt:tick { }", "(prog (probe usdt|bin/tool|gbt|tick ({})))"},
	{"uprobe:bin/tool:main /pid == 1/ { }", "(prog (probe uprobe|bin/tool|main /(== pid 1)/ ({})))"},
	{"kprobe:f,\n  kprobe:g { }", "(prog (probe kprobe|f,kprobe|g ({})))"},
	{"kprobe:f /pid > 10/ { }", "(prog (probe kprobe|f /(> pid 10)/ ({})))"},
	{"kprobe:f /pid > 10/ < @x = 1; >", "(prog (probe kprobe|f /(> pid 10)/ (<> (= @x 1))))"},
	{"kprobe:f/pid/{ }", "(prog (probe kprobe|f /pid/ ({})))"},
	{"kprobe:f / pid / 2 > 1 / { }", "(prog (probe kprobe|f /(> (/ pid 2) 1)/ ({})))"},
	{"tracepoint:raw_syscalls:sys_enter < @[comm]=count(); >", "(prog (probe tracepoint|raw_syscalls|sys_enter (<> (= (@[] comm) (call count)))))"},
	{"BEGIN < $a = 1; $b = 2; @c = $a > $b; @d = $a >> 1; @e = $a >= $b >", "(prog (probe BEGIN| (<> (= $a 1) (= $b 2) (= @c (> $a $b)) (= @d (>> $a 1)) (= @e (>= $a $b)))))"},
	{"BEGIN < if ($a > $b) < @x = 1 > else < @y = 2 > >", "(prog (probe BEGIN| (<> (if (> $a $b) (<> (= @x 1)) (<> (= @y 2))))))"},
	{"BEGIN < @x = 1\n>", "(prog (probe BEGIN| (<> (= @x 1))))"},
	{"BEGIN < @x = 1 // done\n>", "(prog (probe BEGIN| (<> (= @x 1))))"},
	{"BEGIN<@x=1;>END<@y=2;>", "(prog (probe BEGIN| (<> (= @x 1))) (probe END| (<> (= @y 2))))"},
	{"BEGIN < < @x = 1; > >", "(prog (probe BEGIN| (<> (<> (= @x 1)))))"},
	{"BEGIN < while ($i < 3) < $i++; > >", "(prog (probe BEGIN| (<> (while (< $i 3) (<> (post++ $i))))))"},
	{"BEGIN { @x = 1; }", "(prog (probe BEGIN| ({} (= @x 1))))"},
	{"BEGIN { @x = 1 }", "(prog (probe BEGIN| ({} (= @x 1))))"},
	{"BEGIN { @ = count() }", "(prog (probe BEGIN| ({} (= @ (call count)))))"},
	{"BEGIN { @m[1] = 2; @m[1, \"a\"] = 3; }", "(prog (probe BEGIN| ({} (= (@m[] 1) 2) (= (@m[] 1 \"a\") 3))))"},
	{"BEGIN { $x = 1; $x += 2; $x -= 1; $x *= 2; $x /= 2; $x %= 3; $x &= 1; $x |= 1; $x ^= 1; $x <<= 1; $x >>= 1 }", "(prog (probe BEGIN| ({} (= $x 1) (+= $x 2) (-= $x 1) (*= $x 2) (/= $x 2) (%= $x 3) (&= $x 1) (|= $x 1) (^= $x 1) (<<= $x 1) (>>= $x 1))))"},
	{"BEGIN { let $x; let $y: uint8 = 1; let $z = 2; let $s: struct foo *; let $a: int8[4]; }", "(prog (probe BEGIN| ({} (let $x \"_\" nil) (let $y \"uint8\" 1) (let $z \"_\" 2) (let $s \"struct foo *\" nil) (let $a \"int8[4]\" nil))))"},
	{"BEGIN { $x++; $x--; ++$x; --$x; @m[1]++; --@m[2]; }", "(prog (probe BEGIN| ({} (post++ $x) (post-- $x) (++ $x) (-- $x) (post++ (@m[] 1)) (-- (@m[] 2)))))"},
	{"BEGIN { if (1) { } else if (2) { } else { } }", "(prog (probe BEGIN| ({} (if 1 ({}) (if 2 ({}) ({}))))))"},
	{"BEGIN { if $x { } else if $y > 1 { } while $i < 3 { } if ($a) + 1 { } }", "(prog (probe BEGIN| ({} (if $x ({}) (if (> $y 1) ({}))) (while (< $i 3) ({})) (if (+ $a 1) ({})))))"},
	{"BEGIN { while (1) { break; continue } }", "(prog (probe BEGIN| ({} (while 1 ({} (break) (continue))))))"},
	{"BEGIN { for ($kv : @m) { } for ($i : 0..10) { } for ($j : $a..$b+1) { } }", "(prog (probe BEGIN| ({} (for $kv @m ({})) (for $i 0 10 ({})) (for $j $a (+ $b 1) ({})))))"},
	{"BEGIN { for $kv : @m { } for $i : ((uint64)0)..((uint64)$n) { } }", "(prog (probe BEGIN| ({} (for $kv @m ({})) (for $i (cast \"uint64\" 0) (cast \"uint64\" $n) ({})))))"},
	{"BEGIN { unroll (5) { } }", "(prog (probe BEGIN| ({} (unroll 5 ({})))))"},
	{"BEGIN { return; } END { return 1 }", "(prog (probe BEGIN| ({} (return))) (probe END| ({} (return 1))))"},
	{"BEGIN { { @x = 1 } }", "(prog (probe BEGIN| ({} ({} (= @x 1)))))"},
	{"BEGIN { @x = 1 ? 2 : 3; @y = 1 ?: 3; @z = 1 ? 2 : 3 ? 4 : 5 }", "(prog (probe BEGIN| ({} (= @x (?: 1 2 3)) (= @y (?: 1 nil 3)) (= @z (?: 1 2 (?: 3 4 5))))))"},
	{"BEGIN { @x = 1 || 2 && 3 | 4 ^ 5 & 6 == 7 != 8 < 9 <= 10 > 11 >= 12 << 13 >> 14 + 15 - 16 * 17 / 18 % 19 }", "(prog (probe BEGIN| ({} (= @x (|| 1 (&& 2 (| 3 (^ 4 (& 5 (!= (== 6 7) (>= (> (<= (< 8 9) 10) 11) (>> (<< 12 13) (- (+ 14 15) (% (/ (* 16 17) 18) 19))))))))))))))"},
	{"BEGIN { @x = (1 + 2) * 3; @y = 1 - 2 - 3; @z = -1 + !2 - ~3 }", "(prog (probe BEGIN| ({} (= @x (* (+ 1 2) 3)) (= @y (- (- 1 2) 3)) (= @z (- (+ (- 1) (! 2)) (~ 3))))))"},
	{"BEGIN { @x = *$p; @y = &$v; @z = - -1 }", "(prog (probe BEGIN| ({} (= @x (* $p)) (= @y (& $v)) (= @z (- (- 1))))))"},
	{"BEGIN { @x = (uint8)$x; @y = (struct task_struct *)curtask; @z = (int8[4])$x; @w = (mytype_t *)$p; @v = (pid) }", "(prog (probe BEGIN| ({} (= @x (cast \"uint8\" $x)) (= @y (cast \"struct task_struct *\" curtask)) (= @z (cast \"int8[4]\" $x)) (= @w (cast \"mytype_t *\" $p)) (= @v pid))))"},
	{"BEGIN { @x = curtask->parent->pid; @y = args.filename; @z = args->count; @t = $t.0; @a = $arr[1][2]; @f = f(1)[0] }", "(prog (probe BEGIN| ({} (= @x (-> (-> curtask parent) pid)) (= @y (. args filename)) (= @z (-> args count)) (= @t (. $t 0)) (= @a (index (index $arr 1) 2)) (= @f (index (call f 1) 0)))))"},
	{"BEGIN { @x = (1, \"a\"); @y = (a=1, b=\"x\"); @z = ((1, 2), 3).0.1 }", "(prog (probe BEGIN| ({} (= @x (tuple 1 \"a\")) (= @y (record (a 1) (b \"x\"))) (= @z (. (. (tuple (tuple 1 2) 3) 0) 1)))))"},
	{"BEGIN { @x = sizeof(struct task_struct); @y = sizeof($x); @z = sizeof(uint32); @w = offsetof(struct foo, a.b); @v = offsetof($x, c) }", "(prog (probe BEGIN| ({} (= @x (sizeof \"struct task_struct\")) (= @y (sizeof $x)) (= @z (sizeof \"uint32\")) (= @w (offsetof \"struct foo\" a.b)) (= @v (offsetof $x c)))))"},
	{"BEGIN { @x = 10; @h = 0x1F; @o = 010; @u = 1_000_000; @e = 1e6; @t = 5s; @ms = 3ms; @xl = 0xffffffffffffffff }", "(prog (probe BEGIN| ({} (= @x 10) (= @h 31) (= @o 8) (= @u 1000000) (= @e 1000000) (= @t 5000000000) (= @ms 3000000) (= @xl 18446744073709551615))))"},
	{"BEGIN { @x = true; @y = false; @p = pid; @c = comm; @a = arg0 }", "(prog (probe BEGIN| ({} (= @x true) (= @y false) (= @p pid) (= @c comm) (= @a arg0))))"},
	{"BEGIN { @x = $1; @y = $#; @z = $10 }", "(prog (probe BEGIN| ({} (= @x $1) (= @y $#) (= @z $10))))"},
	{"BEGIN { print(kstack(perf, 3)); time(\"%H:%M\"); }", "(prog (probe BEGIN| ({} (call print (call kstack perf 3)) (call time \"%H:%M\"))))"},
	{"#!/usr/bin/env bpftrace\nBEGIN { }", "(prog (probe BEGIN| ({})))"},
	{"// comment\nBEGIN { /* inline */ @x = 1; } // trailing", "(prog (probe BEGIN| ({} (= @x 1))))"},
	{"#include <linux/sched.h>\n#include \"foo.h\"\n#define MAX 10\nBEGIN { }", "(prog (#include \"<linux/sched.h>\") (#include \"\\\"foo.h\\\"\") (#define MAX \"10\") (probe BEGIN| ({})))"},
	{"config = { max_strlen = 100; stack_mode = perf; missing_probes = \"warn\" }\nBEGIN { }", "(prog (config (max_strlen 100) (stack_mode perf) (missing_probes \"warn\")) (probe BEGIN| ({})))"},
	{"config = { max_strlen = 100 }\nBEGIN { }", "(prog (config (max_strlen 100)) (probe BEGIN| ({})))"},
	{"macro m(T, x) { x }\nBEGIN { m(int32, 1); m(struct task_struct *, 2); m(foo_t *, { $a = 1; $a }); m(pid_t, uint8[4]); @x = { 1 } + 2; { $b = 3 } }",
		"(prog (macro m (T x) ({} x)) (probe BEGIN| ({} (call m (type \"int32\") 1) (call m (type \"struct task_struct *\") 2) (call m (type \"foo_t *\") (blockexpr ({} (= $a 1)) $a)) (call m pid_t (type \"uint8[4]\")) (= @x (+ (blockexpr ({}) 1) 2)) ({} (= $b 3)))))"},
	{"macro c(T, p) { container_of(p, T, f) }", "(prog (macro c (T p) ({} (cast \"T *\" (- (cast \"uint64\" p) (offsetof T f))))))"},
	{"macro add($a, $b) { $a + $b }\nmacro inc(@m, x) < @m++; >\nBEGIN { @x = add(1, 2) }", "(prog (macro add ($a $b) ({} (+ $a $b))) (macro inc (@m x) (<> (post++ @m))) (probe BEGIN| ({} (= @x (call add 1 2)))))"},
	{"let @m = hash(100);\nlet @n = lruhash(10)\nBEGIN { @m[1] = 1 }", "(prog (mapdecl @m hash 100) (mapdecl @n lruhash 10) (probe BEGIN| ({} (= (@m[] 1) 1))))"},
	{"struct Foo { int x; struct { int y; } z; };\nunion U { int a; long b; }\nenum E { A = 1, B };\ntypedef unsigned long ulong_t;\nBEGIN { }", "(prog (cdef \"struct Foo { int x; struct { int y; } z; };\") (cdef \"union U { int a; long b; }\") (cdef \"enum E { A = 1, B };\") (cdef \"typedef unsigned long ulong_t;\") (probe BEGIN| ({})))"},
	{"BEGIN < if (1) < printf(\"x\"); > >", "(prog (probe BEGIN| (<> (if 1 (<> (call printf \"x\"))))))"},
	{"BEGIN < if (1) < printf(\"x\") > >", "(prog (probe BEGIN| (<> (if 1 (<> (call printf \"x\"))))))"},
	{"BEGIN < if (1) < @x = 1 >else< @x = 2 > >", "(prog (probe BEGIN| (<> (if 1 (<> (= @x 1)) (<> (= @x 2))))))"},
	{"BEGIN { printf(\"a\\tb\\n\\\"q\\\" \\\\ \\x41 \\101 \\0 \\x7e\"); }", "(prog (probe BEGIN| ({} (call printf \"a\\tb\\n\\\"q\\\" \\\\ A A \\x00 ~\"))))"},
	{"BEGIN { @x = if (1) { 2 } else if ($a) { $b = 3; $b } else { 4 }; if (1) { @y = 1 } else { @y = 2 } @z = { $c = 1; if ($c) { 5 } else { 6 } } + 1 }",
		"(prog (probe BEGIN| ({} (= @x (ifexpr 1 (blockexpr ({}) 2) (ifexpr $a (blockexpr ({} (= $b 3)) $b) (blockexpr ({}) 4)))) (if 1 ({} (= @y 1)) ({} (= @y 2))) (= @z (+ (blockexpr ({} (= $c 1)) (ifexpr $c (blockexpr ({}) 5) (blockexpr ({}) 6))) 1)))))"},
	{"BEGIN { delete(@m[1, *]); delete(@n[*]); @x = 2 * 3 }", "(prog (probe BEGIN| ({} (call delete (@m[] 1 *)) (call delete (@n[] *)) (= @x (* 2 3)))))"},
	{"BEGIN < if (1) < printf(\"x\\n\"); > >", "(prog (probe BEGIN| (<> (if 1 (<> (call printf \"x\\n\"))))))"},
}

// handParsedCases are scripts that the hand-written parser, which parsed
// every valid script until participle's grammar took over, accepted and
// the grammar once refused or read differently: a trailing ';' in a
// config block, and a cast to a plain type name whose operand starts with
// '(' or a literal.
var handParsedCases = []struct{ src, want string }{
	{"config = { max_strlen = 100; }\nBEGIN { }", "(prog (config (max_strlen 100)) (probe BEGIN| ({})))"},
	{"config = { max_strlen = 100; stack_mode = perf; }\nBEGIN { }", "(prog (config (max_strlen 100) (stack_mode perf)) (probe BEGIN| ({})))"},
	{"BEGIN { @a = (pid_t)(1); @b = (foo)$x; @c = (foo)\"s\"; @d = (foo)pid; @e = (foo)sizeof(int8) }", "(prog (probe BEGIN| ({} (= @a (cast \"pid_t\" 1)) (= @b (cast \"foo\" $x)) (= @c (cast \"foo\" \"s\")) (= @d (cast \"foo\" pid)) (= @e (cast \"foo\" (sizeof \"int8\"))))))"},
}

// TestHandParsedConstructs parses each case with Parse and with the
// participle grammar alone: both must build the expected tree.
func TestHandParsedConstructs(t *testing.T) {
	checkShapes(t, handParsedCases)
}

func TestShapes(t *testing.T) {
	checkShapes(t, shapeCases)
}

func checkShapes(t *testing.T, cases []struct{ src, want string }) {
	t.Helper()
	parsers := []struct {
		name  string
		parse func(file, src string) (*lang.Program, error)
	}{{"Parse", parser.Parse}, {"ParseWithGrammar", parser.ParseWithGrammar}}
	for _, c := range cases {
		for _, pr := range parsers {
			p, err := pr.parse("stdin", c.src)
			if err != nil {
				t.Errorf("%s(%q): %v", pr.name, c.src, err)
				continue
			}
			if got := dump(p); got != c.want {
				t.Errorf("%s(%q)\n got  %s\n want %s", pr.name, c.src, got, c.want)
			}
		}
	}
}

package check

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/parser"
)

var fuzzSeeds = []string{
	`BEGIN { printf("%s %d\n", comm, pid); exit() }`,
	`tracepoint:syscalls:sys_enter_openat /pid > 1/ { @[comm, str(args.filename)] = count(); $x = args->dfd; @h = hist($x); @l[tid] = lhist(pid, 0, 100, 10) }`,
	`tracepoint:syscalls:sys_enter_open* { @[probe] = sum(args.flags) } interval:s:1 { print(@); clear(@); zero(@) } END { delete(@, "x") }`,
	`BEGIN { let $a: uint8 = 1; $b = $a > 0 ? "x" : "yy"; if ($a) { $c = (1, "a"); print($c.1) } else { @m[1, 2] = $a } }`,
	`config = { max_strlen = 8 } t:sched:sched_switch { @[args.prev_comm, args.next_comm] = avg(args.prev_pid); @s = stats(-1); @mn = min(1); @mx = max(cpu) }`,
	`BEGIN { $1 + $#; print(str($2)); @x++; @y += 2; ++$z; while (1) { break; } }`,
	`macro m($x, @y, z) { $x += z; @y[1] = $x; $x } #define K (1 << 2)
BEGIN { $a = 1; $b = m($a, @w, K) + m($a, @w, 2); for ($kv : @w) { print($kv.1); } $c = (unsigned long)(uint8[4])(uint32)$b; }`,
	`#ifndef BPFTRACE_HAVE_BTF
#include <linux/sched.h>
#endif
struct s { int a; char n[4]; unsigned b : 3; struct s *next; }; enum e { A, B = 4 };
BEGIN { $t = (struct task_struct *)curtask; print($t->real_parent->comm); $p = (struct s *)0; print($p->next->n[1] + sizeof(struct s) + offsetof(struct s, b) + B); print(*$p); print(&$p->a); print((enum e)4); }`,
}

// checkSource must never panic, and fails only with positioned diagnostics.
func checkSource(t *testing.T, src string) {
	prog, err := parser.Parse("stdin", src)
	if err != nil || prog == nil {
		return
	}
	for _, env := range []lang.Env{testEnv, nil, btfEnv{testEnv}} {
		out, err := Check(prog, "stdin", src, env, Options{Params: []string{"1", "x"}})
		var d *lang.Diagnostics
		switch {
		case err != nil && !errors.As(err, &d):
			t.Fatalf("%q: error of type %T", src, err)
		case err != nil:
			for _, x := range d.List {
				if strings.Contains(x.Msg, "internal error") {
					t.Fatalf("%q: %s", src, x.Msg)
				}
			}
		case out == nil:
			t.Fatalf("%q: no result and no error", src)
		}
	}
}

func TestNeverPanics(t *testing.T) {
	srcs := append([]string{}, fuzzSeeds...)
	for _, f := range []string{"diag_test.go", "check_test.go", "maps_test.go"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			if i := strings.Index(line, "{`"); i >= 0 {
				if j := strings.Index(line[i+2:], "`"); j >= 0 {
					srcs = append(srcs, line[i+2:i+2+j])
				}
			}
		}
	}
	for _, src := range srcs {
		// Every prefix that still parses, and every token dropped.
		for n := 0; n <= len(src); n++ {
			checkSource(t, src[:n])
		}
		for _, f := range strings.Fields(src) {
			checkSource(t, strings.Replace(src, f, "", 1))
		}
	}
	if _, err := Check(nil, "stdin", "", nil, Options{}); err == nil {
		t.Error("nil program accepted")
	}
}

func FuzzCheck(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	// Issue 15's shapes: long chains, deep nesting, macros calling macros.
	f.Add("BEGIN { $x = " + strings.Repeat("1 - ", 500) + "1; if (" + strings.Repeat("pid && ", 300) + "1) { print($x); } }")
	f.Add("BEGIN { " + strings.Repeat("if (1) { ", 40) + "@x = 1;" + strings.Repeat(" }", 40) + " }")
	f.Add(`config = { unstable_addr = warn } BEGIN { @m[1, "a"] = 1; $k = (1, "a"); $p = &$k; print(__has_key((void *)&@m, (void *)&$k)); for ($kv : @m) { $j = $kv.0; $b = __has_key((void *)&@m, (void *)&$j); } }`)
	for _, s := range macroSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) { checkSource(t, src) })
}

package check

import (
	"errors"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/parser"
)

var testParams = []string{"42", "hello"}

// run parses and checks src with the test environment.
func run(t *testing.T, src string, opts Options) (*lang.Program, *lang.Checked, error) {
	t.Helper()
	prog, err := parser.Parse("stdin", src)
	if err != nil {
		t.Fatalf("parse %q: %v", src, err)
	}
	out, err := Check(prog, "stdin", src, testEnv, opts)
	if err != nil {
		var d *lang.Diagnostics
		if !errors.As(err, &d) {
			t.Fatalf("error is %T, want *lang.Diagnostics", err)
		}
	}
	return prog, out, err
}

func mustCheck(t *testing.T, src string) (*lang.Program, *lang.Checked) {
	t.Helper()
	prog, out, err := run(t, src, Options{Params: testParams})
	if err != nil {
		t.Fatalf("check %q:\n%v", src, err)
	}
	checkInvariants(t, src, prog)
	return prog, out
}

// trimLines drops the indentation of a raw-string expectation.
func trimLines(s string) string {
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		out = append(out, strings.TrimSpace(l))
	}
	return strings.Join(out, "\n") + "\n"
}

func TestTypes(t *testing.T) {
	tests := []struct{ src, want string }{
		{`BEGIN { $a = 1; $b = -1; $c = 1000; $d = 70000; $e = 5000000000; $f = -200; $g = true; $h = "hi" }`, `
			$a: int8
			1: int8
			$b: int8
			-1: int8
			1: int8
			$c: int16
			1000: int16
			$d: int32
			70000: int32
			$e: int64
			5000000000: int64
			$f: int16
			-200: int16
			200: int16
			$g: bool
			true: bool
			$h: string[3]
			"hi": string[3]`},
		{`BEGIN { print((pid, tid, uid, gid, comm, nsecs, elapsed, cpu, rand, cgroup, curtask, jiffies, numaid, probe)) }`, `
			print((pid, tid, uid, gid, comm, nsecs, elapsed, cpu, rand, cgroup, curtask, jiffies, numaid, probe)): void
			(pid, tid, uid, gid, comm, nsecs, elapsed, cpu, rand, cgroup, curtask, jiffies, numaid, probe): (uint32,uint32,uint64,uint64,string[16],uint64,uint64,uint32,uint32,uint64,uint64,uint64,uint32,string[6])
			pid: uint32
			tid: uint32
			uid: uint64
			gid: uint64
			comm: string[16]
			nsecs: uint64
			elapsed: uint64
			cpu: uint32
			rand: uint32
			cgroup: uint64
			curtask: uint64
			jiffies: uint64
			numaid: uint32
			probe: string[6]`},
		// Arithmetic is 64-bit, signed when either side is; comparisons and
		// logic give bool; a variable widens to hold every value assigned.
		{`BEGIN { $x = pid + 1; $y = pid - (int8)1; $z = pid == 1 && tid > 2 || !cpu; $x = $x * 2; $w = ~cpu; $n = -pid }`, `
			$x: uint64
			pid + 1: uint64
			pid: uint32
			1: uint8
			$y: int64
			pid - (int8)1: int64
			pid: uint32
			(int8)1: int8
			1: int8
			$z: bool
			pid == 1 && tid > 2 || !cpu: bool
			pid == 1 && tid > 2: bool
			pid == 1: bool
			pid: uint32
			1: uint8
			tid > 2: bool
			tid: uint32
			2: uint8
			!cpu: bool
			cpu: uint32
			$x: uint64
			$x * 2: uint64
			$x: uint64
			2: uint8
			$w: uint64
			~cpu: uint64
			cpu: uint32
			$n: int64
			-pid: int64
			pid: uint32`},
		{`BEGIN { $x = 1; $x = -1; $y = 1; $y = 1000; $z = 255; $z = -129 }`, `
			$x: int8
			1: int8
			$x: int8
			-1: int8
			1: int8
			$y: int16
			1: int8
			$y: int16
			1000: int16
			$z: int16
			255: int16
			$z: int16
			-129: int16
			129: int16`},
		{`BEGIN { $t = (pid, comm, "x"); print($t.1); $c = pid > 1 ? 5 : -1; $s = 1 ? "ab" : "abc"; let $u: uint8 = 1; $u++; let $v; $v = comm }`, `
			$t: (uint32,string[16],string[2])
			(pid, comm, "x"): (uint32,string[16],string[2])
			pid: uint32
			comm: string[16]
			"x": string[2]
			print($t.1): void
			$t.1: string[16]
			$t: (uint32,string[16],string[2])
			$c: int8
			pid > 1 ? 5 : -1: int8
			pid > 1: bool
			pid: uint32
			1: uint8
			5: int8
			-1: int8
			1: int8
			$s: string[4]
			1 ? "ab" : "abc": string[4]
			1: int8
			"ab": string[3]
			"abc": string[4]
			$u: uint8
			1: int8
			$u++: uint8
			$u: uint8
			$v: string[16]
			$v: string[16]
			comm: string[16]`},
		// str() of a syscall argument reads user memory; char[N] fields are strings.
		{`tracepoint:syscalls:sys_enter_openat { $a = str(args.filename); $b = str(args->filename, 10); $c = args.dfd }`, `
			$a: string[1024] user
			str(args.filename): string[1024] user
			args.filename: int8 * user
			args: struct _tracepoint_syscalls_sys_enter_openat
			$b: string[11] user
			str(args->filename, 10): string[11] user
			args->filename: int8 * user
			args: struct _tracepoint_syscalls_sys_enter_openat
			10: int8
			$c: int64
			args.dfd: int64
			args: struct _tracepoint_syscalls_sys_enter_openat`},
		{`t:sched:sched_switch { $a = args.prev_comm; $b = args.next_pid }`, `
			$a: string[16]
			args.prev_comm: string[16]
			args: struct _tracepoint_sched_sched_switch
			$b: int32
			args.next_pid: int32
			args: struct _tracepoint_sched_sched_switch`},
		{`tracepoint:net:inet_sock { $a = args.saddr[0] }`, `
			$a: uint8
			args.saddr[0]: uint8
			args.saddr: uint8[4]
			args: struct _tracepoint_net_inet_sock
			0: int8`},
		{`tracepoint:sched:sched_process_exec { $f = str(args.filename) }`, `
			$f: string[1024]
			str(args.filename): string[1024]
			args.filename: int8 *
			args: struct _tracepoint_sched_sched_process_exec`},
		{`tracepoint:raw_syscalls:sys_enter /args.id == 0/ { $a = args.args[1] }`, `
			args.id == 0: bool
			args.id: int64
			args: struct _tracepoint_raw_syscalls_sys_enter
			0: int8
			$a: uint64
			args.args[1]: uint64
			args.args: uint64[6]
			args: struct _tracepoint_raw_syscalls_sys_enter
			1: int8`},
		// $1 is numeric, $2 a string; missing parameters read as 0.
		{`BEGIN { $a = $1 + 1; $b = $2; $c = $#; $d = $3; $e = str($2) }`, `
			$a: int8
			$1 + 1: int8
			$1: int8
			1: int8
			$b: string[6]
			$2: string[6]
			$c: uint8
			$#: uint8
			$d: int8
			$3: int8
			$e: string[6]
			str($2): string[6]`},
		{`BEGIN, tracepoint:syscalls:sys_enter_openat { $p = probe }`, `
			$p: string[37]
			probe: string[37]`},
		{`BEGIN { $x = sizeof(uint32); $y = (uint16)pid; $z = (bool)1 }`, `
			$x: int8
			sizeof(uint32): int8
			$y: uint16
			(uint16)pid: uint16
			pid: uint32
			$z: bool
			(bool)1: bool
			1: int8`},
		// A declared type is kept; constants that fit are accepted.
		{`BEGIN { let $x: uint8 = 1000 - 999; let $y: int64 = -1; $y = pid; let $s: string = comm }`, `
			$x: uint8
			1000 - 999: int8
			1000: int16
			999: int16
			$y: int64
			-1: int8
			1: int8
			$y: int64
			pid: uint32
			$s: string[1024]
			comm: string[16]`},
	}
	for _, tc := range tests {
		prog, _ := mustCheck(t, tc.src)
		if got, want := typeDump(prog, tc.src), trimLines(tc.want); got != want {
			t.Errorf("%s\ngot:\n%s\nwant:\n%s", tc.src, got, want)
		}
	}
}

// checkInvariants asserts what codegen relies on after a successful check:
// every expression typed, every variable and map bound to a symbol.
func checkInvariants(t *testing.T, src string, prog *lang.Program) {
	t.Helper()
	for _, e := range allExprs(prog) {
		sp := e.Pos()
		text := src[sp.Start.Offset:sp.End.Offset]
		if ty := e.Type(); ty == nil || ty.Kind == lang.KNone || ty.Kind == lang.KInvalid {
			t.Errorf("%s: %q has type %v", src, text, ty)
		}
		switch e := e.(type) {
		case *lang.Var:
			if e.Sym == nil || e.Sym.Type != e.Type() {
				t.Errorf("%s: variable %q not bound (%+v)", src, text, e.Sym)
			}
		case *lang.MapExpr:
			if e.Sym == nil {
				t.Errorf("%s: map %q not bound", src, text)
			}
		}
	}
}

// An aggregation whose argument failed its check (here through a
// variable poisoned by literal arithmetic v0.26 refuses) leaves its map
// poisoned: its reads add no "Undefined map" to the one error.
func TestAggregationOfPoisonedValueOneError(t *testing.T) {
	for _, body := range []string{
		`$v = (int64)(uint64)-(~(65536)); $w = (int64)$v; for ($l : 0..3) { @a = min($w); $x = @a % 1000; }`,
		`@a = sum("s"); $x = @a + 1;`,
	} {
		_, _, err := run(t, "BEGIN { "+body+" }", Options{})
		if err == nil || strings.Count(err.Error(), "ERROR:") != 1 || strings.Contains(err.Error(), "Undefined map") {
			t.Errorf("%s: want one error, got:\n%v", body, err)
		}
	}
}

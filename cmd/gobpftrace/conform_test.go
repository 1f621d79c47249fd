package main

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Features found missing by running bpftrace's own runtime tests against
// gobpftrace (see docs/differences.md, "Conformance"), each checked here
// with our own scripts.

// nsecs(mode) reads the clock it names: each value lies between two
// readings of that clock taken around the run, and sw_tai (the boot clock
// plus the TAI offset measured at start) lies within a millisecond of them.
func TestClockModes(t *testing.T) {
	requireRoot(t)
	clocks := []int32{unix.CLOCK_MONOTONIC, unix.CLOCK_BOOTTIME, unix.CLOCK_TAI, unix.CLOCK_TAI, unix.CLOCK_MONOTONIC}
	read := func() []int64 {
		out := make([]int64, len(clocks))
		for i, id := range clocks {
			var ts unix.Timespec
			if err := unix.ClockGettime(id, &ts); err != nil {
				t.Fatal(err)
			}
			out[i] = ts.Nano()
		}
		return out
	}
	before := read()
	res := trace(t, traceRun{args: []string{"-e", `BEGIN { printf("%llu %llu %llu %llu %llu\n", nsecs(monotonic), nsecs(boot), nsecs(tai), nsecs(sw_tai), nsecs()); exit(); }`}, noAttach: true})
	after := read()
	mustExit(t, res, 0)
	var got [5]int64
	if _, err := fmt.Sscanf(res.stdout, "%d %d %d %d %d", &got[0], &got[1], &got[2], &got[3], &got[4]); err != nil {
		t.Fatalf("stdout %q: %v", res.stdout, err)
	}
	names := []string{"nsecs(monotonic)", "nsecs(boot)", "nsecs(tai)", "nsecs(sw_tai)", "nsecs()"}
	for i, v := range got {
		slack := int64(0)
		if names[i] == "nsecs(sw_tai)" {
			slack = 1_000_000
		}
		if v < before[i]-slack || v > after[i]+slack {
			t.Errorf("%s = %d, want it between %d and %d", names[i], v, before[i]-slack, after[i]+slack)
		}
	}
}

// A clock nsecs() does not know is refused where it is named.
func TestClockModeUnknown(t *testing.T) {
	res := trace(t, traceRun{args: []string{"-e", `BEGIN { print(nsecs(realtime)); }`}, noAttach: true})
	mustExit(t, res, 1)
	want := "stdin:1:21-29: ERROR: nsecs() clock must be one of monotonic, boot, tai or sw_tai\n" +
		"BEGIN { print(nsecs(realtime)); }\n" +
		"                    ~~~~~~~~\n"
	if res.stderr != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", res.stderr, want)
	}
}

// A string cast to bool is true when it is not empty, for literals,
// variables and strings read at run time.
func TestStringToBoolCast(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{args: []string{"-e", `BEGIN { $e = ""; $s = comm; print(((bool)"hello", (bool)"", (bool)$e, (bool)$s)); if ((bool)str($1)) { print("arg"); } exit(); }`, "x"}, noAttach: true})
	mustExit(t, res, 0)
	if want := "(true, false, false, true)\narg\n"; !strings.HasPrefix(res.stdout, want) {
		t.Errorf("stdout %q, want it to start with %q", res.stdout, want)
	}
}

// A ternary may choose between two calls as a statement, between buffers
// of different sizes and between tuples whose strings differ in size.
func TestTernaryKinds(t *testing.T) {
	requireRoot(t)
	script := `BEGIN { $y = 1; $n = 0;
$y ? printf("yes\n") : printf("no\n"); $n ? printf("yes\n") : printf("no\n");
$b = $y ? buf("hi", 2) : buf("bye", 3); print($b); $c = $n ? buf("hi", 2) : buf("bye", 3); print($c);
$t = $y ? ("hellolongstr", "a") : ("b", "hellolongstr"); print($t); $u = $n ? ("hellolongstr", "a") : ("b", "hellolongstr"); print($u);
exit(); }`
	res := trace(t, traceRun{args: []string{"-e", script}, noAttach: true})
	mustExit(t, res, 0)
	if want := "yes\nno\nhi\nbye\n(hellolongstr, a)\n(b, hellolongstr)\n"; !strings.HasPrefix(res.stdout, want) {
		t.Errorf("stdout %q, want it to start with %q", res.stdout, want)
	}
}

// Two usernames compare by their uids.
func TestUsernameCompare(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{args: []string{"-e", `BEGIN { if (__builtin_username == username() && username != username) { print("no"); } if (username == username()) { print("same"); } exit(); }`}, noAttach: true})
	mustExit(t, res, 0)
	if want := "same\n"; !strings.HasPrefix(res.stdout, want) {
		t.Errorf("stdout %q, want it to start with %q", res.stdout, want)
	}
}

// sizeof() takes C's integer type names alone, as a cast does.
func TestSizeofCIntegerNames(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{args: []string{"-e", `BEGIN { print((sizeof(uint64_t), sizeof(u32), sizeof(int), sizeof(s16), sizeof(long), sizeof(uint8))); exit(); }`}, noAttach: true})
	mustExit(t, res, 0)
	if want := "(8, 4, 4, 2, 8, 1)\n"; !strings.HasPrefix(res.stdout, want) {
		t.Errorf("stdout %q, want it to start with %q", res.stdout, want)
	}
}

// string[N] names a string type of N bytes: a cast to it widens a string,
// and a variable may be declared with it.
func TestStringSizeCast(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{args: []string{"-e", `BEGIN { let $a = (string[1024])"hi"; print($a); print(sizeof($a)); $s = (string[32])str($1); print(($s, sizeof($s))); let $c: string[8] = "abc"; print(($c, sizeof($c))); exit(); }`, "word"}, noAttach: true})
	mustExit(t, res, 0)
	if want := "hi\n1024\n(word, 32)\n(abc, 8)\n"; !strings.HasPrefix(res.stdout, want) {
		t.Errorf("stdout %q, want it to start with %q", res.stdout, want)
	}
	res = trace(t, traceRun{args: []string{"-e", `BEGIN { $s = (string[3])"abcdef"; }`}, noAttach: true})
	mustExit(t, res, 1)
	want := "stdin:1:14-33: ERROR: Cannot cast from \"string[7]\" to \"string[3]\": the string does not fit\n"
	if !strings.HasPrefix(res.stderr, want) {
		t.Errorf("stderr:\n%s\nwant it to start with:\n%s", res.stderr, want)
	}
}

// Positional parameters: inside attach points (a whole probe, part of a
// name, a field), str($N) as the text given even when it reads as a number
// and as a literal where one is needed, str($N + k) as the text from byte
// k, a count from $N, and integers up to 64 unsigned bits.
func TestPositionalParameters(t *testing.T) {
	requireRoot(t)
	script := `$1 { printf("%s|%d|%lu|%s|%s|%d\n", str($2), strncmp("hello", "hell", $3), $4, str($5 + 1), str($3), kaddr(str($6)) != 0); exit(); }`
	res := trace(t, traceRun{args: []string{"-e", script, "BEGIN", "word", "3", "0xffffffffffffffff", "hello", "vfs_read"}, noAttach: true})
	mustExit(t, res, 0)
	if want := "word|0|18446744073709551615|ello|3|1\n"; !strings.HasPrefix(res.stdout, want) {
		t.Errorf("stdout %q, want it to start with %q", res.stdout, want)
	}
	res = trace(t, traceRun{args: []string{"-e", `BEG$1 { printf("begin\n"); } i:ms:$2 { printf("tick\n"); exit(); }`, "IN", "1"}})
	mustExit(t, res, 0)
	if want := "begin\ntick\n"; !strings.HasPrefix(res.stdout, want) {
		t.Errorf("stdout %q, want it to start with %q", res.stdout, want)
	}
	res = trace(t, traceRun{args: []string{"-e", `BEGIN, $1 { exit(); }`}, noAttach: true})
	mustExit(t, res, 1)
	want := "stdin:1:8-10: ERROR: Positional parameter $1 used in $1 is not given\n"
	if !strings.HasPrefix(res.stderr, want) {
		t.Errorf("stderr:\n%s\nwant it to start with:\n%s", res.stderr, want)
	}
}

// debugf() prints strings with %s: the kernel reads them where the
// program keeps them. The line is read back from the trace buffer.
func TestDebugfString(t *testing.T) {
	requireRoot(t)
	tag := fmt.Sprintf("conform%d", time.Now().UnixNano()%1000000)
	res := trace(t, traceRun{args: []string{"-e", `BEGIN { $s = str($1); debugf("debugf %s %d %x", $s, 1, 16); exit(); }`, tag}, noAttach: true})
	mustExit(t, res, 0)
	buf, err := os.ReadFile("/sys/kernel/tracing/trace")
	if err != nil {
		t.Fatal(err)
	}
	if want := "bpf_trace_printk: debugf " + tag + " 1 10"; !strings.Contains(string(buf), want) {
		t.Errorf("the trace buffer has no line %q", want)
	}
}

// macaddr() takes a char array, which a struct member char[6] is typed as
// (a string): the first six bytes, here of the task's comm "gobpftrace".
func TestMacaddrOfCharArray(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{args: []string{"-e", `BEGIN { printf("%s\n", macaddr(curtask->comm)); @[macaddr(curtask->comm)] = 1; exit(); }`}, noAttach: true})
	mustExit(t, res, 0)
	if want := "67:6F:62:70:66:74\n\n\n@[67:6F:62:70:66:74]: 1\n"; !strings.HasPrefix(res.stdout, want) {
		t.Errorf("stdout %q, want it to start with %q", res.stdout, want)
	}
}

// usermode is 1 in BEGIN and END, which run on behalf of gobpftrace, a
// user process, and 0 in a tracepoint, which runs in the kernel.
func TestUsermodeBeginEnd(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{args: []string{"-e", `BEGIN { printf("%d ", usermode); } tracepoint:syscalls:sys_enter_getppid /pid == $1/ { printf("%d ", usermode); exit(); } END { print(usermode); }`, fmt.Sprint(os.Getpid())},
		trigger: func(t *testing.T) { unix.Getppid() }})
	mustExit(t, res, 0)
	if want := "1 0 1\n"; !strings.HasPrefix(res.stdout, want) {
		t.Errorf("stdout %q, want it to start with %q", res.stdout, want)
	}
}

// Probe counts may be written in scientific notation, as bpftrace allows.
func TestProbeCountScientific(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{args: []string{"-e", `interval:ms:1e2 { printf("%s\n", probe); exit(); }`}})
	mustExit(t, res, 0)
	if want := "interval:ms:1e2\n"; !strings.HasPrefix(res.stdout, want) {
		t.Errorf("stdout %q, want it to start with %q", res.stdout, want)
	}
}

// buf() of a string literal with a length past its end counts the zero
// bytes after it; config() reads cpp_demangle and show_debug_info too.
func TestBufLiteralLengthAndConfigReads(t *testing.T) {
	requireRoot(t)
	script := `BEGIN { @[buf("ok_key", 8), 1] = count(); printf("%r|%rx|%d %s %d %d\n", buf("hi", 4), buf("ab", 3), config().max_strlen, config().stack_mode, config().cpp_demangle, config().show_debug_info); exit(); }`
	res := trace(t, traceRun{args: []string{"-e", script}, noAttach: true})
	mustExit(t, res, 0)
	if want := `hi\x00\x00|\x61\x62\x00|1024 bpftrace 1 0` + "\n\n\n" + `@[ok_key\x00\x00, 1]: 1` + "\n"; res.stdout != want {
		t.Errorf("stdout %q, want %q", res.stdout, want)
	}
}

// probe names begin and end as they are written: bpftrace v0.26 spells
// them in lower case, older scripts in upper case.
func TestProbeNameBeginEnd(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{args: []string{"-e", `begin { printf("%s", probe); exit(); } end { printf("-%s\n", probe); }`}, noAttach: true})
	mustExit(t, res, 0)
	if want := "begin-end\n"; !strings.HasPrefix(res.stdout, want) {
		t.Errorf("stdout %q, want it to start with %q", res.stdout, want)
	}
	res = trace(t, traceRun{args: []string{"-e", `BEGIN { printf("%s", probe); exit(); } END { printf("-%s\n", probe); }`}, noAttach: true})
	mustExit(t, res, 0)
	if want := "BEGIN-END\n"; !strings.HasPrefix(res.stdout, want) {
		t.Errorf("stdout %q, want it to start with %q", res.stdout, want)
	}
}

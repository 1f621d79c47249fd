package check

import (
	"testing"

	"github.com/gobpftrace/gobpftrace/stdlib"
)

// withSupported marks functions and variables supported for one test, as
// codegen will once it emits them.
func withSupported(t *testing.T, names ...string) {
	for _, n := range names {
		if f := stdlib.LookupFunc(n); f != nil && !f.Supported {
			f.Supported = true
			t.Cleanup(func() { f.Supported = false })
		}
		if v := stdlib.LookupVar(n); v != nil && !v.Supported {
			v.Supported = true
			t.Cleanup(func() { v.Supported = false })
		}
	}
}

func TestMoreFunctions(t *testing.T) {
	withSupported(t, "ksym", "usym", "kaddr", "strftime", "ntop", "kstack", "ustack", "buf", "strncmp", "strcontains", "has_key", "len", "cgroup_path", "macaddr")
	src := `tracepoint:raw_syscalls:sys_enter { @m[1] = 1; $a = ksym(1); $b = usym(2); $c = kaddr("jiffies"); $d = strftime("%H", nsecs); $e = ntop(1); $f = kstack; $g = ustack(perf, 5); $h = buf(args.args, 8); $i = strncmp(comm, "ab", 2); $j = strcontains(comm, "a"); $k = has_key(@m, 1); $l = len(@m); $n = cgroup_path(cgroup); printf("%s %s %s %s %r\n", $a, $d, $e, $f, $h) }`
	prog, _ := mustCheck(t, src)
	want := map[string]string{
		"$a": "ksym_t", "$b": "ksym_t user", "$c": "uint64", "$d": "timestamp_t", "$e": "inet_t",
		"$f": "kstack", "$g": "ustack user", "$h": "buffer[8]", "$i": "int64", "$j": "bool",
		"$k": "bool", "$l": "int64", "$n": "cgroup_path_t",
	}
	seen := 0
	for _, s := range varSyms(prog) {
		if w, ok := want[s.Name]; ok {
			seen++
			if got := typeText(s.Type); got != w {
				t.Errorf("%s: %s, want %s", s.Name, got, w)
			}
		}
	}
	if seen < len(want) {
		t.Errorf("only %d of %d variables seen", seen, len(want))
	}
	for _, s := range varSyms(prog) {
		if s.Name == "$g" && (s.Type.StackMode != "perf" || s.Type.StackLimit != 5) {
			t.Errorf("ustack(perf, 5): %+v", s.Type)
		}
		if s.Name == "$f" && (s.Type.StackMode != "bpftrace" || s.Type.StackLimit != 127) {
			t.Errorf("kstack: %+v", s.Type)
		}
	}

	for src, want := range map[string]string{
		`BEGIN { $x = kstack(fast) }`:   "stdin:1:21-25: ERROR: kstack() mode must be one of bpftrace, perf, raw or build_id (not fast)\nBEGIN { $x = kstack(fast) }\n                    ~~~~",
		`BEGIN { $x = kstack(500) }`:    "stdin:1:21-24: ERROR: kstack() limit must be between 1 and 127 (500 provided)\nBEGIN { $x = kstack(500) }\n                    ~~~",
		`BEGIN { $x = ntop(comm) }`:     "stdin:1:14-24: ERROR: ntop() expects an integer or array argument, got string\nBEGIN { $x = ntop(comm) }\n             ~~~~~~~~~~",
		`BEGIN { $x = ksym(comm) }`:     "stdin:1:14-24: ERROR: ksym() only supports integer arguments (string provided)\nBEGIN { $x = ksym(comm) }\n             ~~~~~~~~~~",
		`BEGIN { $x = kaddr(comm) }`:    "stdin:1:20-24: ERROR: kaddr() expects a string literal\nBEGIN { $x = kaddr(comm) }\n                   ~~~~",
		`BEGIN { @m = 1; $x = len(1) }`: "stdin:1:22-28: ERROR: len() expects a map to be provided\nBEGIN { @m = 1; $x = len(1) }\n                     ~~~~~~",
	} {
		_, _, err := run(t, src, Options{})
		if err == nil || err.Error() != want {
			t.Errorf("%s:\ngot:\n%v\nwant:\n%s", src, err, want)
		}
	}
}

package check

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/parser"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

func TestAttach(t *testing.T) {
	tests := []struct{ src, want string }{
		{`BEGIN {} END {}`, `
			BEGIN BEGIN
			END END`},
		{`begin {} end {}`, `
			BEGIN begin
			END end`},
		// A probe that does not use args does not read the format file.
		{`tracepoint:syscalls:sys_enter_openat {}`, `
			tracepoint tracepoint:syscalls:sys_enter_openat syscalls/sys_enter_openat args=none`},
		{`t:raw_syscalls:sys_enter { @ = args.id }`, `
			tracepoint tracepoint:raw_syscalls:sys_enter raw_syscalls/sys_enter args=struct _tracepoint_raw_syscalls_sys_enter`},
		// Wildcards expand through the environment, sorted.
		{`tracepoint:syscalls:sys_enter_open* { @[probe] = count() }`, `
			tracepoint tracepoint:syscalls:sys_enter_open syscalls/sys_enter_open args=none
			tracepoint tracepoint:syscalls:sys_enter_openat syscalls/sys_enter_openat args=none
			tracepoint tracepoint:syscalls:sys_enter_openat2 syscalls/sys_enter_openat2 args=none`},
		{`tracepoint:syscalls:sys_enter_open* { @[probe] = sum(args.__syscall_nr) }`, `
			tracepoint tracepoint:syscalls:sys_enter_open syscalls/sys_enter_open args=struct _tracepoint_syscalls_sys_enter_open
			tracepoint tracepoint:syscalls:sys_enter_openat syscalls/sys_enter_openat args=struct _tracepoint_syscalls_sys_enter_openat
			tracepoint tracepoint:syscalls:sys_enter_openat2 syscalls/sys_enter_openat2 args=struct _tracepoint_syscalls_sys_enter_openat2`},
		{`tracepoint:*:sys_exit_open?? { @ = args.ret }`, `
			tracepoint tracepoint:syscalls:sys_exit_openat syscalls/sys_exit_openat args=struct _tracepoint_syscalls_sys_exit_openat`},
		{`interval:s:1, i:ms:100, interval:us:5, interval:1s, interval:100ms, interval:hz:99, interval:ns:7 {}`, `
			interval interval:s:1 period=1000000000
			interval interval:ms:100 period=100000000
			interval interval:us:5 period=5000
			interval interval:1s period=1000000000
			interval interval:100ms period=100000000
			interval interval:hz:99 period=10101010 hz=99
			interval interval:ns:7 period=7`},
		// Positional parameters may be attach point fields.
		{`interval:ms:$1 {}`, `
			interval interval:ms:42 period=42000000`},
		{`profile:hz:99, p:ms:10, profile:1s {}`, `
			profile profile:hz:99 hz=99
			profile profile:ms:10 period=10000000
			profile profile:1s period=1000000000`},
		{`BEGIN, tracepoint:sched:sched_switch {}`, `
			BEGIN BEGIN
			tracepoint tracepoint:sched:sched_switch sched/sched_switch args=none`},
		{`tracepoint:sched:sched_switch { @ = args.prev_pid }`, `
			tracepoint tracepoint:sched:sched_switch sched/sched_switch args=struct _tracepoint_sched_sched_switch`},
	}
	for _, tc := range tests {
		prog, out := mustCheck(t, tc.src)
		if len(out.Probes) != len(prog.Probes) {
			t.Fatalf("%s: %d checked probes for %d", tc.src, len(out.Probes), len(prog.Probes))
		}
		var b strings.Builder
		for i, p := range out.Probes {
			if p.Probe != prog.Probes[i] {
				t.Errorf("%s: probe %d not parallel", tc.src, i)
			}
			for _, a := range p.Attach {
				fmt.Fprintf(&b, "%s %s", a.Provider, a.Name)
				if a.Point.Provider != string(a.Provider) {
					t.Errorf("%s: attach point provider %q not canonical", tc.src, a.Point.Provider)
				}
				if a.Category != "" {
					fmt.Fprintf(&b, " %s/%s args=%s", a.Category, a.Event, a.Args)
				}
				if a.PeriodNs != 0 {
					fmt.Fprintf(&b, " period=%d", a.PeriodNs)
				}
				if a.Frequency != 0 {
					fmt.Fprintf(&b, " hz=%d", a.Frequency)
				}
				b.WriteString("\n")
			}
		}
		if got, want := b.String(), trimLines(tc.want); got != want {
			t.Errorf("%s\ngot:\n%s\nwant:\n%s", tc.src, got, want)
		}
	}
}

func TestAttachAliases(t *testing.T) {
	for alias, canon := range map[string]string{"t": "tracepoint", "i": "interval", "kfunc": "fentry", "kretfunc": "fexit", "k": "kprobe", "ur": "uretprobe", "p": "profile", "U": "usdt"} {
		src := alias + ":a:b {}"
		prog, _, err := run(t, src, Options{})
		if got := prog.Probes[0].AttachPoints[0].Provider; got != canon {
			t.Errorf("%s: provider %q, want %q", src, got, canon)
		}
		if probetype.Lookup(canon).Supported {
			continue
		}
		if err == nil || !strings.Contains(err.Error(), canon+" probes are not supported yet") {
			t.Errorf("%s: %v", src, err)
		}
	}
}

// The tracepoint struct given to codegen has the language's view of the
// fields; the environment's struct is left alone.
func TestTracepointArgsAdapted(t *testing.T) {
	_, out := mustCheck(t, `tracepoint:syscalls:sys_enter_openat, t:sched:sched_switch { @ = args.common_pid }`)
	open := out.Probes[0].Attach[0].Args
	if f := findField(open, "filename"); f == nil || !f.Type.UserSpace || f.Offset != 24 {
		t.Errorf("filename: %+v", f)
	}
	if f := findField(testEnv["syscalls:sys_enter_openat"], "filename"); f.Type.UserSpace {
		t.Error("environment's type was changed")
	}
	sw := out.Probes[0].Attach[1].Args
	if f := findField(sw, "prev_comm"); f == nil || f.Type.String() != "string[16]" || f.Offset != 8 {
		t.Errorf("prev_comm: %+v", f)
	}
}

// countingEnv counts the format files read (Tracepoint) and the cheap
// existence checks (CheckTracepoint).
type countingEnv struct {
	fakeEnv
	formats, checks *int
}

func (e countingEnv) Tracepoint(cat, ev string) (*lang.Type, error) {
	*e.formats++
	return e.fakeEnv.Tracepoint(cat, ev)
}

func (e countingEnv) CheckTracepoint(cat, ev string) error {
	*e.checks++
	_, err := e.fakeEnv.Tracepoint(cat, ev)
	return err
}

// A tracepoint's format file is read only when its probe uses args (or
// an error wants to list its fields); an unknown tracepoint is still an
// error at its attach point.
func TestTracepointFormatReadOnlyForArgs(t *testing.T) {
	for _, tc := range []struct {
		src             string
		formats, checks int
		err             string
	}{
		{src: `tracepoint:syscalls:sys_enter_open* { @[probe] = count(); }`, checks: 3},
		{src: `tracepoint:syscalls:sys_enter_open* { @[probe] = sum(args.__syscall_nr); }`, formats: 3, checks: 3},
		{src: `tracepoint:syscalls:sys_enter_openat, tracepoint:sched:sched_switch { printf("%d\n", pid); }`, checks: 2},
		{src: `tracepoint:sched:sched_switch { print(arg0) }`, formats: 1, checks: 1, err: "use args.prev_comm"},
		{src: `tracepoint:syscalls:sys_enter_nope {}`, checks: 1, err: "stdin:1:1-35: WARNING: tracepoint not found: syscalls:sys_enter_nope"},
	} {
		var formats, checks int
		prog, err := parser.Parse("stdin", tc.src)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Check(prog, "stdin", tc.src, countingEnv{testEnv, &formats, &checks}, Options{})
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v", tc.src, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: error %v, want %q", tc.src, err, tc.err)
		}
		if formats != tc.formats || checks != tc.checks {
			t.Errorf("%s: %d format reads and %d checks, want %d and %d", tc.src, formats, checks, tc.formats, tc.checks)
		}
	}
}

func TestSoftwareAttach(t *testing.T) {
	p := probetype.Lookup("software")
	if !p.Supported {
		p.Supported = true
		defer func() { p.Supported = false }()
	}
	_, out := mustCheck(t, `software:page-faults:100, s:cpu-clock {}`)
	a := out.Probes[0].Attach
	if len(a) != 2 || a[0].Name != "software:page-faults:100" || a[0].PeriodNs != 100 || a[1].Name != "software:cpu-clock" || a[1].PeriodNs != 0 {
		t.Errorf("%+v %+v", a[0], a[1])
	}
	_, _, err := run(t, `software:page-faults:x {}`, Options{})
	if err == nil || !strings.Contains(err.Error(), "software probe needs a positive integer count, not 'x'") {
		t.Errorf("%v", err)
	}
}

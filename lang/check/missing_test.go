package check

import (
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang"
)

// A tracepoint the system lacks is a warning at its attach point and is
// left out, as in bpftrace v0.26: the probe keeps its other attach points;
// a probe left with none is an error unless missing_probes is warn (the
// probe is dropped, warning kept) or ignore (nothing said).
func TestMissingTracepoints(t *testing.T) {
	warnings := func(out *lang.Checked) string {
		var b strings.Builder
		for _, w := range out.Warnings {
			b.WriteString(lang.Format("stdin", out.Source, w))
		}
		return b.String()
	}
	src := "tracepoint:syscalls:sys_enter_openat,tracepoint:syscalls:nope { }"
	_, out, err := run(t, src, Options{})
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	if n := len(out.Probes[0].Attach); n != 1 || out.Probes[0].Attach[0].Name != "tracepoint:syscalls:sys_enter_openat" {
		t.Errorf("%s: attach points %v", src, out.Probes[0].Attach)
	}
	want := "stdin:1:38-62: WARNING: tracepoint not found: syscalls:nope\n" + src + "\n" + strings.Repeat(" ", 37) + strings.Repeat("~", 24) + "\nHINT: -l 'tracepoint:syscalls:*' lists the events of syscalls\n"
	if got := warnings(out); got != want {
		t.Errorf("%s: warnings\n%s\nwant\n%s", src, got, want)
	}

	src = "config = { missing_probes = \"warn\" } tracepoint:syscalls:nope { } BEGIN { }"
	_, out, err = run(t, src, Options{})
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	if len(out.Probes[0].Attach) != 0 || !strings.Contains(warnings(out), "WARNING: tracepoint not found: syscalls:nope") {
		t.Errorf("%s: attach %v, warnings %q", src, out.Probes[0].Attach, warnings(out))
	}

	src = "config = { missing_probes = \"ignore\" } tracepoint:syscalls:nope { } BEGIN { }"
	_, out, err = run(t, src, Options{})
	if err != nil || len(out.Probes[0].Attach) != 0 || len(out.Warnings) != 0 {
		t.Errorf("%s: %v, warnings %q", src, err, warnings(out))
	}
}

package check

import (
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang"
)

// TestWildcardsMatchingNothingAreDropped: as in bpftrace v0.26, an attach
// point whose wildcard matches nothing is dropped without a word, and so
// is a probe left with none (its body, which never runs, draws no error);
// a name without a wildcard that matches nothing is still reported.
func TestWildcardsMatchingNothingAreDropped(t *testing.T) {
	// probes: the probes left, by their attach points' names.
	probes := func(t *testing.T, src string, user bool) string {
		t.Helper()
		var out *lang.Checked
		var err error
		if user {
			out, err = runUser(t, src, Options{})
		} else {
			_, out, err = run(t, src, Options{})
		}
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if len(out.Warnings) != 0 {
			t.Errorf("%s: warnings %v", src, out.Warnings)
		}
		var ps []string
		for _, p := range out.Probes {
			var as []string
			for _, r := range p.Attach {
				as = append(as, r.Name)
			}
			ps = append(ps, strings.Join(as, ","))
		}
		return strings.Join(ps, " ")
	}
	tests := []struct {
		src  string
		user bool
		want string
	}{
		{`tracepoint:nope*:x { print(args.nothing); }`, false, ""},
		{`tracepoint:sched:nope* { } BEGIN { exit(); }`, false, "BEGIN"},
		{`tracepoint:nope*:x, tracepoint:sched:sched_switch { @[args.prev_pid] = count(); }`, false, "tracepoint:sched:sched_switch"},
		{`uprobe:/opt/app:zz* { } BEGIN { }`, true, "BEGIN"},
		{`uprobe:/opt/app:zz*, uprobe:/opt/app:main { }`, true, "uprobe:/opt/app:main"},
		{`usdt:/opt/app:app:nope* { } BEGIN { }`, true, "BEGIN"},
		{`usdt:/opt/app:*:nope { }`, true, ""},
	}
	for _, tc := range tests {
		if got := probes(t, tc.src, tc.user); got != tc.want {
			t.Errorf("%s: probes %q, want %q", tc.src, got, tc.want)
		}
	}
	// Without a wildcard, a name that matches nothing is an error.
	for _, src := range []string{`uprobe:/opt/app:zz { }`, `usdt:/opt/app:app:nope { }`} {
		if _, err := runUser(t, src, Options{}); err == nil {
			t.Errorf("%s: no error", src)
		}
	}
	if _, _, err := run(t, `tracepoint:sched:nope { }`, Options{}); err == nil || !strings.Contains(err.Error(), "Unable to attach probe: tracepoint:sched:nope.") {
		t.Errorf("tracepoint:sched:nope: %v, want the missing_probes error", err)
	}
}

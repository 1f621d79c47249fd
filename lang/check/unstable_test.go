package check

import (
	"strconv"
	"strings"
	"testing"
)

// Map declarations and tseries() are bpftrace v0.26's unstable features
// beside &: each is warned once for the whole script by default, silent
// with its setting at enable (from the config or the environment) and
// refused where it is used with error.
func TestUnstableMapDeclAndTseries(t *testing.T) {
	tests := []struct {
		name, use, setting, feature string
		at                          string // where error points: the use's text
	}{
		{"map declaration", `let @m = hash(4); BEGIN { @m[1] = 1; @m[2] = 2; }`, "unstable_map_decl", "map declarations", "let @m = hash(4);"},
		{"tseries", `BEGIN { @t = tseries(1, 1s, 3); @u = tseries(2, 1s, 3); }`, "unstable_tseries", "tseries", "tseries(1, 1s, 3)"},
	}
	for _, tt := range tests {
		warning := "Script is using an unstable feature: " + tt.feature +
			". To prevent this warning you must explicitly enable it in the config e.g. " + tt.setting + "=enable"
		_, out := mustCheck(t, tt.use)
		if len(out.Warnings) != 1 || out.Warnings[0].Msg != warning || !out.Warnings[0].Global {
			t.Errorf("%s: warnings = %+v, want one global %q", tt.name, out.Warnings, warning)
		}
		_, out = mustCheck(t, "config = { "+tt.setting+" = enable } "+tt.use)
		if len(out.Warnings) != 0 {
			t.Errorf("%s: warnings with %s = enable: %+v", tt.name, tt.setting, out.Warnings)
		}
		_, out, err := run(t, tt.use, Options{Env: map[string]string{"BPFTRACE_" + strings.ToUpper(tt.setting): "enable"}})
		if err != nil || len(out.Warnings) != 0 {
			t.Errorf("%s: environment enable: err %v, warnings %+v", tt.name, err, out.Warnings)
		}
		src := "config = { " + tt.setting + " = error } " + tt.use
		_, _, err = run(t, src, Options{})
		col := strings.Index(src, tt.at)
		if col < 0 {
			t.Fatalf("%s: %q not in %q", tt.name, tt.at, src)
		}
		wantHead := "stdin:1:" + strconv.Itoa(col+1) + "-"
		wantMsg := "ERROR: " + tt.feature + " feature is not enabled by default. To enable this unstable feature, set the config flag to enable. " + tt.setting + "=enable"
		if err == nil || !strings.HasPrefix(err.Error(), wantHead) || !strings.Contains(err.Error(), wantMsg) ||
			!strings.HasSuffix(err.Error(), "HINT: config = { "+tt.setting+" = enable } at the top of the script") {
			t.Errorf("%s: %s = error:\n got %v\nwant %s...%s", tt.name, tt.setting, err, wantHead, wantMsg)
		}
		_, _, err = run(t, "config = { "+tt.setting+" = maybe } "+tt.use, Options{})
		if err == nil || !strings.Contains(err.Error(), "Invalid value for "+tt.setting+": valid values are error, warn and enable.") {
			t.Errorf("%s: a bad value: %v", tt.name, err)
		}
	}
}

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

// bpftrace v0.26 knows unstable_import (its imports are unstable; the
// value is checked, and gobpftrace has no import statement for it to
// govern) and still accepts the settings it deprecated, unstable_macro
// among them (macros are stable), with a warning at the setting.
func TestUnstableImportAndDeprecatedSettings(t *testing.T) {
	for _, v := range []string{"enable", "warn", "error"} {
		_, out := mustCheck(t, "config = { unstable_import = "+v+" } BEGIN { }")
		if len(out.Warnings) != 0 {
			t.Errorf("unstable_import = %s: warnings %+v", v, out.Warnings)
		}
	}
	src := "config = { unstable_import = maybe } BEGIN { }"
	if _, _, err := run(t, src, Options{}); err == nil || !strings.HasPrefix(err.Error(), "stdin:1:12-35: ERROR: Invalid value for unstable_import: valid values are error, warn and enable.\n") {
		t.Errorf("%s: %v", src, err)
	}
	if _, _, err := run(t, "BEGIN { }", Options{Env: map[string]string{"BPFTRACE_UNSTABLE_IMPORT": "sometimes"}}); err == nil || err.Error() != "ERROR: Invalid value for BPFTRACE_UNSTABLE_IMPORT: valid values are error, warn and enable." {
		t.Errorf("BPFTRACE_UNSTABLE_IMPORT=sometimes: %v", err)
	}

	src = `config = { unstable_macro = enable; symbol_source = "dwarf"; max_type_res_iterations = 5 } macro one() { 1 } BEGIN { @x = one(); }`
	_, out := mustCheck(t, src)
	var got []string
	for _, w := range out.Warnings {
		got = append(got, w.Msg+" @"+strconv.Itoa(w.Span.Start.Col)+"-"+strconv.Itoa(w.Span.End.Col))
	}
	want := []string{
		"unstable_macro is deprecated and has no effect @12-35",
		"symbol_source is deprecated and has no effect @37-60",
		"max_type_res_iterations is deprecated and has no effect @62-89",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// A name that is neither stays unknown.
	if _, _, err := run(t, "config = { unstable_macros = enable } BEGIN { }", Options{}); err == nil || !strings.Contains(err.Error(), "ERROR: Unrecognized config variable: unstable_macros") {
		t.Errorf("unstable_macros: %v", err)
	}
}

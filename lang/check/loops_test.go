package check

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang/parser"
)

// withFeatures marks language features supported for one test, as codegen
// will once it emits them.
func withFeatures(t *testing.T, feats ...string) {
	for _, f := range feats {
		if !supportedFeatures[f] {
			supportedFeatures[f] = true
			t.Cleanup(func() { delete(supportedFeatures, f) })
		}
	}
}

func TestLoops(t *testing.T) {
	tests := []struct{ src, want string }{
		{`BEGIN { @m[1, "a"] = 2; for ($kv : @m) { print($kv.0.1) } }`, `
			@m[1, "a"]: int8
			1: int8
			"a": string[2]
			2: int8
			$kv: ((int8,string[2]),int8)
			@m: int8
			print($kv.0.1): void
			$kv.0.1: string[2]
			$kv.0: (int8,string[2])
			$kv: ((int8,string[2]),int8)`},
		{`BEGIN { for ($i : 0..(uint32)9) { if ($i > 3) { break; } } $j = 0; while ($j < 5) { $j++; continue; } unroll(2) { print(1) } }`, `
			$i: uint32
			0: uint8
			(uint32)9: uint32
			9: int8
			$i > 3: bool
			$i: uint32
			3: uint8
			$j: int64
			0: int8
			$j < 5: bool
			$j: int64
			5: int8
			$j++: int64
			$j: int64
			2: int8
			print(1): void
			1: int8`},
	}
	for _, tc := range tests {
		prog, _ := mustCheck(t, tc.src)
		if got, want := typeDump(prog, tc.src), trimLines(tc.want); got != want {
			t.Errorf("%s\ngot:\n%s\nwant:\n%s", tc.src, got, want)
		}
	}
	for src, want := range map[string]string{
		`BEGIN { @s = 1; for ($kv : @s) { } }`:    "stdin:1:28-30: ERROR: Loop expression does not support scalar map: @s\nBEGIN { @s = 1; for ($kv : @s) { } }\n                           ~~",
		`BEGIN { unroll(101) { } }`:               "stdin:1:9-20: ERROR: unroll maximum value is 100\nBEGIN { unroll(101) { } }\n        ~~~~~~~~~~~\nHINT: for more iterations, use a while or for loop",
		"BEGIN { unroll ( 0 )\n{ } }":             "stdin:1:9-21: ERROR: unroll minimum value is 1\nBEGIN { unroll ( 0 )\n        ~~~~~~~~~~~~\nHINT: unroll repeats its block 1 to 100 times",
		`BEGIN { for ($i : 0..comm) { } }`:        "stdin:1:9-31: ERROR: Loop range requires integer bounds (int8..string[16] given)\nBEGIN { for ($i : 0..comm) { } }\n        ~~~~~~~~~~~~~~~~~~~~~~",
		`BEGIN { $i = 1; for ($i : 0..5) { } }`:   "stdin:1:22-24: ERROR: Loop declaration shadows existing variable: $i\nBEGIN { $i = 1; for ($i : 0..5) { } }\n                     ~~",
		`BEGIN { for ($i : 0..5) { } print($i) }`: "stdin:1:35-37: ERROR: Undefined or undeclared variable: $i\nBEGIN { for ($i : 0..5) { } print($i) }\n                                  ~~",
	} {
		_, _, err := run(t, src, Options{})
		if err == nil || err.Error() != want {
			t.Errorf("%s:\ngot:\n%v\nwant:\n%s", src, err, want)
		}
	}
}

// Maps of count, sum, min, max and avg are iterated with their value
// folded over the CPUs; histograms, stats and time series are refused in
// bpftrace's words.
func TestForMapAggregations(t *testing.T) {
	for _, agg := range []string{"count()", "sum(5)", "min(5)", "max(5)", "avg(5)"} {
		src := `BEGIN { @a[1] = ` + agg + `; for ($kv : @a) { @v[$kv.0] = $kv.1; } }`
		prog, err := parser.Parse("stdin", src)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Check(prog, "stdin", src, testEnv, Options{}); err != nil {
			t.Errorf("%s: %v", src, err)
		}
	}
	for agg, typ := range map[string]string{"hist(5)": "hist_t", "lhist(5, 0, 10, 1)": "lhist_t", "stats(5)": "stats_t", "tseries(5, 1s, 5)": "tseries_t"} {
		src := `BEGIN { @a[1] = ` + agg + `; for ($kv : @a) { } }`
		prog, err := parser.Parse("stdin", src)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Check(prog, "stdin", src, testEnv, Options{})
		col := strings.Index(src, "@a)") + 1
		want := fmt.Sprintf("stdin:1:%d-%d: ERROR: Loop expression does not support type: %s\n%s\n%s~~\nHINT: count(), sum(), min(), max() and avg() maps can be iterated; print(@a) prints this one", col, col+2, typ, src, strings.Repeat(" ", col-1))
		if typ == "tseries_t" {
			// tseries is unstable: its warning, logged as soon as seen, comes first.
			want = "WARNING: Script is using an unstable feature: tseries. To prevent this warning you must explicitly enable it in the config e.g. unstable_tseries=enable\n" + want
		}
		if err == nil || strings.TrimSpace(err.Error()) != want {
			t.Errorf("%s: %q\nwant %q", src, err, want)
		}
	}
}

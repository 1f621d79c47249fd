package parser_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/parser"
	"github.com/gobpftrace/gobpftrace/lang/printer"
)

// FuzzParse checks that Parse never panics, that every error is a
// positioned *lang.Diagnostics, and that what parses also round-trips
// through the printer.
func FuzzParse(f *testing.F) {
	for _, c := range shapeCases {
		f.Add(c.src)
	}
	for _, c := range angleCases {
		f.Add(c.src)
	}
	for _, c := range errorCases {
		f.Add(c.src)
	}
	for _, c := range handParsedCases {
		f.Add(c.src)
	}
	f.Add(roundTripExtra)
	for _, src := range shapeSeeds() {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src string) {
		p, err := parser.Parse("fuzz", src)
		if err != nil {
			var d *lang.Diagnostics
			if !errors.As(err, &d) || len(d.List) == 0 {
				t.Fatalf("error is not a *lang.Diagnostics: %v", err)
			}
			for _, x := range d.List {
				if x.Span.Start.Line < 1 || x.Span.Start.Col < 1 || x.Span.Start.Offset > len(src) {
					t.Fatalf("diagnostic without a valid position: %+v", x)
				}
			}
			_ = err.Error()
			return
		}
		out := printer.Print(p)
		p2, err := parser.Parse("printed", out)
		if err != nil {
			t.Fatalf("printed program does not parse: %v\nsource: %q\nprinted:\n%s", err, src, out)
		}
		if out2 := printer.Print(p2); out2 != out {
			t.Fatalf("printing is not stable:\n%s\nthen\n%s", out, out2)
		}
		if !sameTree(p, p2) {
			t.Fatalf("round trip changed the tree of %q:\n%s", src, out)
		}
	})
}

// shapeSeeds are the shapes of issue 15's hostile inputs, small enough for
// seeds: long operator chains, typos deep in nested blocks, deep
// parentheses and prefix operators, macros calling macros.
func shapeSeeds() []string {
	var seeds []string
	for _, op := range []string{"-", "+", "<", "&&", "||", "*", "==", ">>"} {
		seeds = append(seeds, "BEGIN { $x = "+strings.Repeat("1 "+op+" ", 300)+"1; }")
	}
	seeds = append(seeds, "kprobe:f /"+strings.Repeat("pid && ", 200)+"1/ { }")
	for _, typo := range []string{"@x = ;", `printf("a" ;`, "@x[1 = 2;", "$x = 1 +;", "f(1,)"} {
		seeds = append(seeds,
			"BEGIN { "+strings.Repeat("if (1) { ", 30)+typo+strings.Repeat(" }", 30)+" }",
			"BEGIN { "+strings.Repeat("while (1) { ", 30)+typo+strings.Repeat(" }", 30)+" }",
			"BEGIN < "+strings.Repeat("if (1) < ", 30)+typo+strings.Repeat(" >", 30)+" >")
	}
	seeds = append(seeds,
		"BEGIN { $x = "+strings.Repeat("(", 200)+"1"+strings.Repeat(")", 200)+"; }",
		"BEGIN { $x = "+strings.Repeat("!", 200)+"1; }",
		"BEGIN { $x = "+strings.Repeat("- ", 200)+"1; }",
		"BEGIN { $x = "+strings.Repeat("1 ? ", 100)+"1"+strings.Repeat(" : 2", 100)+"; }",
		"BEGIN { "+strings.Repeat("if (1) { } else ", 100)+"{ } }",
		"macro d($x) { $x + $x } BEGIN { $a = "+strings.Repeat("d(", 20)+"1"+strings.Repeat(")", 20)+"; }")
	return seeds
}

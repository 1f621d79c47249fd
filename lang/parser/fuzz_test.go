package parser_test

import (
	"errors"
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
	f.Add(roundTripExtra)
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

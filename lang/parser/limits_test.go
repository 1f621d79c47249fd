package parser_test

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/parser"
)

// The limits that keep hostile input from costing without bound: each
// refuses with a positioned message, and the work stays linear.

func firstDiag(t *testing.T, src string) *lang.Diagnostic {
	t.Helper()
	_, err := parser.Parse("stdin", src)
	var d *lang.Diagnostics
	if !errors.As(err, &d) || len(d.List) == 0 {
		t.Fatalf("no diagnostics: %v", err)
	}
	return d.List[0]
}

func chain(op string, n int) string {
	return strings.Repeat("1 "+op+" ", n-1) + "1"
}

func TestChainWithinDepthParses(t *testing.T) {
	// The statement is at level 4 (program, probe, block, statement); a
	// chain of n operands nests n levels below it.
	for _, op := range []string{"-", "+", "<", "&&"} {
		src := "BEGIN { $x = " + chain(op, lang.MaxDepth-4) + "; }"
		if _, err := parser.Parse("stdin", src); err != nil {
			t.Errorf("%s chain at the bound: %v", op, firstLine(err.Error()))
		}
	}
}

func TestChainTooDeep(t *testing.T) {
	for _, op := range []string{"-", "+", "<", "&&", "*"} {
		d := firstDiag(t, "BEGIN { $x = "+chain(op, lang.MaxDepth-3)+"; }")
		if !strings.HasPrefix(d.Msg, fmt.Sprintf("the script nests too deeply here: more than %d levels", lang.MaxDepth)) ||
			d.Span.Start.Line != 1 || d.Span.Start.Col != 14 {
			t.Errorf("%s chain: %d:%d %s", op, d.Span.Start.Line, d.Span.Start.Col, d.Msg)
		}
	}
	// Nesting counts parentheses and blocks as well: a chain inside them
	// reaches the bound sooner.
	d := firstDiag(t, "BEGIN { if (1) { if (1) { $x = ("+chain("+", lang.MaxDepth-7)+"); } } }")
	if !strings.HasPrefix(d.Msg, "the script nests too deeply here") {
		t.Errorf("nested chain: %s", d.Msg)
	}
}

func TestScriptTooLarge(t *testing.T) {
	src := "BEGIN { " + strings.Repeat("@x = 1; ", parser.MaxScriptSize/8) + "}"
	d := firstDiag(t, src)
	if d.Msg != "the script is too large: more than 1048576 bytes (1 MiB)" || d.Span.Start.Line != 0 {
		t.Errorf("got %d:%d %s", d.Span.Start.Line, d.Span.Start.Col, d.Msg)
	}
}

// TestLinearErrors: a syntax error deep in nested blocks is found in time
// linear in the script (participle once retried each enclosing if/while
// another way, doubling the work per level).
func TestLinearErrors(t *testing.T) {
	for _, typo := range []string{"@x = ;", `printf("a" ;`, "@x[1 = 2;"} {
		for _, kind := range []string{"if (1) {", "while (1) {", "if (1) <", "{"} {
			closer := "} "
			if strings.HasSuffix(kind, "<") {
				closer = "> "
			}
			src := "BEGIN { " + strings.Repeat(kind+" ", 300) + typo + " " + strings.Repeat(closer, 300) + "}"
			start := time.Now()
			d := firstDiag(t, src)
			if el := time.Since(start); el > 5*time.Second {
				t.Errorf("%s in 300 x %s: %v", typo, kind, el)
			}
			if !strings.HasPrefix(d.Msg, "syntax error, unexpected") {
				t.Errorf("%s in 300 x %s: %s", typo, kind, d.Msg)
			}
		}
	}
}

// TestChainMemory: parsing a chain takes memory in proportion to its
// length (issue 15 measured 1.5 GB for 400,000 terms, before the bound):
// twice the operands, about twice the allocations, and at most 1 KB per
// byte of source.
func TestChainMemory(t *testing.T) {
	alloc := func(n int) (uint64, int) {
		src := "BEGIN { $x = " + chain("-", n) + "; }"
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		if _, err := parser.Parse("stdin", src); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc, len(src)
	}
	small, _ := alloc(lang.MaxDepth / 8)
	big, size := alloc(lang.MaxDepth / 4)
	if big > 3*small {
		t.Errorf("twice the operands allocated %.1f times the memory (%d MB, then %d MB)", float64(big)/float64(small), small>>20, big>>20)
	}
	if big > uint64(size)<<10 {
		t.Errorf("parsing a %d-byte chain allocated %d MB", size, big>>20)
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

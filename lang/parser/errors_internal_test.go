package parser

import (
	"errors"
	"testing"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// TestExpectedNodeReadable: the expected alternatives are read from the
// node participle's UnexpectedTokenError carries in an unexported field
// (errors.go). If a participle upgrade moves it, this says so directly,
// before the golden error files do.
func TestExpectedNodeReadable(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{`BEGIN { printf("x" pid); }`, ")"},
		{`BEGIN { @x[1 = 2; }`, "]"},
		{`BEGIN`, "{"},
		{`BEGIN { let x; }`, "variable"},
		{`BEGIN { for ($i in 0..10) {} }`, ":"},
		{`BEGIN { @x = $y ? 1 }`, ":"},
		{`BEGIN { @x = }`, ""},
	} {
		toks, serr := scan(c.src)
		if serr != nil {
			t.Fatal(serr.msg)
		}
		peek, err := lexer.Upgrade(newSliceLexer("x", c.src, toks))
		if err != nil {
			t.Fatal(err)
		}
		_, err = grammar().ParseFromLexer(peek)
		var uerr *participle.UnexpectedTokenError
		if !errors.As(err, &uerr) {
			t.Errorf("%s: %v is not an UnexpectedTokenError", c.src, err)
			continue
		}
		if got := expecting(uerr, toks, uerr.Unexpected.Pos.Offset); got != c.want {
			t.Errorf("%s: expecting %q, want %q (participle's message: %s)", c.src, got, c.want, uerr.Message())
		}
	}
}

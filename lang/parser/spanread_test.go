package parser

import (
	"reflect"
	"testing"
)

// The converter reads the spans of the generated parser's token slices
// from the lexed tokens (tokensSpan); they equal the spans searched from
// offsets, on every script of the corpus.
func TestSpansReadEqualSpansSearched(t *testing.T) {
	n := 0
	for name, src := range corpus(t) {
		pp, cerr := preprocess(src)
		if cerr != nil {
			continue
		}
		toks, serr := scan(pp)
		if serr != nil {
			continue
		}
		lex := newSliceLexer("f", src, toks)
		g, ok := fastParse(lex.toks)
		if !ok || len(g.Tokens) == 0 {
			continue
		}
		lines := newLineIndex(src)
		read := &converter{lines: lines, ends: tokenEnds{toks: toks}, src: src, lexed: lex.toks}
		if read.lexedIndex(g.Tokens) != 0 {
			t.Fatalf("%s: the program's tokens are not found among the lexed ones", name)
		}
		searched := (&converter{lines: lines, ends: tokenEnds{toks: toks}}).program(g)
		if got := read.program(g); !reflect.DeepEqual(got, searched) {
			t.Errorf("%s: the trees differ", name)
		}
		n++
	}
	if n < 100 {
		t.Fatalf("only %d scripts parsed", n)
	}
}

package parser

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/alecthomas/participle/v2/lexer"
)

// fastParse must build exactly the tree participle builds (positions and
// tokens included: spans come from them) for every script participle
// accepts, and fail wherever participle fails (or build a tree that the
// converter refuses). The corpus is every script in the repository:
// testdata, the docs' examples, and the scripts quoted in Go tests (raw
// or interpreted string literals).
func TestFastParseMatchesParticiple(t *testing.T) {
	srcs := corpus(t)
	if len(srcs) < 200 {
		t.Fatalf("corpus of %d scripts is too small", len(srcs))
	}
	accepted := 0
	for name, src := range srcs {
		if compareParsers(t, name, src) {
			accepted++
		}
	}
	t.Logf("%d scripts, %d accepted by both", len(srcs), accepted)
	if accepted < 100 {
		t.Errorf("only %d scripts parsed", accepted)
	}
}

// corpus collects scripts: .bt files, the sh blocks of the docs, and Go
// string literals (raw or quoted) of test files that look like scripts,
// plus each of them cut short, to compare failures too.
func corpus(t testing.TB) map[string]string {
	out := map[string]string{}
	root := "../.."
	add := func(name, src string) {
		out[name] = src
		// Truncations exercise failing and rewound alternatives.
		for _, cut := range []int{len(src) / 3, len(src) / 2, len(src) - 1} {
			if cut > 0 && cut < len(src) {
				out[name+"/cut"+string(rune('0'+cut%10))] = src[:cut]
			}
		}
	}
	quoted := regexp.MustCompile("(?s)`([^`]*)`")
	shArg := regexp.MustCompile(`-e '([^']*)'`)
	dquoted := regexp.MustCompile(`"(?:[^"\\\n]|\\.)*"`)
	err := filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			if info != nil && info.IsDir() && strings.HasPrefix(info.Name(), ".") && path != root {
				return filepath.SkipDir
			}
			return nil
		}
		b, rerr := os.ReadFile(path)
		if rerr != nil {
			return nil
		}
		s := string(b)
		switch {
		case strings.HasSuffix(path, ".bt"):
			add(path, s)
		case strings.HasSuffix(path, ".md"):
			for i, m := range shArg.FindAllStringSubmatch(s, -1) {
				add(path+"#"+string(rune('a'+i%26))+string(rune('0'+i/26%10)), m[1])
			}
		case strings.HasSuffix(path, "_test.go"):
			for i, m := range quoted.FindAllStringSubmatch(s, -1) {
				if strings.Contains(m[1], "{") || strings.Contains(m[1], "@") {
					add(path+"`"+string(rune('a'+i%26))+string(rune('0'+i/26%10)), m[1])
				}
			}
			for i, m := range dquoted.FindAllString(s, -1) {
				if lit, err := strconv.Unquote(m); err == nil && (strings.Contains(lit, "{") || strings.Contains(lit, "@")) {
					add(path+"\""+strconv.Itoa(i), lit)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// compareParsers reports a difference between fastParse and participle on
// src; it returns whether both accepted it.
func compareParsers(t testing.TB, name, src string) bool {
	toks, serr := scan(src)
	if serr != nil {
		return false
	}
	lex := newSliceLexer("x", src, toks)
	fast, fastOK := fastParse(append([]lexer.Token(nil), lex.toks...))
	peek, err := lexer.Upgrade(newSliceLexer("x", src, toks))
	if err != nil {
		t.Fatal(err)
	}
	slow, perr := grammar().ParseFromLexer(peek)
	switch {
	case perr != nil && fastOK && convertsCleanly(src, toks, fast):
		t.Errorf("%s: fastParse accepts what participle rejects (%v):\n%s", name, perr, src)
	case perr == nil && !fastOK:
		t.Errorf("%s: fastParse rejects what participle accepts:\n%s", name, src)
	case perr == nil && !reflect.DeepEqual(fast, slow):
		t.Errorf("%s: trees differ:\n%s", name, src)
	}
	return perr == nil && fastOK
}

// FuzzFastParse compares the two parsers on any input.
func FuzzFastParse(f *testing.F) {
	for _, src := range corpus(f) {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src string) { compareParsers(t, "fuzz", src) })
}

func convertsCleanly(src string, toks []token, g *gProgram) bool {
	c := &converter{lines: newLineIndex(src), ends: tokenEnds{toks: toks}}
	c.program(g)
	return len(c.diags) == 0
}

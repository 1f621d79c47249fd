package parser

// The generator of fastparse_gen.go: it reads the grammar from the struct
// tags of grammar.go by reflection (the tags participle builds its parser
// from) and writes a recursive-descent parser with participle's
// lookahead-0 semantics, so the syntax is written once. It lives in a test
// file because it reflects over the grammar's unexported types; run it
// with `go generate ./lang/parser`. TestFastParseGenerated fails when the
// generated file is stale.

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

var updateFastParse = flag.Bool("update-fastparse", false, "rewrite fastparse_gen.go from the grammar")

func TestFastParseGenerated(t *testing.T) {
	src, err := generateFastParser()
	if err != nil {
		t.Fatal(err)
	}
	if *updateFastParse {
		if err := os.WriteFile("fastparse_gen.go", src, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	have, err := os.ReadFile("fastparse_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(have, src) {
		t.Fatal("fastparse_gen.go is not what grammar.go generates: run `go generate ./lang/parser`" +
			" (if the package does not build, delete fastparse_gen.go first)")
	}
}

// The tag language: the subset of participle's grammar syntax that
// grammar.go uses.

type tagTok struct {
	kind  string // lit ident @ @@ ( (?= (?! ) | ? * +
	text  string
	field int // index of the struct field whose tag holds the token
}

// grammar node kinds
const (
	gnSeq   = "seq"
	gnAlt   = "alt"
	gnOpt   = "opt"
	gnStar  = "star"
	gnPlus  = "plus"
	gnLook  = "look"  // (?= x)
	gnNLook = "nlook" // (?! x)
	gnLit   = "lit"   // "x": a token with that value
	gnTok   = "tok"   // Ident: a token of that type
	gnCap   = "cap"   // @x: capture the one token x matches
	gnSub   = "sub"   // @@: a sub-production into the field
)

type gnode struct {
	kind  string
	kids  []*gnode
	text  string
	field int
}

func lexTag(tag string, field int, out []tagTok) ([]tagTok, error) {
	for i := 0; i < len(tag); {
		c := tag[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			i++
		case c == '"':
			j := i + 1
			for j < len(tag) && tag[j] != '"' {
				if tag[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(tag) {
				return nil, fmt.Errorf("unterminated literal in %q", tag)
			}
			s, err := strconv.Unquote(tag[i : j+1])
			if err != nil {
				return nil, err
			}
			out = append(out, tagTok{kind: "lit", text: s, field: field})
			i = j + 1
		case strings.HasPrefix(tag[i:], "@@"):
			out = append(out, tagTok{kind: "@@", field: field})
			i += 2
		case strings.HasPrefix(tag[i:], "(?=") || strings.HasPrefix(tag[i:], "(?!"):
			out = append(out, tagTok{kind: tag[i : i+3], field: field})
			i += 3
		case strings.ContainsRune("@()|?*+", rune(c)):
			out = append(out, tagTok{kind: string(c), field: field})
			i++
		case c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z':
			j := i
			for j < len(tag) && (tag[j] >= 'A' && tag[j] <= 'Z' || tag[j] >= 'a' && tag[j] <= 'z' || tag[j] >= '0' && tag[j] <= '9') {
				j++
			}
			out = append(out, tagTok{kind: "ident", text: tag[i:j], field: field})
			i = j
		default:
			return nil, fmt.Errorf("unexpected %q in tag %q", c, tag)
		}
	}
	return out, nil
}

type tagParser struct {
	toks []tagTok
	i    int
}

func (tp *tagParser) peek() string {
	if tp.i < len(tp.toks) {
		return tp.toks[tp.i].kind
	}
	return ""
}

func (tp *tagParser) expr() (*gnode, error) {
	var alts []*gnode
	for {
		s, err := tp.seq()
		if err != nil {
			return nil, err
		}
		alts = append(alts, s)
		if tp.peek() != "|" {
			break
		}
		tp.i++
	}
	if len(alts) == 1 {
		return alts[0], nil
	}
	return &gnode{kind: gnAlt, kids: alts}, nil
}

func (tp *tagParser) seq() (*gnode, error) {
	var items []*gnode
	for k := tp.peek(); k != "" && k != "|" && k != ")"; k = tp.peek() {
		n, err := tp.term()
		if err != nil {
			return nil, err
		}
		items = append(items, n)
	}
	switch len(items) {
	case 0:
		return nil, fmt.Errorf("empty sequence at tag token %d", tp.i)
	case 1:
		return items[0], nil
	}
	return &gnode{kind: gnSeq, kids: items}, nil
}

func (tp *tagParser) term() (*gnode, error) {
	n, err := tp.termNoModifier()
	if err != nil {
		return nil, err
	}
	switch tp.peek() {
	case "?":
		n = &gnode{kind: gnOpt, kids: []*gnode{n}}
	case "*":
		n = &gnode{kind: gnStar, kids: []*gnode{n}}
	case "+":
		n = &gnode{kind: gnPlus, kids: []*gnode{n}}
	default:
		return n, nil
	}
	tp.i++
	return n, nil
}

func (tp *tagParser) termNoModifier() (*gnode, error) {
	t := tp.toks[tp.i]
	tp.i++
	switch t.kind {
	case "lit":
		return &gnode{kind: gnLit, text: t.text}, nil
	case "ident":
		if _, ok := symbols[t.text]; !ok {
			return nil, fmt.Errorf("unknown token type %s", t.text)
		}
		return &gnode{kind: gnTok, text: t.text}, nil
	case "@@":
		return &gnode{kind: gnSub, field: t.field}, nil
	case "@":
		x, err := tp.termNoModifier()
		if err != nil {
			return nil, err
		}
		if !singleToken(x) {
			return nil, fmt.Errorf("capture of more than one token is not supported")
		}
		return &gnode{kind: gnCap, field: t.field, kids: []*gnode{x}}, nil
	case "(", "(?=", "(?!":
		x, err := tp.expr()
		if err != nil {
			return nil, err
		}
		if tp.peek() != ")" {
			return nil, fmt.Errorf("missing ) at tag token %d", tp.i)
		}
		tp.i++
		switch t.kind {
		case "(?=":
			return &gnode{kind: gnLook, kids: []*gnode{x}}, nil
		case "(?!":
			return &gnode{kind: gnNLook, kids: []*gnode{x}}, nil
		}
		return x, nil
	}
	return nil, fmt.Errorf("unexpected %s at tag token %d", t.kind, tp.i-1)
}

// singleToken reports whether n matches exactly one token (a literal, a
// token type, or a choice of those): it then never consumes on failure.
func singleToken(n *gnode) bool {
	switch n.kind {
	case gnLit, gnTok:
		return true
	case gnAlt:
		for _, k := range n.kids {
			if !singleToken(k) {
				return false
			}
		}
		return true
	}
	return false
}

// matchExpr is the Go boolean expression matching a single-token node.
func matchExpr(n *gnode) string {
	switch n.kind {
	case gnLit:
		return fmt.Sprintf("p.lit(%q)", n.text)
	case gnTok:
		return "p.tok(t" + n.text + ")"
	}
	var alts []string
	for _, k := range n.kids {
		alts = append(alts, matchExpr(k))
	}
	return "(" + strings.Join(alts, " || ") + ")"
}

// generator writes the parser.
type generator struct {
	out   bytes.Buffer
	typ   reflect.Type // the struct being generated
	n     int          // for unique names
	todo  []reflect.Type
	seen  map[reflect.Type]bool
	names map[reflect.Type]string
}

func (g *generator) printf(format string, args ...any) { fmt.Fprintf(&g.out, format, args...) }

func (g *generator) uniq(prefix string) string {
	g.n++
	return fmt.Sprintf("%s%d", prefix, g.n)
}

func parseMethod(t reflect.Type) string { return "parse" + strings.TrimPrefix(t.Name(), "g") }

// production returns the grammar of a struct: its fields' tags in order.
func production(t reflect.Type) (*gnode, error) {
	var toks []tagTok
	for i := 0; i < t.NumField(); i++ {
		tag, ok := t.Field(i).Tag.Lookup("parser")
		if !ok {
			continue
		}
		var err error
		if toks, err = lexTag(tag, i, toks); err != nil {
			return nil, fmt.Errorf("%s.%s: %v", t.Name(), t.Field(i).Name, err)
		}
	}
	tp := &tagParser{toks: toks}
	n, err := tp.expr()
	if err != nil {
		return nil, fmt.Errorf("%s: %v", t.Name(), err)
	}
	if tp.i != len(toks) {
		return nil, fmt.Errorf("%s: unbalanced ) in the grammar", t.Name())
	}
	return n, nil
}

// subType is the struct a field captures with @@, and whether it is a list.
func subType(f reflect.StructField) (reflect.Type, bool, error) {
	ft := f.Type
	list := false
	if ft.Kind() == reflect.Slice {
		list, ft = true, ft.Elem()
	}
	if ft.Kind() != reflect.Pointer || ft.Elem().Kind() != reflect.Struct {
		return nil, false, fmt.Errorf("field %s: @@ needs a *struct or []*struct, not %s", f.Name, f.Type)
	}
	return ft.Elem(), list, nil
}

// capture is the statement that stores the token just consumed in field i.
func (g *generator) capture(i int) (string, error) {
	f := g.typ.Field(i)
	v := "p.toks[p.i-1].Value"
	switch {
	case f.Type.Kind() == reflect.String:
		return fmt.Sprintf("g.%s = %s", f.Name, v), nil
	case f.Type.Kind() == reflect.Bool:
		return fmt.Sprintf("g.%s = true", f.Name), nil
	case f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.String:
		return fmt.Sprintf("g.%s = p.strp(%s)", f.Name, v), nil
	case f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.String:
		return fmt.Sprintf("g.%s = append(g.%s, %s)", f.Name, f.Name, v), nil
	}
	return "", fmt.Errorf("%s.%s: cannot capture a token into %s", g.typ.Name(), f.Name, f.Type)
}

// node writes the statements matching n. fail is the statement run when n
// does not match; the cursor has then either not moved (no match) or moved
// (participle's lookahead-0 error: every enclosing choice fails too).
func (g *generator) node(n *gnode, fail string) error {
	switch n.kind {
	case gnLit, gnTok:
		g.printf("if !%s {\n%s\n}\n", matchExpr(n), fail)
	case gnAlt:
		if singleToken(n) {
			g.printf("if !%s {\n%s\n}\n", matchExpr(n), fail)
			return nil
		}
		at, done := g.uniq("at"), g.uniq("D")
		g.printf("%s := p.i\n%s:\nswitch {\ndefault:\n", at, done)
		for i, k := range n.kids {
			label := g.uniq("A")
			if err := g.block(label, k, fmt.Sprintf("break %s", label), "break "+done); err != nil {
				return err
			}
			if i < len(n.kids)-1 {
				g.printf("if p.i != %s {\n%s\n}\n", at, fail)
			}
		}
		g.printf("%s\n}\n", fail)
	case gnSeq:
		for _, k := range n.kids {
			if err := g.node(k, fail); err != nil {
				return err
			}
		}
	case gnOpt:
		x := n.kids[0]
		if singleToken(x) {
			g.printf("%s\n", matchExpr(x))
			return nil
		}
		if x.kind == gnCap {
			c, err := g.capture(x.field)
			if err != nil {
				return err
			}
			g.printf("if %s {\n%s\n}\n", matchExpr(x.kids[0]), c)
			return nil
		}
		at, label := g.uniq("at"), g.uniq("O")
		g.printf("%s := p.i\n", at)
		return g.block(label, x, fmt.Sprintf("if p.i != %s {\n%s\n}\nbreak %s", at, fail, label), "")
	case gnStar, gnPlus:
		x := n.kids[0]
		if n.kind == gnPlus {
			if err := g.node(x, fail); err != nil {
				return err
			}
		}
		if x.kind == gnCap {
			c, err := g.capture(x.field)
			if err != nil {
				return err
			}
			g.printf("for %s {\n%s\n}\n", matchExpr(x.kids[0]), c)
			return nil
		}
		if singleToken(x) {
			g.printf("for %s {\n}\n", matchExpr(x))
			return nil
		}
		at, label := g.uniq("at"), g.uniq("R")
		g.printf("%s:\nfor {\n%s := p.i\n", label, at)
		if err := g.node(x, fmt.Sprintf("if p.i != %s {\n%s\n}\nbreak %s", at, fail, label)); err != nil {
			return err
		}
		// A repetition that matches nothing would loop forever.
		g.printf("if p.i == %s {\nbreak\n}\n}\n", at)
	case gnLook:
		at := g.uniq("at")
		g.printf("%s := p.i\n", at)
		if err := g.node(n.kids[0], fmt.Sprintf("p.i = %s\n%s", at, fail)); err != nil {
			return err
		}
		g.printf("p.i = %s\n", at)
	case gnNLook:
		at, label := g.uniq("at"), g.uniq("N")
		g.printf("%s := p.i\n", at)
		if err := g.block(label, n.kids[0], "break "+label, fmt.Sprintf("p.i = %s\n%s", at, fail)); err != nil {
			return err
		}
		g.printf("p.i = %s\n", at)
	case gnCap:
		c, err := g.capture(n.field)
		if err != nil {
			return err
		}
		g.printf("if !%s {\n%s\n}\n%s\n", matchExpr(n.kids[0]), fail, c)
	case gnSub:
		f := g.typ.Field(n.field)
		st, list, err := subType(f)
		if err != nil {
			return err
		}
		if !g.seen[st] {
			g.seen[st] = true
			g.todo = append(g.todo, st)
		}
		if list {
			g.printf("if x := p.%s(); x != nil {\ng.%s = append(g.%s, x)\n} else {\n%s\n}\n", parseMethod(st), f.Name, f.Name, fail)
		} else {
			g.printf("if g.%s = p.%s(); g.%s == nil {\n%s\n}\n", f.Name, parseMethod(st), f.Name, fail)
		}
	default:
		return fmt.Errorf("unknown node %s", n.kind)
	}
	return nil
}

// block writes n inside a labeled switch that `fail` breaks out of, then
// the statement after (when n matched). The label is written only when
// used.
func (g *generator) block(label string, n *gnode, fail, after string) error {
	outer := g.out
	g.out = bytes.Buffer{}
	if err := g.node(n, fail); err != nil {
		return err
	}
	body := g.out.String()
	g.out = outer
	if after != "" {
		after += "\n"
	}
	if strings.Contains(body, "break "+label+"\n") {
		g.printf("%s:\nswitch {\ndefault:\n%s%s}\n", label, body, after)
	} else {
		g.printf("%s%s", body, after)
	}
	return nil
}

const fastParseHeader = `// Code generated by TestFastParseGenerated (fastparse_gen_test.go) from grammar.go; DO NOT EDIT.

package parser

import "github.com/alecthomas/participle/v2/lexer"

func init() { fastParse, fastParseItems = parseGenerated, parseItemsGenerated }

// parseGenerated builds the tree participle builds from the grammar (grammar.go),
// with the same semantics: alternatives tried in order, lookahead 0 (an
// alternative that consumed a token and then fails is a syntax error),
// (?= ...) guards that consume nothing, greedy repetitions, literals
// matched by value and token types by type, and a node's Tokens the tokens
// it consumed. It reports only success: on
// a syntax error Parse runs participle, whose error the diagnostic is
// built from. Each method returns nil when its production does not match;
// the cursor has then not moved, or it has moved (a syntax error, which
// fails every enclosing choice too).
func parseGenerated(toks []lexer.Token) (*gProgram, bool) {
	if len(toks) == 0 {
		return nil, false
	}
	p := &fastParser{toks: toks}
	g := p.parseProgram()
	if g == nil || p.toks[p.i].Type != tEOF {
		return nil, false
	}
	return g, true
}

// parseItemsGenerated parses toks as parseGenerated does, but hands each
// item of the program (gProgram's gItem list) to item as soon as it is
// built, instead of building the program's tree; once item returns, the
// item's nodes are reused for the next one (item must keep none of them).
// It returns how many tokens the items took (all but EOF) and whether the
// whole script parsed.
func parseItemsGenerated(toks []lexer.Token, item func(*gItem)) (int, bool) {
	if len(toks) == 0 {
		return 0, false
	}
	p := &fastParser{toks: toks}
	for {
		at := p.i
		x := p.parseItem()
		if x == nil {
			if p.i != at {
				return 0, false
			}
			break
		}
		item(x)
		p.nodes.reset()
		p.strs.reset()
		if p.i == at {
			break
		}
	}
	if p.toks[p.i].Type != tEOF {
		return 0, false
	}
	return p.i, true
}

type fastParser struct {
	toks []lexer.Token // ends with EOF
	i    int
	// nodes and strs hold what the tree is made of, allocated a batch at
	// a time: one allocation per node was most of the parse's.
	nodes slabs
	strs  slab[string]
}

// lit consumes a token whose value is v.
func (p *fastParser) lit(v string) bool {
	if t := &p.toks[p.i]; t.Type != tEOF && t.Value == v {
		p.i++
		return true
	}
	return false
}

// tok consumes a token of type tt.
func (p *fastParser) tok(tt lexer.TokenType) bool {
	if p.toks[p.i].Type == tt {
		p.i++
		return true
	}
	return false
}

// strp stores a captured token's text.
func (p *fastParser) strp(s string) *string { return p.strs.take(s) }

// slab hands out the elements of arrays allocated a batch at a time,
// batches growing from 4 to 128 elements (a one-liner allocates little).
// After reset it hands out the same arrays again.
type slab[T any] struct {
	batches [][]T
	cur     int // the batch being handed out
	used    int // its elements handed out
}

// take stores v in the next free element and returns it: a node built
// in a local variable is copied there once it has matched, so that the
// attempts that fail take nothing.
func (s *slab[T]) take(v T) *T {
	if s.cur < len(s.batches) && s.used == len(s.batches[s.cur]) {
		s.cur, s.used = s.cur+1, 0
	}
	if s.cur == len(s.batches) {
		n := 4
		if s.cur > 0 {
			n = min(2*len(s.batches[s.cur-1]), 128)
		}
		s.batches = append(s.batches, make([]T, n))
	}
	e := &s.batches[s.cur][s.used]
	s.used++
	*e = v
	return e
}

// reset makes every element free again: what they held must be dead.
func (s *slab[T]) reset() { s.cur, s.used = 0, 0 }
`

func generateFastParser() ([]byte, error) {
	g := &generator{seen: map[reflect.Type]bool{}}
	root := reflect.TypeOf(gProgram{})
	g.seen[root] = true
	g.todo = append(g.todo, root)
	g.printf("%s", fastParseHeader)
	var types []reflect.Type // in the order generated
	for len(g.todo) > 0 {
		t := g.todo[0]
		g.todo = g.todo[1:]
		n, err := production(t)
		if err != nil {
			return nil, err
		}
		g.typ, g.n = t, 0
		g.printf("\n// %s matches %s.\n", parseMethod(t), t.Name())
		g.printf("func (p *fastParser) %s() *%s {\nstart := p.i\nvar g %s\n", parseMethod(t), t.Name(), t.Name())
		if err := g.node(n, "return nil"); err != nil {
			return nil, err
		}
		g.printf("g.Tokens = p.toks[start:p.i]\nreturn p.nodes.%s.take(g)\n}\n", t.Name())
		types = append(types, t)
	}
	g.printf("\n// slabs holds the parse's nodes, by type.\ntype slabs struct {\n")
	for _, t := range types {
		g.printf("%s slab[%s]\n", t.Name(), t.Name())
	}
	g.printf("}\n")
	g.printf("\nfunc (s *slabs) reset() {\n")
	for _, t := range types {
		g.printf("s.%s.reset()\n", t.Name())
	}
	g.printf("}\n")
	src, err := format.Source(g.out.Bytes())
	if err != nil {
		return nil, fmt.Errorf("generated code does not compile: %v\n%s", err, g.out.Bytes())
	}
	return src, nil
}

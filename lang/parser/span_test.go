package parser_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/parser"
)

// covered lists, in tree order, each node's type and the source text its
// span covers.
func covered(src string, p *lang.Program) []string {
	var out []string
	walkSpans(reflect.ValueOf(p), func(typ string, s lang.Span) {
		out = append(out, typ+" "+src[s.Start.Offset:s.End.Offset])
	})
	return out
}

// walkSpans calls f for every node (a struct embedding lang.Span).
func walkSpans(v reflect.Value, f func(string, lang.Span)) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walkSpans(v.Elem(), f)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			walkSpans(v.Index(i), f)
		}
	case reflect.Struct:
		if sf, ok := v.Type().FieldByName("Span"); ok && sf.Type == spanType {
			f(strings.TrimPrefix(v.Type().Name(), "lang."), v.FieldByName("Span").Interface().(lang.Span))
		}
		for i := 0; i < v.NumField(); i++ {
			if ft := v.Type().Field(i); ft.IsExported() && ft.Type != spanType && ft.Name != "Sym" && ft.Name != "T" {
				walkSpans(v.Field(i), f)
			}
		}
	}
}

func TestSpansCoverTheirText(t *testing.T) {
	src := "kprobe:f,\n  t:a:b /pid > 1/ {\n\t@x[comm, 1] = count();\n  if ($a) < $b++ >\n}"
	p, err := parser.Parse("stdin", src)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"Program " + src,
		"Probe " + src,
		"AttachPoint kprobe:f",
		"AttachPoint t:a:b",
		"Binary pid > 1",
		"Ident pid",
		"IntLit 1",
		"Block {\n\t@x[comm, 1] = count();\n  if ($a) < $b++ >\n}",
		"AssignStmt @x[comm, 1] = count()", // statements end before their ';'

		"MapExpr @x[comm, 1]",
		"Ident comm",
		"IntLit 1",
		"Call count()",
		"IfStmt if ($a) < $b++ >",
		"Var $a",
		"Block < $b++ >",
		"ExprStmt $b++",
		"Unary $b++",
		"Var $b",
	}
	got := covered(src, p)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("spans:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The statement inside the angle block: line 4, columns 13-17.
	b := p.Probes[0].Body.Stmts[1].(*lang.IfStmt).Then.Stmts[0].(*lang.ExprStmt)
	if s := b.Span; s.Start.Line != 4 || s.Start.Col != 13 || s.End.Line != 4 || s.End.Col != 17 {
		t.Errorf("span of $b++ = %+v", s)
	}
}

func TestSpansOfExpressions(t *testing.T) {
	cases := []struct{ src, want string }{
		{"BEGIN { $x = (uint8)$y + -3 * (1 + 2); }", "AssignStmt|Var $x|Binary (uint8)$y + -3 * (1 + 2)|Cast (uint8)$y|TypeSpec uint8|Var $y|Binary -3 * (1 + 2)|Unary -3|IntLit 3|Binary (1 + 2)|IntLit 1|IntLit 2"},
		{"BEGIN { let $v: struct foo * = curtask->a.b[2]; }", "LetStmt|Var $v|TypeSpec struct foo *|Index curtask->a.b[2]|FieldAccess curtask->a.b|FieldAccess curtask->a|Ident curtask|IntLit 2"},
		{`BEGIN { @t = (1, "s\n"); @r = (a=1); @q = $1 ? sizeof(int8) : offsetof(struct s, f) }`, `AssignStmt|MapExpr @t|Tuple (1, "s\n")|IntLit 1|StrLit "s\n"|AssignStmt|MapExpr @r|Tuple (a=1)|IntLit 1|AssignStmt|MapExpr @q|Ternary $1 ? sizeof(int8) : offsetof(struct s, f)|Positional $1|Sizeof sizeof(int8)|TypeSpec int8|Offsetof offsetof(struct s, f)|TypeSpec struct s`},
		{"BEGIN { for ($i : 0..10) { } for ($k : @m) { } }", "ForRangeStmt|Var $i|IntLit 0|IntLit 10|Block { }|ForMapStmt|Var $k|MapExpr @m|Block { }"},
		{"BEGIN { for $i : 0..10 { } for $k : @m { } }", "ForRangeStmt|Var $i|IntLit 0|IntLit 10|Block { }|ForMapStmt|Var $k|MapExpr @m|Block { }"},
	}
	for _, c := range cases {
		p, err := parser.Parse("stdin", c.src)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.src, err)
			continue
		}
		var got []string
		for _, s := range p.Probes[0].Body.Stmts {
			walkSpans(reflect.ValueOf(s), func(typ string, sp lang.Span) {
				text := c.src[sp.Start.Offset:sp.End.Offset]
				if strings.HasSuffix(typ, "Stmt") {
					got = append(got, typ)
					return
				}
				got = append(got, typ+" "+text)
			})
		}
		// Statements are listed by type only (their text is long).
		g := strings.Join(got, "|")
		if g != c.want {
			t.Errorf("%q:\n got  %s\n want %s", c.src, g, c.want)
		}
	}
}

// TestSpansAreConsistent checks every node of every shape case: offsets in
// range, Line/Col agreeing with Offset, and children inside their parent.
func TestSpansAreConsistent(t *testing.T) {
	for _, c := range shapeCases {
		p, err := parser.Parse("stdin", c.src)
		if err != nil {
			continue
		}
		walkSpans(reflect.ValueOf(p), func(typ string, s lang.Span) {
			for _, pos := range []lang.Pos{s.Start, s.End} {
				if err := checkPos(c.src, pos); err != nil {
					t.Errorf("%q: %s: %v", c.src, typ, err)
				}
			}
			if s.End.Offset < s.Start.Offset {
				t.Errorf("%q: %s: span ends before it starts: %+v", c.src, typ, s)
			}
		})
	}
}

func checkPos(src string, p lang.Pos) error {
	if p.Offset < 0 || p.Offset > len(src) {
		return fmt.Errorf("offset %d out of range", p.Offset)
	}
	line := strings.Count(src[:p.Offset], "\n") + 1
	col := p.Offset - (strings.LastIndex(src[:p.Offset], "\n") + 1) + 1
	if p.Line != line || p.Col != col {
		return fmt.Errorf("offset %d is %d:%d, span says %d:%d", p.Offset, line, col, p.Line, p.Col)
	}
	return nil
}

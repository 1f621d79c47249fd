package printer_test

import (
	"testing"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/parser"
	"github.com/gobpftrace/gobpftrace/lang/printer"
)

func num(v uint64) *lang.IntLit { return &lang.IntLit{Value: v} }
func v(name string) *lang.Var   { return &lang.Var{Name: name} }
func bin(op string, x, y lang.Expr) *lang.Binary {
	return &lang.Binary{Op: op, X: x, Y: y}
}

func TestExprParentheses(t *testing.T) {
	cases := []struct {
		e    lang.Expr
		want string
	}{
		{bin("-", num(1), bin("-", num(2), num(3))), "1 - (2 - 3)"},
		{bin("-", bin("-", num(1), num(2)), num(3)), "1 - 2 - 3"},
		{bin("*", bin("+", num(1), num(2)), num(3)), "(1 + 2) * 3"},
		{bin("+", num(1), bin("*", num(2), num(3))), "1 + 2 * 3"},
		{bin("<", bin("<<", v("$a"), num(1)), num(3)), "$a << 1 < 3"},
		{bin("&", bin("==", v("$a"), num(1)), num(3)), "$a == 1 & 3"},
		{bin("==", bin("&", v("$a"), num(1)), num(3)), "($a & 1) == 3"},
		{&lang.Unary{Op: "-", X: &lang.Unary{Op: "-", X: num(1)}}, "- -1"},
		{&lang.Unary{Op: "-", X: &lang.Unary{Op: "--", X: v("$x")}}, "- --$x"},
		{&lang.Unary{Op: "&", X: &lang.Unary{Op: "&", X: v("$x")}}, "& &$x"},
		{&lang.Unary{Op: "!", X: bin("||", v("$a"), v("$b"))}, "!($a || $b)"},
		{&lang.Unary{Op: "++", X: &lang.MapExpr{Name: "@m", Keys: []lang.Expr{num(1), &lang.StrLit{Value: "k"}}}, Postfix: true}, `@m[1, "k"]++`},
		{&lang.Ternary{Cond: &lang.Ternary{Cond: v("$a"), Then: num(1), Else: num(2)}, Then: num(3), Else: &lang.Ternary{Cond: v("$b"), Else: num(4)}}, "($a ? 1 : 2) ? 3 : $b ?: 4"},
		{bin("+", &lang.Ternary{Cond: v("$a"), Then: num(1), Else: num(2)}, num(3)), "($a ? 1 : 2) + 3"},
		{&lang.FieldAccess{X: &lang.Cast{To: &lang.TypeSpec{Name: "struct task_struct", Pointers: 1}, X: &lang.Ident{Name: "curtask"}}, Field: "pid", Arrow: true}, "((struct task_struct *)curtask)->pid"},
		{&lang.Cast{To: &lang.TypeSpec{Name: "int8", ArrayLen: 4}, X: v("$x")}, "(int8[4])$x"},
		{&lang.Cast{To: &lang.TypeSpec{Name: "pid_t"}, X: &lang.Unary{Op: "-", X: num(1)}}, "(pid_t)(-1)"},
		{&lang.Cast{To: &lang.TypeSpec{Name: "uint8"}, X: &lang.Unary{Op: "-", X: num(1)}}, "(uint8)-1"},
		{&lang.Index{X: &lang.Unary{Op: "*", X: v("$p")}, Index: num(0)}, "(*$p)[0]"},
		{&lang.FieldAccess{X: &lang.Tuple{Elems: []lang.Expr{num(1), num(2)}}, Field: "0"}, "(1, 2).0"},
		{&lang.Tuple{Elems: []lang.Expr{num(1), &lang.StrLit{Value: "x"}}, Names: []string{"a", "b"}}, `(a=1, b="x")`},
		{&lang.Sizeof{TypeArg: &lang.TypeSpec{Name: "struct foo"}}, "sizeof(struct foo)"},
		{&lang.Offsetof{X: v("$s"), Fields: []string{"a", "b"}}, "offsetof($s, a.b)"},
		{&lang.Positional{Count: true}, "$#"},
		{&lang.Positional{N: 2}, "$2"},
		{&lang.IntLit{Value: 5000000000, Raw: "5s"}, "5s"},
		{&lang.BoolLit{Value: true}, "true"},
		{&lang.StrLit{Value: "a\tb\n\"c\"\\\x01\xff"}, `"a\tb\n\"c\"\\\x01\xff"`},
		{&lang.Call{Name: "printf", Args: []lang.Expr{&lang.StrLit{Value: "%d\n"}, &lang.Ident{Name: "pid"}}}, `printf("%d\n", pid)`},
	}
	for _, c := range cases {
		if got := printer.Expr(c.e); got != c.want {
			t.Errorf("Expr = %s, want %s", got, c.want)
		}
	}
}

// TestPrintParsesBack builds programs by hand (no Raw text, angle blocks)
// and checks that the printed text parses back to the same shape.
func TestPrintParsesBack(t *testing.T) {
	p := &lang.Program{
		Probes: []*lang.Probe{{
			AttachPoints: []*lang.AttachPoint{{Provider: "uprobe", Parts: []string{"/path with space", "f"}}},
			Predicate:    bin(">", &lang.Ident{Name: "pid"}, num(10)),
			Body: &lang.Block{Angle: true, Stmts: []lang.Stmt{
				&lang.AssignStmt{Target: v("$a"), Op: "=", Value: bin(">", v("$b"), v("$c"))},
				&lang.IfStmt{Cond: bin(">", v("$a"), num(1)),
					Then: &lang.Block{Angle: true, Stmts: []lang.Stmt{&lang.JumpStmt{Kind: "return"}}},
					Else: &lang.Block{Angle: true}},
			}},
		}},
	}
	want := "uprobe:\"/path with space\":f /pid > 10/ <\n  $a = $b > $c;\n  if ($a > 1) <\n    return;\n  > else < >\n>\n"
	out := printer.Print(p)
	if out != want {
		t.Fatalf("Print:\n%s\nwant:\n%s", out, want)
	}
	q, err := parser.Parse("printed", out)
	if err != nil {
		t.Fatal(err)
	}
	ap := q.Probes[0].AttachPoints[0]
	if ap.Provider != "uprobe" || len(ap.Parts) != 2 || ap.Parts[0] != "/path with space" || ap.Parts[1] != "f" {
		t.Errorf("attach point parsed back as %+v", ap)
	}
	if !q.Probes[0].Body.Angle || len(q.Probes[0].Body.Stmts) != 2 {
		t.Errorf("body parsed back as %+v", q.Probes[0].Body)
	}
}

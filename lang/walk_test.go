package lang_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/parser"
	"github.com/gobpftrace/gobpftrace/lang/printer"
)

func mustParse(t *testing.T, src string) *lang.Program {
	t.Helper()
	p, err := parser.Parse("stdin", src)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// names renders each node Inspect visits, with "." for the f(nil) calls.
func names(n lang.Node) string {
	var out []string
	lang.Inspect(n, func(n lang.Node) bool {
		switch n := n.(type) {
		case nil:
			out = append(out, ".")
		case lang.Expr:
			out = append(out, printer.Expr(n))
		default:
			out = append(out, strings.TrimPrefix(fmt.Sprintf("%T", n), "*lang."))
		}
		return true
	})
	return strings.Join(out, " ")
}

func TestInspectOrder(t *testing.T) {
	p := mustParse(t, `BEGIN /pid > 1/ { let $v: uint8 = 2; if ($v) { @m[$v, 3] = (uint8)-$v; } else { print(1 ? 2 : 3); } }`)
	got := names(p.Probes[0])
	want := "Probe AttachPoint . pid > 1 pid . 1 . . Block " +
		"LetStmt $v . TypeSpec . 2 . . " +
		"IfStmt $v . Block AssignStmt @m[$v, 3] $v . 3 . . (uint8)-$v TypeSpec . -$v $v . . . . . " +
		"Block ExprStmt print(1 ? 2 : 3) 1 ? 2 : 3 1 . 2 . 3 . . . . . . . ."
	if got != want {
		t.Errorf("Inspect order:\n got %s\nwant %s", got, want)
	}
}

func TestInspectPrune(t *testing.T) {
	p := mustParse(t, `BEGIN { $a = (1 + 2) * 3; }`)
	var seen []string
	lang.Inspect(p, func(n lang.Node) bool {
		if b, ok := n.(*lang.Binary); ok {
			seen = append(seen, b.Op)
			return b.Op != "*" // do not look inside the product
		}
		return true
	})
	if strings.Join(seen, " ") != "*" {
		t.Errorf("visited %v, want only the product", seen)
	}
}

func TestCloneIsDeep(t *testing.T) {
	p := mustParse(t, `macro m($x) { $x + 1 } BEGIN { @m[1, 2] = f(3, (4, "a")); if (1) { $y = 2; } else { $y = 3; } }`)
	before := printer.Print(p)
	c := lang.Clone(p).(*lang.Program)
	if printer.Print(c) != before {
		t.Fatalf("the clone prints differently:\n%s", printer.Print(c))
	}
	// Change every name and value in the clone: the original must not see it.
	lang.Inspect(c, func(n lang.Node) bool {
		switch n := n.(type) {
		case *lang.Var:
			n.Name += "_c"
		case *lang.MapExpr:
			n.Name += "_c"
			n.Keys = append(n.Keys[:1], &lang.IntLit{Value: 9})
		case *lang.Call:
			n.Args[0] = &lang.IntLit{Value: 7}
		case *lang.IntLit:
			n.Raw = "5"
		case *lang.Block:
			n.Stmts = append(n.Stmts, &lang.ExprStmt{X: &lang.IntLit{Raw: "6"}})
		}
		return true
	})
	if after := printer.Print(p); after != before {
		t.Errorf("changing the clone changed the original:\n%s\nwas\n%s", after, before)
	}
}

func TestEditChildrenReplaces(t *testing.T) {
	p := mustParse(t, `BEGIN { $a = 1 + 2; $b = f(3); }`)
	// Replace every integer by 0, and drop the second statement.
	var edit lang.Edit
	edit = lang.Edit{
		Expr: func(e lang.Expr) lang.Expr {
			if _, ok := e.(*lang.IntLit); ok {
				return &lang.IntLit{Raw: "0"}
			}
			lang.EditChildren(e, edit)
			return e
		},
		Stmts: func(list []lang.Stmt) []lang.Stmt {
			for _, s := range list[:1] {
				lang.EditChildren(s, edit)
			}
			return list[:1]
		},
		Node: func(n lang.Node) lang.Node { lang.EditChildren(n, edit); return n },
	}
	lang.EditChildren(p, edit)
	if got, want := printer.Print(p), "BEGIN {\n  $a = 0 + 0;\n}\n"; got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestTooDeep(t *testing.T) {
	// Program, Probe, Block, AssignStmt, then the chain: a chain of n
	// operands has n-1 operators, so its deepest operand is n levels below
	// the statement.
	chain := func(n int) string { return strings.Repeat("1 + ", n-1) + "1" }
	p := mustParse(t, "BEGIN { $x = "+chain(20)+"; }")
	if n := lang.TooDeep(p, 24); n != nil {
		t.Errorf("depth 24 reported too deep at %s", printer.Expr(n.(lang.Expr)))
	}
	n := lang.TooDeep(p, 23)
	if n == nil {
		t.Fatal("depth 24 not found with a bound of 23")
	}
	// The first node in source order that is too deep: the chain's first operand.
	if sp := n.Pos(); sp.Start.Col != 14 || printer.Expr(n.(lang.Expr)) != "1" {
		t.Errorf("found %q at column %d, want the first 1 at 14", printer.Expr(n.(lang.Expr)), sp.Start.Col)
	}
	if lang.TooDeep(nil, 1) != nil {
		t.Error("nil tree too deep")
	}
}

func TestSize(t *testing.T) {
	p := mustParse(t, `BEGIN { $x = 1 + 2; }`)
	// Program, Probe, AttachPoint, Block, AssignStmt, $x, +, 1, 2.
	if got := lang.Size(p); got != 9 {
		t.Errorf("Size = %d, want 9", got)
	}
}

// editInspect is Inspect as it was built on EditChildren: the reference
// the read-only walk must agree with, node for node.
func editInspect(n lang.Node, f func(lang.Node) bool) {
	var visit func(lang.Node)
	var e lang.Edit
	visit = func(n lang.Node) {
		if !f(n) {
			return
		}
		lang.EditChildren(n, e)
		f(nil)
	}
	e = lang.Edit{
		Expr: func(x lang.Expr) lang.Expr { visit(x); return x },
		Stmts: func(list []lang.Stmt) []lang.Stmt {
			for _, s := range list {
				if s != nil {
					visit(s)
				}
			}
			return list
		},
		Node: func(c lang.Node) lang.Node { visit(c); return c },
	}
	visit(n)
}

// TestInspectMatchesEditChildren checks that Inspect's own description of
// the tree's shape visits exactly the nodes EditChildren does, in the same
// order, over every script of testdata (which covers every node type).
func TestInspectMatchesEditChildren(t *testing.T) {
	files, err := filepath.Glob("../testdata/*/*.bt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	seen := map[string]bool{}
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		p, err := parser.Parse(file, string(src))
		if err != nil {
			continue // scripts that test parse errors
		}
		var want, got []lang.Node
		editInspect(p, func(n lang.Node) bool { want = append(want, n); return true })
		lang.Inspect(p, func(n lang.Node) bool { got = append(got, n); return true })
		if len(got) != len(want) {
			t.Errorf("%s: Inspect visits %d nodes, EditChildren %d", file, len(got), len(want))
			continue
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s: visit %d is %T, EditChildren's is %T", file, i, got[i], want[i])
				break
			}
			seen[fmt.Sprintf("%T", want[i])] = true
		}
	}
	// The scripts must exercise the walk: a few node types every script
	// set of this size holds, so the comparison cannot pass vacuously.
	for _, typ := range []string{"*lang.Program", "*lang.Probe", "*lang.IfStmt", "*lang.Call", "*lang.MapExpr", "*lang.Ternary", "*lang.Cast"} {
		if !seen[typ] {
			t.Errorf("no script of testdata holds a %s", typ)
		}
	}
}

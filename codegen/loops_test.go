package codegen

import (
	"testing"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/check"
	"github.com/gobpftrace/gobpftrace/lang/parser"
)

// The checker does not accept loops yet, so these tests check a loop-free
// script and then turn its if statements into loops.

func checked(t *testing.T, src string) *lang.Checked {
	t.Helper()
	prog, err := parser.Parse("test.bt", src)
	if err != nil {
		t.Fatal(err)
	}
	c, err := check.Check(prog, "test.bt", src, fakeEnv{}, check.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func lit(v uint64) *lang.IntLit {
	l := &lang.IntLit{Value: v}
	l.SetType(lang.TUint64)
	return l
}

func runChecked(t *testing.T, c *lang.Checked) *loaded {
	t.Helper()
	p, err := Compile(c)
	if err != nil {
		t.Fatal(err)
	}
	l := load(t, p)
	l.run("BEGIN")
	return l
}

func TestWhileWithBreak(t *testing.T) {
	c := checked(t, `BEGIN { $i = 0; if ($i < 5) { $i++; @c = count(); if ($i == 3) { @x = 1; } } @after = $i; }`)
	body := c.Prog.Probes[0].Body
	ifs := body.Stmts[1].(*lang.IfStmt)
	inner := ifs.Then.Stmts[2].(*lang.IfStmt)
	inner.Then.Stmts = []lang.Stmt{&lang.JumpStmt{Kind: "break"}}
	body.Stmts[1] = &lang.WhileStmt{Span: ifs.Span, Cond: ifs.Cond, Body: ifs.Then}
	l := runChecked(t, c)
	if got := u64(l.value("@c", nil)); got != 3 {
		t.Errorf("@c = %d, want 3", got)
	}
	if got := i64(l.value("@after", nil)); got != 3 {
		t.Errorf("@after = %d, want 3", got)
	}
}

func TestUnrollAndForRange(t *testing.T) {
	c := checked(t, `BEGIN { if (1) { @u = count(); } $j = 0; $s = 0; if ($j < 10) { $s += $j; if ($j == 4) { @x = 1; } } @s = $s; }`)
	body := c.Prog.Probes[0].Body
	un := body.Stmts[0].(*lang.IfStmt)
	body.Stmts[0] = &lang.UnrollStmt{Span: un.Span, Count: lit(4), Body: un.Then, N: 4}
	fr := body.Stmts[3].(*lang.IfStmt)
	j := body.Stmts[1].(*lang.AssignStmt).Target.(*lang.Var)
	// continue on 4: the sum of 2..5 without 4.
	fr.Then.Stmts[1].(*lang.IfStmt).Then.Stmts = []lang.Stmt{&lang.JumpStmt{Kind: "continue"}}
	fr.Then.Stmts[0], fr.Then.Stmts[1] = fr.Then.Stmts[1], fr.Then.Stmts[0]
	body.Stmts[3] = &lang.ForRangeStmt{Span: fr.Span, Var: j, Start: lit(2), End: lit(6), Body: fr.Then}
	l := runChecked(t, c)
	if got := u64(l.value("@u", nil)); got != 4 {
		t.Errorf("@u = %d, want 4", got)
	}
	if got := i64(l.value("@s", nil)); got != 2+3+5 {
		t.Errorf("@s = %d, want 10", got)
	}
}

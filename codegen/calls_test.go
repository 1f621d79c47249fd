package codegen

import (
	"testing"

	"github.com/gobpftrace/gobpftrace/lang"
)

// The checker does not accept these functions yet: the tests type a
// placeholder and swap the call in.

func call(name string, t *lang.Type, args ...lang.Expr) *lang.Call {
	c := &lang.Call{Name: name, Args: args}
	c.SetType(t)
	return c
}

func TestScalarFunctions(t *testing.T) {
	c := checked(t, `BEGIN { @m[5] = 1; $s = "abcd"; @a = pid; @b = pid; @c = pid; @d = pid; @e = pid; @f = pid; @g = pid; @h = pid; }`)
	body := c.Prog.Probes[0].Body
	value := func(i int) *lang.AssignStmt { return body.Stmts[i].(*lang.AssignStmt) }
	m := value(0).Target.(*lang.MapExpr)
	mapOnly := &lang.MapExpr{Name: m.Name, Sym: m.Sym}
	mapOnly.SetType(m.Type())
	s := value(1).Target.(*lang.Var)
	strLit := func(v string) *lang.StrLit {
		l := &lang.StrLit{Value: v}
		l.SetType(lang.StringType(len(v) + 1))
		return l
	}
	u16 := &lang.Cast{X: lit(0x1234)}
	u16.SetType(lang.TUint16)
	value(2).Value = call("bswap", lang.TUint16, u16)
	value(3).Value = call("has_key", lang.TBool, mapOnly, lit(5))
	value(4).Value = call("has_key", lang.TBool, mapOnly, lit(6))
	value(5).Value = call("strncmp", lang.TInt64, s, strLit("abxx"), lit(2))
	value(6).Value = call("strncmp", lang.TInt64, s, strLit("abxx"), lit(3))
	value(7).Value = call("strncmp", lang.TInt64, s, strLit("abcd"), lit(10))
	value(8).Value = call("delete", lang.TBool, mapOnly, lit(5))
	value(9).Value = call("delete", lang.TBool, mapOnly, lit(5))
	l := runChecked(t, c)
	for name, want := range map[string]int64{"@a": 0x3412, "@b": 1, "@c": 0, "@d": 0, "@e": 1, "@f": 0, "@g": 1, "@h": 0} {
		if got := i64(l.value(name, nil)); got != want {
			t.Errorf("%s = %#x, want %#x", name, got, want)
		}
	}
}

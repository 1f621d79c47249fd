package codegen

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang/check"
	"github.com/gobpftrace/gobpftrace/lang/parser"
)

// The IR passes (constant folding, register allocation) must not change
// what a program computes: random scripts of integer arithmetic, branches,
// loops and maps run in BEGIN (BPF_PROG_TEST_RUN) compiled twice, with the
// passes and without (every virtual register in its home: the generator's
// own program), and print the same records and leave the same maps.

type diffGen struct {
	r    *rand.Rand
	b    strings.Builder
	vars []string // assignable
	// reads are expressions of loop variables, readable only.
	reads []string
	maps  []string
	n     int // statements written
}

func (g *diffGen) pick(xs ...string) string { return xs[g.r.Intn(len(xs))] }

// Every expression is an int64 (the checker refuses mixing signedness
// and bools with integers).
func (g *diffGen) leaf() string {
	xs := []string{"0", "1", "3", "-7", "100", "65535", "4294967296", "-1"}
	for i := range xs {
		xs[i] = "(int64)" + xs[i]
	}
	xs = append(xs, g.vars...)
	xs = append(xs, g.reads...)
	for _, m := range g.maps {
		xs = append(xs, m+"[1]", m+"[2]")
	}
	return xs[g.r.Intn(len(xs))]
}

func (g *diffGen) expr(depth int) string {
	if depth > 3 || g.r.Intn(3) == 0 {
		return g.leaf()
	}
	a, b := g.expr(depth+1), g.expr(depth+1)
	switch g.r.Intn(8) {
	case 0, 1:
		return "(" + a + g.pick(" + ", " - ", " * ", " & ", " | ", " ^ ") + b + ")"
	case 2:
		return "(" + a + g.pick(" / ", " % ") + g.pick("3", "7", "1000") + ")"
	case 3:
		return "(" + a + g.pick(" << ", " >> ") + g.pick("1", "4", "12") + ")"
	case 4:
		return "(int64)(" + a + g.pick(" < ", " > ", " == ", " != ", " <= ", " >= ") + b + ")"
	case 5:
		return "(" + g.cond(depth+1) + " ? " + a + " : " + b + ")"
	case 6:
		return "(int64)(" + a + g.pick(" && ", " || ") + b + ")"
	}
	return "(int64)" + g.pick("-", "~", "!") + a
}

func (g *diffGen) cond(depth int) string {
	return g.expr(depth+1) + g.pick(" < ", " > ", " == ", " != ") + g.expr(depth+1)
}

func (g *diffGen) line(depth int, format string, args ...any) {
	g.b.WriteString(strings.Repeat("  ", depth+1))
	fmt.Fprintf(&g.b, format, args...)
	g.b.WriteByte('\n')
}

func (g *diffGen) stmts(depth, n int) {
	for i := 0; i < n && g.n < 60; i++ {
		g.stmt(depth)
	}
}

func (g *diffGen) stmt(depth int) {
	g.n++
	switch k := g.r.Intn(10); {
	case k < 3 || len(g.vars) == 0:
		v := fmt.Sprintf("$v%d", len(g.vars))
		if len(g.vars) > 0 && g.r.Intn(2) == 0 {
			v = g.pick(g.vars...)
			g.line(depth, "%s %s %s;", v, g.pick("=", "+=", "-=", "*=", "|=", "^="), g.expr(0))
			return
		}
		// A variable first set inside a branch or loop is not readable
		// after it: declare at the top level only.
		if depth > 0 {
			g.line(depth, "printf(\"%%d\\n\", %s);", g.expr(0))
			return
		}
		g.line(depth, "%s = %s;", v, g.expr(0))
		g.vars = append(g.vars, v)
	case k == 3 && depth < 3:
		g.line(depth, "if (%s) {", g.cond(0))
		g.stmts(depth+1, 1+g.r.Intn(3))
		if g.r.Intn(2) == 0 {
			g.line(depth, "} else {")
			g.stmts(depth+1, 1+g.r.Intn(3))
		}
		g.line(depth, "}")
	case k == 4:
		m := fmt.Sprintf("@m%d", len(g.maps))
		if len(g.maps) > 0 && g.r.Intn(2) == 0 {
			m = g.pick(g.maps...)
		} else if depth == 0 {
			g.maps = append(g.maps, m)
		} else {
			return
		}
		g.line(depth, "%s[%s] = %s;", m, g.pick("1", "2", g.expr(1)), g.expr(0))
	case k == 5 && depth < 2:
		i := fmt.Sprintf("$i%d", g.n)
		g.line(depth, "for (%s : 0..%d) {", i, 1+g.r.Intn(5))
		saved := g.reads
		g.reads = append(slices.Clone(g.reads), "(int64)"+i)
		g.stmts(depth+1, 1+g.r.Intn(3))
		g.reads = saved
		g.line(depth, "}")
	case k == 6 && depth < 2 && len(g.vars) > 0:
		c := fmt.Sprintf("$w%d", g.n)
		g.line(depth, "%s = 0;", c)
		g.line(depth, "while (%s < %d) {", c, 1+g.r.Intn(4))
		g.line(depth+1, "%s++;", c)
		g.stmts(depth+1, 1+g.r.Intn(3))
		g.line(depth, "}")
	case k == 7:
		g.line(depth, "printf(\"%%d %%d\\n\", %s, %s);", g.expr(0), g.expr(0))
	default:
		if len(g.vars) > 0 {
			g.line(depth, "%s = %s;", g.pick(g.vars...), g.expr(0))
		}
	}
}

func (g *diffGen) script() string {
	g.b.WriteString("BEGIN {\n")
	g.stmts(0, 5+g.r.Intn(20))
	for _, v := range g.vars {
		g.line(0, "printf(\"%s=%%d\\n\", %s);", v[1:], v)
	}
	g.b.WriteString("}\n")
	return g.b.String()
}

func TestRegisterAllocationKeepsResults(t *testing.T) {
	requireRoot(t)
	n := 150
	fmt.Sscan(os.Getenv("GOBPFTRACE_REGALLOC_DIFF"), &n)
	ran, insA, insH := 0, 0, 0
	for seed := int64(1); seed <= int64(n); seed++ {
		src := (&diffGen{r: rand.New(rand.NewSource(seed))}).script()
		allocated, err := tryCompileWith(src, Options{})
		if err != nil {
			continue // the checker refuses some (e.g. a loop variable read after its loop)
		}
		homes, err := tryCompileWith(src, Options{NoIRPasses: true})
		if err != nil {
			t.Fatalf("seed %d: compiles with allocation, not with homes: %v", seed, err)
		}
		for name, p := range allocated.Spec.Programs {
			insA += len(p.Instructions)
			insH += len(homes.Spec.Programs[name].Instructions)
		}
		a, h := load(t, allocated), load(t, homes)
		a.run("BEGIN")
		h.run("BEGIN")
		ae, he := a.events(), h.events()
		if len(ae) != len(he) {
			t.Fatalf("seed %d: %d records with allocation, %d with homes\n%s", seed, len(ae), len(he), src)
		}
		for i := range ae {
			if !bytes.Equal(ae[i].data, he[i].data) {
				t.Fatalf("seed %d: record %d differs: %x with allocation, %x with homes\n%s", seed, i, ae[i].data, he[i].data, src)
			}
		}
		for _, m := range allocated.Maps {
			if am, hm := a.entries(m.ScriptName), h.entries(m.ScriptName); fmt.Sprint(am) != fmt.Sprint(hm) {
				t.Fatalf("seed %d: map %s differs: %v with allocation, %v with homes\n%s", seed, m.ScriptName, am, hm, src)
			}
		}
		ran++
	}
	if ran < n/2 {
		t.Errorf("only %d of %d generated scripts compiled", ran, n)
	}
	t.Logf("%d scripts ran the same with and without register allocation (%d instructions, %d in the homes)", ran, insA, insH)
	if insA >= insH {
		t.Errorf("allocation saved no instruction: %d, %d in the homes", insA, insH)
	}
}

func tryCompileWith(src string, opts Options) (*Plan, error) {
	prog, err := parser.Parse("test.bt", src)
	if err != nil {
		return nil, err
	}
	checked, err := check.Check(prog, "test.bt", src, fakeEnv{}, check.Options{})
	if err != nil {
		return nil, err
	}
	return Compile(checked, opts)
}

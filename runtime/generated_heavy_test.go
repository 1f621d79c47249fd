package runtime

import (
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/check"
	"github.com/gobpftrace/gobpftrace/lang/parser"
	"github.com/gobpftrace/gobpftrace/runtime/load"
	"github.com/gobpftrace/gobpftrace/runtime/probes"
)

// Shapes the random generator rarely writes, each loaded into the kernel
// (GOBPFTRACE_GEN_HEAVY=N writes the random parts of them N times):
// every statement kind inside every loop kind (and inside a loop in a
// loop), callbacks inside callbacks that use two dozen variables, `if`
// bodies of more than 40,000 instructions, and a probe near the kernel's
// million-instruction limit. A verifier rejection is a compiler bug.

// loopKinds is the number of loop kinds loop writes.
const loopKinds = 5

// loop writes a loop of the given kind around body.
func (g *scriptGen) loop(kind int, depth int, body func(depth int)) {
	v := fmt.Sprintf("$l%d", g.nextVar)
	g.nextVar++
	switch kind {
	case 0: // a plain loop the verifier walks round by round
		g.line(depth, "for (%s : 0..3) {", v)
	case 1: // bound known at run time: bpf_loop
		g.line(depth, "for (%s : 0..(pid %% 50)) {", v)
	case 2:
		g.line(depth, "%s = 0;", v)
		g.line(depth, "while (%s < 5000) {", v)
		g.line(depth+1, "%s++;", v)
	case 3: // bpf_for_each_map_elem
		g.line(depth, "for (%s : @loopmap) {", v)
	case 4:
		g.line(depth, "unroll(2) {")
	}
	saved := len(g.vars)
	if kind != 3 && kind != 4 {
		g.vars = append(g.vars, v)
	}
	if kind != 4 {
		g.loops++
		defer func() { g.loops-- }()
	}
	body(depth + 1)
	if kind <= 1 {
		// Changing a range's variable changes neither its rounds nor
		// what the verifier must prove.
		g.line(depth+1, "%s = %s + 1;", v, v)
	}
	g.vars = g.vars[:saved]
	g.line(depth, "}")
}

// heavyScripts returns the scripts of the shapes above; each round past
// the first writes the random parts (expressions, statements) anew.
func heavyScripts(rounds int) []string {
	var out []string
	for round := 0; round < rounds; round++ {
		out = append(out, heavyRound(int64(round)*100_000)...)
	}
	// If bodies of more than 40,000 instructions, taken or not, with an
	// else and code after them.
	for _, cond := range []string{"pid == 1", "pid != 1"} {
		var b strings.Builder
		fmt.Fprintf(&b, "BEGIN { $x = 0; $y = 0; if (%s) {\n", cond)
		for i := 0; i < 14000; i++ {
			fmt.Fprintf(&b, "$x += %d;\n", i%7)
		}
		b.WriteString("} else { $y = 1; }\n@x = $x; @y = $y; exit(); }\n")
		out = append(out, b.String())
	}
	// Near the limit: about 900,000 instructions in one straight line of
	// register arithmetic (a straight line of 130,000 stack accesses is
	// more than the kernel's verifier can record: it runs out of memory,
	// see verifierSummary).
	out = append(out, nearLimit(9))
	return out
}

// callbackKinds are the loop kinds that run their body as a callback.
var callbackKinds = []int{1, 2, 3}

// heavyRound writes the random shapes with seeds from seed0 on.
func heavyRound(seed0 int64) []string {
	var out []string
	probe := genProbes[4] // sys_enter_openat: integer and string arguments
	var declared []string // the int64 variables of the prologue
	prologue := func(g *scriptGen) {
		declared = declared[:0]
		g.b.WriteString(probe.name + " {\n")
		g.line(1, "@loopmap[1] = 1; @loopmap[2] = 4;")
		for i := 0; i < 24; i++ {
			v := fmt.Sprintf("$v%d", g.nextVar)
			g.nextVar++
			g.line(1, "%s = (int64)%s;", v, g.intExpr(probe.ints, 1))
			g.vars = append(g.vars, v)
			declared = append(declared, v)
		}
	}
	// Every statement kind in every loop kind, alone and in a loop of
	// every kind, with 24 variables in scope.
	for outer := -1; outer < loopKinds; outer++ {
		for inner := 0; inner < loopKinds; inner++ {
			for kind := 0; kind < stmtKinds; kind++ {
				g := &scriptGen{r: rand.New(rand.NewSource(seed0 + int64(outer*1000+inner*100+kind)))}
				prologue(g)
				body := func(depth int) {
					g.loop(inner, depth, func(depth int) {
						g.stmtOf(kind, probe.ints, probe.strs, depth)
						// Callbacks that use many of the variables.
						for i := 0; i < 4; i++ {
							v := declared[g.r.Intn(len(declared))]
							g.line(depth, "%s = %s + (int64)%s;", v, v, g.intExpr(probe.ints, 2))
						}
					})
				}
				if outer >= 0 {
					g.loop(outer, 1, body)
				} else {
					body(1)
				}
				g.b.WriteString("}\n")
				out = append(out, g.b.String())
			}
		}
	}
	// Callbacks inside callbacks, two and three deep, each body changing
	// some of the 24 variables and the innermost reading and writing every
	// one of them; their sum is kept after the loops.
	for _, outer := range callbackKinds {
		for _, middle := range callbackKinds {
			for _, inner := range append([]int{-1}, callbackKinds...) {
				g := &scriptGen{r: rand.New(rand.NewSource(seed0 + int64(50_000+outer*100+middle*10+inner)))}
				prologue(g)
				innermost := func(depth int) {
					for i, v := range declared {
						g.line(depth, "%s = %s + %s + %s;", v, v, declared[(i+1)%len(declared)], g.leaf(probe.ints))
					}
					g.stmt(probe.ints, probe.strs, depth)
				}
				some := func(depth int) {
					for i := 0; i < 3; i++ {
						v := declared[g.r.Intn(len(declared))]
						g.line(depth, "%s = %s ^ (int64)%s;", v, v, g.intExpr(probe.ints, 2))
					}
				}
				g.loop(outer, 1, func(depth int) {
					some(depth)
					g.loop(middle, depth, func(depth int) {
						some(depth)
						if inner < 0 {
							innermost(depth)
							return
						}
						g.loop(inner, depth, innermost)
					})
				})
				g.line(1, "@sum = %s;", strings.Join(declared, " + "))
				g.b.WriteString("}\n")
				out = append(out, g.b.String())
			}
		}
	}
	return out
}

// nearLimit is a BEGIN probe that adds 1,000 ones to $x n*100 times (an
// unroll(100) of n statements): about n*100,000 instructions.
func nearLimit(n int) string {
	var b strings.Builder
	b.WriteString("BEGIN { $x = 0; unroll(100) {\n")
	terms := strings.Repeat(" + 1", 1000)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "$x = $x%s;\n", terms)
	}
	b.WriteString("} @x = $x; exit(); }\n")
	return b.String()
}

// A probe just past the kernel's million instructions is refused with
// its position before anything is loaded.
func TestProbeOverInstructionLimit(t *testing.T) {
	src := nearLimit(11)
	prog, err := parser.Parse("big.bt", src)
	if err != nil {
		t.Fatal(err)
	}
	c, err := check.Check(prog, "big.bt", src, nil, check.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = codegen.Compile(c)
	if err == nil || !strings.Contains(err.Error(), "big.bt:1:1-30: ERROR: this probe compiles to 1102226 instructions") ||
		!strings.Contains(err.Error(), "more than the 1000000 the kernel allows") {
		t.Errorf("got %v", err)
	}
}

// foldRefusal reports a script refused only for its literal arithmetic,
// which is folded when the script is compiled: a result beyond 64 bits, or
// the negation of a literal above int64's range.
func foldRefusal(err error) bool {
	var d *lang.Diagnostics
	if !errors.As(err, &d) || len(d.List) == 0 {
		return false
	}
	for _, e := range d.List {
		if e.Severity == lang.SevWarning {
			continue // a refused script carries its warnings too
		}
		if e.Msg != "unable to fold literals due to overflow or underflow" && e.Msg != "negative value will underflow" {
			return false
		}
	}
	return true
}

func TestGeneratedHeavyScriptsLoad(t *testing.T) {
	requireRoot(t)
	env, err := probes.NewEnv()
	if err != nil {
		t.Fatal(err)
	}
	loaded, maxInsns, refusals := 0, 0, 0
	dump := os.Getenv("GOBPFTRACE_GEN_DUMP") // a directory to write the scripts to
	rounds := 1
	fmt.Sscan(os.Getenv("GOBPFTRACE_GEN_HEAVY"), &rounds) // rounds of the random shapes
	for i, src := range heavyScripts(rounds) {
		if dump != "" {
			os.WriteFile(filepath.Join(dump, fmt.Sprintf("heavy%d.bt", i)), []byte(src), 0o644)
		}
		prog, err := parser.Parse("heavy.bt", src)
		if err != nil {
			t.Fatalf("script %d does not parse: %v", i, err)
		}
		c, err := check.Check(prog, "heavy.bt", src, env, check.Options{})
		if err != nil && foldRefusal(err) {
			// Literal arithmetic bpftrace v0.26 refuses too, as it folds
			// it before typing (`-(~(7))`, `-100 + ~(1)`).
			continue
		}
		if err != nil {
			t.Errorf("script %d: the checker refused it: %v\n%s", i, err, src)
			continue
		}
		plan, err := codegen.Compile(c)
		if err != nil {
			t.Errorf("script %d: codegen refused it: %v", i, err)
			continue
		}
		for _, p := range plan.Spec.Programs {
			maxInsns = max(maxInsns, len(p.Instructions))
		}
		l, err := load.Load(plan, load.Options{Verbose: true})
		if err != nil {
			if len(src) > 4000 {
				src = src[:4000] + "..."
			}
			if refusals++; refusals <= 5 {
				t.Errorf("script %d: the kernel refused it:\n%s\n%v", i, src, err)
			}
			continue
		}
		l.Close()
		loaded++
	}
	t.Logf("%d heavy scripts loaded, %d refused by the kernel, the largest program %d instructions", loaded, refusals, maxInsns)
}

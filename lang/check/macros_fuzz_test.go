package check

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/parser"
	"github.com/gobpftrace/gobpftrace/lang/printer"
)

var macroSeeds = []string{
	`macro d(x) { x + x } BEGIN { $a = d(d(d(d(1)))); }`,
	`macro d(x) { x + x } BEGIN { $a = ` + strings.Repeat("d(", 24) + "1" + strings.Repeat(")", 24) + `; }`,
	`macro inc($x) { $x += 1; $x } macro two($y) { inc($y) + inc($y) } BEGIN { $v = 1; $w = two($v); if (two($v) > 2) { print(inc($v)); } }`,
	`macro set(@m, k) { @m[k] = k; } BEGIN { set(@a, 1); set(@a, pid); for ($kv : @a) { set(@a, $kv.0); } }`,
	`macro m() { m() } BEGIN { $a = m(); }`,
	`macro a($x) { b($x) * 2 } macro b($x) { a($x) + 1 } BEGIN { $a = a(1); }`,
	`macro noval() { printf("x\n"); } BEGIN { $a = noval(); noval(); }`,
	`#define A 1
#define B (A + A)
#define C (B + B)
BEGIN { $x = C; }`,
	`#define A B
#define B A
BEGIN { $x = A; }`,
	`#define A (A + 1)
BEGIN { $x = A; }`,
	`macro d(x) { x + x } #define K d(d(d(1)))
BEGIN { $x = K + d(K); }`,
	`macro d(x) { x + x } BEGIN { $y = 0; $a = d(d(d({ $y += 1; let $t = $y; $t }))); }`,
	`macro s(x) { x; x; } BEGIN { s(s({ printf("a"); })); s({ s({ 1 }) }); }`,
	`macro n(T, x) { (T)x } macro w(T) { sizeof(T *) + n(T, 1) } BEGIN { $a = w(uint8) + w(struct task_struct *) + n(typeof($a), { 2 }); }`,
	`macro t(T) { let $v: T; $v } BEGIN { $a = t(uint8[4]); $b = t(1 + 1); $c = t({ 1 }); }`,
	`BEGIN { while ({ $i++; $i } < 3) { } if ({ 1 } && { $j = 1; $j }) { } }`,
}

func init() {
	var b strings.Builder
	b.WriteString("#define D0 1\n")
	for i := 1; i <= 24; i++ {
		fmt.Fprintf(&b, "#define D%d (D%d + D%d)\n", i, i-1, i-1)
	}
	b.WriteString("BEGIN { $a = D24; }\n")
	macroSeeds = append(macroSeeds, b.String())
}

// expandSource expands the macros of src and checks what the expander
// promises: no panic, positioned errors, a tree no larger than the script
// plus maxMacroNodes, and time linear in that.
func expandSource(t *testing.T, src string) {
	prog, err := parser.Parse("stdin", src)
	if err != nil {
		return
	}
	before := lang.Size(prog)
	start := time.Now()
	errs := expandMacros(prog)
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("%q: expansion took %v", src, el)
	}
	for _, d := range errs {
		if d.Span.Start.Line < 1 {
			t.Errorf("%q: error without a position: %s", src, d.Msg)
		}
	}
	if after := lang.Size(prog); after > before+maxMacroNodes {
		t.Errorf("%q: the tree grew from %d to %d nodes", src, before, after)
	}
}

func TestMacroExpansionBounded(t *testing.T) {
	for _, src := range macroSeeds {
		expandSource(t, src)
	}
}

func FuzzMacros(f *testing.F) {
	for _, s := range macroSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) { expandSource(t, src) })
}

func TestDefineUsesDefine(t *testing.T) {
	cases := map[string]string{
		"#define A 20\n#define B (A + 2)\n#define C B * 2\nBEGIN { $x = C; }": "BEGIN {\n  $x = (20 + 2) * 2;\n}\n",
		// A define is not expanded inside its own value (as in C): A stays.
		"#define A (A + 1)\nBEGIN { $x = A; }":        "BEGIN {\n  $x = A + 1;\n}\n",
		"#define A B\n#define B A\nBEGIN { $x = A; }": "BEGIN {\n  $x = A;\n}\n",
	}
	for src, want := range cases {
		prog, err := parser.Parse("stdin", src)
		if err != nil {
			t.Fatal(err)
		}
		if errs := expandMacros(prog); len(errs) > 0 {
			t.Fatalf("%q: %s", src, errs[0].Msg)
		}
		prog.Directives = nil
		if got := printer.Print(prog); got != want {
			t.Errorf("%q expands to\n%s\nwant\n%s", src, got, want)
		}
	}
}

func TestMacroTooLarge(t *testing.T) {
	src := `macro d(x) { x + x } BEGIN { $a = ` + strings.Repeat("d(", 20) + "1" + strings.Repeat(")", 20) + `; }`
	prog, err := parser.Parse("stdin", src)
	if err != nil {
		t.Fatal(err)
	}
	errs := expandMacros(prog)
	if len(errs) != 1 || errs[0].Msg != "macro expansion is too large: it makes more than 200000 nodes" {
		t.Fatalf("errors: %v", errs)
	}
	if col := errs[0].Span.Start.Col; col < 38 || col > 38+2*20 {
		t.Errorf("error at column %d, want one of the calls", col)
	}
}

// A type argument before - or * is a cast of the operand that follows, as
// bpftrace reads `(T)-x` once T is known to be a type.
func TestMacroTypeCastOrBinop(t *testing.T) {
	cases := map[string]string{
		"macro neg(T, x) { (T)-x * 2 + 1 } BEGIN { $a = neg(int8, 1); }":  "BEGIN {\n  $a = (int8)-1 * 2 + 1;\n}\n",
		"macro rd(T, p) { (T)*p } BEGIN { $a = rd(uint8, (uint64 *)0); }": "BEGIN {\n  $a = (uint8)*(uint64 *)0;\n}\n",
		"macro sub(x, y) { (x)-y } BEGIN { $a = sub(5, 1); }":             "BEGIN {\n  $a = 5 - 1;\n}\n",
	}
	for src, want := range cases {
		prog, err := parser.Parse("stdin", src)
		if err != nil {
			t.Fatal(err)
		}
		if errs := expandMacros(prog); len(errs) > 0 {
			t.Fatalf("%q: %s", src, errs[0].Msg)
		}
		prog.Macros = nil
		if got := printer.Print(prog); got != want {
			t.Errorf("%q expands to\n%s\nwant\n%s", src, got, want)
		}
	}
}

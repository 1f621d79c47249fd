package parser

import (
	"fmt"
	"testing"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// Benchmarks of the grammar: its build, and the tree of a one-liner and of
// a 2,000-statement script (docs/performance.md records the figures).

// statements returns a script of n statements in ten-statement probes, the
// shape of gobpftrace-bench's compile section.
func statements(n int) string {
	var b []byte
	for p := 0; p < n/10; p++ {
		b = fmt.Appendf(b, "tracepoint:raw_syscalls:sys_enter /pid == %d/ {\n", p+1)
		b = fmt.Appendf(b, "  @c%d[comm] = count();\n", p)
		b = fmt.Appendf(b, "  @s%d = sum(args.id);\n", p)
		b = fmt.Appendf(b, "  $x = args.id * %d + tid;\n", p+2)
		b = fmt.Appendf(b, "  if ($x > %d) { @m%d[tid, comm] = max($x); }\n", p*10, p)
		b = fmt.Appendf(b, "  @h%d = hist($x);\n", p)
		b = fmt.Appendf(b, "  @l%d = lhist(args.id, 0, 500, 10);\n", p)
		b = fmt.Appendf(b, "  $y = $x > 100 ? 1 : 2;\n")
		b = fmt.Appendf(b, "  @v%d[$y] = avg($x);\n", p)
		b = fmt.Appendf(b, "  printf(\"%%d %%s %%d\\n\", $x, comm, $y);\n")
		b = fmt.Appendf(b, "  @t%d[cpu] = nsecs;\n", p)
		b = append(b, "}\n"...)
	}
	return string(b)
}

func BenchmarkGrammarBuild(b *testing.B) {
	for i := 0; i < b.N; i++ {
		participle.MustBuild[gProgram](participle.Lexer(definition{}), participle.UseLookahead(0))
	}
}

func benchTree(b *testing.B, src string, fast bool) {
	toks, serr := scan(src)
	if serr != nil {
		b.Fatal(serr.msg)
	}
	g := grammar()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		lex := newSliceLexer("x", src, toks)
		if fast {
			if _, ok := fastParse(lex.toks); !ok {
				b.Fatal("fast")
			}
			continue
		}
		peek, _ := lexer.Upgrade(lex)
		if _, err := g.ParseFromLexer(peek); err != nil {
			b.Fatal(err)
		}
	}
}

const oneLiner = `tracepoint:raw_syscalls:sys_enter /pid > 1/ { @[comm] = count(); }`

func BenchmarkTreeOneLinerFast(b *testing.B)       { benchTree(b, oneLiner, true) }
func BenchmarkTreeOneLinerParticiple(b *testing.B) { benchTree(b, oneLiner, false) }
func BenchmarkTree2000Fast(b *testing.B)           { benchTree(b, statements(2000), true) }
func BenchmarkTree2000Participle(b *testing.B)     { benchTree(b, statements(2000), false) }
func BenchmarkParseOneLiner(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := Parse("x", oneLiner); err != nil {
			b.Fatal(err)
		}
	}
}
func BenchmarkParse2000(b *testing.B) {
	src := statements(2000)
	for i := 0; i < b.N; i++ {
		if _, err := Parse("x", src); err != nil {
			b.Fatal(err)
		}
	}
}

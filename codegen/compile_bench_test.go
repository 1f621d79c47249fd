package codegen

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/check"
	"github.com/gobpftrace/gobpftrace/lang/parser"
)

// benchScript returns a script of n statements (n a multiple of 10): one
// probe per 10 statements, mixing aggregations, variables, conditions,
// printf and multi-key maps. cmd/gobpftrace-bench generates the same text.
func benchScript(n int) string {
	var b strings.Builder
	for p := 0; p < n/10; p++ {
		fmt.Fprintf(&b, "tracepoint:raw_syscalls:sys_enter /pid == %d/ {\n", p+1)
		fmt.Fprintf(&b, "  @c%d[comm] = count();\n", p)
		fmt.Fprintf(&b, "  @s%d = sum(args.id);\n", p)
		fmt.Fprintf(&b, "  $x = args.id * %d + tid;\n", p+2)
		fmt.Fprintf(&b, "  if ($x > %d) { @m%d[tid, comm] = max($x); }\n", p*10, p)
		fmt.Fprintf(&b, "  @h%d = hist($x);\n", p)
		fmt.Fprintf(&b, "  @l%d = lhist(args.id, 0, 500, 10);\n", p)
		fmt.Fprintf(&b, "  $y = $x > 100 ? 1 : 2;\n")
		fmt.Fprintf(&b, "  @v%d[$y] = avg($x);\n", p)
		fmt.Fprintf(&b, "  printf(\"%%d %%s %%d\\n\", $x, comm, $y);\n")
		fmt.Fprintf(&b, "  @t%d[cpu] = nsecs;\n", p)
		b.WriteString("}\n")
	}
	return b.String()
}

// BenchmarkCompile measures parse + check + codegen as scripts grow; the
// time per statement (ns/stmt) should stay flat.
func BenchmarkCompile(b *testing.B) {
	for _, n := range []int{10, 100, 500, 1000, 2000} {
		src := benchScript(n)
		b.Run(fmt.Sprintf("stmts=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				prog, err := parser.Parse("bench.bt", src)
				if err != nil {
					b.Fatal(err)
				}
				checked, err := check.Check(prog, "bench.bt", src, fakeEnv{}, check.Options{})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := Compile(checked); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/stmt")
		})
	}
}

// BenchmarkCompile2000 is BenchmarkCompile's 2,000-statement script phase
// by phase: parse, check (a fresh parse each time, untimed: the checker
// annotates the tree), codegen (resources, IR, passes, register
// allocation, instructions) of a fresh check, and all three.
func BenchmarkCompile2000(b *testing.B) {
	src := benchScript(2000)
	parseOnce := func(b *testing.B) *lang.Program {
		prog, err := parser.Parse("bench.bt", src)
		if err != nil {
			b.Fatal(err)
		}
		return prog
	}
	checkOnce := func(b *testing.B, prog *lang.Program) *lang.Checked {
		checked, err := check.Check(prog, "bench.bt", src, fakeEnv{}, check.Options{})
		if err != nil {
			b.Fatal(err)
		}
		return checked
	}
	compileOnce := func(b *testing.B, checked *lang.Checked) {
		if _, err := Compile(checked); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("parse", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			parseOnce(b)
		}
	})
	b.Run("check", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			prog := parseOnce(b)
			b.StartTimer()
			checkOnce(b, prog)
		}
	})
	b.Run("codegen", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			checked := checkOnce(b, parseOnce(b))
			b.StartTimer()
			compileOnce(b, checked)
		}
	})
	b.Run("all", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			compileOnce(b, checkOnce(b, parseOnce(b)))
		}
	})
}

// BenchmarkCompileScratchLevels compiles 100 probes that use the scratch
// buffer: uprobes and raw tracepoints, which take levels of it (placed
// once every program is built, nest.go), and tracepoints beside a raw
// tracepoint that uses none, which wait for every program to be built
// and take none.
func BenchmarkCompileScratchLevels(b *testing.B) {
	for _, kind := range []string{"uprobe:/opt/app:f", "rawtracepoint:sys_enter", "tracepoint:raw_syscalls:sys_enter"} {
		var sb strings.Builder
		for p := 0; p < 100; p++ {
			fmt.Fprintf(&sb, "%s /pid == %d/ {\n  @c%d[str(uptr(%d), 1024)] = count();\n  $x = tid * %d;\n"+
				"  if ($x > 5) { @m%d[tid, comm] = max($x); }\n  printf(\"%%d %%s\\n\", $x, comm);\n  @s%d[str(uptr(1))] = sum($x);\n}\n",
				kind, p, p, p, p, p, p)
		}
		if strings.HasPrefix(kind, "tracepoint") {
			sb.WriteString("rawtracepoint:sys_exit { @n = count(); }\n")
		}
		src := sb.String()
		b.Run(strings.Split(kind, ":")[0], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				prog, err := parser.Parse("bench.bt", src)
				if err != nil {
					b.Fatal(err)
				}
				checked, err := check.Check(prog, "bench.bt", src, userEnv{}, check.Options{Command: true})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := Compile(checked); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

package parser_test

import (
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang/parser"
)

func BenchmarkParse100Probes(b *testing.B) {
	src := strings.Repeat("kprobe:f /pid > 1/ { @x[comm, pid] = count(); $a = $b + 1 * 3; if ($a > 2) { printf(\"%d\\n\", $a); } }\n", 100)
	for i := 0; i < b.N; i++ {
		if _, err := parser.Parse("x", src); err != nil {
			b.Fatal(err)
		}
	}
}

package parser_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang/parser"
	"github.com/gobpftrace/gobpftrace/lang/printer"
)

// angleCases exercise the rule that tells a block's closing '>' from the
// greater-than operator (see scanner.go).
var angleCases = []struct{ src, want string }{
	// '>' where a statement may start closes.
	{"BEGIN < @x = 1; >", "(prog (probe BEGIN| (<> (= @x 1))))"},
	{"BEGIN < >", "(prog (probe BEGIN| (<>)))"},
	{"BEGIN < if (1) < @x = 1; > >", "(prog (probe BEGIN| (<> (if 1 (<> (= @x 1))))))"},
	{"BEGIN < if (1) < @x = 1; >>", "(prog (probe BEGIN| (<> (if 1 (<> (= @x 1))))))"},
	// A final statement without ';': '>' at the end of input or line closes.
	{"BEGIN < @x = 1 >", "(prog (probe BEGIN| (<> (= @x 1))))"},
	{"BEGIN < @x = 1\n>", "(prog (probe BEGIN| (<> (= @x 1))))"},
	{"BEGIN < @x = 1 > // done", "(prog (probe BEGIN| (<> (= @x 1))))"},
	{"BEGIN < @x = 1 /* c */ >", "(prog (probe BEGIN| (<> (= @x 1))))"},
	{"BEGIN <\n  @x = 1;\n  @y = 2\n>", "(prog (probe BEGIN| (<> (= @x 1) (= @y 2))))"},
	// ... or before another '>', '}', else, or the next probe.
	{"BEGIN < if (1) < @x = 1 > >", "(prog (probe BEGIN| (<> (if 1 (<> (= @x 1))))))"},
	{"BEGIN { if (1) < @x = 1 > }", "(prog (probe BEGIN| ({} (if 1 (<> (= @x 1))))))"},
	{"BEGIN < if (1) < @x = 1 > else < @x = 2 > >", "(prog (probe BEGIN| (<> (if 1 (<> (= @x 1)) (<> (= @x 2))))))"},
	{"BEGIN < @x = 1 > END < @y = 2 >", "(prog (probe BEGIN| (<> (= @x 1))) (probe END| (<> (= @y 2))))"},
	{"i:s:1 < @x = 1 > kprobe:f < @y = 2 >", "(prog (probe i|s|1 (<> (= @x 1))) (probe kprobe|f (<> (= @y 2))))"},
	// Otherwise '>' is an operator.
	{"BEGIN < @x = $a > $b >", "(prog (probe BEGIN| (<> (= @x (> $a $b)))))"},
	{"BEGIN < @x = $a > $b; >", "(prog (probe BEGIN| (<> (= @x (> $a $b)))))"},
	{"BEGIN < @x = $a >> 2 >", "(prog (probe BEGIN| (<> (= @x (>> $a 2)))))"},
	{"BEGIN < @x = $a >= 2 >", "(prog (probe BEGIN| (<> (= @x (>= $a 2)))))"},
	{"BEGIN < $a >>= 1 >", "(prog (probe BEGIN| (<> (>>= $a 1))))"},
	{"BEGIN < @x = ($a >\n $b) >", "(prog (probe BEGIN| (<> (= @x (> $a $b)))))"},
	{"BEGIN < @x[$a > 1] = 1 >", "(prog (probe BEGIN| (<> (= (@x[] (> $a 1)) 1))))"},
	{"BEGIN < if ($a > $b) < @x = 1 > >", "(prog (probe BEGIN| (<> (if (> $a $b) (<> (= @x 1))))))"},
	{"BEGIN < @x = $c ? $a > 1 : 2 >", "(prog (probe BEGIN| (<> (= @x (?: $c (> $a 1) 2)))))"},
	{"macro gt($a, $b) < $a > $b >\nBEGIN < @x = gt(2, 1) >", "(prog (macro gt ($a $b) (<> (> $a $b))) (probe BEGIN| (<> (= @x (call gt 2 1)))))"},
	// Predicates with '>' before an angle body.
	{"kprobe:f /pid > 10/ < @x = 1 >", "(prog (probe kprobe|f /(> pid 10)/ (<> (= @x 1))))"},
	{"kprobe:f /pid > 10/<@x=1>", "(prog (probe kprobe|f /(> pid 10)/ (<> (= @x 1))))"},
	{"kprobe:f /$a / 2 > 1/ < @x = $a / 2 >", "(prog (probe kprobe|f /(> (/ $a 2) 1)/ (<> (= @x (/ $a 2)))))"},
	// '<' opens a block only where a block may start.
	{"BEGIN < @x = $a < $b >", "(prog (probe BEGIN| (<> (= @x (< $a $b)))))"},
	{"BEGIN < @x = $a << 1 >", "(prog (probe BEGIN| (<> (= @x (<< $a 1)))))"},
	{"BEGIN < < @x = 1 > >", "(prog (probe BEGIN| (<> (<> (= @x 1)))))"},
	{"BEGIN { < @x = 1 > }", "(prog (probe BEGIN| ({} (<> (= @x 1)))))"},
	{"BEGIN < { @x = 1 } >", "(prog (probe BEGIN| (<> ({} (= @x 1)))))"},
	{"BEGIN < while ($i < 3) < $i++ > >", "(prog (probe BEGIN| (<> (while (< $i 3) (<> (post++ $i))))))"},
	{"BEGIN < for ($i : 0..3) < @x += $i > >", "(prog (probe BEGIN| (<> (for $i 0 3 (<> (+= @x $i))))))"},
	{"BEGIN < unroll (3) < @x++ > >", "(prog (probe BEGIN| (<> (unroll 3 (<> (post++ @x))))))"},
	{"BEGIN < for ($kv : @m) < print($kv) > >", "(prog (probe BEGIN| (<> (for $kv @m (<> (call print $kv))))))"},
}

func TestAngleBlocks(t *testing.T) {
	for _, c := range angleCases {
		p, err := parser.Parse("stdin", c.src)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.src, err)
			continue
		}
		if got := dump(p); got != c.want {
			t.Errorf("Parse(%q)\n got  %s\n want %s", c.src, got, c.want)
		}
	}
}

// TestAngleAndBraceSameTree checks that the two block forms differ only in
// Block.Angle.
func TestAngleAndBraceSameTree(t *testing.T) {
	angle := "kprobe:f /pid > 1/ < if ($a > 1) < @x[comm] = count(); > else < while ($i < 2) < $i++; > > >"
	brace := "kprobe:f /pid > 1/ { if ($a > 1) { @x[comm] = count(); } else { while ($i < 2) { $i++; } } }"
	pa, err := parser.Parse("a", angle)
	if err != nil {
		t.Fatal(err)
	}
	pb, err := parser.Parse("b", brace)
	if err != nil {
		t.Fatal(err)
	}
	if da, db := dump(pa), dump(pb); strings.ReplaceAll(da, "(<>", "({}") != db {
		t.Errorf("angle %s\nbrace %s", da, db)
	}
}

// TestSystemScripts parses the bpftrace tool scripts installed on this
// machine, when there are any, and round-trips them through the printer.
func TestSystemScripts(t *testing.T) {
	files, _ := filepath.Glob("/usr/sbin/*.bt")
	more, _ := filepath.Glob("/usr/share/bpftrace/tools/*.bt")
	files = append(files, more...)
	if len(files) == 0 {
		t.Skip("no bpftrace tool scripts installed")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		p, err := parser.Parse(f, string(b))
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		out := printer.Print(p)
		p2, err := parser.Parse("printed", out)
		if err != nil {
			t.Errorf("%s: printed form does not parse: %v", f, err)
			continue
		}
		if !sameTree(p, p2) {
			t.Errorf("%s: round trip changed the tree", f)
		}
	}
}

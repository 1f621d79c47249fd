package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func TestFlameGraphLayout(t *testing.T) {
	root, err := readFolded(strings.NewReader("p;main;b;c 3\n\np;main;a 1\np;main;b 2\n"))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	writeSVG(&out, root, "t<1>", 120)
	// 6 samples over 100 pixels: all, p and main are 100 wide, a (1) at
	// the left edge, then b (5) with c (3) above it; 5 levels of 16
	// pixels, the root at the bottom (120 - 10 margin - 16).
	var boxes []string
	for _, l := range strings.Split(out.String(), "\n") {
		if !strings.HasPrefix(l, "<g><title>") {
			continue
		}
		title := l[len("<g><title>"):strings.Index(l, "</title>")]
		rect := l[strings.Index(l, "<rect "):strings.Index(l, " fill=")]
		boxes = append(boxes, title+" "+rect)
	}
	want := []string{
		`all (6 samples, 100.00%) <rect x="10.0" y="94" width="100.0" height="15"`,
		`p (6 samples, 100.00%) <rect x="10.0" y="78" width="100.0" height="15"`,
		`main (6 samples, 100.00%) <rect x="10.0" y="62" width="100.0" height="15"`,
		`a (1 samples, 16.67%) <rect x="10.0" y="46" width="16.7" height="15"`,
		`b (5 samples, 83.33%) <rect x="26.7" y="46" width="83.3" height="15"`,
		`c (3 samples, 50.00%) <rect x="26.7" y="30" width="50.0" height="15"`,
	}
	if strings.Join(boxes, "\n") != strings.Join(want, "\n") {
		t.Errorf("boxes:\n%s\nwant:\n%s", strings.Join(boxes, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(out.String(), `text-anchor="middle">t&lt;1&gt;</text>`) || !strings.Contains(out.String(), `height="120"`) {
		t.Errorf("title or height missing:\n%s", out.String())
	}
	if fit("stack_middle", 40) != "sta.." || fit("c", 20) != "" || fit("main", 60) != "main" {
		t.Errorf("fit: %q %q %q", fit("stack_middle", 40), fit("c", 20), fit("main", 60))
	}
}

func TestFlameGraphBadInput(t *testing.T) {
	for in, want := range map[string]string{
		"a;b 1\na;b\n":   `line 2: no count after the stack: "a;b"`,
		"a;b 1\na;b x\n": `line 2: the count "x" is not a number of samples`,
	} {
		if _, err := readFolded(strings.NewReader(in)); err == nil || err.Error() != want {
			t.Errorf("%q: %v, want %s", in, err, want)
		}
	}
}

// docs/flamegraph.svg is what this command draws from docs/flamegraph.folded
// (the tutorial's lesson 17 shows both and the command).
func TestDocsFlameGraph(t *testing.T) {
	in, err := os.Open("../../docs/flamegraph.folded")
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	root, err := readFolded(in)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	writeSVG(&out, root, "stackloop, 999 Hz, kernel and user stacks", 1200)
	want, err := os.ReadFile("../../docs/flamegraph.svg")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("docs/flamegraph.svg is not what gobpftrace-flamegraph draws from docs/flamegraph.folded: regenerate it with\n" +
			"go run ./cmd/gobpftrace-flamegraph -title 'stackloop, 999 Hz, kernel and user stacks' < docs/flamegraph.folded > docs/flamegraph.svg")
	}
}

// Command gobpftrace-flamegraph draws a flame graph as an SVG picture from
// folded stacks (gobpftrace -f folded, or any "a;b;c 42" lines), so that
// the docs can show one without tools from elsewhere:
//
//	gobpftrace -f folded -e 'profile:hz:99 { @[kstack, ustack, comm] = count(); }' > out.folded
//	go run ./cmd/gobpftrace-flamegraph -title 'CPU' < out.folded > flame.svg
//
// Each box is a function on a stack; its width is the share of samples
// whose stacks go through it, the root at the bottom and callees above
// their callers; siblings are in alphabetical order (so the x axis is not
// time). Kernel frames (named _[k]) are orange, the others red to yellow.
// Hovering a box shows its name and count (the SVG <title>). The output is
// the same for the same input.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"hash/fnv"
	"html"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
)

func main() {
	title := flag.String("title", "Flame graph", "title drawn at the top")
	width := flag.Int("width", 1200, "width of the picture in pixels")
	flag.Parse()
	root, err := readFolded(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gobpftrace-flamegraph:", err)
		os.Exit(1)
	}
	w := bufio.NewWriter(os.Stdout)
	writeSVG(w, root, *title, *width)
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "gobpftrace-flamegraph:", err)
		os.Exit(1)
	}
}

// node is a frame and the stacks that go through it.
type node struct {
	name     string
	count    int64
	children map[string]*node
}

func (n *node) child(name string) *node {
	if n.children == nil {
		n.children = map[string]*node{}
	}
	c := n.children[name]
	if c == nil {
		c = &node{name: name}
		n.children[name] = c
	}
	return c
}

// sorted returns the children in name order.
func (n *node) sorted() []*node {
	out := make([]*node, 0, len(n.children))
	for _, c := range n.children {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func (n *node) depth() int {
	d := 0
	for _, c := range n.children {
		d = max(d, c.depth())
	}
	return d + 1
}

// readFolded reads "frame;frame;frame count" lines into a tree under a
// root named "all". Empty lines are skipped; a line without a count is an
// error naming its number.
func readFolded(r io.Reader) (*node, error) {
	root := &node{name: "all"}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		i := strings.LastIndexByte(text, ' ')
		if i < 0 {
			return nil, fmt.Errorf("line %d: no count after the stack: %q", line, text)
		}
		count, err := strconv.ParseInt(text[i+1:], 10, 64)
		if err != nil || count < 0 {
			return nil, fmt.Errorf("line %d: the count %q is not a number of samples", line, text[i+1:])
		}
		n := root
		n.count += count
		for _, f := range strings.Split(text[:i], ";") {
			n = n.child(f)
			n.count += count
		}
	}
	return root, sc.Err()
}

// Layout of the picture.
const (
	frameHeight = 16
	fontSize    = 11
	charWidth   = 6.6 // of the font at fontSize, roughly
	margin      = 10
	titleHeight = 30
)

func writeSVG(w io.Writer, root *node, title string, width int) {
	depth := root.depth()
	height := titleHeight + depth*frameHeight + margin
	fmt.Fprintf(w, `<?xml version="1.0" standalone="no"?>
<svg version="1.1" width="%d" height="%d" viewBox="0 0 %d %d" xmlns="http://www.w3.org/2000/svg">
<rect x="0" y="0" width="%d" height="%d" fill="#f8f8f8"/>
<text x="%d" y="20" font-family="Verdana, sans-serif" font-size="15" text-anchor="middle">%s</text>
<g font-family="Verdana, sans-serif" font-size="%d">
`, width, height, width, height, width, height, width/2, html.EscapeString(title), fontSize)
	if root.count > 0 {
		scale := float64(width-2*margin) / float64(root.count)
		drawNode(w, root, root.count, margin, height-margin-frameHeight, scale)
	}
	fmt.Fprintln(w, "</g>\n</svg>")
}

// drawNode draws n at x (its left edge) and y (its top), its children
// above it.
func drawNode(w io.Writer, n *node, total int64, x float64, y int, scale float64) {
	boxWidth := float64(n.count) * scale
	if boxWidth < 0.5 {
		return // too thin to see
	}
	pct := 100 * float64(n.count) / float64(total)
	fmt.Fprintf(w, `<g><title>%s (%d samples, %.2f%%)</title><rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s" rx="2"/>`,
		html.EscapeString(n.name), n.count, pct, x, y, boxWidth, frameHeight-1, color(n.name))
	if label := fit(n.name, boxWidth); label != "" {
		fmt.Fprintf(w, `<text x="%.1f" y="%d">%s</text>`, x+3, y+frameHeight-4, html.EscapeString(label))
	}
	fmt.Fprintln(w, "</g>")
	for _, c := range n.sorted() {
		drawNode(w, c, total, x, y-frameHeight, scale)
		x += float64(c.count) * scale
	}
}

// fit shortens name to what a box of width pixels shows ("" when not even
// two characters fit).
func fit(name string, width float64) string {
	chars := int((width - 6) / charWidth)
	if chars < 3 {
		return ""
	}
	if len(name) <= chars {
		return name
	}
	return name[:chars-2] + ".."
}

// color is a warm color that depends only on the name: orange shades for
// kernel frames, red to yellow for the others.
func color(name string) string {
	h := fnv.New32a()
	h.Write([]byte(name))
	v := h.Sum32()
	if strings.HasSuffix(name, "_[k]") {
		return fmt.Sprintf("rgb(%d,%d,%d)", 230+v%20, 130+v/20%50, 40+v/1000%30)
	}
	return fmt.Sprintf("rgb(%d,%d,%d)", 205+v%50, 60+v/50%140, 40+v/7000%40)
}

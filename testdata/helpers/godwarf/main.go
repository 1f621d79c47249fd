// godwarf has Go functions whose parameters have the types uprobe args
// reads from DWARF in Go's register ABI, for the DWARF tests.
//
//	godwarf N   calls each function N times, with i = 0..N-1.
package main

import (
	"fmt"
	"os"
	"strconv"
)

type point struct {
	X, Y int
	Next *point
}

//go:noinline
func ints(a int8, b uint16, c int32, d int64, e uint64) int64 {
	return int64(a) + int64(b) + int64(c) + d + int64(e)
}

//go:noinline
func text(name string, xs []int, p *point, f float64, after int) int {
	return len(name) + len(xs) + p.X + int(f) + after
}

type pair struct {
	A int32
	B uint64
}

type label int

func (l label) String() string { return "label" + strconv.Itoa(int(l)) }

// vals takes an interface (two words: its type and its data) and a
// struct (a register per field) by value.
//
//go:noinline
func vals(w fmt.Stringer, pr pair, last int) int {
	return len(w.String()) + int(pr.A) + int(pr.B) + last
}

var sink int64

func main() {
	n := 1
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	for i := 0; i < n; i++ {
		sink += ints(int8(-1-i), uint16(60000+i), int32(-70000-i), int64(-5000000000-i), uint64(18000000000000000000)+uint64(i))
		p := &point{X: 10 + i, Y: -i, Next: &point{X: 1000 + i}}
		sink += int64(text("gopher"+strconv.Itoa(i), []int{1, 2, 3, i}, p, 2.5, 7+i))
		sink += int64(vals(label(i), pair{A: int32(-5 - i), B: 9}, 42))
	}
	fmt.Println("sum", sink)
}

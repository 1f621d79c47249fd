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

// big has more words than Go's nine integer registers: passed on the
// stack.
type big struct {
	A, B, C, D, E, F, G, H, I, J int64
}

// many fills the nine integer registers, so that the string s (two
// words, one register left), the slice xs, b, the array small (arrays of
// more than one element are never in registers), last and w go on the
// stack, in order, each at its alignment; tail still takes the register
// s could not use.
//
//go:noinline
func many(a1, a2, a3, a4, a5, a6, a7, a8 int, s string, tail int32, xs []int, b big, small [3]uint16, last int8, w fmt.Stringer) int {
	return a1 + a8 + len(s) + int(tail) + len(xs) + int(b.A+b.J) + int(small[2]) + int(last) + len(w.String())
}

var sink int64

// manySink keeps many's results out of the sum printed (the tests of the
// other functions compare it).
var manySink int

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
		manySink += many(1+i, 2, 3, 4, 5, 6, 7, 80+i, "stack"+strconv.Itoa(i), int32(-7-i), []int{5, 6, 7 + i},
			big{A: 100 + int64(i), B: 101, C: 102, D: 103, E: 104, F: 105, G: 106, H: 107, I: 108, J: 109 + int64(i)},
			[3]uint16{1, 2, 3 + uint16(i)}, int8(-100-i), label(i))
	}
	fmt.Println("sum", sink)
}

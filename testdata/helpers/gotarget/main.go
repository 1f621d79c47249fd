// gotarget is a Go program with a uprobe target, main.work, for the
// end-to-end tests: gotarget N calls work(i, 7) for i in 0..N-1.
package main

import (
	"os"
	"strconv"
)

//go:noinline
func work(a, b int) int {
	return a*10 + b
}

func main() {
	n := 10
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	sum := 0
	for i := 0; i < n; i++ {
		sum += work(i, 7)
	}
	if sum == -1 {
		os.Exit(1)
	}
}

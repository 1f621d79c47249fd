// gotarget is a Go program with uprobe targets for the end-to-end tests
// and the tutorial: gotarget N [G] calls main.work(i, 7) for i in 0..N-1,
// then starts G goroutines (default 0) that each call main.work once, and
// waits for them. Goroutines are created by runtime.newproc1.
package main

import (
	"os"
	"strconv"
	"sync"
)

//go:noinline
func work(a, b int) int {
	return a*10 + b
}

func main() {
	n, g := 10, 0
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	if len(os.Args) > 2 {
		g, _ = strconv.Atoi(os.Args[2])
	}
	sum := 0
	for i := 0; i < n; i++ {
		sum += work(i, 7)
	}
	var wg sync.WaitGroup
	results := make([]int, g)
	for i := 0; i < g; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = work(i, 1)
		}()
	}
	wg.Wait()
	if sum == -1 || len(results) > 0 && results[0] == -1 {
		os.Exit(1)
	}
}

// gogrow is a Go program whose probed function grows goroutine stacks, for
// the end-to-end tests of Go-aware uretprobes and -p: gogrow N [wait] runs
// main.show("gogrow", []int{1, 2, 3}) once, then main.outer(i) for i in
// 0..N-1, each on a new goroutine (which starts with
// a small stack), one after the other. outer recurses deeply before it
// returns i%5, so the runtime copies the goroutine's stack while outer is
// running: a return probe that replaced outer's return address on that
// stack makes the runtime fail ("unknown caller pc"). With "wait" it prints
// "ready" and waits for SIGUSR1 before starting, so that a tracer can
// attach with -p. "gogrow spin" runs main.spin, which does not return.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"
)

// deep recurses n times with a frame big enough that a new goroutine's
// stack must grow several times.
//
//go:noinline
func deep(n int) int {
	var pad [64]int
	pad[n%64] = n
	if n == 0 {
		return pad[0]
	}
	return deep(n-1) + pad[n%64] - n
}

// outer returns i%5 (and the recursion's result, which is 0).
//
//go:noinline
func outer(i int) int {
	return i%5 + deep(200)
}

// show takes a string and a slice, for the docs of Go's calling
// convention: name's pointer and length arrive in rax and rbx, xs's
// pointer, length and capacity in rcx, rdi and rsi.
//
//go:noinline
func show(name string, xs []int) int {
	return len(name) + len(xs) + cap(xs)
}

// spin spins forever: the compiler gives it no return instruction, so a
// uretprobe on it is refused. main calls it only when asked to.
//
//go:noinline
func spin() {
	for {
	}
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "spin" {
		spin()
	}
	n := 10
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	if len(os.Args) > 2 && os.Args[2] == "wait" {
		usr1 := make(chan os.Signal, 1)
		signal.Notify(usr1, syscall.SIGUSR1)
		fmt.Println("ready")
		<-usr1
	}
	sum := show("gogrow", []int{1, 2, 3}) - 12
	done := make(chan int)
	for i := 0; i < n; i++ {
		go func() { done <- outer(i) }()
		sum += <-done
	}
	fmt.Println("sum", sum)
}

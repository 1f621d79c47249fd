package script_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"syscall"
	"time"

	"github.com/gobpftrace/gobpftrace/runtime/script"
)

// Count this program's getppid calls by thread, read the map while the
// script runs, then stop it. Running it needs root.
func Example() {
	src := fmt.Sprintf(`tracepoint:syscalls:sys_enter_getppid /pid == %d/ { @calls[tid] = count(); }`, os.Getpid())
	s, err := script.Compile(src, script.Options{})
	if err != nil {
		log.Fatal(err)
	}
	sess, err := s.Start(context.Background(), script.RunOptions{})
	if err != nil {
		log.Fatal(err)
	}
	defer sess.Stop() // nothing stays loaded once it returns

	for range 3 {
		syscall.Getppid()
	}
	m, err := sess.Map("@calls")
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range m.Entries {
		fmt.Printf("thread %d: %d calls\n", e.Key.(uint64), e.Value.(uint64))
	}
}

// A script that does not compile reports each error with its place.
func ExampleCompile_diagnostics() {
	src := `BEGIN { @start = nsecs; }
tracepoint:syscalls:sys_enter_read { @bytes = hist(args.count, 1, 2); }`
	_, err := script.Compile(src, script.Options{File: "reads.bt"})
	var cerr *script.CompileError
	if errors.As(err, &cerr) {
		for _, d := range cerr.Diagnostics {
			fmt.Printf("%s:%d:%d: %s: %s\n", d.File, d.Line, d.Col, d.Severity, d.Message)
		}
	}
	// Output:
	// reads.bt:2:47: error: hist() takes at most 2 arguments (3 provided)
}

// A compiled script names its maps and its probes before it runs.
func ExampleScript_Maps() {
	s, err := script.Compile(`BEGIN { @greeting = "hello"; @n[1, "one"] = count(); exit(); }`, script.Options{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.Maps(), s.Probes())
	// Output:
	// [@greeting @n] [BEGIN]
}

// Positional parameters and config settings are options, as $1 and
// BPFTRACE_* variables are for the command. Warnings come with the
// compiled script.
func ExampleOptions() {
	src := `BEGIN { printf("%r\n", buf(str($1), 64)); exit(); }`
	s, err := script.Compile(src, script.Options{Params: []string{"an argument"}, Config: map[string]string{"max_strlen": "16"}})
	if err != nil {
		log.Fatal(err)
	}
	for _, w := range s.Warnings() {
		fmt.Print(w.Text)
	}
	// Output:
	// stdin:1:24-40: WARNING: buf() length is too long and will be shortened to 16 bytes (see BPFTRACE_MAX_STRLEN)
	// BEGIN { printf("%r\n", buf(str($1), 64)); exit(); }
	//                        ~~~~~~~~~~~~~~~~
}

// Events arrive as Go values; a channel hands them to another goroutine.
// Running it needs root.
func ExampleRunOptions_onEvent() {
	s, err := script.Compile(`interval:ms:100 { printf("tick %d\n", elapsed / 100000000); time("%H:%M:%S\n"); }`, script.Options{})
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	events := make(chan script.Event, 64)
	sess, err := s.Start(ctx, script.RunOptions{OnEvent: func(e script.Event) { events <- e }})
	if err != nil {
		log.Fatal(err)
	}
	go func() { sess.Wait(); close(events) }()
	for e := range events {
		switch e := e.(type) {
		case *script.Printf:
			fmt.Print(e.Text)
		case *script.Time:
			fmt.Println("at", e.Time.Format(time.RFC3339))
		}
	}
}

// A histogram's buckets give each range of values and its count.
// Running it needs root.
func ExampleHistogram() {
	s, err := script.Compile(`tracepoint:syscalls:sys_enter_read { @bytes = hist(args.count); }`, script.Options{})
	if err != nil {
		log.Fatal(err)
	}
	sess, err := s.Start(context.Background(), script.RunOptions{})
	if err != nil {
		log.Fatal(err)
	}
	time.Sleep(time.Second)
	if err := sess.Stop(); err != nil {
		log.Fatal(err)
	}
	m, err := sess.Map("@bytes") // as it was at the end
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range m.Entries {
		for _, b := range e.Value.(script.Histogram).Buckets {
			fmt.Printf("[%d, %d]: %d\n", b.Min, b.Max, b.Count)
		}
	}
}

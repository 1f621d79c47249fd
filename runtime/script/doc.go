// Package script runs bpftrace scripts from a Go program: it compiles a
// script to eBPF, loads and attaches it, and hands back what it prints and
// what its maps hold as Go values. It needs no clang, LLVM or cgo, and it
// does not start the gobpftrace command: the command and its interactive
// session are built on this package.
//
// Compile checks a script and reports its errors as Diagnostics, each with
// its line and column:
//
//	s, err := script.Compile(`tracepoint:syscalls:sys_enter_getppid { @calls[tid] = count(); }`, script.Options{})
//	var cerr *script.CompileError
//	if errors.As(err, &cerr) {
//		for _, d := range cerr.Diagnostics { ... d.Line, d.Col, d.Message ... }
//	}
//
// Start loads and attaches it (this needs root, or CAP_BPF and
// CAP_PERFMON), and it runs until its context ends, the script calls
// exit(), or Stop is called. Meanwhile the session delivers every event
// (printf, print, time, warnings...) to RunOptions.OnEvent as a Go value
// and reads any map on demand:
//
//	sess, err := s.Start(ctx, script.RunOptions{OnEvent: func(e script.Event) { ... }})
//	m, err := sess.Map("@calls")       // now, from the kernel
//	for _, e := range m.Entries { ... e.Key.(uint64), e.Value.(uint64) ... }
//	err = sess.Stop()                   // END runs, everything is released
//	m, err = sess.Map("@calls")        // as the run ended
//
// Values are plain Go values: integers are int64 or uint64 (as the script's
// type is signed or not), strings are strings, and tuples, records, stacks,
// stats and histograms have their own types (Tuple, Record, Stack, Stats,
// Histogram). See Entry for the whole list.
//
// When a session ends (its context is cancelled, exit() is called, Stop)
// it runs END, then detaches and unloads every program, link, perf event
// and map it created. Wait and Stop return once that is done: nothing of a
// session stays in the kernel after they return, whatever the script did.
// Two sessions in one process are independent.
//
// The text a session prints (RunOptions.Output) is exactly what the
// gobpftrace command prints for the same script and options.
package script

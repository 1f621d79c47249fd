package output

import "sync"

// Formatter turns the bytes of values into text as one run sees them: with
// that run's symbol resolver, its user-space lookups and its str()
// trailer. The runtime creates one per run and hands it to the run's
// Printer; nothing in this package is shared between runs. A Formatter is
// safe for concurrent use when its Symbols and UserSpace are (the REPL
// prints a run's maps while that run prints its events).
type Formatter struct {
	// Symbols resolves ksym, usym, kstack and ustack values; nil prints
	// addresses as hex numbers and stacks without frames.
	Symbols Symbols
	// UserSpace answers strftime's clock, username and cgroup_path; nil
	// counts timestamps from the Unix epoch and prints names as numbers.
	UserSpace UserSpace
	// TruncTrailer is printed after a string that str() truncated
	// (config str_trunc_trailer).
	TruncTrailer string
	// Errors receives the errors met while formatting, without the
	// "ERROR: " prefix: a stack id no longer in the stack map. nil
	// drops them.
	Errors func(msg string)
	// formats caches the parsed printf format of each event
	// (*codegen.Event to *printfFormat): parsed once, not per event.
	formats sync.Map
}

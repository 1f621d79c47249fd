package stdlib

import (
	"sort"

	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// ArgKind says what a function accepts at one argument position.
type ArgKind int

const (
	// AnyArg accepts any value.
	AnyArg ArgKind = iota
	// IntArg accepts integers and bools.
	IntArg
	// ConstIntArg accepts an integer constant (literal, positional, negation).
	ConstIntArg
	// StrArg accepts a string value.
	StrArg
	// ConstStrArg accepts a string literal (a format string).
	ConstStrArg
	// AddrArg accepts a pointer, an integer address or a string.
	AddrArg
	// MapArg accepts a map name without keys: @x.
	MapArg
	// MapKeyArg accepts a map key value (a tuple for multi-key maps).
	MapKeyArg
	// IdentArg accepts a bare word such as a stack mode (perf, raw).
	IdentArg
)

var argKindNames = map[ArgKind]string{
	AnyArg: "any", IntArg: "int", ConstIntArg: "const int", StrArg: "string",
	ConstStrArg: "const string", AddrArg: "address", MapArg: "map",
	MapKeyArg: "map key", IdentArg: "name",
}

func (k ArgKind) String() string { return argKindNames[k] }

// Variadic as Func.MaxArgs means any number of arguments.
const Variadic = -1

// Func is a builtin function or aggregation.
type Func struct {
	Name string
	// MinArgs and MaxArgs bound the argument count (MaxArgs Variadic: no bound).
	MinArgs, MaxArgs int
	// Args gives the kind of each position; the last kind repeats for
	// variadic functions.
	Args []ArgKind
	// Result describes the result-type rule, as the docs show it.
	Result string
	// Aggregation functions may only be assigned directly to a map.
	Aggregation bool
	// Async functions send an event to user space.
	Async bool
	// Providers restricts where the function is valid; nil means everywhere.
	Providers []probetype.Type
	// Supported is true when codegen emits it.
	Supported bool
	Doc       string
	// Params names the parameters of an external function: one of the
	// C functions of bpftrace's standard library (__has_key), which a
	// script may call with arguments of exactly the parameters' types,
	// all of them void * (the & of a map or a variable, cast).
	Params []string
}

// External reports whether f is an external function (see Params).
func (f *Func) External() bool { return len(f.Params) > 0 }

// Kind returns the expected kind of argument i.
func (f *Func) Kind(i int) ArgKind {
	if len(f.Args) == 0 {
		return AnyArg
	}
	if i >= len(f.Args) {
		return f.Args[len(f.Args)-1]
	}
	return f.Args[i]
}

// Funcs lists every builtin function and aggregation.
var Funcs = []*Func{
	// Aggregations.
	{Name: "count", MinArgs: 0, MaxArgs: 0, Result: "count_t", Aggregation: true, Supported: true, Doc: "Counts how many times it is called."},
	{Name: "sum", MinArgs: 1, MaxArgs: 1, Args: []ArgKind{IntArg}, Result: "sum_t (signed as its argument)", Aggregation: true, Supported: true, Doc: "Sums its integer argument."},
	{Name: "min", MinArgs: 1, MaxArgs: 1, Args: []ArgKind{IntArg}, Result: "min_t", Aggregation: true, Supported: true, Doc: "Keeps the smallest value seen."},
	{Name: "max", MinArgs: 1, MaxArgs: 1, Args: []ArgKind{IntArg}, Result: "max_t", Aggregation: true, Supported: true, Doc: "Keeps the largest value seen."},
	{Name: "avg", MinArgs: 1, MaxArgs: 1, Args: []ArgKind{IntArg}, Result: "avg_t", Aggregation: true, Supported: true, Doc: "Averages the values seen."},
	{Name: "stats", MinArgs: 1, MaxArgs: 1, Args: []ArgKind{IntArg}, Result: "stats_t", Aggregation: true, Supported: true, Doc: "Keeps count, average and total of the values seen."},
	{Name: "hist", MinArgs: 1, MaxArgs: 2, Args: []ArgKind{IntArg, ConstIntArg}, Result: "hist_t", Aggregation: true, Supported: true, Doc: "Power-of-two histogram of the values; optional bits (0-5) splits each power of two."},
	{Name: "lhist", MinArgs: 4, MaxArgs: 4, Args: []ArgKind{IntArg, ConstIntArg, ConstIntArg, ConstIntArg}, Result: "lhist_t", Aggregation: true, Supported: true, Doc: "Linear histogram lhist(value, min, max, step)."},
	{Name: "tseries", MinArgs: 3, MaxArgs: 4, Args: []ArgKind{IntArg, ConstIntArg, ConstIntArg, ConstStrArg}, Result: "tseries_t", Aggregation: true, Supported: true, Doc: "Time series tseries(value, interval_ns, num_intervals[, agg]) with agg \"avg\", \"max\", \"min\" or \"sum\": keeps the last num_intervals intervals of interval_ns nanoseconds (durations such as 100ms may be written), each holding the last value written in it, or the average, maximum, minimum or sum of its values; printed as a chart with one line per interval."},

	// Output and control.
	{Name: "printf", MinArgs: 1, MaxArgs: Variadic, Args: []ArgKind{ConstStrArg, AnyArg}, Result: "void", Async: true, Supported: true, Doc: "Prints formatted text; the format is checked against its arguments."},
	{Name: "print", MinArgs: 1, MaxArgs: 3, Args: []ArgKind{AnyArg, ConstIntArg, ConstIntArg}, Result: "void", Async: true, Supported: true, Doc: "Prints a map (with optional top and div) or a value."},
	{Name: "exit", MinArgs: 0, MaxArgs: 1, Args: []ArgKind{IntArg}, Result: "void", Async: true, Supported: true, Doc: "Stops tracing: END runs, then maps are printed."},
	{Name: "time", MinArgs: 0, MaxArgs: 1, Args: []ArgKind{ConstStrArg}, Result: "void", Async: true, Supported: true, Doc: "Prints the current local time with an optional strftime format."},
	{Name: "cat", MinArgs: 1, MaxArgs: Variadic, Args: []ArgKind{ConstStrArg, AnyArg}, Result: "void", Async: true, Supported: true, Doc: "Prints the contents of a file named by a printf-style format."},
	{Name: "system", MinArgs: 1, MaxArgs: Variadic, Args: []ArgKind{ConstStrArg, AnyArg}, Result: "void", Async: true, Supported: true, Doc: "Runs a shell command (needs --unsafe)."},
	{Name: "errorf", MinArgs: 1, MaxArgs: Variadic, Args: []ArgKind{ConstStrArg, AnyArg}, Result: "void", Async: true, Supported: true, Doc: "Prints a formatted error message with the source location."},
	{Name: "warnf", MinArgs: 1, MaxArgs: Variadic, Args: []ArgKind{ConstStrArg, AnyArg}, Result: "void", Async: true, Supported: true, Doc: "Prints a formatted warning message with the source location."},
	{Name: "debugf", MinArgs: 1, MaxArgs: Variadic, Args: []ArgKind{ConstStrArg, AnyArg}, Result: "void", Supported: true, Doc: "Writes a printf-formatted line of up to three integers, pointers or strings (%s) to the kernel's trace buffer (bpf_trace_printk), read from /sys/kernel/tracing/trace_pipe; for debugging."},
	{Name: "join", MinArgs: 1, MaxArgs: 2, Args: []ArgKind{AddrArg, ConstStrArg}, Result: "void", Async: true, Supported: true, Doc: "Prints the strings of a char*[] array joined by a separator."},

	// Maps.
	{Name: "delete", MinArgs: 1, MaxArgs: 2, Args: []ArgKind{MapArg, MapKeyArg}, Result: "bool", Supported: true, Doc: "Deletes one key of a map: delete(@m, key) or delete(@m[key])."},
	{Name: "clear", MinArgs: 1, MaxArgs: 1, Args: []ArgKind{MapArg}, Result: "void", Async: true, Supported: true, Doc: "Removes every key of a map."},
	{Name: "zero", MinArgs: 1, MaxArgs: 1, Args: []ArgKind{MapArg}, Result: "void", Async: true, Supported: true, Doc: "Sets every value of a map to zero."},
	{Name: "has_key", MinArgs: 2, MaxArgs: 2, Args: []ArgKind{MapArg, MapKeyArg}, Result: "bool", Supported: true, Doc: "Reports whether a map holds a key."},
	{Name: "find", MinArgs: 3, MaxArgs: 3, Args: []ArgKind{MapArg, MapKeyArg, AnyArg}, Result: "bool", Supported: true, Doc: "Reports whether a map holds a key and, when it does, copies its value into a scratch variable: find(@m, key, $v), one lookup where has_key() and a read take two."},
	{Name: "__has_key", MinArgs: 2, MaxArgs: 2, Args: []ArgKind{AnyArg, AnyArg}, Params: []string{"map", "key"}, Result: "bool", Supported: true, Doc: "The C function behind has_key() in bpftrace's standard library, callable as __has_key((void *)&@m, (void *)&$k): whether map @m holds the key that variable $k holds, as has_key(@m, $k). Both arguments are void *; the map must be written as (void *)&@m and the key as (void *)&$k."},
	{Name: "__delete", MinArgs: 2, MaxArgs: 2, Args: []ArgKind{AnyArg, AnyArg}, Params: []string{"map", "key"}, Result: "int64", Supported: true, Doc: "The C function behind delete() in bpftrace's standard library, callable as __delete((void *)&@m, (void *)&$k): deletes the key that variable $k holds from map @m and returns bpf_map_delete_elem's result, 0 when the key was there and a negative errno (-2, ENOENT) when it was not; no warning when the result is dropped. Arguments as for __has_key."},
	{Name: "__elem_count", MinArgs: 1, MaxArgs: 1, Args: []ArgKind{AnyArg}, Params: []string{"map"}, Result: "int64", Supported: true, Doc: "The C function behind len() in bpftrace's standard library, callable as __elem_count((void *)&@m): the number of elements of map @m, as len(@m). The map must have keys and be written as (void *)&@m."},
	{Name: "len", MinArgs: 1, MaxArgs: 1, Args: []ArgKind{MapArg}, Result: "int64", Supported: true, Doc: "Number of elements of a map."},

	// Strings and memory.
	{Name: "str", MinArgs: 1, MaxArgs: 2, Args: []ArgKind{AddrArg, IntArg}, Result: "string[max_strlen] (or the length given)", Supported: true, Doc: "Reads a NUL-terminated string from kernel or user memory."},
	{Name: "buf", MinArgs: 1, MaxArgs: 2, Args: []ArgKind{AddrArg, IntArg}, Result: "buffer", Supported: true, Doc: "Reads bytes from memory, printed as hex with %r."},
	{Name: "strncmp", MinArgs: 3, MaxArgs: 3, Args: []ArgKind{StrArg, StrArg, ConstIntArg}, Result: "int64", Supported: true, Doc: "Compares up to n bytes of two strings (0 when equal)."},
	{Name: "strcontains", MinArgs: 2, MaxArgs: 2, Args: []ArgKind{StrArg, StrArg}, Result: "bool", Supported: true, Doc: "Reports whether a string contains another."},
	{Name: "memcmp", MinArgs: 3, MaxArgs: 3, Args: []ArgKind{AnyArg, AnyArg, ConstIntArg}, Result: "int64", Supported: true, Doc: "Compares the first count bytes of two values in memory (strings, arrays, structs, tuples): 0 when equal, else the difference of the first differing bytes (negative when the left one is smaller)."},
	{Name: "str_concat", MinArgs: 2, MaxArgs: 2, Args: []ArgKind{StrArg, StrArg}, Result: "string (the two sizes added, one NUL fewer)", Supported: true, Doc: "The first string followed by the second."},
	{Name: "strstr", MinArgs: 2, MaxArgs: 2, Args: []ArgKind{StrArg, StrArg}, Result: "int64", Supported: true, Doc: "Index of the first occurrence of a string in another, -1 when it does not occur (0 for an empty needle)."},
	{Name: "strlen", MinArgs: 1, MaxArgs: 1, Args: []ArgKind{StrArg}, Result: "uint64", Supported: true, Doc: "Length of a string, a char array or the string a pointer points to, up to its NUL."},
	{Name: "getopt", MinArgs: 1, MaxArgs: 3, Args: []ArgKind{ConstStrArg, AnyArg, ConstStrArg}, Result: "bool, int64 or string (the default's type)", Supported: true, Doc: "Value of the script's option --name=value given after --; the default when absent. The third argument describes the option in the list `-- --help` prints."},
	{Name: "strftime", MinArgs: 2, MaxArgs: 2, Args: []ArgKind{ConstStrArg, IntArg}, Result: "timestamp_t", Supported: true, Doc: "Formats a nanosecond timestamp in user space; print with %s."},
	{Name: "syscall_name", MinArgs: 1, MaxArgs: 1, Args: []ArgKind{IntArg}, Result: "syscall_name_t", Supported: true, Doc: "Name of a syscall number of this machine's architecture (x86-64), resolved in user space; print with %s."},
	{Name: "signal_name", MinArgs: 1, MaxArgs: 1, Args: []ArgKind{IntArg}, Result: "signal_name_t", Supported: true, Doc: "Description of a signal number as strsignal(3) gives it (\"Killed\" for 9; \"N/A\" outside 0-64), resolved in user space; print with %s."},
	{Name: "strerror", MinArgs: 1, MaxArgs: 1, Args: []ArgKind{IntArg}, Result: "string", Supported: true, Doc: "Text of an errno value."},

	// Symbols and addresses.
	{Name: "nsecs", MinArgs: 0, MaxArgs: 1, Args: []ArgKind{IdentArg}, Result: "uint64", Supported: true, Doc: "Nanosecond timestamp of a clock: nsecs(monotonic) is nsecs (CLOCK_MONOTONIC), nsecs(boot) counts time suspended too (CLOCK_BOOTTIME), nsecs(tai) is CLOCK_TAI, nsecs(sw_tai) is the boot clock plus the TAI offset measured in user space at start."},
	{Name: "ksym", MinArgs: 1, MaxArgs: 1, Args: []ArgKind{IntArg}, Result: "ksym_t", Supported: true, Doc: "Kernel symbol containing an address, resolved in user space."},
	{Name: "usym", MinArgs: 1, MaxArgs: 1, Args: []ArgKind{IntArg}, Result: "usym_t", Supported: true, Doc: "User-space symbol containing an address, resolved in user space."},
	{Name: "percpu_kaddr", MinArgs: 1, MaxArgs: 2, Args: []ArgKind{ConstStrArg, IntArg}, Result: "uint64 *", Supported: true, Doc: "Address of the per-CPU kernel variable name on the current CPU (bpf_this_cpu_ptr) or on CPU cpu (bpf_per_cpu_ptr, 0 when there is no such CPU); cast it to the variable's type: (struct rq *)percpu_kaddr(\"runqueues\", 0)."},
	{Name: "kaddr", MinArgs: 1, MaxArgs: 1, Args: []ArgKind{ConstStrArg}, Result: "uint64", Supported: true, Doc: "Address of a kernel symbol, found at compile time."},
	{Name: "uaddr", MinArgs: 1, MaxArgs: 1, Args: []ArgKind{ConstStrArg}, Result: "pointer", Supported: true, Doc: "Address of a user-space symbol of the traced binary."},
	{Name: "ntop", MinArgs: 1, MaxArgs: 2, Args: []ArgKind{AnyArg, AnyArg}, Result: "inet_t", Supported: true, Doc: "Text form of an IPv4 or IPv6 address."},
	{Name: "pton", MinArgs: 1, MaxArgs: 1, Args: []ArgKind{ConstStrArg}, Result: "uint8[4] or uint8[16]", Supported: true, Doc: "Bytes of an IPv4 or IPv6 address literal, at compile time."},
	{Name: "macaddr", MinArgs: 1, MaxArgs: 1, Args: []ArgKind{AnyArg}, Result: "mac_address", Supported: true, Doc: "A MAC address from 6 bytes, printed with %s."},
	{Name: "reg", MinArgs: 1, MaxArgs: 1, Args: []ArgKind{ConstStrArg}, Result: "uint64", Providers: RegsProviders, Supported: true, Doc: "Value of a named CPU register."},
	{Name: "cgroupid", MinArgs: 1, MaxArgs: 1, Args: []ArgKind{ConstStrArg}, Result: "uint64", Supported: true, Doc: "cgroup v2 ID of a path, found at compile time."},
	{Name: "cgroup_path", MinArgs: 1, MaxArgs: 2, Args: []ArgKind{IntArg, ConstStrArg}, Result: "cgroup_path_t", Supported: true, Doc: "Path of a cgroup ID, resolved in user space."},
	{Name: "kstack", MinArgs: 0, MaxArgs: 2, Args: []ArgKind{IdentArg, ConstIntArg}, Result: "kstack", Supported: true, Doc: "Kernel stack trace with an optional mode and frame limit."},
	{Name: "ustack", MinArgs: 0, MaxArgs: 2, Args: []ArgKind{IdentArg, ConstIntArg}, Result: "ustack", Supported: true, Doc: "User-space stack trace with an optional mode and frame limit."},
	{Name: "path", MinArgs: 1, MaxArgs: 2, Args: []ArgKind{AddrArg, ConstIntArg}, Result: "string[max_strlen] (or the size given)", Providers: []probetype.Type{probetype.Fentry, probetype.Fexit, probetype.Iter}, Supported: true, Doc: "Full path of a struct path pointer (bpf_d_path; the kernel allows it in fentry/fexit probes of the functions of its btf_allowlist_d_path, which this project's kernel cannot load)."},
	{Name: "socket_cookie", MinArgs: 1, MaxArgs: 1, Args: []ArgKind{AddrArg}, Result: "uint64", Providers: []probetype.Type{probetype.Fentry, probetype.Fexit}, Supported: true, Doc: "The kernel's cookie of a struct sock pointer, made on first use (bpf_get_socket_cookie; the kernel gives it to fentry/fexit probes, which this project's kernel cannot load)."},
	{Name: "bswap", MinArgs: 1, MaxArgs: 1, Args: []ArgKind{IntArg}, Result: "same width, unsigned", Supported: true, Doc: "Reverses the bytes of an integer."},
	{Name: "kptr", MinArgs: 1, MaxArgs: 1, Args: []ArgKind{AnyArg}, Result: "same pointer, kernel", Supported: true, Doc: "Marks a pointer as a kernel address."},
	{Name: "uptr", MinArgs: 1, MaxArgs: 1, Args: []ArgKind{AnyArg}, Result: "same pointer, user", Supported: true, Doc: "Marks a pointer as a user-space address."},

	// Answered at compile time, and assertions.
	{Name: "is_array", MinArgs: 1, MaxArgs: 1, Result: "bool", Supported: true, Doc: "Whether the expression is an array (compile time; the expression is not evaluated)."},
	{Name: "is_integer", MinArgs: 1, MaxArgs: 1, Result: "bool", Supported: true, Doc: "Whether the expression is an integer (compile time)."},
	{Name: "is_unsigned_integer", MinArgs: 1, MaxArgs: 1, Result: "bool", Supported: true, Doc: "Whether the expression is an unsigned integer (compile time)."},
	{Name: "is_ptr", MinArgs: 1, MaxArgs: 1, Result: "bool", Supported: true, Doc: "Whether the expression is a pointer (compile time)."},
	{Name: "is_str", MinArgs: 1, MaxArgs: 1, Result: "bool", Supported: true, Doc: "Whether the expression is a string (compile time)."},
	{Name: "is_err", MinArgs: 1, MaxArgs: 1, Args: []ArgKind{AnyArg}, Result: "bool", Supported: true, Doc: "Whether a pointer or integer holds an error code, as the kernel's IS_ERR(): a value from -4095 to -1 (a function returning ERR_PTR(-ENOENT) gives -2)."},
	{Name: "is_literal", MinArgs: 1, MaxArgs: 1, Result: "bool", Supported: true, Doc: "Whether the expression is written as a literal: 1, -1, true, \"hello\" (compile time)."},
	{Name: "strcap", MinArgs: 1, MaxArgs: 1, Args: []ArgKind{StrArg}, Result: "int64", Supported: true, Doc: "Capacity of a string-like value: a string's size, a char array's length (both at compile time), the length of the string a char pointer points to."},
	{Name: "kfunc_allowed", MinArgs: 1, MaxArgs: 1, Args: []ArgKind{ConstStrArg}, Result: "bool", Supported: true, Doc: "Whether the probe's program type may call the kfunc name: the kernel's verifier is asked with a test program when the script is checked (compile time)."},
	{Name: "kfunc_exist", MinArgs: 1, MaxArgs: 1, Args: []ArgKind{ConstStrArg}, Result: "bool", Supported: true, Doc: "Whether kernel BTF has a function of this name (compile time)."},
	{Name: "assert_str", MinArgs: 1, MaxArgs: 1, Result: "void", Supported: true, Doc: "Refuses the script unless the expression is string-like: a string, an int8 (char) array or an int8 pointer (compile time; the expression is not evaluated)."},
	{Name: "static_assert", MinArgs: 2, MaxArgs: 2, Args: []ArgKind{AnyArg, ConstStrArg}, Result: "void", Supported: true, Doc: "Refuses the script with the message when a condition known at compile time is false."},
	{Name: "fail", MinArgs: 1, MaxArgs: Variadic, Args: []ArgKind{ConstStrArg, AnyArg}, Result: "void", Supported: true, Doc: "Refuses the script with a printf-formatted message of literals, unless it is in a branch that a condition known at compile time rules out."},
	{Name: "assert", MinArgs: 2, MaxArgs: 2, Args: []ArgKind{AnyArg, StrArg}, Result: "void", Async: true, Supported: true, Doc: "When the condition is false at run time: prints \"assert failed: MESSAGE\" as an error with the position and exits with code 1."},

	// Side effects.
	{Name: "signal", MinArgs: 1, MaxArgs: 1, Args: []ArgKind{AnyArg}, Result: "void", Providers: RegsProviders, Supported: true, Doc: "Sends a signal to the current process (needs --unsafe)."},
	{Name: "write_user", MinArgs: 3, MaxArgs: 3, Args: []ArgKind{AddrArg, AnyArg, IntArg}, Result: "bool", Supported: true, Doc: "Writes len bytes of a value (a string, array, struct or tuple) to a user-space address of the current process (bpf_probe_write_user; needs --unsafe); true when written."},
	{Name: "override", MinArgs: 1, MaxArgs: 1, Args: []ArgKind{IntArg}, Result: "void", Providers: []probetype.Type{probetype.Kprobe}, Supported: true, Doc: "Overrides the probed function's return value (needs --unsafe)."},
}

var funcByName = func() map[string]*Func {
	m := map[string]*Func{}
	for _, f := range Funcs {
		m[f.Name] = f
	}
	return m
}()

// LookupFunc returns the builtin function named name, or nil.
func LookupFunc(name string) *Func { return funcByName[name] }

// FuncNames returns every function name, sorted.
func FuncNames() []string {
	var out []string
	for _, f := range Funcs {
		out = append(out, f.Name)
	}
	sort.Strings(out)
	return out
}

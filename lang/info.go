package lang

import (
	"errors"
	"fmt"

	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// ErrTracepointNotFound is what an Env's error for a tracepoint the system
// does not have wraps (TracepointNotFound): the checker warns about it and
// leaves the attach point out, as bpftrace does, where other errors (no
// permission, no tracefs) stop the script.
var ErrTracepointNotFound = errors.New("tracepoint not found")

// TracepointNotFound is the error for category:event missing from the
// system: "tracepoint not found: category:event".
func TracepointNotFound(category, event string) error {
	return fmt.Errorf("%w: %s:%s", ErrTracepointNotFound, category, event)
}

// This file is the contract between the checker and codegen: what Check
// returns besides the annotated AST.

// Env answers the checker's questions about the system it compiles for.
// The runtime implements it over tracefs; tests implement it with fixed data.
// The checker never touches the kernel itself.
type Env interface {
	// Tracepoint returns the argument struct of tracepoint category:event as
	// a KStruct whose Fields are the format file's fields (common_* included)
	// with their offsets and types. It returns an error when the tracepoint
	// does not exist.
	Tracepoint(category, event string) (*Type, error)
	// MatchTracepoints expands category and event patterns (with * and ?
	// wildcards) to the existing tracepoints, sorted by category then event.
	MatchTracepoints(category, event string) ([][2]string, error)
}

// TracepointCheckEnv is implemented by an Env that can tell whether a
// tracepoint exists more cheaply than by reading its argument struct. The
// checker reads a tracepoint's arguments (Env.Tracepoint) only when the
// probe uses args; it uses this, when the Env has it, for the others.
type TracepointCheckEnv interface {
	// CheckTracepoint returns the error Tracepoint would return for a
	// tracepoint that does not exist or cannot be attached to, nil for
	// one that does and can.
	CheckTracepoint(category, event string) error
}

// Checked is a checked program ready for codegen.
type Checked struct {
	Prog *Program
	// File is the name used in diagnostics ("stdin" for -e).
	File string
	// Source is the script text.
	Source string
	// Maps in order of first appearance in the source.
	Maps []*MapSym
	// Probes parallels Prog.Probes.
	Probes []*CheckedProbe
	Config Config
	// Warnings found while checking (errors make Check fail instead).
	Warnings []*Diagnostic
	// Params are the positional parameters $1..$N as given. A Positional
	// typed KInt holds the integer Params[N-1] parses to (strconv.ParseInt
	// with base 0; 0 when N > len(Params)); one typed KString holds the text
	// itself. `$#` is len(Params).
	Params []string
	// KAddrs are the addresses of the kernel symbols named by kaddr()
	// calls, found through the Env (SymbolEnv) at check time.
	KAddrs map[string]uint64
	// Kfuncs says, for each name given to kfunc_exist(), whether kernel
	// BTF has a function of that name.
	Kfuncs map[string]bool
	// KfuncsAllowed says, for each probe type and name given to
	// kfunc_allowed() (keyed KfuncAllowedKey), whether the kernel's
	// verifier lets that probe type's programs call the kfunc.
	KfuncsAllowed map[string]bool
	// PercpuVars are the kernel BTF type ids of the per-CPU variables
	// named by percpu_kaddr() calls, found through the Env (PercpuVarEnv)
	// at check time.
	PercpuVars map[string]uint32
	// UAddrs are the addresses of the user symbols named by uaddr() calls,
	// keyed by UAddrKey(binary, name), found through the Env
	// (UserSymbolEnv) at check time.
	UAddrs map[string]uint64
	// CgroupIDs are the ids of the paths named by cgroupid() calls, found
	// through the Env (CgroupEnv) at check time.
	CgroupIDs map[string]uint64
	// Getopts are the values of getopt() calls by option name: what the
	// command line gave after "--" (--name=value), else the default. Bool
	// options hold "1" or "0".
	Getopts map[string]string
	// Options are the options the script reads with getopt(), sorted by
	// name: what `-- --help` lists.
	Options []ScriptOption
	// PIDFilter is -p PID (0: none). As bpftrace does, the probes that
	// are not opened per process (tracepoint, rawtracepoint, kprobe,
	// kretprobe, fentry, fexit) start with `if (pid != PIDFilter) return`;
	// the runtime attaches the others to that process.
	PIDFilter uint32
}

// ScriptOption is one option a script reads with getopt(name, default,
// help).
type ScriptOption struct {
	Name string
	// Kind is "bool", "int" or "string", from the default's type.
	Kind string
	// Default is the default as the command line would give it: "false",
	// "35", or the string itself.
	Default string
	// Help is getopt's third argument ("" when absent).
	Help string
}

// UAddrKey is the key of Checked.UAddrs for symbol name of binary.
func UAddrKey(binary, name string) string { return binary + "\x00" + name }

// Config holds the resolved config-block and environment settings.
type Config struct {
	MaxStrlen  int // bytes a string may hold, NUL included
	MaxMapKeys int // max_entries of hash maps
	MaxProbes  int // attach points a script may have
	// StrTruncTrailer is printed after a string that str() truncated.
	StrTruncTrailer string
	// StackMode is the config's stack_mode: the mode ("bpftrace", "perf"
	// or "raw") of kstack/ustack written without one; "" means "bpftrace".
	StackMode string
	// MaxCatBytes is the most cat() prints of a file.
	MaxCatBytes int
	// PrintMapsOnExit is false when config print_maps_on_exit is off.
	NoPrintMapsOnExit bool
	// MissingProbes is what to do with an attach point that fails to
	// attach: "error" (default), "warn" or "ignore".
	MissingProbes string
	// PerfRbPages sizes the event ring buffer (pages of 4 KiB, rounded
	// up to a power of two); 0 keeps the default.
	PerfRbPages int
	// LogSize is the verifier log's size in bytes (0: the default).
	LogSize int
	// License is the license the programs are loaded with ("GPL").
	License string
	// NoCppDemangle is config cpp_demangle = false: user symbols print as
	// the binary names them (_ZN2ns4funcEi), not demangled (ns::func(int)).
	NoCppDemangle bool
	// ShowDebugInfo is config show_debug_info = true: user stack frames
	// (bpftrace stack mode) end with @FILE:LINE from DWARF.
	ShowDebugInfo bool
	// OnStackLimit is the largest value kept on the BPF stack; bigger ones
	// go to the per-CPU scratch buffer (0: codegen's default, 64).
	OnStackLimit int
	// UnstableAddr is config unstable_addr: "warn" (also ""), "enable" or
	// "error" for the address-of operator on variables and maps.
	UnstableAddr string
	// UnstableMapDecl and UnstableTseries are config unstable_map_decl
	// and unstable_tseries, the same three words for map declarations
	// (let @m = hash(N)) and tseries().
	UnstableMapDecl, UnstableTseries string
	// Other settings are added as they are supported.
}

// MapSym is one map of the script.
type MapSym struct {
	Name string // "@x" or "@"
	// Key is nil for a map used without keys (`@x = 1`); a single key's type;
	// or a KTuple when several keys are written (`@x[a, b]`).
	Key *Type
	// Value is the value type; aggregations have aggregation kinds.
	Value *Type
	// Decl is the `let @x = hash(N)` declaration, if any.
	Decl *MapDecl
	// First is where the map first appears.
	First Span
	// Index is the position in Checked.Maps.
	Index int
}

// VarSym is one scratch variable. Two Vars with the same Sym are the same
// variable; each probe (and each `let` scope) has its own symbols.
type VarSym struct {
	Name string
	Type *Type
	// ID is unique within the program; codegen uses it to assign stack slots.
	ID int
	// Literal marks a variable whose integer type so far comes only from
	// bare literals (`$i = 0`): it may still turn unsigned when a uint64
	// is stored later (`$i = 0; $i = nsecs`).
	Literal bool
}

// CheckedProbe is a probe with its attach points resolved.
type CheckedProbe struct {
	Probe *Probe
	// Attach lists the concrete attach points after alias and wildcard
	// expansion, in order. Codegen emits one program per entry.
	Attach []*Resolved
}

// Resolved is one concrete attach point.
type Resolved struct {
	Point *AttachPoint // as written
	// Provider is canonical: BEGIN, END, tracepoint, interval, profile,
	// software, hardware, uprobe, uretprobe, usdt, kprobe, kretprobe,
	// fentry, fexit, rawtracepoint.
	Provider probetype.Type
	// Name is the probe's full name as the `probe` builtin shows it,
	// e.g. "tracepoint:syscalls:sys_enter_openat", "interval:s:1".
	Name string

	// tracepoint / rawtracepoint
	Category, Event string
	// Args is the tracepoint's argument struct (KStruct); nil elsewhere,
	// and nil for a tracepoint whose probe does not use args (the checker
	// reads a format file only when it is needed; codegen then lets the
	// matches of a probe share one program).
	// For a wildcard probe each match has its own Args: the checker checks
	// that every field the body uses has the same type in every match, and
	// codegen takes offsets from the match it is emitting.
	Args *Type

	// interval / profile: Period in nanoseconds (interval, profile with a
	// time unit) or Frequency in Hz (profile:hz).
	PeriodNs  uint64
	Frequency uint64

	// kprobe / kretprobe / fentry / fexit: the traced kernel function, its
	// module ("" for vmlinux) and, for kprobe:func+off, the offset. For
	// rawtracepoint, Module is the module part of rawtracepoint:mod:event.
	Func   string
	Module string
	Offset uint64
	// NumArgs is the number of the function's arguments (fentry/fexit,
	// from BTF): fexit's retval is the ctx slot after them.
	NumArgs int
	// Ret is the function's return type (fexit, from BTF); nil elsewhere.
	Ret *Type

	// software / hardware: the perf event's config (PERF_COUNT_SW_* or
	// PERF_COUNT_HW_*) and sample count (the event's default when the
	// probe gives none) — PeriodNs keeps the count as written, 0 if none.
	PerfConfig uint64
	PerfCount  uint64

	// uprobe / uretprobe / usdt.
	//
	// Binary is the absolute path of the ELF file probed (a library name
	// such as "libc" or a program on $PATH resolved as the dynamic loader
	// and the shell would).
	Binary string
	// Symbol is the probed function (uprobe/uretprobe; Func holds it too);
	// empty for a raw address. Offset (above) is added to its address for
	// uprobe:bin:func+offset.
	Symbol string
	// Address is a virtual address in Binary: the raw address of
	// uprobe:bin:0x..., or the USDT probe's location. 0 when Symbol is set.
	Address uint64
	// FileOffset is where the runtime attaches when Address is set: the
	// file offset of Address in Binary.
	FileOffset uint64
	// USDTProvider and USDTName name the USDT probe (usdt:bin:provider:name).
	USDTProvider, USDTName string
	// USDTSemaphore is the file offset in Binary of the USDT probe's
	// semaphore (0: none); the runtime lets the kernel count it up while
	// the probe is attached.
	USDTSemaphore uint64
	// USDTArgs describe where arg0..argN of a USDT probe are.
	USDTArgs []*USDTArg
	// UprobeArgs are the parameters of a uprobe's function from DWARF,
	// set (with Args) when the probe uses args.
	UprobeArgs []*UprobeArg

	// Pin is the absolute path in bpffs of a pinned iterator
	// (iter:NAME:PIN), "" for an iterator that is run and printed.
	Pin string
}

// FuncEnv is implemented by an Env that knows kernel function prototypes
// (from BTF). The checker uses it, when the Env has it, for fentry/fexit
// `args` and `retval`; without it those probes get untyped 64-bit values.
type FuncEnv interface {
	// KernelFunc returns the arguments of module's (vmlinux's when "")
	// function name as a KStruct whose fields are the parameters at
	// offsets 0, 8, 16..., and its return type (nil for void).
	KernelFunc(module, name string) (args *Type, ret *Type, err error)
}

// KfuncAllowedKey is the key of Info.KfuncsAllowed.
func KfuncAllowedKey(provider, iterator, kfunc string) string {
	return provider + ":" + iterator + ":" + kfunc
}

// KfuncAllowedEnv is implemented by an Env that can ask the kernel's
// verifier whether the programs of a probe type may call a kfunc, for
// kfunc_allowed().
type KfuncAllowedEnv interface {
	// KfuncAllowed loads a test program of the probe type (provider, and
	// for iter probes the iterator) that calls the kfunc name.
	KfuncAllowed(provider, iterator, name string) (bool, error)
}

// PercpuVarEnv is implemented by an Env that knows the kernel's per-CPU
// variables (the BTF variables of vmlinux's .data..percpu section), for
// percpu_kaddr().
type PercpuVarEnv interface {
	// KernelPercpuVar returns the BTF type id of the per-CPU variable
	// name, or an error saying why there is none.
	KernelPercpuVar(name string) (uint32, error)
}

// RawTracepointEnv is implemented by an Env that knows the arguments of
// raw tracepoints (from the btf_trace_<event> types of kernel BTF). The
// checker uses it for rawtracepoint `args`.
type RawTracepointEnv interface {
	// RawTracepointArgs returns the arguments of module's (vmlinux's when
	// "") raw tracepoint event as a KStruct whose fields are at offsets 0,
	// 8, 16... of the raw u64 argument array.
	RawTracepointArgs(module, event string) (*Type, error)
}

// KernelMatchEnv is implemented by an Env that can expand wildcards in
// kernel function and raw tracepoint names (from kernel BTF). The checker
// uses it for kprobe, kretprobe, fentry, fexit and rawtracepoint attach
// points with * or ?.
type KernelMatchEnv interface {
	// MatchKernel returns, sorted, the kernel functions (KernelFunc) or
	// raw tracepoints (KernelRawTracepoint) of module (vmlinux when "")
	// whose names match pattern.
	MatchKernel(kind KernelSymbolKind, module, pattern string) ([]string, error)
}

// KernelSymbolKind is what MatchKernel looks for in kernel BTF.
type KernelSymbolKind string

const (
	// KernelFunc: functions (kprobe, kretprobe, fentry, fexit).
	KernelFunc KernelSymbolKind = "func"
	// KernelRawTracepoint: raw tracepoints (btf_trace_<event> typedefs).
	KernelRawTracepoint KernelSymbolKind = "rawtracepoint"
)

// KernelModuleEnv is implemented by an Env that knows which kernel modules
// have BTF, for module wildcards in kernel attach points
// (rawtracepoint:vmlinu*:sys_exit, kprobe:*:vfs_read).
type KernelModuleEnv interface {
	// MatchKernelModules returns the kernel modules with BTF (vmlinux
	// first, then the others sorted) whose names match pattern.
	MatchKernelModules(pattern string) ([]string, error)
}

// UserSymbolEnv is implemented by an Env that can look up data symbols of
// user-space binaries (ELF .symtab/.dynsym). The checker uses it for
// uaddr("name").
type UserSymbolEnv interface {
	// UserSymbol returns the address and size of symbol name in the ELF
	// file at path.
	UserSymbol(path, name string) (addr, size uint64, err error)
}

// GoEnv is implemented by an Env that recognises Go code, whose functions
// take their integer arguments in Go's registers (rax, rbx, rcx, rdi...),
// not in C's (rdi, rsi, rdx...), so that the checker can say so.
type GoEnv interface {
	// GoFunction reports whether function name of the ELF file at path is
	// Go code (a C function of a cgo program is not).
	GoFunction(path, name string) bool
}

// UserFuncEnv is implemented by an Env that can look up the function
// symbols of user-space binaries by address (ELF .symtab/.dynsym). The
// checker uses it for uprobe:BIN:ADDRESS (func names the function that
// holds the address) and uprobe:BIN:FUNC+OFFSET (the offset must be inside
// the function).
type UserFuncEnv interface {
	// FunctionAt returns the function of the ELF file at path whose range
	// holds the virtual address addr, and addr's offset into it; ok is
	// false when no function does.
	FunctionAt(path string, addr uint64) (name string, offset uint64, ok bool)
	// FunctionSize returns the size of function name of the ELF file at
	// path; ok is false when the file has no such function.
	FunctionSize(path, name string) (size uint64, ok bool)
	// InstructionStart reports whether offset off of function name of the
	// ELF file at path is where an instruction starts, decoding the
	// function's instructions from its start; err says why it cannot
	// tell (an instruction it does not know, an architecture it does not
	// decode).
	InstructionStart(path, name string, off uint64) (bool, error)
}

// ProcessEnv is implemented by an Env that can list the files a process
// has mapped. The checker uses it for usdt probes without a binary under
// -p PID (usdt:NAME, usdt::PROVIDER:NAME): every file of the process is
// searched, as bpftrace does.
type ProcessEnv interface {
	// MappedFiles returns the ELF files process pid has mapped (its
	// program and libraries), in the order of their first mapping.
	MappedFiles(pid int) ([]string, error)
}

// FileSearchEnv is implemented by an Env that can find the files a
// uprobe or usdt target with a wildcard stands for without -p, as bpftrace
// does: "*" is every file a running process maps (AllMappedFiles); another
// pattern globs (GlobFiles: relative results stay relative, and a pattern
// without a '/' also globs in each directory of $PATH).
type FileSearchEnv interface {
	AllMappedFiles() ([]string, error)
	GlobFiles(pattern string) []string
}

// SymbolEnv is implemented by an Env that can look up kernel symbols
// (/proc/kallsyms). The checker uses it for kaddr("name").
type SymbolEnv interface {
	KernelSymbol(name string) (uint64, error)
}

// FuncName is what the func builtin shows for an attach point: the traced
// function's name (the last field of the attach point, without +offset,
// for providers that do not set Func).
func (r *Resolved) FuncName() string {
	if r.Func != "" {
		return r.Func
	}
	if r.Point != nil && len(r.Point.Parts) > 0 {
		f := r.Point.Parts[len(r.Point.Parts)-1]
		for i := 0; i < len(f); i++ {
			if f[i] == '+' {
				return f[:i]
			}
		}
		return f
	}
	return ""
}

// USDTArgKind says how a USDT argument is found.
type USDTArgKind int

const (
	// USDTConst: the argument is the constant Value.
	USDTConst USDTArgKind = iota
	// USDTReg: the argument is in register Reg.
	USDTReg
	// USDTMem: the argument is in user memory at Reg + Value (+ Index*Scale).
	USDTMem
)

// USDTArg is one USDT argument as its note describes it (e.g. "-4@%eax",
// "8@-16(%rbp)", "4@$5"), x86-64 registers named by their 64-bit names
// (rax, rbx, ..., r15, rsp, rbp, rip).
type USDTArg struct {
	Kind USDTArgKind
	// Size in bytes (1, 2, 4 or 8) and signedness of the value.
	Size   int
	Signed bool
	Reg    string
	Value  int64
	// Index and Scale: optional index register of a USDTMem argument.
	Index string
	Scale int
	// Symbol is the variable of a USDTMem argument written
	// "SIZE@NAME(%rip)" (GCC's operand for a global variable): Reg is rip
	// and Value the variable's distance from the probe in the file, so
	// that at the probe, where rip is the probe's own address, rip +
	// Value is the variable wherever the file is loaded.
	Symbol string
}

// UserEnv is implemented by an Env that can answer about user-space
// programs, for uprobe, uretprobe and usdt probes. The checker uses it when
// the Env it is given implements it.
type UserEnv interface {
	// FindBinary resolves the file a probe names: an absolute or relative
	// path, a program on $PATH, or a library name ("libc", "libc.so.6")
	// found like the dynamic loader does. When pid is not 0, libraries the
	// process has mapped come first.
	FindBinary(target string, pid int) (string, error)
	// MatchFunctions returns the names of the function symbols of the ELF
	// file at path that match pattern (* and ? wildcards; a plain name
	// matches itself), sorted and without duplicates.
	MatchFunctions(path, pattern string) ([]string, error)
	// FileOffset converts a virtual address of the ELF file at path to a
	// file offset.
	FileOffset(path string, addr uint64) (uint64, error)
	// USDTProbes returns the USDT probes of the ELF file at path, in note
	// order. Args are parsed; a probe whose arguments cannot be parsed has
	// ArgsErr set.
	USDTProbes(path string) ([]*USDTProbe, error)
}

// BinaryMatchEnv is implemented by a UserEnv that can tell how many
// distinct files a program name (no '/') names in the places FindBinary
// looks (the current directory, then $PATH), so that the checker can say
// which one a uprobe uses when there are several, as bpftrace does.
type BinaryMatchEnv interface {
	// BinaryMatches returns the number of distinct files that target
	// names in the current directory and on $PATH (of process pid, when
	// not 0), and whether bin, the file FindBinary chose, is one of them.
	BinaryMatches(target, bin string, pid int) (n int, among bool)
}

// USDTProbe is one USDT probe of a file, as UserEnv reports it.
type USDTProbe struct {
	Provider, Name string
	// Address is the probe's virtual address; FileOffset where it attaches.
	Address, FileOffset uint64
	// Semaphore is the semaphore's file offset, 0 for none.
	Semaphore uint64
	Args      []*USDTArg
	ArgsErr   error
}

// CgroupEnv is implemented by environments that can resolve cgroupid():
// the cgroup v2 id (the cgroup directory's file handle) of a path.
type CgroupEnv interface {
	CgroupID(path string) (uint64, error)
}

// TypeEnv is implemented by an Env that knows the kernel's C types (from
// kernel BTF). The checker uses it for curtask, casts to struct pointers,
// member access, sizeof, offsetof and enum constants. Implementations load
// BTF on first use, so scripts that name no kernel type never pay for it.
type TypeEnv interface {
	// KernelType resolves a C type name: "struct task_struct",
	// "union bpf_attr", "enum skb_drop_reason", or a typedef or base type
	// name ("pid_t", "task_struct" for a struct without the keyword).
	// Structs and unions come with their Fields; members whose type is a
	// named struct have that struct without Fields (resolve it by name).
	// found is false when BTF has no such type.
	KernelType(name string) (t *Type, found bool, err error)
	// KernelEnumerator returns the value and enum type of a kernel enum
	// constant such as SKB_DROP_REASON_NOT_SPECIFIED.
	KernelEnumerator(name string) (value int64, t *Type, found bool, err error)
	// KernelStructNames lists the struct and union names of kernel BTF
	// ("struct x", "union y"), for suggestions.
	KernelStructNames() ([]string, error)
}

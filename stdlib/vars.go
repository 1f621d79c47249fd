package stdlib

import (
	"sort"
	"strconv"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// Var is a builtin variable such as pid or comm.
type Var struct {
	Name string
	// Type is the value's type; nil when the checker derives it from the
	// probe (args, probe, retval, func).
	Type *lang.Type
	// Providers lists the canonical providers where the variable is valid;
	// nil means every provider.
	Providers []probetype.Type
	// Supported is true when codegen emits it.
	Supported bool
	Doc       string
}

// MaxArgN is the highest argN of the probes whose arguments are in
// registers (arg0..arg5 on x86-64). A USDT probe has as many as its note
// gives (sys/sdt.h writes up to 12), so argN parses for any N and the
// checker holds the others to MaxArgN.
const MaxArgN = 5

// Vars lists the builtin variables. "argN" stands for arg0, arg1, ...
var Vars = []*Var{
	{Name: "pid", Type: lang.TUint32, Supported: true, Doc: "Process ID (thread group ID) of the current task."},
	{Name: "tid", Type: lang.TUint32, Supported: true, Doc: "Thread ID of the current task."},
	{Name: "uid", Type: lang.TUint64, Supported: true, Doc: "User ID of the current task."},
	{Name: "gid", Type: lang.TUint64, Supported: true, Doc: "Group ID of the current task."},
	{Name: "comm", Type: lang.StringType(16), Supported: true, Doc: "Name of the current thread (16 bytes, NUL included)."},
	{Name: "nsecs", Type: lang.TUint64, Supported: true, Doc: "Nanosecond timestamp of the monotonic clock (bpf_ktime_get_ns)."},
	{Name: "elapsed", Type: lang.TUint64, Supported: true, Doc: "Nanoseconds since gobpftrace started tracing."},
	{Name: "cpu", Type: lang.TUint32, Supported: true, Doc: "ID of the CPU running the probe."},
	{Name: "rand", Type: lang.TUint32, Supported: true, Doc: "A pseudo-random 32-bit number."},
	{Name: "cgroup", Type: lang.TUint64, Supported: true, Doc: "cgroup v2 ID of the current task."},
	{Name: "jiffies", Type: lang.TUint64, Supported: true, Doc: "The kernel's 64-bit jiffies counter."},
	{Name: "numaid", Type: lang.TUint32, Supported: true, Doc: "NUMA node running the probe."},
	{Name: "ctx", Supported: true, Doc: "The probe's context. In iter probes, the iterator's: ctx.task (iter:task), ctx.task, ctx.fd and ctx.file (iter:task_file), ctx.task and ctx.vma (iter:task_vma). In any other probe, the address of the program's context as a uint64 to cast (struct pt_regs for kprobes and uprobes, the record of a tracepoint, struct bpf_perf_event_data for profile and interval probes): ((struct x *)ctx)->field."},
	{Name: "curtask", Type: &lang.Type{Kind: lang.KPtr, Size: 8, Elem: &lang.Type{Kind: lang.KStruct, Name: "struct task_struct"}}, Supported: true, Doc: "The current task: a struct task_struct * whose members read safely (curtask->pid, curtask->real_parent->tgid); a uint64 address without kernel BTF."},
	{Name: "probe", Supported: true, Doc: "Full name of the probe that fired, e.g. tracepoint:syscalls:sys_enter_openat."},
	{Name: "args", Providers: ArgsProviders, Supported: true, Doc: "The probe's typed arguments as a struct: args.field or args->field."},
	{Name: "argN", Type: lang.TUint64, Providers: ArgNProviders, Supported: true, Doc: "Function argument N: arg0..arg5 from registers (kprobe, uprobe, rawtracepoint); in usdt probes every argument the probe's note describes (up to arg11 with sys/sdt.h)."},
	{Name: "retval", Type: lang.TUint64, Providers: RetvalProviders, Supported: true, Doc: "Return value of the traced function."},
	{Name: "func", Providers: FuncProviders, Supported: true, Doc: "Name of the traced function."},
	{Name: "kstack", Supported: true, Doc: "Kernel stack trace of the current task."},
	{Name: "ustack", Supported: true, Doc: "User-space stack trace of the current task."},
	{Name: "username", Supported: true, Doc: "User name of the current task's uid, looked up in user space (/etc/passwd) when printed."},
	{Name: "cpid", Supported: true, Type: lang.TUint32, Doc: "PID of the child started with -c."},
	{Name: "has_cpid", Type: lang.TBool, Supported: true, Doc: "Whether cpid has a value: true when gobpftrace started a command with -c."},
	{Name: "usermode", Type: lang.TUint8, Supported: true, Doc: "1 when the probe interrupted the task in user mode (x86-64: the saved cs of kprobe, uprobe, usdt and profile probes), else 0; 0 in probes that run in the kernel (tracepoints), 1 in BEGIN and END (they run on behalf of gobpftrace)."},
	{Name: "ncpus", Type: lang.TUint64, Supported: true, Doc: "Number of possible CPUs, as the runtime counts them at start."},
	{Name: "pcomm", Type: lang.StringType(16), Supported: true, Doc: "Name of the current process (its group leader's comm)."},
	{Name: "leader_tid", Type: lang.TUint32, Supported: true, Doc: "Thread ID of the current task's thread-group leader (curtask->group_leader->pid); leader_tid() too."},
	{Name: "leader_comm", Type: lang.StringType(16), Supported: true, Doc: "Name of the current task's thread-group leader (curtask->group_leader->comm); leader_comm() too."},
	{Name: "ppid", Type: lang.TUint32, Supported: true, Doc: "PID of the current task's parent."},
	{Name: "probetype", Supported: true, Doc: "Provider of the probe that fired, e.g. tracepoint; BEGIN and END probes are \"special\"."},
}

var varByName = func() map[string]*Var {
	m := map[string]*Var{}
	for _, v := range Vars {
		m[v.Name] = v
	}
	return m
}()

// LookupVar returns the builtin variable for name (arg0, arg1, ... map to
// the "argN" entry), or nil.
func LookupVar(name string) *Var {
	if v := varByName[name]; v != nil {
		return v
	}
	if _, ok := ArgIndex(name); ok {
		return varByName["argN"]
	}
	return nil
}

// ArgIndex parses "argN" and returns N.
func ArgIndex(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, "arg")
	if !ok || rest == "" || (len(rest) > 1 && rest[0] == '0') {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// VarNames returns the builtin variable names (arg0 standing for argN), sorted.
func VarNames() []string {
	var out []string
	for _, v := range Vars {
		if v.Name == "argN" {
			out = append(out, "arg0")
			continue
		}
		out = append(out, v.Name)
	}
	sort.Strings(out)
	return out
}

// Package probetype names the probe providers (tracepoint, kprobe, uprobe,
// ...) as a typed value and describes each in one table: its aliases, whether
// it is supported, and the properties the checker, code generation and the
// runtime ask about (pt_regs context, user space, return probe).
package probetype

import "sort"

// Type is a provider by its canonical name. Code compares and switches
// on these constants, never on the names' text; what differs between
// providers is in the Providers table.
type Type string

// The providers gobpftrace knows.
const (
	Begin           Type = "BEGIN"
	End             Type = "END"
	Tracepoint      Type = "tracepoint"
	Interval        Type = "interval"
	Profile         Type = "profile"
	Software        Type = "software"
	Hardware        Type = "hardware"
	Kprobe          Type = "kprobe"
	Kretprobe       Type = "kretprobe"
	Uprobe          Type = "uprobe"
	Uretprobe       Type = "uretprobe"
	USDT            Type = "usdt"
	Fentry          Type = "fentry"
	Fexit           Type = "fexit"
	RawTracepoint   Type = "rawtracepoint"
	Watchpoint      Type = "watchpoint"
	AsyncWatchpoint Type = "asyncwatchpoint"
	Iter            Type = "iter"
	Self            Type = "self"
	Bench           Type = "bench"
	Test            Type = "test"
)

// Info describes one probe type.
type Info struct {
	// Name is canonical: BEGIN, END, tracepoint, interval, ...
	Name Type
	// Aliases are other spellings accepted in scripts ("t", "kfunc", "begin").
	Aliases []string
	// Supported is true when codegen and runtime handle the provider end to end.
	Supported bool
	// Special probes (BEGIN, END) are run by the runtime, not attached.
	Special bool
	// Context is struct pt_regs: kprobes and user-space probes.
	PtRegs bool
	// UserSpace probes run on a user task's registers, where plain integer
	// addresses (arg0, retval...) point to user memory.
	UserSpace bool
	// Return probes fire when the traced function returns.
	Return bool
	Doc    string
}

// All is every probe provider gobpftrace knows, supported or not.
// Flip Supported as later stages learn a provider.
var All = []*Info{
	{Name: Begin, Aliases: []string{"begin"}, Supported: true, Special: true, Doc: "Runs once when tracing starts, before any other probe fires."},
	{Name: End, Aliases: []string{"end"}, Supported: true, Special: true, Doc: "Runs once when tracing stops, before the maps are printed."},
	{Name: Tracepoint, Aliases: []string{"t"}, Supported: true, Doc: "Kernel static tracepoint category:event; its fields are in args."},
	{Name: Interval, Aliases: []string{"i"}, Supported: true, Doc: "Fires on one CPU every period: interval:s:1, interval:ms:100, interval:1s, interval:hz:99."},
	{Name: Profile, Aliases: []string{"p"}, Supported: true, Doc: "Fires on every CPU at a frequency or period (timed sampling)."},
	{Name: Software, Aliases: []string{"s"}, Supported: true, Doc: "Kernel software perf event such as cpu-clock or page-faults."},
	{Name: Hardware, Aliases: []string{"h"}, Supported: true, Doc: "Processor perf counter event such as cache-misses."},
	{Name: Kprobe, Aliases: []string{"k"}, Supported: true, PtRegs: true, Doc: "Dynamic kernel function entry."},
	{Name: Kretprobe, Aliases: []string{"kr"}, Supported: true, PtRegs: true, Return: true, Doc: "Dynamic kernel function return."},
	{Name: Uprobe, Supported: true, Aliases: []string{"u"}, PtRegs: true, UserSpace: true, Doc: "Dynamic user-space function entry."},
	{Name: Uretprobe, Supported: true, Aliases: []string{"ur"}, PtRegs: true, UserSpace: true, Return: true, Doc: "Dynamic user-space function return."},
	{Name: USDT, Supported: true, Aliases: []string{"U"}, PtRegs: true, UserSpace: true, Doc: "User-space statically defined tracepoint."},
	{Name: Fentry, Aliases: []string{"f", "kfunc"}, Supported: true, Doc: "Kernel function entry through BTF (typed args)."},
	{Name: Fexit, Aliases: []string{"fr", "kretfunc"}, Supported: true, Return: true, Doc: "Kernel function return through BTF (typed args and retval)."},
	{Name: RawTracepoint, Aliases: []string{"rt"}, Supported: true, Doc: "Kernel tracepoint with raw (untranslated) arguments."},
	{Name: Watchpoint, Aliases: []string{"w"}, Doc: "Hardware memory watchpoint."},
	{Name: AsyncWatchpoint, Aliases: []string{"aw"}, Doc: "Asynchronous hardware memory watchpoint."},
	{Name: Iter, Aliases: []string{"it"}, Supported: true, Doc: "BPF iterator over kernel objects (iter:task, iter:task_file, iter:task_vma, iter:tcp, iter:ksym... as -l 'iter:*' lists them): runs once per object, its fields in ctx, then the script ends."},
	{Name: Self, Supported: true, Special: true, Doc: "Runs when gobpftrace itself gets an event: self:signal:SIGUSR1 each time the process receives SIGUSR1."},
	{Name: Bench, Supported: true, Special: true, Doc: "A micro benchmark run repeatedly by --mode bench (ignored otherwise), which prints the time one run takes."},
	{Name: Test, Supported: true, Special: true, Doc: "A test run once by --mode test (ignored otherwise): it passes when it returns 0, reports no error (errorf, assert) and does not exit with a non-zero code."},
}

// IterTargets are the iterators iter probes name most: the kernel's
// bpf_iter_NAME targets are the full list (kernel BTF has a function of
// that name and a struct bpf_iter__NAME, its context), and any of them
// that needs no map works. The program skips the kernel's last call,
// which passes no object: the first field of the context after meta is
// then NULL, for every iterator.
var IterTargets = []string{"task", "task_file", "task_vma"}

// IterMapTargets are the iterators over one map's elements (a BPF map, a
// sockmap, a socket storage map): attaching one needs the map, which an
// iter probe cannot name.
var IterMapTargets = []string{"bpf_map_elem", "bpf_sk_storage_map", "sockmap"}

var byName = func() map[string]*Info {
	m := map[string]*Info{}
	for _, p := range All {
		m[string(p.Name)] = p
		for _, a := range p.Aliases {
			m[a] = p
		}
	}
	return m
}()

// Lookup returns the provider for a name or alias, or nil.
func Lookup(name string) *Info { return byName[name] }

// Names returns every canonical provider name, sorted.
func Names() []string {
	var out []string
	for _, p := range All {
		out = append(out, string(p.Name))
	}
	sort.Strings(out)
	return out
}

// info is the table row of t; every Type constant has one.
func (t Type) info() *Info {
	if p := byName[string(t)]; p != nil && p.Name == t {
		return p
	}
	return &Info{Name: t}
}

// PtRegs reports whether t's programs see struct pt_regs as their context.
func (t Type) PtRegs() bool { return t.info().PtRegs }

// UserSpace reports whether t probes user-space code.
func (t Type) UserSpace() bool { return t.info().UserSpace }

// Return reports whether t fires when a function returns.
func (t Type) Return() bool { return t.info().Return }

// Special reports whether t is BEGIN or END, run rather than attached.
func (t Type) Special() bool { return t.info().Special }

// String is the canonical name.
func (t Type) String() string { return string(t) }

// Bare reports whether name, as written in a script, is a probe that
// takes no target: BEGIN or END, in either spelling (begin, end).
func Bare(name string) bool {
	p := byName[name]
	return p != nil && (p.Name == Begin || p.Name == End)
}

// BinaryFirst reports whether name, as written (aliases included), is a
// provider whose first part is a binary: uprobe, uretprobe, usdt.
func BinaryFirst(name string) bool {
	p := byName[name]
	return p != nil && p.UserSpace
}

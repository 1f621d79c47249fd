package stdlib

import "sort"

// Provider describes one probe type.
type Provider struct {
	// Name is canonical: BEGIN, END, tracepoint, interval, ...
	Name string
	// Aliases are other spellings accepted in scripts ("t", "kfunc", "begin").
	Aliases []string
	// Supported is true when codegen and runtime handle the provider end to end.
	Supported bool
	Doc       string
}

// Providers is every probe provider gobpftrace knows, supported or not.
// Flip Supported as later stages learn a provider.
var Providers = []*Provider{
	{Name: "BEGIN", Aliases: []string{"begin"}, Supported: true, Doc: "Runs once when tracing starts, before any other probe fires."},
	{Name: "END", Aliases: []string{"end"}, Supported: true, Doc: "Runs once when tracing stops, before the maps are printed."},
	{Name: "tracepoint", Aliases: []string{"t"}, Supported: true, Doc: "Kernel static tracepoint category:event; its fields are in args."},
	{Name: "interval", Aliases: []string{"i"}, Supported: true, Doc: "Fires on one CPU every period: interval:s:1, interval:ms:100, interval:1s, interval:hz:99."},
	{Name: "profile", Aliases: []string{"p"}, Supported: true, Doc: "Fires on every CPU at a frequency or period (timed sampling)."},
	{Name: "software", Aliases: []string{"s"}, Supported: true, Doc: "Kernel software perf event such as cpu-clock or page-faults."},
	{Name: "hardware", Aliases: []string{"h"}, Supported: true, Doc: "Processor perf counter event such as cache-misses."},
	{Name: "kprobe", Aliases: []string{"k"}, Supported: true, Doc: "Dynamic kernel function entry."},
	{Name: "kretprobe", Aliases: []string{"kr"}, Supported: true, Doc: "Dynamic kernel function return."},
	{Name: "uprobe", Supported: true, Aliases: []string{"u"}, Doc: "Dynamic user-space function entry."},
	{Name: "uretprobe", Supported: true, Aliases: []string{"ur"}, Doc: "Dynamic user-space function return."},
	{Name: "usdt", Supported: true, Aliases: []string{"U"}, Doc: "User-space statically defined tracepoint."},
	{Name: "fentry", Aliases: []string{"f", "kfunc"}, Supported: true, Doc: "Kernel function entry through BTF (typed args)."},
	{Name: "fexit", Aliases: []string{"fr", "kretfunc"}, Supported: true, Doc: "Kernel function return through BTF (typed args and retval)."},
	{Name: "rawtracepoint", Aliases: []string{"rt"}, Supported: true, Doc: "Kernel tracepoint with raw (untranslated) arguments."},
	{Name: "watchpoint", Aliases: []string{"w"}, Doc: "Hardware memory watchpoint."},
	{Name: "asyncwatchpoint", Aliases: []string{"aw"}, Doc: "Asynchronous hardware memory watchpoint."},
	{Name: "iter", Aliases: []string{"it"}, Doc: "BPF iterator over kernel objects."},
}

var providerByName = func() map[string]*Provider {
	m := map[string]*Provider{}
	for _, p := range Providers {
		m[p.Name] = p
		for _, a := range p.Aliases {
			m[a] = p
		}
	}
	return m
}()

// LookupProvider returns the provider for a name or alias, or nil.
func LookupProvider(name string) *Provider { return providerByName[name] }

// ProviderNames returns every canonical provider name, sorted.
func ProviderNames() []string {
	var out []string
	for _, p := range Providers {
		out = append(out, p.Name)
	}
	sort.Strings(out)
	return out
}

// Provider groups used by builtin rules.
var (
	// ArgsProviders have a typed `args` struct.
	ArgsProviders = []string{"tracepoint", "rawtracepoint", "fentry", "fexit", "uprobe", "uretprobe"}
	// ArgNProviders have arg0..argN read from registers.
	ArgNProviders = []string{"kprobe", "uprobe", "usdt", "rawtracepoint"}
	// RetvalProviders are return probes.
	RetvalProviders = []string{"kretprobe", "uretprobe", "fexit"}
	// FuncProviders trace a function, so `func` names it.
	FuncProviders = []string{"kprobe", "kretprobe", "uprobe", "uretprobe", "fentry", "fexit"}
	// RegsProviders run with user or kernel registers at hand.
	RegsProviders = []string{"kprobe", "kretprobe", "uprobe", "uretprobe", "usdt", "profile"}
)

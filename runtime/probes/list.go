package probes

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/cilium/ebpf/btf"

	"github.com/gobpftrace/gobpftrace/runtime/ktypes"
	"github.com/gobpftrace/gobpftrace/runtime/tracefs"
	"github.com/gobpftrace/gobpftrace/runtime/usdt"
	"github.com/gobpftrace/gobpftrace/stdlib"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// ListProbes writes the probes that match pattern, one per line, as
// `bpftrace -l` does; verbose (-lv) adds each probe's arguments (tracepoint
// fields, fentry/fexit parameters and retval). An empty pattern lists every
// provider that can be listed. The pattern is provider:rest with * and ?
// wildcards; a pattern without ':' matches whole probe names of every
// provider. Tracepoints are listed from tracefs directory names only
// (formats are read for -lv alone); kernel functions and raw tracepoints
// from kernel BTF, loaded only when the pattern names those providers;
// uprobes from the ELF symbols of the binary the pattern names.
//
// Warnings (kernel functions listed on a kernel without kprobes) go to
// warn.
//
// pid, when not 0, is -p PID: library names resolve among the libraries
// the process has mapped first, and `uprobe:*:PATTERN` or `usdt:*:...`
// search every file it has mapped, as in bpftrace.
//
// A pattern may name several, separated by commas
// ("tracepoint:syscalls:sys_enter_openat,uprobe:./app:main"), listed in
// turn as bpftrace lists them; blanks around each are ignored, and so is
// an empty one (a trailing comma lists nothing more, not everything).
func List(w, warn io.Writer, pattern string, verbose bool, pid int) error {
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	l := &lister{w: bw, warn: warn, verbose: verbose, pid: pid}
	parts := strings.Split(pattern, ",")
	for _, part := range parts {
		part = strings.TrimSpace(part)
		if part == "" && len(parts) > 1 {
			continue
		}
		if err := l.list(part); err != nil {
			return err
		}
	}
	return nil
}

type lister struct {
	w       *bufio.Writer
	pid     int
	warn    io.Writer
	warned  bool
	verbose bool
	// noDWARF are the binaries -lv already warned have no debug
	// information (once each, as bpftrace warns).
	noDWARF map[string]bool
	// funcNames and rawTPs are kernel BTF's function and raw tracepoint
	// names (kernelBTFNames), read once.
	funcNames, rawTPs []string
	namesErr          error
	namesDone         bool
	btf               *btf.Spec
	btfErr            error
	btfDone           bool
}

// kernelListOrder are the providers a wildcard provider pattern lists, in
// bpftrace's order (by name; return probes, which list the same places as
// entry probes, only when named). User-space providers are listed when
// named, or when the pattern names an existing binary.
var kernelListOrder = []probetype.Type{probetype.Fentry, probetype.Hardware, probetype.Interval, probetype.Iter, probetype.Kprobe, probetype.Profile, probetype.RawTracepoint, probetype.Software, probetype.Tracepoint}

// timeUnits are the units interval and profile probes list.
var timeUnits = []string{"hz", "ms", "ns", "s", "us"}

func (l *lister) list(pattern string) error {
	if kind, _, ok := strings.Cut(pattern, " "); ok && (kind == "struct" || kind == "union" || kind == "enum") {
		return l.cTypes(pattern)
	}
	provPat, rest, structured := strings.Cut(pattern, ":")
	if provPat == "" {
		provPat = "*"
	}
	if !structured {
		if HasWildcard(provPat) {
			// A wildcard word without ':' ("*sleep*") matches the
			// probes' names after their provider, as bpftrace's "*:WORD".
			provPat, rest = "*", provPat
		} else {
			// A provider's name lists every probe of it.
			rest = "*"
		}
	}
	if !HasWildcard(provPat) {
		p := probetype.Lookup(provPat)
		if p == nil {
			return fmt.Errorf("Invalid probe type: %s", provPat)
		}
		return l.provider(string(p.Name), rest, string(p.Name)+":"+rest)
	}
	for _, pt := range kernelListOrder {
		if prov := string(pt); WildcardMatch(provPat, prov) {
			if err := l.provider(prov, rest, prov+":"+rest); err != nil {
				return err
			}
		}
	}
	// A wildcard provider lists user-space probes only of a named binary,
	// or with -p those of the process.
	if bin, _, ok := strings.Cut(rest, ":"); l.pid != 0 || (ok && bin != "" && !HasWildcard(bin) && isFile(bin)) {
		for _, pt := range []probetype.Type{probetype.Uprobe, probetype.USDT} {
			if prov := string(pt); WildcardMatch(provPat, prov) {
				if err := l.provider(prov, rest, prov+":"+rest); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func isFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

// provider lists one provider's probes whose names match full; rest (the
// pattern after the provider) narrows what is read.
func (l *lister) provider(prov, rest, full string) error {
	match := func(name string) bool { return WildcardMatch(full, name) || full == "*" }
	pt := probetype.Type(prov)
	switch pt {
	case probetype.Tracepoint:
		if !strings.Contains(rest, ":") {
			// tracepoint:EVENT searches every category.
			full = "tracepoint:*:" + rest
			rest = "*:" + rest
		}
		return l.tracepoints(rest, func(name string) bool { return WildcardMatch(full, name) })
	case probetype.Software, probetype.Hardware:
		list := stdlib.SoftwareEvents
		if pt == probetype.Hardware {
			list = stdlib.HardwareEvents
		}
		var names []string
		for _, e := range list {
			names = append(names, e.Name)
			if e.Alias != "" {
				names = append(names, e.Alias)
			}
		}
		sort.Strings(names)
		for _, n := range names {
			name := prov + ":" + n + ":"
			if match(name) || match(prov+":"+n) {
				fmt.Fprintln(l.w, name)
			}
		}
		return nil
	case probetype.Kprobe, probetype.Kretprobe, probetype.Fentry, probetype.Fexit:
		return l.kernelFuncs(prov, match)
	case probetype.RawTracepoint:
		return l.rawTracepoints(match)
	case probetype.Uprobe, probetype.Uretprobe:
		return l.uprobes(prov, rest)
	case probetype.USDT:
		return l.usdt(rest)
	case probetype.Interval, probetype.Profile:
		for _, u := range timeUnits {
			name := prov + ":" + u + ":"
			if match(name) || match(prov+":"+u) {
				fmt.Fprintln(l.w, name)
			}
		}
		return nil
	case probetype.Iter:
		return l.iters(match)
	case probetype.Begin, probetype.End, probetype.Self, probetype.Bench, probetype.Test:
		return nil
	}
	return fmt.Errorf("%s probes cannot be listed", prov)
}

// tracepoints lists tracepoint:category:event from directory names; the
// category part of rest narrows the directories read.
func (l *lister) tracepoints(rest string, match func(string) bool) error {
	dir, err := tracefs.Dir()
	if err != nil {
		return err
	}
	events := filepath.Join(dir, "events")
	catPat := "*"
	if c, _, ok := strings.Cut(rest, ":"); ok {
		catPat = c
	}
	cats, err := subdirs(events)
	if err != nil {
		return err
	}
	tf := NewTracefsAt(dir)
	type tp struct{ cat, ev, name string }
	var tps []tp
	for _, c := range cats {
		// ftrace's own events are not tracepoints one can attach to
		// (attachableCategory).
		if !attachableCategory(c) || !WildcardMatch(catPat, c) {
			continue
		}
		evs, err := subdirs(filepath.Join(events, c))
		if err != nil {
			continue
		}
		for _, e := range evs {
			name := "tracepoint:" + c + ":" + e
			if match(name) {
				tps = append(tps, tp{c, e, name})
			}
		}
	}
	// Sorted as whole names, as bpftrace does ("fib6:..." before "fib:...").
	sort.Slice(tps, func(i, j int) bool { return tps[i].name < tps[j].name })
	for _, p := range tps {
		fmt.Fprintln(l.w, p.name)
		if !l.verbose {
			continue
		}
		f, err := tf.Format(p.cat, p.ev)
		if err != nil {
			continue
		}
		for _, fld := range f.Fields {
			if !fld.Common() {
				fmt.Fprintf(l.w, "    %s\n", fld.Decl)
			}
		}
	}
	return nil
}

func (l *lister) kernelBTF() (*btf.Spec, error) {
	if !l.btfDone {
		l.btf, l.btfErr = loadKernelBTF("")
		l.btfDone = true
	}
	return l.btf, l.btfErr
}

// kernelNames reads kernel BTF's function and raw tracepoint names once.
func (l *lister) kernelNames() ([]string, []string, error) {
	if !l.namesDone {
		l.funcNames, l.rawTPs, l.namesErr = kernelBTFNames()
		l.namesDone = true
	}
	return l.funcNames, l.rawTPs, l.namesErr
}

// kernelFuncs lists kernel functions: kprobe:func, fentry:vmlinux:func.
// The kprobe list is that of available_filter_functions, as in bpftrace,
// when it can be read; otherwise (here) the functions of kernel BTF are
// the candidates. Both lists leave out what bpftrace leaves out: .part.N
// clones, functions known to hang the machine when traced, and the
// kprobes blacklist. Names come from a walk of BTF's records; types are
// decoded only for -lv.
func (l *lister) kernelFuncs(prov string, match func(string) bool) error {
	pt := probetype.Type(prov)
	kprobe := pt == probetype.Kprobe || pt == probetype.Kretprobe
	var names []string
	if kprobe {
		names = traceableFunctions()
	}
	if names == nil {
		funcs, _, err := l.kernelNames()
		if err != nil {
			return fmt.Errorf("cannot list %s probes: reading kernel BTF: %v", prov, err)
		}
		names = funcs
	}
	blocked := kprobeBlacklist()
	var out []string
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] || strings.Contains(n, ".part.") || badTraceFunction(n) || blocked[n] {
			continue
		}
		seen[n] = true
		name := prov + ":" + n
		if pt == probetype.Fentry || pt == probetype.Fexit {
			name = prov + ":vmlinux:" + n
		}
		if match(name) || match(prov+":"+n) {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	if kprobe && len(out) > 0 && !tracefs.HasKprobes() && !l.warned {
		l.warned = true
		from := "the functions of kernel BTF"
		if traceableFile != "" {
			from = "the functions of " + traceableFile
		}
		fmt.Fprintf(l.warn, "WARNING: this kernel has no kprobes (it was built without CONFIG_KPROBES): the kprobe and kretprobe probes listed, %s, cannot be attached here\n", from)
	}
	var spec *btf.Spec
	if l.verbose && len(out) > 0 {
		spec, _ = l.kernelBTF()
	}
	for _, n := range out {
		if pt == probetype.Fentry || pt == probetype.Fexit {
			fmt.Fprintf(l.w, "%s:vmlinux:%s\n", prov, n)
		} else {
			fmt.Fprintf(l.w, "%s:%s\n", prov, n)
		}
		if spec == nil {
			continue
		}
		var proto *btf.FuncProto
		types, _ := spec.AnyTypesByName(n)
		for _, t := range types {
			if fn, ok := t.(*btf.Func); ok {
				proto, _ = fn.Type.(*btf.FuncProto)
				break
			}
		}
		if proto == nil {
			continue
		}
		// kprobes show the parameters, kretprobes the return value,
		// fentry and fexit both.
		if pt != probetype.Kretprobe {
			for _, p := range proto.Params {
				fmt.Fprintf(l.w, "    %s\n", cDecl(p.Type, p.Name))
			}
		}
		if _, void := proto.Return.(*btf.Void); pt != probetype.Kprobe && !void && proto.Return != nil {
			fmt.Fprintf(l.w, "    %s\n", cDecl(proto.Return, "retval"))
		}
	}
	return nil
}

// badTraceFunction reports the functions bpftrace never lists: tracing
// them is known to hang the machine (from the kernel's kprobe_multi
// selftests).
func badTraceFunction(name string) bool {
	switch name {
	case "arch_cpu_idle", "default_idle", "bpf_dispatcher_xdp_func":
		return true
	}
	return strings.HasPrefix(name, "__ftrace_invalid_address__") || strings.HasPrefix(name, "rcu_")
}

// traceableFile is --traceable-functions FILE, read in place of
// available_filter_functions (SetTraceableFunctions).
var traceableFile string

// SetTraceableFunctions makes kprobe listings take their candidates from
// path, a list in available_filter_functions' format ("name [module]" per
// line), as bpftrace's --traceable-functions does: for kernels whose
// tracefs does not give the list. Set once, before listing.
func SetTraceableFunctions(path string) { traceableFile = path }

// traceableFunctions reads available_filter_functions ("name [module]"
// lines), or the --traceable-functions file: the functions kprobes can
// trace. nil when it cannot be read.
func traceableFunctions() []string {
	path := traceableFile
	if path == "" {
		dir, err := tracefs.Dir()
		if err != nil {
			return nil
		}
		path = filepath.Join(dir, "available_filter_functions")
	}
	data, err := os.ReadFile(path)
	if err != nil || len(data) == 0 {
		return nil
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			out = append(out, f[0])
		}
	}
	return out
}

// kprobeBlacklist reads debugfs's kprobes/blacklist ("start-end name"
// lines), the functions kprobes refuse; empty when it cannot be read.
func kprobeBlacklist() map[string]bool {
	out := map[string]bool{}
	data, err := os.ReadFile("/sys/kernel/debug/kprobes/blacklist")
	if err != nil {
		return out
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 {
			out[f[1]] = true
		}
	}
	return out
}

// rawTracepoints lists the kernel's raw tracepoints: the btf_trace_<event>
// typedefs of vmlinux BTF, then those of each loaded module with BTF (as
// rawtracepoint:MODULE:EVENT; a pattern without a module matches the
// event in any of them, as bpftrace's rawtracepoint:*:EVENT).
func (l *lister) rawTracepoints(match func(string) bool) error {
	if err := l.vmlinuxRawTracepoints(match); err != nil {
		return err
	}
	modules, err := kernelModulesWithBTF()
	if err != nil {
		return nil // vmlinux's are listed; no module list without sysfs
	}
	for _, mod := range modules {
		spec, err := loadModuleBTF(mod)
		if err != nil {
			continue // unloaded since, or unreadable: nothing to attach to
		}
		events, err := moduleRawTracepoints(spec)
		if err != nil {
			return fmt.Errorf("cannot list rawtracepoint probes of %s: %v", mod, err)
		}
		for _, ev := range events {
			l.rawTracepoint(mod, ev, spec, match)
		}
	}
	return nil
}

// rawTracepointArgs lists a raw tracepoint's arguments, for -lv.
func (l *lister) rawTracepointArgs(spec *btf.Spec, ev string) {
	if proto, err := rawTracepointProto(spec, ev); err == nil {
		for i, p := range proto.Params[1:] {
			pname := p.Name
			if pname == "" {
				pname = fmt.Sprintf("arg%d", i)
			}
			fmt.Fprintf(l.w, "    %s\n", cDecl(p.Type, pname))
		}
	}
}

// vmlinuxRawTracepoints lists the raw tracepoints of vmlinux BTF.
func (l *lister) vmlinuxRawTracepoints(match func(string) bool) error {
	_, tps, err := l.kernelNames()
	if err != nil {
		return fmt.Errorf("cannot list rawtracepoint probes: reading kernel BTF: %v", err)
	}
	names := append([]string(nil), tps...)
	sort.Strings(names)
	var spec *btf.Spec
	if l.verbose {
		if spec, err = l.kernelBTF(); err != nil {
			return fmt.Errorf("cannot list rawtracepoint probes: %v", err)
		}
	}
	for i, ev := range names {
		if i > 0 && names[i-1] == ev {
			continue
		}
		l.rawTracepoint("vmlinux", ev, spec, match)
	}
	return nil
}

// rawTracepoint lists raw tracepoint ev of module mod (and its arguments,
// for -lv, from spec) if match takes its full name or the name without
// the module.
func (l *lister) rawTracepoint(mod, ev string, spec *btf.Spec, match func(string) bool) {
	name := "rawtracepoint:" + mod + ":" + ev
	if !match(name) && !match("rawtracepoint:"+ev) {
		return
	}
	fmt.Fprintln(l.w, name)
	if l.verbose {
		l.rawTracepointArgs(spec, ev)
	}
}

// iters lists the kernel's iterators, as iter:NAME in name order: those
// for which kernel BTF has a bpf_iter_NAME target function and its
// context, struct bpf_iter__NAME (as bpftrace finds them). -lv adds the
// fields of ctx, the target function's parameters after meta.
func (l *lister) iters(match func(string) bool) error {
	spec, err := l.kernelBTF()
	if err != nil {
		return fmt.Errorf("cannot list iter probes: reading kernel BTF: %v", err)
	}
	for _, it := range kernelIterators(spec) {
		if !match("iter:" + it.name) {
			continue
		}
		fmt.Fprintln(l.w, "iter:"+it.name)
		if !l.verbose {
			continue
		}
		for _, p := range it.proto.Params[min(1, len(it.proto.Params)):] {
			fmt.Fprintf(l.w, "    %s\n", cDecl(p.Type, p.Name))
		}
	}
	return nil
}

// kernelIterator is one bpf_iter target of kernel BTF.
type kernelIterator struct {
	name  string
	proto *btf.FuncProto
}

// kernelIterators finds the iterators of spec, sorted by name.
func kernelIterators(spec *btf.Spec) []kernelIterator {
	contexts := map[string]bool{}
	var funcs []*btf.Func
	for t, err := range spec.All() {
		if err != nil {
			break
		}
		switch t := t.(type) {
		case *btf.Struct:
			if name, ok := strings.CutPrefix(t.Name, "bpf_iter__"); ok {
				contexts[name] = true
			}
		case *btf.Func:
			if strings.HasPrefix(t.Name, "bpf_iter_") {
				funcs = append(funcs, t)
			}
		}
	}
	var out []kernelIterator
	for _, fn := range funcs {
		name := strings.TrimPrefix(fn.Name, "bpf_iter_")
		proto, ok := fn.Type.(*btf.FuncProto)
		if ok && contexts[name] {
			out = append(out, kernelIterator{name, proto})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// uprobes lists the function symbols of the binary in
// uprobe:PATH:pattern.
func (l *lister) uprobes(prov, rest string) error {
	path, symPat, ok := strings.Cut(rest, ":")
	if !ok && l.pid != 0 {
		// -p PID: uprobe:PATTERN searches every file of the process.
		path, symPat, ok = "*", rest, true
	}
	if !ok || path == "" {
		return fmt.Errorf("listing %s probes needs a binary: %s:/path/to/binary:pattern (%s:*:pattern for every running process)", prov, prov, prov)
	}
	if symPat == "" {
		symPat = "*"
	}
	bins, err := l.binaries(prov, path)
	if err != nil {
		return err
	}
	for _, bf := range bins {
		names, err := matchFunctions(bf.path, "*")
		if err != nil {
			if len(bins) > 1 {
				continue
			}
			return err
		}
		var out []string
		seen := map[string]bool{}
		for _, name := range names {
			if i := strings.IndexByte(name, '@'); i > 0 {
				name = name[:i]
			}
			if !seen[name] && WildcardMatch(symPat, name) {
				seen[name] = true
				out = append(out, name)
			}
		}
		sort.Strings(out)
		for _, n := range out {
			fmt.Fprintf(l.w, "%s:%s:%s\n", prov, bf.shown, n)
			if l.verbose {
				l.uprobeParams(bf, n)
			}
		}
	}
	return nil
}

// binFile is a binary of a uprobe or usdt listing: path is where it is
// read, shown how the listing prints it (the path as written, as bpftrace
// prints it; a program or library name as the path it resolved to).
type binFile struct{ shown, path string }

// binaries resolves the binary of a uprobe or usdt listing as attaching
// does (findBinary): a wildcard path is globbed; with -p, a wildcard
// stands for every ELF file the process has mapped that it matches.
func (l *lister) binaries(prov, path string) ([]binFile, error) {
	if HasWildcard(path) {
		if l.pid == 0 && path == "*" {
			// Every file a running process maps, as bpftrace lists them.
			files, err := allMappedFiles()
			if err != nil {
				return nil, err
			}
			var out []binFile
			for _, f := range files {
				out = append(out, binFile{f, f})
			}
			return out, nil
		}
		if l.pid == 0 {
			return globBinaries(path), nil
		}
		files, err := (&Env{}).MappedFiles(l.pid)
		if err != nil {
			return nil, err
		}
		var out []binFile
		root := ProcRoot(l.pid)
		for _, f := range files {
			if WildcardMatch(path, f) || WildcardMatch(path, strings.TrimPrefix(f, root)) || WildcardMatch(path, filepath.Base(f)) {
				out = append(out, binFile{f, f})
			}
		}
		return out, nil
	}
	bin, err := findBinary(path, l.pid)
	if err != nil {
		return nil, fmt.Errorf("%s %v", prov, err)
	}
	shown := bin
	if strings.Contains(path, "/") && bin != ProcRoot(l.pid)+path {
		// A path shows as written, unless read through /proc/PID/root.
		shown = path
	} else if abs, err := filepath.Abs(path); err == nil && abs == bin {
		// So does a file of the current directory.
		shown = path
	}
	return []binFile{{shown, bin}}, nil
}

// globBinaries expands a wildcard path to the files it names, as
// attaching does (Env.GlobFiles).
func globBinaries(pattern string) []binFile {
	var out []binFile
	for _, f := range (&Env{}).GlobFiles(pattern) {
		if abs, err := filepath.Abs(f); err == nil {
			out = append(out, binFile{f, abs})
		}
	}
	return out
}

func (l *lister) usdt(rest string) error {
	path, probePat, ok := strings.Cut(rest, ":")
	if !ok {
		path, probePat = rest, "*"
	}
	if path == "" {
		return fmt.Errorf("listing usdt probes needs a binary: usdt:/path/to/binary[:provider:name] (usdt:* for every running process)")
	}
	if probePat == "" {
		probePat = "*"
	}
	rawPat := probePat
	if !strings.Contains(probePat, ":") && probePat != "*" {
		probePat = "*:" + probePat
	}
	bins, err := l.binaries(string(probetype.USDT), path)
	if err != nil {
		return err
	}
	for _, bf := range bins {
		notes, err := usdt.ReadNotes(bf.path)
		if err != nil {
			if len(bins) > 1 {
				continue
			}
			return fmt.Errorf("could not read USDT notes of %s: %v", bf.shown, err)
		}
		seen := map[string]bool{}
		var names []string
		for _, n := range notes {
			// As in bpftrace, a * may also span the ':' between provider
			// and name (usdt:bin:gbt* lists gbt:tick).
			name := n.Provider + ":" + n.Name
			if seen[name] || !(WildcardMatch(probePat, name) || WildcardMatch(rawPat, name)) {
				continue
			}
			seen[name] = true
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			fmt.Fprintf(l.w, "usdt:%s:%s\n", bf.shown, name)
		}
	}
	return nil
}

// cDecl writes a C declaration of name with BTF type t.
func cDecl(t btf.Type, name string) string {
	return cTypeName(t) + " " + name
}

// cTypeName names a BTF type as C source does ("struct file *",
// "const char *", "size_t").
func cTypeName(t btf.Type) string {
	switch x := t.(type) {
	case nil, *btf.Void:
		return "void"
	case *btf.Int:
		return x.Name
	case *btf.Typedef:
		return x.Name
	case *btf.Struct:
		return "struct " + x.Name
	case *btf.Union:
		return "union " + x.Name
	case *btf.Enum:
		return "enum " + x.Name
	case *btf.Fwd:
		return x.Kind.String() + " " + x.Name
	case *btf.Const:
		return "const " + cTypeName(x.Type)
	case *btf.Volatile:
		return "volatile " + cTypeName(x.Type)
	case *btf.Restrict:
		return cTypeName(x.Type)
	case *btf.TypeTag:
		return cTypeName(x.Type)
	case *btf.Pointer:
		if _, ok := x.Target.(*btf.FuncProto); ok {
			return "void *"
		}
		return cTypeName(x.Target) + " *"
	case *btf.Array:
		return fmt.Sprintf("%s[%d]", cTypeName(x.Type), x.Nelems)
	}
	return t.TypeName()
}

// cTypes lists kernel BTF's structs, unions and enums matching pattern
// ("struct task_*"), with -v their C definitions, as bpftrace does.
func (l *lister) cTypes(pattern string) error {
	k := ktypes.Vmlinux()
	names, err := k.TypeNames()
	if err != nil {
		return err
	}
	pattern = strings.Join(strings.Fields(pattern), " ")
	for _, name := range names {
		if !WildcardMatch(pattern, name) {
			continue
		}
		if !l.verbose {
			fmt.Fprintln(l.w, name)
			continue
		}
		def, ok, err := k.Definition(name)
		if err != nil {
			return err
		}
		if ok {
			fmt.Fprint(l.w, def)
		}
	}
	return nil
}

package probes

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/runtime/ktypes"
	"github.com/gobpftrace/gobpftrace/runtime/symbols"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

var (
	_ lang.FuncEnv          = (*Env)(nil)
	_ lang.SymbolEnv        = (*Env)(nil)
	_ lang.RawTracepointEnv = (*Env)(nil)
	_ lang.KernelMatchEnv   = (*Env)(nil)
	_ lang.KernelModuleEnv  = (*Env)(nil)
	_ lang.TypeEnv          = (*Env)(nil)
)

// MatchKernel implements lang.KernelMatchEnv from kernel BTF: function
// names (lang.KernelFunc) or raw tracepoints (btf_trace_<event> typedefs).
func (t *Env) MatchKernel(kind lang.KernelSymbolKind, module, pattern string) ([]string, error) {
	if module == "" || module == "vmlinux" {
		if kind == lang.KernelRawTracepoint && !strings.ContainsAny(pattern, "*?") {
			// One name (rawtracepoint:EVENT, looked for in every module).
			found, err := kernelHasRawTracepoint(pattern)
			if err != nil || !found {
				return nil, err
			}
			return []string{pattern}, nil
		}
		return matchKernelNames(kind, pattern)
	}
	spec, err := loadKernelBTF(module)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for typ, err := range spec.All() {
		if err != nil {
			return nil, fmt.Errorf("reading kernel BTF: %v", err)
		}
		var name string
		switch x := typ.(type) {
		case *btf.Func:
			if kind == lang.KernelFunc {
				name = x.Name
			}
		case *btf.Typedef:
			if kind == lang.KernelRawTracepoint {
				name, _ = strings.CutPrefix(x.Name, "btf_trace_")
				if name == x.Name {
					name = ""
				}
			}
		}
		if name != "" && !seen[name] && WildcardMatch(pattern, name) {
			seen[name] = true
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out, nil
}

// kernelBTFDir holds a file of BTF for vmlinux and for each loaded module
// that has it.
var kernelBTFDir = "/sys/kernel/btf"

// loadModuleBTF reads the BTF of a loaded kernel module (kernelBTFDir/NAME,
// split on vmlinux's).
var loadModuleBTF = btf.LoadKernelModuleSpec

// kernelModulesWithBTF lists the loaded modules that have BTF, in name
// order, vmlinux left out.
func kernelModulesWithBTF() ([]string, error) {
	entries, err := os.ReadDir(kernelBTFDir)
	if err != nil {
		return nil, fmt.Errorf("could not list the kernel's BTF: %v", err)
	}
	var out []string
	for _, e := range entries {
		if e.Name() != "vmlinux" {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// moduleRawTracepoints lists the raw tracepoints a module's BTF describes
// (its btf_trace_<event> typedefs), sorted.
func moduleRawTracepoints(spec *btf.Spec) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for typ, err := range spec.All() {
		if err != nil {
			return nil, fmt.Errorf("reading kernel BTF: %v", err)
		}
		if td, ok := typ.(*btf.Typedef); ok {
			if name, ok := strings.CutPrefix(td.Name, "btf_trace_"); ok && !seen[name] {
				seen[name] = true
				out = append(out, name)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// MatchKernelModules implements lang.KernelModuleEnv from the files of
// kernelBTFDir.
func (t *Env) MatchKernelModules(pattern string) ([]string, error) {
	entries, err := os.ReadDir(kernelBTFDir)
	if err != nil {
		return nil, fmt.Errorf("could not list the kernel's BTF: %v", err)
	}
	var out []string
	for _, e := range entries { // sorted by name
		if name := e.Name(); WildcardMatch(pattern, name) {
			if name == "vmlinux" {
				out = append([]string{name}, out...)
			} else {
				out = append(out, name)
			}
		}
	}
	return out, nil
}

// RawTracepointInModule reports whether module's BTF describes the raw
// tracepoint event (a btf_trace_<event> typedef); false when the module
// has no BTF (not loaded, or no such module).
func RawTracepointInModule(module, event string) bool {
	spec, err := loadKernelBTF(module)
	if err != nil {
		return false
	}
	var td *btf.Typedef
	return spec.TypeByName("btf_trace_"+event, &td) == nil
}

// RawTracepointArgs implements lang.RawTracepointEnv from the
// btf_trace_<event> typedef of kernel BTF: a pointer to the prototype of
// the tracepoint's probe functions, whose first parameter (the probe's
// data) is not an argument.
func (t *Env) RawTracepointArgs(module, event string) (*lang.Type, error) {
	spec, err := loadKernelBTF(module)
	if err != nil {
		return nil, err
	}
	proto, err := rawTracepointProto(spec, event)
	if err != nil {
		return nil, err
	}
	return funcArgs(event, &btf.FuncProto{Return: proto.Return, Params: proto.Params[1:]}), nil
}

// rawTracepointProto finds the prototype of a raw tracepoint's probe
// functions: that of __bpf_trace_<event>, whose parameters have names, or
// else the one behind the btf_trace_<event> typedef.
func rawTracepointProto(spec *btf.Spec, event string) (*btf.FuncProto, error) {
	var fn *btf.Func
	if err := spec.TypeByName("__bpf_trace_"+event, &fn); err == nil {
		if proto, ok := fn.Type.(*btf.FuncProto); ok && len(proto.Params) > 0 {
			return proto, nil
		}
	}
	var td *btf.Typedef
	if err := spec.TypeByName("btf_trace_"+event, &td); err != nil {
		if errors.Is(err, btf.ErrNotFound) {
			return nil, fmt.Errorf("raw tracepoint %s not found in kernel BTF", event)
		}
		return nil, fmt.Errorf("raw tracepoint %s: %v", event, err)
	}
	ptr, ok := td.Type.(*btf.Pointer)
	if !ok {
		return nil, fmt.Errorf("raw tracepoint %s: unexpected BTF type %v", event, td.Type)
	}
	proto, ok := ptr.Target.(*btf.FuncProto)
	if !ok || len(proto.Params) == 0 {
		return nil, fmt.Errorf("raw tracepoint %s: unexpected BTF type %v", event, ptr.Target)
	}
	return proto, nil
}

// KernelSymbol implements lang.SymbolEnv over /proc/kallsyms.
func (t *Env) KernelSymbol(name string) (uint64, error) {
	ks, err := symbols.LoadKallsyms()
	if err != nil {
		return 0, err
	}
	addr, ok := ks.Lookup(name)
	if !ok {
		return 0, fmt.Errorf("kernel symbol %s not found", name)
	}
	return addr, nil
}

// loadKernelBTF parses vmlinux BTF once, and only when a script needs it.
func loadKernelBTF(module string) (*btf.Spec, error) {
	spec, err := ktypes.Vmlinux().Spec()
	if err != nil {
		return nil, err
	}
	if module == "" || module == "vmlinux" {
		return spec, nil
	}
	mspec, err := loadModuleBTF(module)
	if err != nil {
		return nil, fmt.Errorf("could not read BTF of kernel module %s: %v", module, err)
	}
	return mspec, nil
}

// KernelType implements lang.TypeEnv from vmlinux BTF.
func (t *Env) KernelType(name string) (*lang.Type, bool, error) {
	return ktypes.Vmlinux().Type(name)
}

// KernelEnumerator implements lang.TypeEnv from vmlinux BTF.
func (t *Env) KernelEnumerator(name string) (int64, *lang.Type, bool, error) {
	return ktypes.Vmlinux().Enumerator(name)
}

// KernelEnumeratorNames lists vmlinux's enum constants, for suggestions.
func (t *Env) KernelEnumeratorNames() ([]string, error) {
	return ktypes.Vmlinux().EnumeratorNames()
}

// KernelStructNames implements lang.TypeEnv from vmlinux BTF.
func (t *Env) KernelStructNames() ([]string, error) {
	return ktypes.Vmlinux().StructNames()
}

// KernelFunc implements lang.FuncEnv from kernel BTF: the function's
// parameters as fields at offsets 0, 8, 16... (the u64 context array of
// fentry/fexit programs) and its return type.
func (t *Env) KernelFunc(module, name string) (*lang.Type, *lang.Type, error) {
	spec, err := loadKernelBTF(module)
	if err != nil {
		return nil, nil, err
	}
	var fn *btf.Func
	if err := spec.TypeByName(name, &fn); err != nil {
		if errors.Is(err, btf.ErrNotFound) {
			return nil, nil, fmt.Errorf("function %s not found in kernel BTF", name)
		}
		return nil, nil, fmt.Errorf("function %s: %v", name, err)
	}
	proto, ok := fn.Type.(*btf.FuncProto)
	if !ok {
		return nil, nil, fmt.Errorf("function %s has no prototype in BTF", name)
	}
	return funcArgs(name, proto), btfLangType(proto.Return), nil
}

// KfuncAllowed implements lang.KfuncAllowedEnv: it loads a program of the
// probe type's program type that calls the kfunc name (with zero
// arguments) and reads the verifier's answer. Only "calling kernel
// function NAME is not allowed" (or no such function in BTF) means no:
// the test program may be refused for its arguments, which a real call
// would pass right.
func (t *Env) KfuncAllowed(provider, iterator, name string) (bool, error) {
	spec, err := loadKernelBTF("")
	if err != nil {
		return false, err
	}
	var fn *btf.Func
	if err := spec.TypeByName(name, &fn); err != nil {
		return false, nil
	}
	id, err := spec.TypeID(fn)
	if err != nil {
		return false, err
	}
	ps := &ebpf.ProgramSpec{License: "GPL", Instructions: asm.Instructions{
		asm.Mov.Imm(asm.R1, 0), asm.Mov.Imm(asm.R2, 0), asm.Mov.Imm(asm.R3, 0), asm.Mov.Imm(asm.R4, 0), asm.Mov.Imm(asm.R5, 0),
		{OpCode: asm.OpCode(asm.JumpClass).SetJumpOp(asm.Call), Src: asm.PseudoKfuncCall, Constant: int64(id)},
		asm.Mov.Imm(asm.R0, 0), asm.Return(),
	}}
	switch probetype.Type(provider) {
	case probetype.Tracepoint:
		ps.Type = ebpf.TracePoint
	case probetype.Kprobe, probetype.Kretprobe, probetype.Uprobe, probetype.Uretprobe, probetype.USDT:
		ps.Type = ebpf.Kprobe
	case probetype.Interval, probetype.Profile, probetype.Software, probetype.Hardware:
		ps.Type = ebpf.PerfEvent
	case probetype.Iter:
		ps.Type, ps.AttachType, ps.AttachTo = ebpf.Tracing, ebpf.AttachTraceIter, iterator
	case probetype.Fentry, probetype.Fexit:
		return false, fmt.Errorf("the verifier cannot be asked about %s programs here: they need a function to attach to, and this kernel refuses to load them", provider)
	default: // BEGIN, END, rawtracepoint and the other probes run by gobpftrace
		ps.Type = ebpf.RawTracepoint
	}
	prog, err := ebpf.NewProgram(ps)
	if err == nil {
		prog.Close()
		return true, nil
	}
	var ve *ebpf.VerifierError
	if errors.As(err, &ve) {
		refusal := "calling kernel function " + name + " is not allowed"
		for _, line := range ve.Log {
			if strings.Contains(line, refusal) {
				return false, nil
			}
		}
		return true, nil
	}
	return false, fmt.Errorf("could not load a test program: %v", err)
}

// KernelPercpuVar implements lang.PercpuVarEnv from vmlinux BTF: the type
// id of the variable name of the .data..percpu section, which a program
// loads as a ksym (BPF_PSEUDO_BTF_ID) for bpf_this_cpu_ptr and
// bpf_per_cpu_ptr.
func (t *Env) KernelPercpuVar(name string) (uint32, error) {
	spec, err := loadKernelBTF("")
	if err != nil {
		return 0, err
	}
	var sec *btf.Datasec
	if err := spec.TypeByName(".data..percpu", &sec); err != nil {
		return 0, fmt.Errorf("kernel BTF has no per-CPU variables")
	}
	for _, v := range sec.Vars {
		if vr, ok := v.Type.(*btf.Var); ok && vr.Name == name {
			id, err := spec.TypeID(vr)
			if err != nil {
				return 0, err
			}
			// The verifier finds the variable's address in kallsyms, which
			// lists data symbols only with CONFIG_KALLSYMS_ALL.
			if _, err := t.KernelSymbol(name); err != nil {
				return 0, &lang.HintedError{
					Msg:  fmt.Sprintf("this kernel cannot resolve its per-CPU variables: /proc/kallsyms does not list %s (the kernel was built without CONFIG_KALLSYMS_ALL), so the verifier refuses the load", name),
					Hint: "percpu_kaddr() needs a kernel built with CONFIG_KALLSYMS_ALL=y; on this one, reach the data through a pointer the probe has (ctx, args, curtask...)",
				}
			}
			return uint32(id), nil
		}
	}
	return 0, &lang.HintedError{
		Msg:  fmt.Sprintf("kernel BTF has no per-CPU variable %s", name),
		Hint: "percpu_kaddr() takes a DEFINE_PER_CPU variable of the kernel, such as runqueues or process_counts",
	}
}

// funcArgs is the args struct of a function prototype.
func funcArgs(name string, proto *btf.FuncProto) *lang.Type {
	st := &lang.Type{Kind: lang.KStruct, Name: "struct " + name + "_args"}
	if proto == nil {
		return st
	}
	for i, p := range proto.Params {
		ft := btfLangType(p.Type)
		if ft == nil {
			ft = lang.TUint64
		}
		pname := p.Name
		if pname == "" {
			pname = fmt.Sprintf("arg%d", i)
		}
		st.Fields = append(st.Fields, &lang.Field{Name: pname, Offset: 8 * i, Type: ft})
	}
	st.Size = 8 * len(proto.Params)
	return st
}

// btfLangType converts the type of a value a probe reads directly from
// its u64 context slots: integers, enums, pointers and bools keep their
// type; anything else reads as a u64. It returns nil for void.
func btfLangType(t btf.Type) *lang.Type {
	lt := ktypes.Convert(t)
	switch lt.Kind {
	case lang.KVoid:
		return nil
	case lang.KInt, lang.KBool, lang.KPtr:
		return lt
	}
	return lang.TUint64
}

// matchKernelNames is MatchKernel for vmlinux from the names of its BTF
// (kernelBTFNames: no type is decoded). Functions leave out what bpftrace's
// wildcards leave out: .part.N clones and the functions known to hang the
// machine when traced.
func matchKernelNames(kind lang.KernelSymbolKind, pattern string) ([]string, error) {
	funcs, tps, err := kernelBTFNames()
	if err != nil {
		return nil, fmt.Errorf("reading kernel BTF: %v", err)
	}
	names := tps
	if kind == lang.KernelFunc {
		names = funcs
	}
	seen := map[string]bool{}
	var out []string
	for _, n := range names {
		if seen[n] || !WildcardMatch(pattern, n) {
			continue
		}
		if kind == lang.KernelFunc && (strings.Contains(n, ".part.") || badTraceFunction(n)) {
			continue
		}
		seen[n] = true
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}

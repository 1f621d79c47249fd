package attach

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/runtime/probes"
	"github.com/gobpftrace/gobpftrace/runtime/x86insn"
)

// A return probe (uretprobe) replaces the return address on the stack with
// a trampoline's. Go copies a goroutine's stack to a bigger one when it
// grows, walking the frames by their return addresses: it does not know
// the trampoline and stops the program ("fatal error: unknown caller pc").
// So a uretprobe on a Go function is placed, as plain uprobes, on each of
// its return instructions instead: at a RET the results are still in
// their registers (rax, rbx, ... in Go's ABIInternal), so retval reads
// what a return probe would.

// goFunc is what the runtime found of a function of a Go binary: its
// return instructions (for a uretprobe) and its stack check (for a uprobe).
type goFunc struct {
	// isGo: the function is Go code (listed in the binary's pclntab); a C
	// function of a cgo binary runs on the system stack and keeps its
	// return probe.
	isGo bool
	// offsets are the file offsets of its return instructions.
	offsets []uint64
	// rel are the same, as offsets into the function (for messages).
	rel []uint64
	// stackCheck is the length of the function's stack check, the first
	// instructions, which call runtime.morestack and then run the
	// function again from its first byte when the goroutine's stack must
	// grow or the scheduler preempts it: a uprobe at the function's start
	// then fires twice for one call, so gobpftrace places it after the
	// check (the registers and the stack are still as at the call). 0:
	// none found (a nosplit function has none).
	stackCheck uint64
	// err says why the returns could not be found (isGo only); noReturn:
	// because the function has none.
	err      error
	noReturn bool
}

// goFunctions finds, for each wanted function symbol of the Go binary at
// path that is Go code, where its return instructions are and how long its
// stack check is. It returns nil when the file is not a Go binary.
func goFunctions(path string, want map[string]bool) (map[string]goFunc, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if !probes.GoBinary(f) {
		return nil, nil
	}
	goFuncs, err := probes.GoFunctionEntries(f)
	if err != nil {
		return nil, fmt.Errorf("reading the Go function table of %s: %v", path, err)
	}
	syms, _ := f.Symbols()
	out := map[string]goFunc{}
	for _, s := range syms {
		if !want[s.Name] || elf.ST_TYPE(s.Info) != elf.STT_FUNC || s.Value == 0 {
			continue
		}
		if _, done := out[s.Name]; done || !goFuncs[s.Value] {
			continue
		}
		out[s.Name] = findReturns(f, s)
	}
	return out, nil
}

// findReturns decodes the function's instructions from its first byte to
// its end (the symbol's size) and notes each return.
func findReturns(f *elf.File, s elf.Symbol) goFunc {
	r := goFunc{isGo: true}
	if f.Machine != elf.EM_X86_64 {
		r.err = fmt.Errorf("its return instructions, probed instead, are not found: %v code is not decoded", f.Machine)
		return r
	}
	if s.Size == 0 {
		r.err = errors.New("its return instructions, probed instead, are not found: its symbol has no size")
		return r
	}
	var code []byte
	var fileOff uint64
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && s.Value >= p.Vaddr && s.Value+s.Size <= p.Vaddr+p.Filesz {
			code = make([]byte, s.Size)
			if _, err := p.ReadAt(code, int64(s.Value-p.Vaddr)); err != nil {
				r.err = fmt.Errorf("its return instructions, probed instead, are not found: its code could not be read: %v", err)
				return r
			}
			fileOff = s.Value - p.Vaddr + p.Off
			break
		}
	}
	if code == nil {
		r.err = errors.New("its return instructions, probed instead, are not found: its code is not in the file")
		return r
	}
	r.stackCheck = uint64(goStackCheckLen(code))
	for at := 0; at < len(code); {
		n, err := x86insn.Len(code[at:])
		if err != nil {
			r.err = fmt.Errorf("its return instructions, probed instead, are not found: the instruction at %s+%#x is not decoded (%v)", s.Name, at, err)
			return r
		}
		if x86Return(code[at : at+n]) {
			r.offsets = append(r.offsets, fileOff+uint64(at))
			r.rel = append(r.rel, uint64(at))
		}
		at += n
	}
	if len(r.offsets) == 0 {
		r.err = errors.New("it has no return instruction to probe instead (it never returns, or it ends with a jump to another function)")
		r.noReturn = true
	}
	return r
}

// x86Return reports whether one decoded x86-64 instruction is a near
// return (ret, ret imm16), after any legacy prefixes (rep ret) and REX.
func x86Return(insn []byte) bool {
	for _, b := range insn {
		switch {
		case b == 0x66 || b == 0x67 || b == 0xf2 || b == 0xf3 || b&0xf0 == 0x40:
			continue
		case b == 0xc3 || b == 0xc2:
			return true
		}
		return false
	}
	return false
}

// goReturnsOf decides how the uretprobe program p on function symbol of
// the file at path is placed: use reports that the function is Go code
// whose returns were found (attach there); an error refuses a Go function
// whose returns were not found, unless env.Unsafe, which warns and keeps
// the return probe.
func goReturnsOf(p *codegen.Program, path, symbol string, env Env) (r goFunc, use bool, err error) {
	if symbol == "" && p.Attach != nil {
		symbol = p.Attach.Func // uretprobe:BIN:ADDRESS, at a function's start
	}
	if symbol == "" {
		return r, false, nil
	}
	rets, err := goFunctions(path, map[string]bool{symbol: true})
	if err != nil {
		return r, false, fmt.Errorf("Error attaching probe: %s: %v", ProbeName(p), err)
	}
	r, ok := rets[symbol]
	switch {
	case !ok:
		return r, false, nil
	case r.err != nil && env.Unsafe:
		env.warn(fmt.Sprintf("%s: %s is a Go function and %v: placed as a return probe (--unsafe), which crashes the program if Go moves the goroutine's stack while %s runs", ProbeName(p), symbol, r.err, symbol))
		return r, false, nil
	case r.err != nil:
		return r, false, goReturnsError(p, path, symbol, r)
	}
	env.verbose(fmt.Sprintf("%s: %s is a Go function: probed at %s (%s), not with a return probe, which Go's moving stacks do not allow", ProbeName(p), symbol, its(len(r.rel), "return instruction"), relList(symbol, r.rel)))
	return r, true, nil
}

// goStackCheckOf returns how many bytes of the Go function symbol of the
// file at path its stack check takes (0: not a Go function, or none): a
// uprobe at its start is placed after them.
func goStackCheckOf(p *codegen.Program, path, symbol string, env Env) uint64 {
	rets, err := goFunctions(path, map[string]bool{symbol: true})
	if err != nil || rets[symbol].stackCheck == 0 {
		return 0
	}
	check := rets[symbol].stackCheck
	env.verbose(fmt.Sprintf("%s: %s is a Go function: probed after its stack check (%s+%#x), which runs again when the goroutine's stack grows or it is preempted", ProbeName(p), symbol, symbol, check))
	return check
}

// goReturnsError refuses a uretprobe on a Go function whose returns were
// not found, saying why and what to do instead.
func goReturnsError(p *codegen.Program, path, symbol string, r goFunc) error {
	todo := fmt.Sprintf("probe where it returns with uprobe:%s:%s+OFFSET (objdump -d shows its instructions)", path, symbol)
	if r.noReturn {
		todo = "if it ends with a jump, probe the function it jumps to"
	}
	return fmt.Errorf("Error attaching probe: %s: %s is a Go function, which a return probe can crash (Go moves goroutine stacks), and %v; %s, or use --unsafe for a return probe anyway", ProbeName(p), symbol, r.err, todo)
}

// attachAtReturns attaches prog as a uprobe at each of r's return
// instructions.
func attachAtReturns(p *codegen.Program, prog *ebpf.Program, ex *link.Executable, r goFunc, pid int) ([]io.Closer, error) {
	var closers []io.Closer
	for _, off := range r.offsets {
		l, err := ex.Uprobe("", prog, &link.UprobeOptions{Address: off, PID: pid})
		if err != nil {
			closeAll(closers)
			return nil, uprobeError(p, err)
		}
		closers = append(closers, newTracepointAttachment(l))
	}
	return closers, nil
}

// relList writes offsets into a function as objdump does: main.f+0x2a.
func relList(symbol string, rel []uint64) string {
	parts := make([]string, len(rel))
	for i, off := range rel {
		parts[i] = fmt.Sprintf("%s+%#x", symbol, off)
	}
	return strings.Join(parts, ", ")
}

// its names one or several things of a function: "its return
// instruction", "its 2 return instructions".
func its(n int, what string) string {
	if n == 1 {
		return "its " + what
	}
	return fmt.Sprintf("its %d %ss", n, what)
}

// goStackCheckLen returns the length of the stack check the Go compiler
// puts at the start of a function on x86-64 (g is in r14, its stackguard0
// at 0x10; some runtime functions check stackguard1, at 0x18), or 0 when
// code does not start with one:
//
//	cmp 0x10(%r14),%rsp                                     small frames
//	lea -N(%rsp),%r12; cmp 0x10(%r14),%r12                   bigger frames
//	mov %rsp,%r12; sub $N,%r12; jb L; cmp 0x10(%r14),%r12    huge frames
//
// each followed by jbe L, L being the call of runtime.morestack.
func goStackCheckLen(code []byte) int {
	at := 0
	match := func(prefix ...byte) bool {
		if len(code) >= at+len(prefix) && bytes.Equal(code[at:at+len(prefix)], prefix) {
			at += len(prefix)
			return true
		}
		return false
	}
	skip := func(n int) bool {
		if len(code) < at+n {
			return false
		}
		at += n
		return true
	}
	// guard is the stack guard's offset in g: 0x10 (stackguard0), or
	// 0x18 (stackguard1, some runtime functions).
	guard := func() bool { return len(code) > at && (code[at] == 0x10 || code[at] == 0x18) && skip(1) }
	switch {
	case match(0x49, 0x3b, 0x66) && guard(): // cmp 0x10(%r14),%rsp
	case match(0x4c, 0x8d, 0x64, 0x24) && skip(1), match(0x4c, 0x8d, 0xa4, 0x24) && skip(4): // lea -N(%rsp),%r12
		if !match(0x4d, 0x3b, 0x66) || !guard() { // cmp 0x10(%r14),%r12
			return 0
		}
	case match(0x49, 0x89, 0xe4) && match(0x49, 0x81, 0xec) && skip(4): // mov %rsp,%r12; sub $N,%r12
		if !(match(0x72) && skip(1) || match(0x0f, 0x82) && skip(4)) || !match(0x4d, 0x3b, 0x66) || !guard() { // jb; cmp
			return 0
		}
	default:
		return 0
	}
	if match(0x76) && skip(1) || match(0x0f, 0x86) && skip(4) { // jbe
		return at
	}
	return 0
}

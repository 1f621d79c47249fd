package attach

import (
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/runtime/host"
	"github.com/gobpftrace/gobpftrace/runtime/probes"
	"github.com/gobpftrace/gobpftrace/runtime/symbols"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// uprobeTarget says where a uprobe, uretprobe or usdt program attaches:
// the file, and a symbol (plus offset) or a file offset in opts.Address.
// The checker resolves the target into the Resolved fields; a plan built
// by hand may give only the attach point as written
// (uprobe:<path>:<symbol>[+offset] or uprobe:<path>:<address>).
func uprobeTarget(p *codegen.Program, pid int) (path, symbol string, opts *link.UprobeOptions, err error) {
	a := p.Attach
	opts = &link.UprobeOptions{PID: pid}
	if a.Binary != "" {
		switch {
		case Provider(p) == probetype.USDT:
			opts.Address = a.FileOffset
			opts.RefCtrOffset = a.USDTSemaphore
			if a.FileOffset == 0 {
				return "", "", nil, fmt.Errorf("%s: the probe has no location", ProbeName(p))
			}
		case a.Symbol == "":
			opts.Address = a.FileOffset
			if a.FileOffset == 0 {
				return "", "", nil, fmt.Errorf("%s: address 0 can not be probed", ProbeName(p))
			}
		default:
			symbol, opts.Offset = a.Symbol, a.Offset
		}
		return a.Binary, symbol, opts, nil
	}
	if Provider(p) == probetype.USDT {
		return "", "", nil, fmt.Errorf("%s: the USDT probe was not resolved to a location", ProbeName(p))
	}
	var parts []string
	if a.Point != nil {
		parts = a.Point.Parts
	}
	if len(parts) != 2 || parts[0] == "" || parts[1] == "" {
		return "", "", nil, fmt.Errorf("%s: expected %s:path:function", ProbeName(p), Provider(p))
	}
	path = parts[0]
	if !strings.Contains(path, "/") {
		if found, err := exec.LookPath(path); err == nil {
			path = found
		}
	}
	target := parts[1]
	if addr, err := strconv.ParseUint(target, 0, 64); err == nil {
		opts.Address = addr
		return path, "", opts, nil
	}
	if sym, off, ok := strings.Cut(target, "+"); ok {
		n, err := strconv.ParseUint(off, 0, 64)
		if err != nil {
			return "", "", nil, fmt.Errorf("%s: bad offset %q", ProbeName(p), off)
		}
		target, opts.Offset = sym, n
	}
	return path, target, opts, nil
}

// attachUprobe attaches a uprobe, uretprobe or usdt program; env.PID, when
// not 0, limits it to that process.
func attachUprobe(p *codegen.Program, prog *ebpf.Program, env Env) ([]io.Closer, error) {
	if len(p.Group) > 1 {
		return attachUprobeMulti(p, prog, env)
	}
	pid := env.PID
	path, symbol, opts, err := uprobeTarget(p, pid)
	if err != nil {
		return nil, err
	}
	if symbol != "" && isIndirect(path, symbol) {
		// An indirect function is probed at its implementation.
		code, err := readFunctionCode(path, pid, map[string]bool{symbol: true})
		if err != nil {
			return nil, fmt.Errorf("%s: could not read %s: %v", ProbeName(p), path, err)
		}
		if fn := code[symbol]; fn.err != nil {
			return nil, fmt.Errorf("Error attaching probe: %s: %v", ProbeName(p), fn.err)
		} else {
			opts.Address, symbol = fn.offset+opts.Offset, ""
			opts.Offset = 0
		}
	}
	if symbol != "" && opts.Offset == 0 && opts.Address == 0 && zeroSizeFunction(path, symbol) {
		// Without a size, whether the first instruction is one cannot be
		// told: bpftrace's refusal, and --unsafe attaches at the symbol.
		if !env.Unsafe {
			return nil, fmt.Errorf("Could not determine boundary for %s (symbol has size 0).\nUse --unsafe to force attachment. WARNING: This option could lead to data corruption in the target process.", symbol)
		}
		code, err := readFunctionCode(path, pid, map[string]bool{symbol: true})
		if err != nil {
			return nil, fmt.Errorf("%s: could not read %s: %v", ProbeName(p), path, err)
		}
		opts.Address, symbol = code[symbol].offset, ""
	}
	ex, err := link.OpenExecutable(path)
	if err != nil {
		return nil, fmt.Errorf("%s: could not open %s: %s", ProbeName(p), path, host.ErrnoText(err))
	}
	warnUnmapped(path, env)
	if Provider(p) == probetype.Uprobe && symbol != "" && opts.Offset == 0 && opts.Address == 0 {
		if check := goStackCheckOf(p, path, symbol, env); check > 0 {
			opts.Offset = check
		}
	}
	if Provider(p) == probetype.Uretprobe {
		r, atReturns, err := goReturnsOf(p, path, symbol, env)
		if err != nil {
			return nil, err
		}
		if atReturns {
			return attachAtReturns(p, prog, ex, r, pid)
		}
	}
	var l link.Link
	if Provider(p) == probetype.Uretprobe {
		l, err = ex.Uretprobe(symbol, prog, opts)
	} else {
		l, err = ex.Uprobe(symbol, prog, opts)
	}
	if errors.Is(err, link.ErrNoSymbol) {
		return nil, fmt.Errorf("%s: could not find function %s in %s", ProbeName(p), symbol, path)
	}
	if err != nil {
		return nil, uprobeError(p, err)
	}
	return []io.Closer{newTracepointAttachment(l)}, nil
}

// zeroSizeFunction reports whether the function symbol of path has size 0
// (as _init and _fini, written in assembly, often do).
func zeroSizeFunction(path, symbol string) bool {
	for _, s := range probes.FunctionSymbols(path) {
		if s.Name == symbol {
			return s.Size == 0
		}
	}
	return false
}

// attachUprobeMulti attaches the matches of a wildcard with one
// uprobe_multi link; the cookie of a function is its index in p.Group.
// Functions at one address (aliases such as malloc and __libc_malloc) are
// attached once, as bpftrace does, under the plainest name; functions whose
// first instruction the kernel refuses are skipped (warn says which).
func attachUprobeMulti(p *codegen.Program, prog *ebpf.Program, env Env) ([]io.Closer, error) {
	pid, warn := env.PID, env.skip
	path := p.Attach.Binary
	ex, err := link.OpenExecutable(path)
	if err != nil {
		return nil, fmt.Errorf("%s: could not open %s: %s", ProbeName(p), path, host.ErrnoText(err))
	}
	warnUnmapped(path, env)
	want := map[string]bool{}
	for _, r := range p.Group {
		want[r.Symbol] = true
	}
	code, err := readFunctionCode(path, pid, want)
	if err != nil {
		return nil, fmt.Errorf("%s: could not read %s: %v", ProbeName(p), path, err)
	}
	// A uretprobe on Go functions is placed at their return instructions
	// (goreturns.go).
	// A uprobe on Go functions is placed after their stack check.
	var goRets map[string]goFunc
	if Provider(p) == probetype.Uretprobe || Provider(p) == probetype.Uprobe {
		if goRets, err = goFunctions(path, want); err != nil {
			return nil, fmt.Errorf("Error attaching probe: %s: %v", ProbeName(p), err)
		}
	}
	var checked []string
	var offsets, cookies []uint64
	// retOffsets, retCookies: the return instructions of Go functions.
	var retOffsets, retCookies []uint64
	var goFuncs []string
	goSeen := map[uint64]bool{}
	// skipped are the functions the kernel refuses, reported (through
	// warn) once the rest is attached.
	var skipped, failed []string
	seen := map[uint64]int{} // offset -> its index in offsets (-1: skipped)
	for i, r := range p.Group {
		fn, ok := code[r.Symbol]
		if !ok {
			return nil, fmt.Errorf("%s: could not find function %s in %s", ProbeName(p), r.Symbol, path)
		}
		if fn.err != nil {
			failed = append(failed, fmt.Sprintf("%s: skipped: %v", r.Name, fn.err))
			continue
		}
		if !fn.executable {
			continue
		}
		gr, isGo := goRets[r.Symbol]
		switch {
		case !isGo:
		case Provider(p) == probetype.Uprobe:
			if gr.stackCheck > 0 {
				fn.offset += gr.stackCheck
				checked = append(checked, fmt.Sprintf("%s+%#x", r.Symbol, gr.stackCheck))
			}
		case gr.err != nil && env.Unsafe:
			env.warn(fmt.Sprintf("%s: %s is a Go function and %v: placed as a return probe (--unsafe), which crashes the program if Go moves the goroutine's stack while %s runs", r.Name, r.Symbol, gr.err, r.Symbol))
		case gr.err != nil:
			failed = append(failed, fmt.Sprintf("%s: skipped: %s is a Go function, which a return probe can crash (Go moves goroutine stacks), and %v; --unsafe places a return probe anyway", r.Name, r.Symbol, gr.err))
			continue
		default:
			if !goSeen[fn.offset] {
				goSeen[fn.offset] = true
				for _, off := range gr.offsets {
					retOffsets = append(retOffsets, off)
					retCookies = append(retCookies, uint64(i))
				}
				goFuncs = append(goFuncs, fmt.Sprintf("%s (%s)", r.Symbol, relList(r.Symbol, gr.rel)))
			}
			continue
		}
		if at, ok := seen[fn.offset]; ok {
			// Of aliases, func names the plainest: malloc, not
			// __libc_malloc; free, not cfree.
			if at >= 0 && aliasRank(r.Symbol) < aliasRank(p.Group[cookies[at]].Symbol) {
				cookies[at] = uint64(i)
			}
			continue
		}
		seen[fn.offset] = -1
		if fn.refused {
			skipped = append(skipped, r.Name)
			continue
		}
		seen[fn.offset] = len(offsets)
		offsets = append(offsets, fn.offset)
		cookies = append(cookies, uint64(i))
	}
	if len(offsets) == 0 && len(retOffsets) == 0 {
		if len(failed) > 0 && len(skipped) == 0 {
			_, why, _ := strings.Cut(failed[0], ": skipped: ")
			return nil, fmt.Errorf("Error attaching probe: %s: none of the %d functions matched can be attached: %s", ProbeName(p), len(p.Group), why)
		}
		return nil, fmt.Errorf("Error attaching probe: %s: the kernel cannot place a uprobe on any of the %d functions matched", ProbeName(p), len(p.Group))
	}
	names := map[uint64]string{}
	for i, c := range cookies {
		names[offsets[i]] = p.Group[c].Name
	}
	for i, c := range retCookies {
		names[retOffsets[i]] = p.Group[c].Name
	}
	var closers []io.Closer
	// The kernel refuses the whole link when it refuses one address:
	// split the set until the addresses it refuses are alone, and skip
	// those. ret: a return probe (uretprobe_multi), else an entry probe.
	var attachSet func(offs, cks []uint64, ret bool) error
	attachSet = func(offs, cks []uint64, ret bool) error {
		if len(offs) == 0 {
			return nil
		}
		opts := &link.UprobeMultiOptions{PID: uint32(pid), Addresses: offs, Cookies: cks}
		var l link.Link
		var err error
		if ret {
			l, err = ex.UretprobeMulti(nil, prog, opts)
		} else {
			l, err = ex.UprobeMulti(nil, prog, opts)
		}
		switch {
		case err == nil:
			closers = append(closers, l)
			return nil
		case !errors.Is(err, errENOTSUPP):
			return uprobeError(p, err)
		case len(offs) == 1:
			skipped = append(skipped, names[offs[0]])
			return nil
		}
		h := len(offs) / 2
		if err := attachSet(offs[:h], cks[:h], ret); err != nil {
			return err
		}
		return attachSet(offs[h:], cks[h:], ret)
	}
	err = attachSet(offsets, cookies, Provider(p) == probetype.Uretprobe)
	if err == nil {
		err = attachSet(retOffsets, retCookies, false)
	}
	if err != nil {
		closeAll(closers)
		return nil, err
	}
	if len(checked) > 0 {
		env.verbose(fmt.Sprintf("%s: Go functions probed after their stack check, which runs again when the goroutine's stack grows or it is preempted: %s", groupName(p), strings.Join(checked, ", ")))
	}
	if len(goFuncs) > 0 {
		env.verbose(fmt.Sprintf("%s: Go functions probed at their return instructions, not with return probes, which Go's moving stacks do not allow: %s", groupName(p), strings.Join(goFuncs, ", ")))
	}
	if len(closers) == 0 {
		return nil, fmt.Errorf("Error attaching probe: %s: the kernel cannot place a uprobe on any of the %d functions matched", ProbeName(p), len(p.Group))
	}
	for _, name := range skipped {
		warn(fmt.Sprintf("%s: skipped: the kernel cannot place a uprobe on its first instruction", name))
	}
	for _, msg := range failed {
		warn(msg)
	}
	return closers, nil
}

// isIndirect reports whether name is an indirect function (STT_GNU_IFUNC)
// of the ELF file at path.
func isIndirect(path, name string) bool {
	for _, s := range probes.FunctionSymbols(path) {
		if s.Name == name {
			return elf.ST_TYPE(s.Info) == elf.STT_GNU_IFUNC
		}
	}
	return false
}

// aliasRank orders names of one function: fewer leading underscores
// first, then shorter names.
func aliasRank(name string) int {
	trimmed := strings.TrimLeft(name, "_")
	return (len(name)-len(trimmed))<<16 + len(name)
}

// functionCode is where a function starts in its file, and what the
// runtime knows of its first instruction.
type functionCode struct {
	offset uint64
	// executable: the function is in an executable segment (a uprobe
	// elsewhere never fires).
	executable bool
	// refused: the first instruction has a prefix the x86-64 kernel does
	// not probe (lock, or the es, cs, ss, ds segment overrides; see
	// arch/x86/kernel/uprobes.c).
	refused bool
	// err: an indirect function whose implementation is unknown.
	err error
}

// readFunctionCode maps the function symbols of the ELF file at path to
// their code; an indirect function's is its implementation's (read from
// process pid first, see ifuncImpl).
func readFunctionCode(path string, pid int, want map[string]bool) (map[string]functionCode, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]functionCode{}
	var impls *symbols.IfuncResolver
	for _, s := range probes.FunctionSymbols(path) {
		if _, ok := out[s.Name]; ok || !want[s.Name] {
			continue
		}
		addr := s.Value
		if elf.ST_TYPE(s.Info) == elf.STT_GNU_IFUNC {
			if impls == nil {
				impls = symbols.NewIfuncResolver(path, pid)
			}
			impl, err := impls.Impl(s.Value)
			if err != nil {
				out[s.Name] = functionCode{err: fmt.Errorf("%s is an indirect function whose implementation is not known: %v", s.Name, err)}
				continue
			}
			addr = impl
		}
		fc := functionCode{offset: addr}
		for _, prog := range f.Progs {
			if prog.Type != elf.PT_LOAD || addr < prog.Vaddr || addr >= prog.Vaddr+prog.Filesz {
				continue
			}
			fc.offset = addr - prog.Vaddr + prog.Off
			fc.executable = prog.Flags&elf.PF_X != 0
			if f.Machine == elf.EM_X86_64 {
				var insn [15]byte
				n, _ := prog.ReadAt(insn[:], int64(addr-prog.Vaddr))
				fc.refused = x86RefusedPrefix(insn[:n])
			}
			break
		}
		out[s.Name] = fc
	}
	return out, nil
}

// x86RefusedPrefix reports whether an x86 instruction starts with a
// legacy prefix the kernel's uprobes refuse.
func x86RefusedPrefix(insn []byte) bool {
	for _, b := range insn {
		switch b {
		case 0xf0, 0x26, 0x2e, 0x36, 0x3e: // lock, es, cs, ss, ds
			return true
		case 0x66, 0x67, 0xf2, 0xf3, 0x64, 0x65: // other legacy prefixes
			continue
		}
		return false
	}
	return false
}

// errENOTSUPP is the kernel's ENOTSUPP (524), which has no name in libc:
// the uprobe cannot be placed on the instruction at that address.
const errENOTSUPP = unix.Errno(524)

func uprobeError(p *codegen.Program, err error) error {
	if errors.Is(err, errENOTSUPP) {
		if len(p.Group) > 1 {
			return fmt.Errorf("Error attaching probe: %s: the kernel cannot place a uprobe on the first instruction of one of the %d functions matched", ProbeName(p), len(p.Group))
		}
		return fmt.Errorf("Error attaching probe: %s: the kernel cannot place a uprobe on that instruction", ProbeName(p))
	}
	return attachError(p, err)
}

// warnUnmapped warns when process pid (the running process of -p) does
// not map the file at path: the kernel keys a uprobe by the file's inode,
// so a program rebuilt since the process started (a new file at the same
// path), or a copy, is another file whose probes never fire in it.
func warnUnmapped(path string, env Env) {
	if !env.Running || env.PID == 0 {
		return
	}
	mapped, err := mapsFile(env.PID, path)
	if err != nil || mapped {
		return
	}
	env.warn(fmt.Sprintf("process %d does not map %s: probes of that file fire for it only if it loads the file later (a program rebuilt since the process started is another file: probe /proc/%d/exe)", env.PID, path, env.PID))
}

// mapsFile reports whether process pid maps the file at path: the same
// path, or the same device and inode, in /proc/PID/maps.
func mapsFile(pid int, path string) (bool, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return false, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return false, err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		return false, err
	}
	dev := fmt.Sprintf("%02x:%02x", unix.Major(st.Dev), unix.Minor(st.Dev))
	ino := strconv.FormatUint(st.Ino, 10)
	for _, line := range strings.Split(string(data), "\n") {
		// address perms offset dev inode path
		f := strings.Fields(line)
		if len(f) < 6 {
			continue
		}
		if strings.Join(f[5:], " ") == abs || f[3] == dev && f[4] == ino {
			return true, nil
		}
	}
	return false, nil
}

// groupName is a wildcard probe as written (uprobe:/bin/x:main.*).
func groupName(p *codegen.Program) string {
	if p.Attach != nil && p.Attach.Point != nil && p.Attach.Point.Raw != "" {
		return p.Attach.Point.Raw
	}
	return ProbeName(p)
}

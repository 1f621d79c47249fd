package output

import (
	"fmt"
	"strconv"
	"strings"
	"syscall"

	"github.com/gobpftrace/gobpftrace/lang"
)

// Symbols resolves the addresses that ksym, usym, kstack and ustack values
// hold. The runtime provides it (it reads /proc/kallsyms, /proc/PID/maps,
// ELF files and the kernel's stack maps); without one, addresses print as
// hex numbers. Each run has its own (Formatter.Symbols).
type Symbols interface {
	// Kernel returns the kernel symbol containing addr and addr's offset
	// from it.
	Kernel(addr uint64) (name string, off uint64, ok bool)
	// User returns the symbol of process pid containing addr, addr's
	// offset from it and the file it is in (module is set even when the
	// symbol is not found, if the address is in a mapped file).
	User(pid uint32, addr uint64) (name string, off uint64, module string, ok bool)
	// Stack returns the frames of stack id in the stack map of frame limit
	// limit, or why it could not look them up (an id gone from the map:
	// "BPF map operation lookup failed: No such file or directory [map =
	// NAME]", as bpftrace words it).
	Stack(limit int, id int64) ([]uint64, error)
}

// BuildIDFrame is a frame of a ustack(build_id) stack, as the kernel
// records it: the build id of the file the address is in and the
// address's offset in that file, or only the address when the kernel
// could not read the build id.
type BuildIDFrame struct {
	HasBuildID bool
	BuildID    [20]byte
	// Offset is the file offset with a build id, else the address.
	Offset uint64
}

// BuildIDStacks is implemented by Symbols that can read the stacks of
// ustack(build_id) (codegen.Plan.BuildIDStackMaps).
type BuildIDStacks interface {
	// BuildIDStack returns the frames of stack id in the build-id stack
	// map of frame limit limit, or why it could not (as Stack).
	BuildIDStack(limit int, id int64) ([]BuildIDFrame, error)
}

// buildIDLine is a build-id frame as bpftrace prints it: the build id in
// hex and the offset, or the bare address in hex.
func buildIDLine(f BuildIDFrame) string {
	if !f.HasBuildID {
		return strconv.FormatUint(f.Offset, 16)
	}
	return fmt.Sprintf("%x 0x%02x", f.BuildID, f.Offset)
}

// hexAddr prints an address that has no symbol as bpftrace does (a C++
// void* inserted in a stream: "0" for null, else 0x...).
func hexAddr(addr uint64) string {
	if addr == 0 {
		return "0"
	}
	return "0x" + strconv.FormatUint(addr, 16)
}

// symItem decodes ksym()/usym(): the symbol containing the address,
// without offset.
func (f *Formatter) symItem(t *lang.Type, b []byte) item {
	addr := readUint(b, 8)
	s := f.Symbols
	if s == nil {
		return strItem(hexAddr(addr))
	}
	if t.UserSpace {
		pid := uint32(readUint(slice(b, 8, 4), 4))
		if name, _, _, ok := s.User(pid, addr); ok {
			return strItem(name)
		}
		return strItem(hexAddr(addr))
	}
	if name, _, ok := s.Kernel(addr); ok {
		return strItem(name)
	}
	return strItem(hexAddr(addr))
}

// stackAddrs decodes a kstack/ustack value: the process of a user stack
// and the stack's return addresses, up to the type's limit (none without
// a symbol source or for a stack the kernel did not record). lost is set
// when the stack id is no longer in the stack map: the error is reported
// (Formatter.Errors) in bpftrace's words and the stack prints empty.
func (f *Formatter) stackAddrs(t *lang.Type, b []byte) (pid uint32, addrs []uint64, lost bool) {
	id, frames := stackID(b)
	if t.UserSpace {
		pid = uint32(readUint(slice(b, 8, 4), 4))
	}
	// A stack the probe does not have (get_stackid's EFAULT: a kernel
	// stack in a uprobe) is an empty stack. Any other failure (EEXIST: the
	// stack map had no room for it) stored no stack: it is looked up, and
	// found missing, as bpftrace finds a stack it could not store.
	if f.Symbols == nil || id == -int64(syscall.EFAULT) || t.StackMode == "build_id" {
		return pid, nil, false // a build-id stack has no addresses (stackItem)
	}
	limit := t.StackLimit
	if limit <= 0 {
		limit = 127
	}
	stack, err := f.Symbols.Stack(limit, id)
	if err != nil {
		f.reportError(lookupError(id, frames, pid, err))
		return pid, nil, true
	}
	for n, addr := range stack {
		if addr == 0 || n >= limit {
			break
		}
		addrs = append(addrs, addr)
	}
	return pid, addrs, false
}

// stackID reads a kstack/ustack value's stack id and, for a stack that
// could not be recorded, its length in frames (codegen's stackLength): the
// id (or the helper's error) is the lower half, as an int32, and the
// length the upper half.
func stackID(b []byte) (id int64, frames uint64) {
	v := readUint(b, 8)
	return int64(int32(uint32(v))), v >> 32
}

// lookupError is the error of a stack not found in its map, in bpftrace
// v0.26's words.
func lookupError(id int64, frames uint64, pid uint32, err error) string {
	return fmt.Sprintf("failed to look up stack id: %d stack length: %d (pid %d): %v", id, frames, pid, err)
}

// reportError passes an error met while formatting to Errors, if set.
func (f *Formatter) reportError(msg string) {
	if f.Errors != nil {
		f.Errors(msg)
	}
}

// stackItem decodes a kstack/ustack value into its symbolized frames.
func (f *Formatter) stackItem(t *lang.Type, b []byte) item {
	pid, addrs, lost := f.stackAddrs(t, b)
	it := item{kind: itemStack, s: t.StackMode, lost: lost}
	if bs, ok := f.Symbols.(BuildIDStacks); ok && t.StackMode == "build_id" {
		return f.buildIDItem(bs, t, b)
	}
	for _, addr := range addrs {
		for _, line := range frameLines(f.Symbols, t, pid, addr) {
			it.elems = append(it.elems, strItem(line))
		}
	}
	return it
}

// buildIDItem decodes a ustack(build_id) value: its frames' lines, or an
// empty stack (and the error) when the stack map does not hold it.
func (f *Formatter) buildIDItem(bs BuildIDStacks, t *lang.Type, b []byte) item {
	it := item{kind: itemStack, s: t.StackMode}
	id, n := stackID(b)
	frames, err := bs.BuildIDStack(stackLimitOf(t), id)
	if err != nil {
		f.reportError(lookupError(id, n, uint32(readUint(slice(b, 8, 4), 4)), err))
		it.lost = true
		return it
	}
	for _, fr := range frames {
		it.elems = append(it.elems, strItem(buildIDLine(fr)))
	}
	return it
}

// stackLimitOf is a stack type's frame limit.
func stackLimitOf(t *lang.Type) int {
	if t.StackLimit <= 0 {
		return 127
	}
	return t.StackLimit
}

// frameLines are the lines a frame prints in its stack mode: one, or
// for a user frame with config show_debug_info one more before it per
// function inlined at the address, innermost first, as bpftrace prints
// them ("[inlined] NAME@FILE:LINE", in perf mode "ADDR NAME (inlined)").
func frameLines(s Symbols, t *lang.Type, pid uint32, addr uint64) []string {
	hex := strconv.FormatUint(addr, 16)
	switch t.StackMode {
	case "raw":
		return []string{hex}
	case "perf":
		if t.UserSpace {
			name, off, module, ok := s.User(pid, addr)
			sym := hexAddr(addr)
			var lines []string
			if ok {
				sym = symOff(name, off)
				inlined, _ := sourceFrames(s, pid, addr)
				for _, fr := range inlined {
					lines = append(lines, "\t"+hex+" "+fr.Name+" (inlined)")
				}
			}
			if module == "" {
				module = "[unknown]"
			}
			return append(lines, "\t"+hex+" "+sym+" ("+module+")")
		}
		if name, off, ok := s.Kernel(addr); ok {
			return []string{"\t" + hex + " " + symOff(name, off)}
		}
		return []string{"\t" + hex + " " + hexAddr(addr)}
	}
	if t.UserSpace {
		name, off, _, ok := s.User(pid, addr)
		if !ok {
			return []string{hexAddr(addr)}
		}
		inlined, outer := sourceFrames(s, pid, addr)
		lines := make([]string, 0, len(inlined)+1)
		for _, fr := range inlined {
			lines = append(lines, "[inlined] "+fr.Name+fr.suffix())
		}
		return append(lines, symOff(name, off)+outer.suffix())
	}
	if name, off, ok := s.Kernel(addr); ok {
		return []string{symOff(name, off)}
	}
	return []string{hexAddr(addr)}
}

// frameText is a frame's own line in its stack mode (the last of its
// frameLines).
func frameText(s Symbols, t *lang.Type, pid uint32, addr uint64) string {
	lines := frameLines(s, t, pid, addr)
	return lines[len(lines)-1]
}

func symOff(name string, off uint64) string { return fmt.Sprintf("%s+%d", name, off) }

// SourceFrame is a source location of a user address: a function inlined
// there (Inlined, named Name) or the function holding it. File is "" when
// the debug information does not say where.
type SourceFrame struct {
	Name    string
	Inlined bool
	File    string
	Line    int
}

// suffix is "@FILE:LINE", or "" without a file.
func (fr SourceFrame) suffix() string {
	if fr.File == "" {
		return ""
	}
	return "@" + fr.File + ":" + strconv.Itoa(fr.Line)
}

// SourceFrames is implemented by Symbols that know the source locations
// of user addresses (config show_debug_info).
type SourceFrames interface {
	// SourceFrames returns the source locations of addr in process pid,
	// innermost first: the functions inlined there, then the function
	// holding it (nil when unknown).
	SourceFrames(pid uint32, addr uint64) []SourceFrame
}

// sourceFrames returns the functions inlined at user address addr,
// innermost first, and the source location of the function holding it,
// when s knows them (config show_debug_info).
func sourceFrames(s Symbols, pid uint32, addr uint64) (inlined []SourceFrame, outer SourceFrame) {
	sf, ok := s.(SourceFrames)
	if !ok {
		return nil, SourceFrame{}
	}
	frames := sf.SourceFrames(pid, addr)
	if len(frames) == 0 {
		return nil, SourceFrame{}
	}
	return frames[:len(frames)-1], frames[len(frames)-1]
}

// writeStack renders a stack as bpftrace does: a newline, then one line per
// frame (indented in bpftrace mode; perf frames start with a tab already;
// raw frames are bare hex).
func writeStack(sb *strings.Builder, it item, indent int) {
	if it.lost {
		return // printed as bpftrace prints a stack it could not look up: empty
	}
	sb.WriteByte('\n')
	pad := ""
	if it.s == "" || it.s == "bpftrace" {
		pad = strings.Repeat(" ", indent)
	}
	for _, f := range it.elems {
		sb.WriteString(pad)
		sb.WriteString(f.s)
		sb.WriteByte('\n')
	}
}

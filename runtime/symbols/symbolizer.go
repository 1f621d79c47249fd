package symbols

import (
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/cilium/ebpf"
	"github.com/ianlancetaylor/demangle"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/runtime/output"
)

// Symbolizer implements output.Symbols for one session. It is safe for
// concurrent use: the REPL prints a run's maps while its events print.
type Symbolizer struct {
	stacks     map[int]*ebpf.Map // by frame limit
	stackNames map[int]string    // their names, for errors
	// buildIDs are the stack maps of ustack(build_id), by frame limit,
	// and their names.
	buildIDs     map[int]*ebpf.Map
	buildIDNames map[int]string
	user         *userSymbols
	// fixed are the position-dependent (ET_EXEC) files the plan's uprobes
	// and usdt probes are in: their addresses are the same in every
	// process, so they resolve even for a process whose maps were never
	// read (bpftrace falls back to the probe's binary too).
	fixed []string
	// demangle is config cpp_demangle: C++ and Rust names are demangled.
	demangle bool
	// debugInfo is config show_debug_info: user frames get their source
	// line (SourceLine).
	debugInfo bool
	// frozen, once Freeze has run, holds every stack of the stack maps
	// by frame limit and id: they serve after the maps are closed.
	frozen atomic.Pointer[map[int]map[uint32][]uint64]
	// frozenBuildIDs is the same for the build-id stack maps.
	frozenBuildIDs atomic.Pointer[map[int]map[uint32][]output.BuildIDFrame]
}

var (
	_ output.Symbols       = (*Symbolizer)(nil)
	_ output.BuildIDStacks = (*Symbolizer)(nil)
)

// NewSymbolizer serves a run of plan; maps are its loaded maps by name
// (for the stack maps).
func NewSymbolizer(plan *codegen.Plan, maps map[string]*ebpf.Map) *Symbolizer {
	s := &Symbolizer{stacks: map[int]*ebpf.Map{}, stackNames: map[int]string{}, user: newUserSymbols(), demangle: !plan.Config.NoCppDemangle, debugInfo: plan.Config.ShowDebugInfo}
	for limit, name := range plan.StackMaps {
		if m := maps[name]; m != nil {
			s.stacks[limit] = m
			s.stackNames[limit] = name
		}
	}
	// A script may have build-id stacks only.
	s.buildIDs, s.buildIDNames = map[int]*ebpf.Map{}, map[int]string{}
	for limit, name := range plan.BuildIDStackMaps {
		if m := maps[name]; m != nil {
			s.buildIDs[limit], s.buildIDNames[limit] = m, name
		}
	}
	seen := map[string]bool{}
	for _, p := range plan.Programs {
		if p.Attach == nil || p.Attach.Binary == "" || seen[p.Attach.Binary] {
			continue
		}
		seen[p.Attach.Binary] = true
		if f, err := elf.Open(p.Attach.Binary); err == nil {
			if f.Type == elf.ET_EXEC {
				s.fixed = append(s.fixed, p.Attach.Binary)
			}
			f.Close()
		}
	}
	return s
}

// Kernel reads /proc/kallsyms on first use (once per process): the REPL's
// .maps and the event loop may ask at the same time.
func (s *Symbolizer) Kernel(addr uint64) (string, uint64, bool) {
	ks, _ := LoadKallsyms()
	if ks == nil {
		return "", 0, false
	}
	return ks.Symbol(addr)
}

func (s *Symbolizer) User(pid uint32, addr uint64) (string, uint64, string, bool) {
	name, off, module, ok := s.user.resolve(pid, addr)
	if ok || module != "" {
		return s.demangled(name), off, module, ok
	}
	for _, path := range s.fixed {
		if name, off, ok := s.user.resolveFixed(path, addr); ok {
			return s.demangled(name), off, path, true
		}
	}
	return name, off, module, ok
}

// demangled is a C++ or Rust symbol as its source names it
// (_ZN2ns6Widget4pokeEi is ns::Widget::poke(int), as c++filt shows it;
// a legacy Rust symbol loses its hash), unless cpp_demangle is off. Other
// names are returned unchanged.
func (s *Symbolizer) demangled(name string) string {
	if !s.demangle || !(strings.HasPrefix(name, "_Z") || strings.HasPrefix(name, "_R")) {
		return name
	}
	return demangle.Filter(name)
}

func (s *Symbolizer) Stack(limit int, id int64) ([]uint64, error) {
	if id < 0 || id > math.MaxUint32 {
		// A stack the program could not record: no stack map holds it.
		return nil, s.lookupError(limit, syscall.ENOENT)
	}
	if f := s.frozen.Load(); f != nil {
		if frames, ok := (*f)[limit][uint32(id)]; ok {
			return frames, nil
		}
		return nil, s.lookupError(limit, syscall.ENOENT)
	}
	m := s.stacks[limit]
	if m == nil {
		return nil, s.lookupError(limit, syscall.ENOENT)
	}
	val, err := m.LookupBytes(uint32(id))
	if err != nil || val == nil {
		// A missing key gives neither a value nor an error.
		errno := syscall.ENOENT
		if err != nil && !errors.As(err, &errno) {
			errno = syscall.EIO
		}
		return nil, s.lookupError(limit, errno)
	}
	return stackFrames(val), nil
}

// BuildIDStack implements output.BuildIDStacks as Stack does for the
// build-id stack maps.
func (s *Symbolizer) BuildIDStack(limit int, id int64) ([]output.BuildIDFrame, error) {
	missing := fmt.Errorf("BPF map operation lookup failed: %s [map = %s]", output.StrerrorText(int64(syscall.ENOENT)), s.buildIDNames[limit])
	if id < 0 || id > math.MaxUint32 {
		return nil, missing
	}
	if f := s.frozenBuildIDs.Load(); f != nil {
		if frames, ok := (*f)[limit][uint32(id)]; ok {
			return frames, nil
		}
		return nil, missing
	}
	m := s.buildIDs[limit]
	if m == nil {
		return nil, missing
	}
	val, err := m.LookupBytes(uint32(id))
	if err != nil || val == nil {
		errno := syscall.ENOENT
		if err != nil && !errors.As(err, &errno) {
			errno = syscall.EIO
		}
		return nil, fmt.Errorf("BPF map operation lookup failed: %s [map = %s]", output.StrerrorText(int64(errno)), s.buildIDNames[limit])
	}
	return buildIDFrames(val), nil
}

// buildIDFrames decodes a build-id stack map value: struct
// bpf_stack_build_id {s32 status; u8 build_id[20]; u64 offset or ip;}
// frames up to the first empty one (status 0). Status 1 has the build
// id and file offset; 2, only the address.
func buildIDFrames(val []byte) []output.BuildIDFrame {
	var frames []output.BuildIDFrame
	for i := 0; i+32 <= len(val); i += 32 {
		status := int32(binary.LittleEndian.Uint32(val[i:]))
		if status == 0 {
			break
		}
		fr := output.BuildIDFrame{HasBuildID: status == 1, Offset: binary.LittleEndian.Uint64(val[i+24:])}
		copy(fr.BuildID[:], val[i+4:i+24])
		frames = append(frames, fr)
	}
	return frames
}

// lookupError says why a stack id could not be read from the stack map
// of frame limit limit, in bpftrace's words.
func (s *Symbolizer) lookupError(limit int, errno syscall.Errno) error {
	return fmt.Errorf("BPF map operation lookup failed: %s [map = %s]", output.StrerrorText(int64(errno)), s.stackNames[limit])
}

// stackFrames decodes a stack map value: addresses up to the first zero.
func stackFrames(val []byte) []uint64 {
	frames := make([]uint64, 0, len(val)/8)
	for i := 0; i+8 <= len(val); i += 8 {
		a := binary.LittleEndian.Uint64(val[i:])
		if a == 0 {
			break
		}
		frames = append(frames, a)
	}
	return frames
}

// Freeze copies every stack of the stack maps, which Stack then serves,
// so that the stacks of the maps kept at the end of a run still resolve
// once the kernel maps are closed. Nothing may add stacks after it.
func (s *Symbolizer) Freeze() {
	frozen := map[int]map[uint32][]uint64{}
	for limit, m := range s.stacks {
		stacks := map[uint32][]uint64{}
		var key uint32
		val := make([]byte, m.ValueSize())
		it := m.Iterate()
		for it.Next(&key, &val) {
			stacks[key] = stackFrames(val)
		}
		frozen[limit] = stacks
	}
	frozenBIDs := map[int]map[uint32][]output.BuildIDFrame{}
	for limit, m := range s.buildIDs {
		stacks := map[uint32][]output.BuildIDFrame{}
		var key uint32
		val := make([]byte, m.ValueSize())
		it := m.Iterate()
		for it.Next(&key, &val) {
			stacks[key] = buildIDFrames(val)
		}
		frozenBIDs[limit] = stacks
	}
	s.frozenBuildIDs.Store(&frozenBIDs)
	s.frozen.Store(&frozen)
}

// Prime reads the memory maps of process pid now, while it runs, so that
// its addresses resolve after it exits.
func (s *Symbolizer) Prime(pid uint32) { s.user.prime(pid) }

package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang"
)

// Kernel limits that a valid script can exceed, reported at the probe
// instead of as a verifier rejection after every map was created.
const (
	// maxProgMaps is the kernel's limit of maps one program uses
	// (MAX_USED_MAPS).
	maxProgMaps = 64
	// maxProgInsns is the kernel's limit of instructions of a privileged
	// program (BPF_COMPLEXITY_LIMIT_INSNS).
	maxProgInsns = 1000000
)

func checkProgramLimits(probe *lang.Probe, insns asm.Instructions) {
	maps := map[string]bool{}
	for _, in := range insns {
		if in.IsLoadFromMap() {
			maps[in.Reference()] = true
		}
	}
	if len(maps) > maxProgMaps {
		failf(probe.Span, "this probe uses %d maps (its own and gobpftrace's), more than the %d the kernel allows in one program", len(maps), maxProgMaps)
	}
	if n := insns.Size() / asm.InstructionSize; n > maxProgInsns {
		failf(probe.Span, "this probe compiles to %d instructions, more than the %d the kernel allows", n, maxProgInsns)
	}
}

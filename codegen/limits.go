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
	// Distinct maps are counted only when there are more loads of one
	// than the limit: a set of names per program is most of the cost.
	loads := 0
	for _, in := range insns {
		if in.IsLoadFromMap() {
			loads++
		}
	}
	maps := map[string]bool{}
	for i := 0; loads > maxProgMaps && i < len(insns); i++ {
		if insns[i].IsLoadFromMap() {
			maps[insns[i].Reference()] = true
		}
	}
	if len(maps) > maxProgMaps {
		failf(probe.Span, "this probe uses %d maps (its own and gobpftrace's), more than the %d the kernel allows in one program", len(maps), maxProgMaps)
	}
	if n := insns.Size() / asm.InstructionSize; n > maxProgInsns {
		d := lang.Errorf(probe.Span, "this probe compiles to %d instructions, more than the %d the kernel allows", n, maxProgInsns)
		d.Hint = "unroll fewer rounds (a while or for loop keeps one copy of its body), or split the work between probes"
		panic(compileError{d})
	}
}

package stdlib

import (
	"strings"

	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// Provider groups used by builtin rules.
var (
	// ArgsProviders have a typed `args` struct.
	ArgsProviders = []probetype.Type{probetype.Tracepoint, probetype.RawTracepoint, probetype.Fentry, probetype.Fexit, probetype.Uprobe, probetype.Uretprobe}
	// ArgNProviders have arg0..argN read from registers.
	ArgNProviders = []probetype.Type{probetype.Kprobe, probetype.Uprobe, probetype.USDT, probetype.RawTracepoint}
	// RetvalProviders are return probes.
	RetvalProviders = []probetype.Type{probetype.Kretprobe, probetype.Uretprobe, probetype.Fexit}
	// FuncProviders trace a function, so `func` names it.
	FuncProviders = []probetype.Type{probetype.Kprobe, probetype.Kretprobe, probetype.Uprobe, probetype.Uretprobe, probetype.Fentry, probetype.Fexit}
	// RegsProviders run with user or kernel registers at hand.
	RegsProviders = []probetype.Type{probetype.Kprobe, probetype.Kretprobe, probetype.Uprobe, probetype.Uretprobe, probetype.USDT, probetype.Profile}
)

// joinProbeTypes lists providers for people: "kprobe, uprobe".
func joinProbeTypes(ts []probetype.Type) string {
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}

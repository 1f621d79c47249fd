package attach

import (
	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// Two probes of a script on the same event run in the script's order, as
// in bpftrace. The kernel runs the programs of one event either in the
// order they were attached or newest first, depending on the provider:
//
//   - a tracepoint's programs sit in the event's program array, appended
//     as they are attached; a raw tracepoint's are registered behind those
//     of the same priority; perf events of one software or hardware event,
//     profile and interval timers fire as they were opened;
//   - every uprobe, uretprobe and USDT attachment (perf event or
//     uprobe_multi link) is a consumer that the kernel puts at the head of
//     the uprobe's consumer list, which it walks from the head, on entry
//     and on return; kprobes are chained the same way at an address, and
//     fentry/fexit programs likewise run newest first in the trampoline.
//
// AttachOrder is the order to attach probes in so that each event runs them
// in the script's order, as indexes of probes: the providers that keep
// attach order first, in the script's order, then the others in reverse.
// bpftrace (v0.26) orders its attachments by the same two passes, with the
// same providers in each.
func AttachOrder(probes []*codegen.Program) []int {
	out := make([]int, 0, len(probes))
	for i, p := range probes {
		if !runsNewestFirst(Provider(p)) {
			out = append(out, i)
		}
	}
	for i := len(probes) - 1; i >= 0; i-- {
		if runsNewestFirst(Provider(probes[i])) {
			out = append(out, i)
		}
	}
	return out
}

// runsNewestFirst reports the providers whose programs on one event the
// kernel runs last attached first.
func runsNewestFirst(t probetype.Type) bool {
	switch t {
	case probetype.Uprobe, probetype.Uretprobe, probetype.USDT,
		probetype.Kprobe, probetype.Fentry, probetype.Fexit, probetype.Iter:
		return true
	}
	return false
}

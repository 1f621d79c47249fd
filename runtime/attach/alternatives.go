package attach

import (
	"strings"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/runtime/probes"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// kernelProbeAlternative names a probe that works on this kernel and traces
// what a kprobe/kretprobe/fentry/fexit program p wanted, for the hint of
// the refusal when the kernel lacks those probes: the syscall tracepoint of
// a syscall entry function (__x64_sys_openat, __do_sys_openat...), else a
// tracepoint (and its raw tracepoint) of the same name. "" when there is
// none.
func kernelProbeAlternative(p *codegen.Program) string {
	name := ProbeName(p)
	fn := name[strings.LastIndexByte(name, ':')+1:]
	if fn == "" || strings.ContainsAny(fn, "*?") {
		return ""
	}
	ret := false
	switch Provider(p) {
	case probetype.Kretprobe, probetype.Fexit:
		ret = true
	}
	tfs, _ := probes.NewEnv() // never fails: tracefs is found on first use
	for _, prefix := range []string{"__x64_sys_", "__arm64_sys_", "__se_sys_", "__do_sys_", "sys_"} {
		if sc, ok := strings.CutPrefix(fn, prefix); ok && sc != "" {
			ev := "sys_enter_" + sc
			if ret {
				ev = "sys_exit_" + sc
			}
			if m, err := tfs.MatchTracepoints("syscalls", ev); err == nil && len(m) == 1 {
				read := "its arguments are args.NAME"
				if ret {
					read = "the return value is args.ret"
				}
				return "tracepoint:syscalls:" + ev + " traces the same syscall and works here (" + read + ")"
			}
		}
	}
	if m, err := tfs.MatchTracepoints("*", fn); err == nil && len(m) > 0 {
		return "tracepoint:" + m[0][0] + ":" + fn + " (or rawtracepoint:" + fn + ") traces the same event and works here"
	}
	return ""
}

// withAlternative adds the hint line naming a working probe, if any.
func withAlternative(msg string, p *codegen.Program) string {
	if alt := kernelProbeAlternative(p); alt != "" {
		return msg + "\nHINT: " + alt
	}
	return msg
}

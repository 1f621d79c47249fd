package main

import (
	"fmt"
	"strings"
	"testing"
)

// Probes on the same event run in the script's order, whichever order the
// kernel runs its attachments in: uprobes, uretprobes and USDT probes
// (newest first, so attached in reverse), a uprobe wildcard (one
// uprobe_multi link) among single uprobes, tracepoints (attached
// concurrently, each tracepoint's probes by one worker in order) and raw
// tracepoints (in attach order).
func TestSameEventProbesRunInScriptOrder(t *testing.T) {
	requireRoot(t)
	c, _ := userHelpers(t)
	script := fmt.Sprintf(`#include <syscall.h>
uprobe:%[1]s:gbt_* { printf("%%s:", func); }
uprobe:%[1]s:gbt_add { printf(" u1"); }
uprobe:%[1]s:gbt_add { printf(" u2\n"); }
uprobe:%[1]s:gbt_mul3 { printf(" m\n"); }
uretprobe:%[1]s:gbt_add { printf("r1"); }
uretprobe:%[1]s:gbt_add { printf(" r2\n"); }
rawtracepoint:sys_enter /pid == cpid && arg1 == __NR_getpid/ { printf("w1"); }
rawtracepoint:sys_enter /pid == cpid && arg1 == __NR_getpid/ { printf(" w2\n"); }
tracepoint:syscalls:sys_exit_getpid /pid == cpid/ { printf("t1"); }
tracepoint:syscalls:sys_exit_getpid /pid == cpid/ { printf(" t2\n"); }
usdt:%[1]s:gbt:tick { printf("s1"); }
usdt:%[1]s:gbt:tick { printf(" s2\n"); }
`, c)
	res := trace(t, traceRun{args: []string{"-c", c + " 2", "-e", script}})
	want := strings.Repeat("gbt_add: u1 u2\nr1 r2\ngbt_mul3: m\nw1 w2\nt1 t2\ns1 s2\n", 2) + "\n\n"
	wantOutput(t, res, want, "Attached 13 probes\n")
}

package main

import (
	"strings"
	"syscall"
	"testing"
)

// TestScratchNestedPrograms: a profile program at 9999 Hz writes a
// 300-byte key into the scratch buffer while a raw tracepoint on every
// syscall builds its 1 KiB key there (an empty string: address 0 cannot
// be read). The perf event runs inside the raw tracepoint program, which
// holds no bpf_prog_active guard: with one shared buffer @q got keys
// "ppp..." (two in 5 s of a syscall storm here; the test may miss it, it never sees it with levels); with a level each it has only the empty one.
func TestScratchNestedPrograms(t *testing.T) {
	p := strings.Repeat("p", 300)
	script := `profile:hz:9999 { @p["` + p + `"] = count(); } rawtracepoint:sys_enter { @q[str(uptr(0), 1024)] = count(); }`
	res := trace(t, traceRun{args: []string{"-e", script}, stop: syscall.SIGINT, trigger: func(t *testing.T) {
		runSysloop(t, 1000000, "")
	}})
	mustExit(t, res, 0)
	for _, l := range strings.Split(res.stdout, "\n") {
		if strings.HasPrefix(l, "@q[") && !strings.HasPrefix(l, "@q[]: ") {
			t.Errorf("@q has a key it cannot have: %.60s", l)
		}
	}
	wantPrefix := "@q[]: "
	if !strings.Contains(res.stdout, "\n"+wantPrefix) {
		t.Errorf("no %q line:\n%.400s", wantPrefix, res.stdout)
	}
	if strings.Contains(res.stderr, "skipped") {
		t.Errorf("runs skipped: %s", res.stderr)
	}
}

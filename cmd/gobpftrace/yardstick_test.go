package main

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// kernelOnlyProbe matches attach points this kernel lacks (kprobes, fentry).
var kernelOnlyProbe = regexp.MustCompile(`(?m)^\s*(kprobe|kretprobe|kfunc|kretfunc|fentry|fexit|k|kr|f|fr):`)

// toolsKnownToFail are installed bpftrace tools that do not load here yet,
// with why. The list may only shrink: a tool on it that loads fails the
// test until it is taken off.
var toolsKnownToFail = map[string]string{
	"loads.bt":       "kaddr(\"avenrun\"): this kernel's kallsyms has no data symbols",
	"runqlen.bt":     "with BTF it reads the kernel's struct cfs_rq, which has no nr_running since Linux 6.14 (nr_queued): bpftrace fails the same way",
	"ssllatency.bt":  "uprobes on libcrypto functions that are not in its symbol table here",
	"sslsnoop.bt":    "uprobes on libcrypto functions that are not in its symbol table here",
	"threadsnoop.bt": "pthread_create is no longer in libpthread.so.0 (glibc 2.34+)",
}

// TestDryRunInstalledTools loads and attaches (--dry-run) the tool scripts
// of the installed bpftrace that need no kprobe or fentry: every one must
// load but those listed in toolsKnownToFail.
func TestDryRunInstalledTools(t *testing.T) {
	requireRoot(t)
	files, _ := filepath.Glob("/usr/sbin/*.bt")
	more, _ := filepath.Glob("/usr/share/bpftrace/tools/*.bt")
	files = append(files, more...)
	if len(files) == 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("bpftrace's tool scripts are not installed (.ci/run installs bpftrace)")
		}
		t.Skip("bpftrace's tool scripts are not installed")
	}
	var passed, failed []string
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil || kernelOnlyProbe.Match(src) {
			continue
		}
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			res := trace(t, traceRun{args: []string{"--dry-run", f}, noAttach: true})
			why, known := toolsKnownToFail[name]
			switch {
			case res.code == 0 && known:
				t.Errorf("%s now loads: take it off toolsKnownToFail (%s)", name, why)
			case res.code != 0 && !known:
				t.Errorf("%s does not load (exit %d):\n%s", name, res.code, res.stderr)
			}
			if res.code == 0 {
				passed = append(passed, name)
			} else {
				failed = append(failed, name)
			}
		})
	}
	sort.Strings(passed)
	sort.Strings(failed)
	t.Logf("load: %s", strings.Join(passed, " "))
	t.Logf("do not load yet: %s", strings.Join(failed, " "))
}

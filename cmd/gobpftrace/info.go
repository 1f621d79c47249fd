package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/features"
	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/runtime/host"
)

// printInfo implements --info: what this kernel supports, each item probed
// for real (a tiny program or map is loaded and released), in sections.
func printInfo(w io.Writer) error {
	if err := host.CheckPrivileges(); err != nil {
		return err
	}
	var uts unix.Utsname
	if err := unix.Uname(&uts); err != nil {
		return err
	}
	fmt.Fprintf(w, "System\n  %-26s %s\n", "kernel:", unix.ByteSliceToString(uts.Release[:]))
	fmt.Fprintf(w, "  %-26s %s\n", "btf:", yesNo(fileExists("/sys/kernel/btf/vmlinux")))
	fmt.Fprintf(w, "  %-26s %s\n", "tracefs:", tracefsState())
	fmt.Fprintf(w, "  %-26s %s\n", "bpf stats:", sysctl("/proc/sys/kernel/bpf_stats_enabled"))
	fmt.Fprintf(w, "  %-26s %s\n", "unprivileged bpf disabled:", sysctl("/proc/sys/kernel/unprivileged_bpf_disabled"))

	fmt.Fprintln(w, "\nAttach")
	fmt.Fprintf(w, "  %-26s %s\n", "kprobe (perf PMU):", yesNo(fileExists("/sys/bus/event_source/devices/kprobe")))
	fmt.Fprintf(w, "  %-26s %s\n", "kprobe_multi link:", probe(features.HaveBPFLinkKprobeMulti()))
	fmt.Fprintf(w, "  %-26s %s\n", "uprobe (perf PMU):", yesNo(fileExists("/sys/bus/event_source/devices/uprobe")))
	fmt.Fprintf(w, "  %-26s %s\n", "uprobe_multi link:", probe(features.HaveBPFLinkUprobeMulti()))
	fmt.Fprintf(w, "  %-26s %s\n", "hardware events (CPU PMU):", yesNo(fileExists("/sys/bus/event_source/devices/cpu")))
	fmt.Fprintf(w, "  %-26s %s\n", "software events:", yesNo(fileExists("/sys/bus/event_source/devices/software")))

	fmt.Fprintln(w, "\nProgram types")
	for _, pt := range []struct {
		name string
		t    ebpf.ProgramType
	}{
		{"kprobe", ebpf.Kprobe}, {"tracepoint", ebpf.TracePoint}, {"raw_tracepoint", ebpf.RawTracepoint},
		{"perf_event", ebpf.PerfEvent}, {"tracing (fentry, tp_btf)", ebpf.Tracing}, {"lsm", ebpf.LSM},
		{"syscall", ebpf.Syscall},
	} {
		fmt.Fprintf(w, "  %-26s %s\n", pt.name+":", probe(features.HaveProgramType(pt.t)))
	}

	fmt.Fprintln(w, "\nMap types")
	for _, mt := range []struct {
		name string
		t    ebpf.MapType
	}{
		{"hash", ebpf.Hash}, {"array", ebpf.Array}, {"percpu_hash", ebpf.PerCPUHash},
		{"percpu_array", ebpf.PerCPUArray}, {"lru_hash", ebpf.LRUHash}, {"lru_percpu_hash", ebpf.LRUCPUHash},
		{"stack_trace", ebpf.StackTrace}, {"perf_event_array", ebpf.PerfEventArray}, {"ringbuf", ebpf.RingBuf},
	} {
		fmt.Fprintf(w, "  %-26s %s\n", mt.name+":", probe(features.HaveMapType(mt.t)))
	}

	fmt.Fprintln(w, "\nHelpers (in tracepoint programs)")
	for _, h := range []asm.BuiltinFunc{
		asm.FnProbeRead, asm.FnProbeReadKernel, asm.FnProbeReadUser, asm.FnProbeReadKernelStr, asm.FnProbeReadUserStr,
		asm.FnGetCurrentTaskBtf, asm.FnGetCurrentCgroupId, asm.FnGetStackid, asm.FnGetNsCurrentPidTgid,
		asm.FnSendSignal, asm.FnOverrideReturn, asm.FnRingbufOutput, asm.FnPerfEventOutput, asm.FnLoop,
		asm.FnSnprintf, asm.FnGetFuncIp, asm.FnKtimeGetBootNs, asm.FnKtimeGetTaiNs, asm.FnGetAttachCookie,
	} {
		name := strings.TrimPrefix(h.String(), "Fn")
		fmt.Fprintf(w, "  %-26s %s\n", name+":", probe(features.HaveProgramHelper(ebpf.TracePoint, h)))
	}

	fmt.Fprintln(w, "\nOther")
	fmt.Fprintf(w, "  %-26s %s\n", "bounded loops:", probe(features.HaveBoundedLoops()))
	fmt.Fprintf(w, "  %-26s %s\n", "large instruction limit:", probe(features.HaveLargeInstructions()))
	fmt.Fprintf(w, "  %-26s %s\n", "v3 ISA:", probe(features.HaveV3ISA()))
	return nil
}

// probe turns a feature probe's result into a word: yes, no, or why not.
func probe(err error) string {
	switch {
	case err == nil:
		return "yes"
	case errors.Is(err, ebpf.ErrNotSupported):
		return "no"
	case errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES):
		return "no (the kernel refuses to load it: operation not permitted)"
	case errors.Is(err, unix.EOPNOTSUPP) || strings.Contains(err.Error(), "not supported for program type"):
		return "no (not supported for this program type)"
	}
	msg, _, _ := strings.Cut(err.Error(), "\n")
	return "unknown (" + msg + ")"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func sysctl(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(data))
}

func tracefsState() string {
	for _, dir := range []string{"/sys/kernel/tracing", "/sys/kernel/debug/tracing"} {
		if fileExists(dir + "/events") {
			return "mounted at " + dir
		}
	}
	return "not mounted (gobpftrace mounts it when it needs it)"
}

package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/features"
	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/runtime/host"
)

// printInfo implements --info: what this kernel supports, each item probed
// for real (a tiny program or map is loaded and released), with
// bpftrace's section names and labels ("  btf: yes", "  Loop support:
// yes"...), which scripts and test runners grep; gobpftrace's own details
// follow in a last section.
func printInfo(w io.Writer) error {
	if err := host.CheckPrivileges(); err != nil {
		return err
	}
	var uts unix.Utsname
	if err := unix.Uname(&uts); err != nil {
		return err
	}
	str := unix.ByteSliceToString
	line := func(label string, value any) { fmt.Fprintf(w, "  %s: %v\n", label, value) }
	fmt.Fprintln(w, "System")
	line("OS", str(uts.Sysname[:])+" "+str(uts.Release[:])+" "+str(uts.Version[:]))
	line("Arch", str(uts.Machine[:]))

	fmt.Fprintln(w, "\nBuild")
	line("version", strings.TrimPrefix(version, "gobpftrace "))
	line("LLVM", "none (gobpftrace emits eBPF itself)")
	line("bfd", "no")
	line("libdw (DWARF support)", "yes") // Go's debug/dwarf, not libdw, reads it
	// bpftrace's labels for its optional libraries: systemd's readiness
	// notification is built in (no libsystemd needed); stacks are
	// symbolized without blazesym's defaults (show_debug_info off) and
	// unwound with frame pointers, not DWARF.
	line("libsystemd (systemd notify support)", "yes")
	line("blazesym (advanced symbolization)", "no")
	line("dwunwind (DWARF stack unwinding)", "no")

	helper := func(h asm.BuiltinFunc) string {
		return yesNo(features.HaveProgramHelper(ebpf.Kprobe, h) == nil || features.HaveProgramHelper(ebpf.TracePoint, h) == nil)
	}
	fmt.Fprintln(w, "\nKernel helpers")
	for _, h := range []struct {
		label string
		fn    asm.BuiltinFunc
	}{
		{"probe_read", asm.FnProbeRead}, {"probe_read_str", asm.FnProbeReadStr},
		{"probe_read_user", asm.FnProbeReadUser}, {"probe_read_user_str", asm.FnProbeReadUserStr},
		{"probe_read_kernel", asm.FnProbeReadKernel}, {"probe_read_kernel_str", asm.FnProbeReadKernelStr},
		{"get_current_cgroup_id", asm.FnGetCurrentCgroupId}, {"send_signal", asm.FnSendSignal},
		{"override_return", asm.FnOverrideReturn}, {"get_boot_ns", asm.FnKtimeGetBootNs},
	} {
		line(h.label, helper(h.fn))
	}
	tracing := func(h asm.BuiltinFunc) string { return yesNo(features.HaveProgramHelper(ebpf.Tracing, h) == nil) }
	line("dpath", tracing(asm.FnDPath))
	line("skboutput", tracing(asm.FnSkbOutput))
	for _, h := range []struct {
		label string
		fn    asm.BuiltinFunc
	}{
		{"get_tai_ns", asm.FnKtimeGetTaiNs}, {"get_func_ip", asm.FnGetFuncIp}, {"jiffies64", asm.FnJiffies64},
		{"for_each_map_elem", asm.FnForEachMapElem}, {"get_ns_current_pid_tgid", asm.FnGetNsCurrentPidTgid},
		{"map_lookup_percpu_elem", asm.FnMapLookupPercpuElem}, {"lookup_percpu_elem", asm.FnMapLookupPercpuElem},
		{"loop", asm.FnLoop}, {"snprintf", asm.FnSnprintf}, {"get_current_task_btf", asm.FnGetCurrentTaskBtf},
	} {
		line(h.label, helper(h.fn))
	}

	fmt.Fprintln(w, "\nKernel features")
	limit := 4096
	if features.HaveLargeInstructions() == nil {
		limit = 1000000
	}
	line("Instruction limit", limit)
	line("Loop support", yesNo(features.HaveBoundedLoops() == nil))
	line("btf", yesNo(fileExists("/sys/kernel/btf/vmlinux")))
	line("module btf", yesNo(moduleBTF()))
	line("map batch", yesNo(mapBatch()))
	line("uprobe refcount", yesNo(fileExists("/sys/bus/event_source/devices/uprobe/format/ref_ctr_offset")))

	fmt.Fprintln(w, "\nMap types")
	for _, mt := range []struct {
		label string
		t     ebpf.MapType
	}{
		{"hash", ebpf.Hash}, {"percpu hash", ebpf.PerCPUHash}, {"array", ebpf.Array}, {"percpu array", ebpf.PerCPUArray},
		{"stack_trace", ebpf.StackTrace}, {"perf_event_array", ebpf.PerfEventArray}, {"ringbuf", ebpf.RingBuf},
		{"lru hash", ebpf.LRUHash}, {"lru percpu hash", ebpf.LRUCPUHash},
	} {
		line(mt.label, yesNo(features.HaveMapType(mt.t) == nil))
	}

	fmt.Fprintln(w, "\nProbe types")
	line("kprobe", yesNo(features.HaveProgramType(ebpf.Kprobe) == nil && fileExists("/sys/bus/event_source/devices/kprobe")))
	line("tracepoint", yesNo(features.HaveProgramType(ebpf.TracePoint) == nil))
	line("perf_event", yesNo(features.HaveProgramType(ebpf.PerfEvent) == nil))
	line("kfunc", yesNo(loadTracing(ebpf.AttachTraceFEntry, "sched_fork") == nil))
	line("kprobe_multi", yesNo(features.HaveBPFLinkKprobeMulti() == nil))
	line("kprobe_session", yesNo(features.HaveBPFLinkKprobeSession() == nil))
	line("uprobe_multi", yesNo(features.HaveBPFLinkUprobeMulti() == nil))
	line("raw_tp_special", yesNo(features.HaveProgramType(ebpf.RawTracepoint) == nil))
	line("iter", yesNo(loadTracing(ebpf.AttachTraceIter, "task") == nil))

	fmt.Fprintln(w, "\ngobpftrace")
	line("tracefs", tracefsState())
	line("bpf stats", sysctl("/proc/sys/kernel/bpf_stats_enabled"))
	line("unprivileged bpf disabled", sysctl("/proc/sys/kernel/unprivileged_bpf_disabled"))
	line("hardware events (CPU PMU)", yesNo(fileExists("/sys/bus/event_source/devices/cpu")))
	line("software events", yesNo(fileExists("/sys/bus/event_source/devices/software")))
	line("lsm", probe(features.HaveProgramType(ebpf.LSM)))
	line("v3 ISA", probe(features.HaveV3ISA()))
	return nil
}

// loadTracing loads a do-nothing tracing program attached to target
// (fentry on a function, an iterator): whether the kernel lets that
// kind of program load.
func loadTracing(at ebpf.AttachType, target string) error {
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Type: ebpf.Tracing, AttachType: at, AttachTo: target, License: "GPL",
		Instructions: asm.Instructions{asm.Mov.Imm(asm.R0, 0), asm.Return()},
	})
	if err == nil {
		prog.Close()
	}
	return err
}

// moduleBTF reports whether the kernel exposes the BTF of its modules.
func moduleBTF() bool {
	files, _ := filepath.Glob("/sys/kernel/btf/*")
	for _, f := range files {
		if filepath.Base(f) != "vmlinux" {
			return true
		}
	}
	return false
}

// mapBatch reports whether a hash map can be read with a batch lookup.
func mapBatch() bool {
	m, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.Hash, KeySize: 4, ValueSize: 4, MaxEntries: 1})
	if err != nil {
		return false
	}
	defer m.Close()
	keys, values := make([]uint32, 1), make([]uint32, 1)
	var cursor ebpf.MapBatchCursor
	_, err = m.BatchLookup(&cursor, keys, values, nil)
	return err == nil || errors.Is(err, ebpf.ErrKeyNotExist)
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

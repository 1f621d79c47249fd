package attach

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/runtime/probes"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

func kernelProg(r *lang.Resolved) *codegen.Program {
	return &codegen.Program{Name: "p0", Attach: r}
}

// The attach requests of providers this kernel lacks, checked without it.
func TestKernelAttachRequests(t *testing.T) {
	for _, c := range []struct {
		r    *lang.Resolved
		want attachRequest
	}{
		{&lang.Resolved{Provider: probetype.Kprobe, Name: "kprobe:vfs_read", Func: "vfs_read"},
			attachRequest{Kind: "kprobe", Symbol: "vfs_read"}},
		{&lang.Resolved{Provider: probetype.Kprobe, Name: "kprobe:vfs_read+16", Func: "vfs_read", Offset: 16},
			attachRequest{Kind: "kprobe", Symbol: "vfs_read", Offset: 16}},
		{&lang.Resolved{Provider: probetype.Kprobe, Name: "kprobe:ext4:ext4_file_open", Func: "ext4_file_open", Module: "ext4"},
			attachRequest{Kind: "kprobe", Symbol: "ext4_file_open", Module: "ext4"}},
		{&lang.Resolved{Provider: probetype.Kretprobe, Name: "kretprobe:vfs_read", Func: "vfs_read"},
			attachRequest{Kind: "kretprobe", Symbol: "vfs_read"}},
		{&lang.Resolved{Provider: probetype.Fentry, Name: "fentry:vfs_read", Func: "vfs_read"},
			attachRequest{Kind: "fentry", Symbol: "vfs_read"}},
		{&lang.Resolved{Provider: probetype.Fexit, Name: "fexit:vfs_read", Func: "vfs_read"},
			attachRequest{Kind: "fexit", Symbol: "vfs_read"}},
		{&lang.Resolved{Provider: probetype.RawTracepoint, Name: "rawtracepoint:sys_enter", Event: "sys_enter"},
			attachRequest{Kind: "rawtracepoint", Symbol: "sys_enter"}},
	} {
		got, err := kernelAttachRequest(kernelProg(c.r))
		if err != nil || got != c.want {
			t.Errorf("%s: %+v, %v; want %+v", c.r.Name, got, err, c.want)
		}
	}
}

func TestPerfEventAttrs(t *testing.T) {
	for _, c := range []struct {
		r            *lang.Resolved
		typ          uint32
		config, freq uint64
	}{
		{&lang.Resolved{Provider: probetype.Hardware, Name: "hardware:cache-misses", PerfConfig: unix.PERF_COUNT_HW_CACHE_MISSES, PerfCount: 1000000},
			unix.PERF_TYPE_HARDWARE, unix.PERF_COUNT_HW_CACHE_MISSES, 1000000},
		{&lang.Resolved{Provider: probetype.Software, Name: "software:faults:7", PerfConfig: unix.PERF_COUNT_SW_PAGE_FAULTS, PerfCount: 7},
			unix.PERF_TYPE_SOFTWARE, unix.PERF_COUNT_SW_PAGE_FAULTS, 7},
		// Without the checker's resolution: the name and count as written.
		{&lang.Resolved{Provider: probetype.Hardware, Name: "hardware:instructions",
			Point: &lang.AttachPoint{Parts: []string{"instructions"}}},
			unix.PERF_TYPE_HARDWARE, unix.PERF_COUNT_HW_INSTRUCTIONS, 1000000},
		{&lang.Resolved{Provider: probetype.Software, Name: "software:cs:3",
			Point: &lang.AttachPoint{Parts: []string{"cs", "3"}}},
			unix.PERF_TYPE_SOFTWARE, unix.PERF_COUNT_SW_CONTEXT_SWITCHES, 3},
	} {
		attr, err := perfEventAttr(kernelProg(c.r))
		if err != nil || attr.Type != c.typ || attr.Config != c.config || attr.Sample != c.freq || attr.Bits&unix.PerfBitFreq != 0 {
			t.Errorf("%s: %+v, %v", c.r.Name, attr, err)
		}
	}
}

func TestListSoftwareAndHardware(t *testing.T) {
	var b bytes.Buffer
	if err := probes.List(&b, io.Discard, "s:cpu*", false, 0); err != nil {
		t.Fatal(err)
	}
	if b.String() != "software:cpu:\nsoftware:cpu-clock:\nsoftware:cpu-migrations:\n" {
		t.Errorf("s:cpu*: %q", b.String())
	}
	b.Reset()
	if err := probes.List(&b, io.Discard, "hardware:*", false, 0); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(b.String(), "\n"); n != 12 {
		t.Errorf("hardware:* listed %d events:\n%s", n, b.String())
	}
	if err := probes.List(&b, io.Discard, "nope:*", false, 0); err == nil || err.Error() != "Invalid probe type: nope" {
		t.Errorf("nope:*: %v", err)
	}
}

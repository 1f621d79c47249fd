package attach

import (
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// The providers whose programs run in attach order keep the script's
// order and come first; the others follow in reverse.
func TestAttachOrder(t *testing.T) {
	var probes []*codegen.Program
	for i, prov := range []probetype.Type{probetype.Uprobe, probetype.Tracepoint, probetype.USDT,
		probetype.RawTracepoint, probetype.Uretprobe, probetype.Tracepoint, probetype.Uprobe,
		probetype.Software, probetype.Kprobe, probetype.Kretprobe, probetype.Fentry, probetype.Fexit,
		probetype.Interval, probetype.Profile, probetype.Hardware} {
		probes = append(probes, &codegen.Program{Name: string(prov) + string(rune('a'+i)), Attach: &lang.Resolved{Provider: prov}})
	}
	var got []string
	for _, i := range AttachOrder(probes) {
		got = append(got, probes[i].Name)
	}
	want := "tracepointb rawtracepointd tracepointf softwareh kretprobej intervalm profilen hardwareo " +
		"fexitl fentryk kprobei uprobeg uretprobee usdtc uprobea"
	if strings.Join(got, " ") != want {
		t.Errorf("attach order:\n%s\nwant\n%s", strings.Join(got, " "), want)
	}
}

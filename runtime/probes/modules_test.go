package probes

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"

	"github.com/gobpftrace/gobpftrace/lang"
)

// fakeModule stands for a loaded kernel module with BTF (this machine's
// kernel has no modules): kernelBTFDir lists vmlinux and fakemod, and
// fakemod's BTF describes the raw tracepoint fake_event(void *, int
// status). Reading vmlinux still goes to the real kernel BTF.
func fakeModule(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"vmlinux", "fakemod"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	intT := &btf.Int{Name: "int", Size: 4, Encoding: btf.Signed}
	proto := &btf.FuncProto{Return: &btf.Void{}, Params: []btf.FuncParam{
		{Name: "__data", Type: &btf.Pointer{Target: &btf.Void{}}},
		{Name: "status", Type: intT},
	}}
	b, err := btf.NewBuilder([]btf.Type{&btf.Typedef{Name: "btf_trace_fake_event", Type: &btf.Pointer{Target: proto}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := b.Marshal(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := btf.LoadSpecFromReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	oldDir, oldLoad := kernelBTFDir, loadModuleBTF
	kernelBTFDir = dir
	loadModuleBTF = func(name string) (*btf.Spec, error) {
		if name != "fakemod" {
			return nil, fmt.Errorf("no module %s", name)
		}
		return spec, nil
	}
	t.Cleanup(func() { kernelBTFDir, loadModuleBTF = oldDir, oldLoad })
}

// Raw tracepoints of loaded modules are found by name without the module
// (bpftrace's rawtracepoint:*:EVENT), listed with their module, and their
// arguments typed from the module's BTF.
func TestModuleRawTracepoints(t *testing.T) {
	if _, err := os.Stat("/sys/kernel/btf/vmlinux"); err != nil {
		t.Skip("no kernel BTF")
	}
	fakeModule(t)
	env := &Env{}
	mods, err := env.MatchKernelModules("*")
	if err != nil || strings.Join(mods, ",") != "vmlinux,fakemod" {
		t.Fatalf("modules %v, %v", mods, err)
	}
	for _, c := range []struct{ module, pattern, want string }{
		{"fakemod", "fake_event", "fake_event"},
		{"fakemod", "fake_*", "fake_event"},
		{"fakemod", "sys_enter", ""},
		{"vmlinux", "fake_event", ""},
		{"vmlinux", "sys_ente?", "sys_enter"},
	} {
		got, err := env.MatchKernel(lang.KernelRawTracepoint, c.module, c.pattern)
		if err != nil || strings.Join(got, ",") != c.want {
			t.Errorf("%s:%s: %v, %v; want %q", c.module, c.pattern, got, err, c.want)
		}
	}
	args, err := env.RawTracepointArgs("fakemod", "fake_event")
	if err != nil || len(args.Fields) != 1 || args.Fields[0].Name != "status" || args.Fields[0].Type.Size != 4 {
		t.Errorf("args of fakemod:fake_event: %+v, %v", args, err)
	}
	for _, c := range []struct {
		pattern string
		verbose bool
		want    string
	}{
		{"rawtracepoint:fake_event", false, "rawtracepoint:fakemod:fake_event\n"},
		{"rawtracepoint:fakemod:*", true, "rawtracepoint:fakemod:fake_event\n    int status\n"},
		{"rawtracepoint:*:fake_*", false, "rawtracepoint:fakemod:fake_event\n"},
		{"rawtracepoint:sys_enter", false, "rawtracepoint:vmlinux:sys_enter\n"},
	} {
		var out, warn bytes.Buffer
		if err := List(&out, &warn, c.pattern, c.verbose, 0); err != nil || out.String() != c.want {
			t.Errorf("-l %s: %q, %v; want %q", c.pattern, out.String(), err, c.want)
		}
	}
}

package codegen

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/cilium/ebpf/asm"
)

// The values user space formats, built in the kernel's verifier and JIT:
// ntop's {family, address}, macaddr's 6 bytes, buf's {len, data},
// strftime/strerror/cgroup_path's integers, strlen and pton.
func TestFormattedValuesInKernel(t *testing.T) {
	l := runBegin(t, `BEGIN {
		@n4 = ntop(0x0100007f);
		@n6 = ntop(pton("fe80::1"));
		@naf = ntop(10, pton("1.2.3.4"));
		@mac = macaddr(pton("1:2:3:4:5:6:7:8"));
		@b = buf(pton("10.0.0.255"));
		@len = strlen("hello");
		@lenfull = strlen("abc");
		$s = "tracing";
		@lenvar = strlen($s);
		@t = strftime("%H", 1234);
		@e = strerror(2);
		@c = cgroup_path(7);
		@p = pton("192.168.1.2");
	}`)
	inet := func(af uint64, addr ...byte) []byte {
		b := make([]byte, 24)
		binary.LittleEndian.PutUint64(b, af)
		copy(b[8:], addr)
		return b
	}
	ll := []byte{0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}
	for name, want := range map[string][]byte{
		"@n4":      inet(2, 127, 0, 0, 1),
		"@n6":      inet(10, ll...),
		"@naf":     inet(10, 1, 2, 3, 4),
		"@mac":     {0, 1, 0, 2, 0, 3},
		"@b":       {4, 0, 0, 0, 10, 0, 0, 255},
		"@len":     le64(5),
		"@lenfull": le64(3),
		"@lenvar":  le64(7),
		"@t":       le64(1234),
		"@e":       le64(2),
		"@c":       le64(7),
		"@p":       {192, 168, 1, 2},
	} {
		if got := l.value(name, nil); !bytes.Equal(got, want) {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
}

// join() reads a NULL-terminated char *[]: here a kernel address that
// reads as NULL, so the record holds no string.
func TestJoinRecord(t *testing.T) {
	l := runBegin(t, `BEGIN { join(0, ","); }`)
	evs := l.events()
	if len(evs) != 1 || evs[0].ev.Kind != EvJoin || evs[0].ev.Format != "," || evs[0].ev.JoinSlot != 1024 {
		t.Fatalf("events %+v", evs)
	}
	if n := binary.LittleEndian.Uint64(evs[0].data[8:]); n != 0 {
		t.Errorf("count %d, want 0", n)
	}
	if got := len(evs[0].data); got != 16+JoinArgs*1024 {
		t.Errorf("record of %d bytes", got)
	}
}

// override(rc) is bpf_override_return(ctx, rc), which only kprobes can
// call; signal() is bpf_send_signal with the number, a name resolved at
// compile time.
func TestOverrideAndSignalInstructions(t *testing.T) {
	spec := onlyProgram(t, compileKernelUnsafe(t, `kprobe:vfs_read { override(12); }`))
	sameInsns(t, "override", spec.Instructions, asm.Instructions{
		asm.Mov.Imm(asm.R2, 12),
		asm.FnOverrideReturn.Call(),
		asm.Mov.Imm(asm.R0, 0),
		asm.Return(),
	})
	spec = onlyProgram(t, compileKernelUnsafe(t, `kprobe:vfs_read { signal("SIGKILL"); }`))
	sameInsns(t, "signal", spec.Instructions, asm.Instructions{
		asm.Mov.Imm(asm.R1, 9),
		asm.FnSendSignal.Call(),
		asm.Mov.Imm(asm.R0, 0),
		asm.Return(),
	})
}

// config license and perf_rb_pages reach the plan.
func TestLicenseAndRingBufferSize(t *testing.T) {
	plan := compileScript(t, `config = { license = "Dual MIT/GPL"; perf_rb_pages = 3 } BEGIN { printf("x\n"); }`)
	if l := onlyProgram(t, plan).License; l != "Dual MIT/GPL" {
		t.Errorf("license %q", l)
	}
	if n := plan.Spec.Maps[plan.RingBuf].MaxEntries; n != 4*4096 {
		t.Errorf("ring buffer of %d bytes, want %d", n, 4*4096)
	}
	plan = compileScript(t, `BEGIN { printf("x\n"); }`)
	if l := onlyProgram(t, plan).License; l != "GPL" {
		t.Errorf("default license %q", l)
	}
	if n := plan.Spec.Maps[plan.RingBuf].MaxEntries; n != 1<<20 {
		t.Errorf("default ring buffer of %d bytes", n)
	}
}

// config on_stack_limit moves values bigger than the limit to the
// per-CPU scratch buffer; the script still runs.
func TestOnStackLimit(t *testing.T) {
	src := `BEGIN { $t = ((int64)3, "abcdefghijklmnop"); @x = $t.0; }`
	if plan := compileScript(t, src); plan.Spec.Maps[scratchName] != nil {
		t.Errorf("a 32-byte tuple went to the scratch buffer by default")
	}
	plan := compileScript(t, `config = { on_stack_limit = 16 } `+src)
	if plan.Spec.Maps[scratchName] == nil {
		t.Fatalf("with on_stack_limit = 16, no scratch buffer")
	}
	l := load(t, plan)
	l.run("BEGIN")
	if got := i64(l.value("@x", nil)); got != 3 {
		t.Errorf("@x = %d", got)
	}
}

package codegen

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"runtime"
	"testing"

	"github.com/cilium/ebpf/btf"
	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/check"
	"github.com/gobpftrace/gobpftrace/lang/parser"
	"github.com/gobpftrace/gobpftrace/runtime/ktypes"
)

// vmlinuxEnv is the test environment plus the running kernel's types.
type vmlinuxEnv struct{ fakeEnv }

func (vmlinuxEnv) KernelType(name string) (*lang.Type, bool, error) {
	return ktypes.Vmlinux().Type(name)
}

func (vmlinuxEnv) KernelEnumerator(name string) (int64, *lang.Type, bool, error) {
	return ktypes.Vmlinux().Enumerator(name)
}

func (vmlinuxEnv) KernelStructNames() ([]string, error) { return ktypes.Vmlinux().StructNames() }

func compileVmlinux(t *testing.T, src string) *Plan {
	t.Helper()
	prog, err := parser.Parse("test.bt", src)
	if err != nil {
		t.Fatal(err)
	}
	checked, err := check.Check(prog, "test.bt", src, vmlinuxEnv{}, check.Options{})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := Compile(checked)
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

// Reads of the current task through BTF, run by BPF_PROG_TEST_RUN in this
// test's own thread: every value is compared with what the system says
// about the thread.
func TestKernelStructReads(t *testing.T) {
	requireRoot(t)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	l := load(t, compileVmlinux(t, `BEGIN {
  @tid = curtask->pid; @tgid = curtask.tgid; @ppid = ppid; @leader = curtask->group_leader->pid;
  @comm = curtask->comm; @pcomm = pcomm; @c1 = curtask->comm[1];
  @auxv = curtask->mm->saved_auxv[2]; @auxvp = *(curtask->mm->saved_auxv + 2);
  @size = sizeof(struct task_struct); @off = (uint64)&curtask->tgid - (uint64)curtask - offsetof(struct task_struct, tgid);
  @enum = BPF_MAP_TYPE_HASH;
  @flags = curtask->mm->flags;
  $t = *curtask->real_parent; @ptgid = $t.tgid;
  $addr = (uint64)&curtask->tgid; @ideref = (int32)*$addr;
}`))
	l.run("BEGIN")
	tid, pid := unix.Gettid(), os.Getpid()
	comm, err := os.ReadFile(fmt.Sprintf("/proc/self/task/%d/comm", tid))
	if err != nil {
		t.Fatal(err)
	}
	pcomm, err := os.ReadFile("/proc/self/comm")
	if err != nil {
		t.Fatal(err)
	}
	auxv, err := os.ReadFile("/proc/self/auxv")
	if err != nil {
		t.Fatal(err)
	}
	spec, err := btf.LoadKernelSpec()
	if err != nil {
		t.Fatal(err)
	}
	var task *btf.Struct
	if err := spec.TypeByName("task_struct", &task); err != nil {
		t.Fatal(err)
	}
	ints := []struct {
		name string
		want int64
	}{
		{"@tid", int64(tid)}, {"@tgid", int64(pid)}, {"@ppid", int64(os.Getppid())}, {"@leader", int64(pid)},
		{"@c1", int64(comm[1])}, {"@auxv", int64(binary.LittleEndian.Uint64(auxv[16:]))},
		{"@auxvp", int64(binary.LittleEndian.Uint64(auxv[16:]))},
		{"@size", int64(task.Size)}, {"@off", 0}, {"@enum", 1}, {"@ptgid", int64(os.Getppid())},
		{"@ideref", int64(pid)},
	}
	for _, c := range ints {
		if got := i64(l.value(c.name, nil)); got != c.want {
			t.Errorf("%s = %d, want %d", c.name, got, c.want)
		}
	}
	for name, want := range map[string][]byte{"@comm": comm, "@pcomm": pcomm} {
		got := l.value(name, nil)
		if i := bytes.IndexByte(got, 0); i >= 0 {
			got = got[:i]
		}
		if string(got) != string(bytes.TrimSpace(want)) {
			t.Errorf("%s = %q, want %q", name, got, bytes.TrimSpace(want))
		}
	}
}

// A bad pointer reads zeroes (bpf_probe_read_kernel fails softly), and a
// run-time array index is bounded by nothing but the read itself: both
// pass the verifier.
func TestKernelReadsOfBadPointers(t *testing.T) {
	requireRoot(t)
	l := load(t, compileVmlinux(t, `BEGIN {
  $t = (struct task_struct *)8;
  @pid = $t->pid; @comm = $t->comm; @pp = $t->real_parent->real_parent->tgid;
  $i = 3; @var = curtask->mm->saved_auxv[$i] > 0;
  @sum = 0; for ($j : 0..4) { @sum += curtask->comm[$j] > 0 }
}`))
	l.run("BEGIN")
	if got := i64(l.value("@pid", nil)); got != 0 {
		t.Errorf("@pid = %d, want 0", got)
	}
	if got := l.value("@comm", nil); got[0] != 0 {
		t.Errorf("@comm = %q, want empty", got)
	}
	if got := i64(l.value("@pp", nil)); got != 0 {
		t.Errorf("@pp = %d, want 0", got)
	}
	if got := l.value("@var", nil)[0]; got != 1 {
		t.Errorf("@var = %d, want 1", got)
	}
	if got := i64(l.value("@sum", nil)); got != 4 {
		t.Errorf("@sum = %d, want 4 (comm codegen.test has 4 leading bytes)", got)
	}
}

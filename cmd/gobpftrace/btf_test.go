package main

// End-to-end tests of kernel types through BTF: curtask and member chains
// compared with the real values of a helper process, sizeof compared with
// kernel BTF, enums printed with %s, and a script's own struct cast on a
// uprobe argument.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/cilium/ebpf/btf"
)

// runNamedSysloop runs the sysloop helper under a comm of its own and
// returns its pid once it has run n getppid calls and exited.
func runNamedSysloop(t *testing.T, comm string, n int) int {
	t.Helper()
	path := filepath.Join(filepath.Dir(sysloopPath), comm)
	if _, err := os.Stat(path); err != nil {
		data, err := os.ReadFile(sysloopPath)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(path, strconv.Itoa(n))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	if err := cmd.Wait(); err != nil {
		t.Fatalf("%s: %v", comm, err)
	}
	time.Sleep(100 * time.Millisecond)
	return pid
}

// kernelSizeof is the size of a struct in the running kernel's BTF.
func kernelSizeof(t *testing.T, name string) int {
	t.Helper()
	spec, err := btf.LoadKernelSpec()
	if err != nil {
		t.Fatal(err)
	}
	var st *btf.Struct
	if err := spec.TypeByName(name, &st); err != nil {
		t.Fatal(err)
	}
	return int(st.Size)
}

// curtask members read in a syscall tracepoint of a helper with a unique
// comm: pid and tgid are the helper's pid, real_parent->tgid and ppid the
// test's pid (the helper's parent), comm and pcomm its name.
func TestCurtaskMembers(t *testing.T) {
	requireRoot(t)
	script := `tracepoint:syscalls:sys_enter_getppid /comm == "btfcurtask"/ {
  $t = (struct task_struct *)curtask;
  printf("%d %d %d %d %s %s %s %d\n", curtask->pid, $t->tgid, curtask->real_parent->tgid, ppid,
         curtask->comm, str($t->group_leader->comm), pcomm, sizeof(struct task_struct));
  exit();
}`
	var pid int
	res := trace(t, traceRun{
		args:    []string{"-e", script},
		trigger: func(t *testing.T) { pid = runNamedSysloop(t, "btfcurtask", 3) },
	})
	want := fmt.Sprintf("%d %d %d %d btfcurtask btfcurtask btfcurtask %d\n\n\n", pid, pid, os.Getpid(), os.Getpid(), kernelSizeof(t, "task_struct"))
	wantOutput(t, res, want, "Attached 1 probe\n")
}

// Enum constants from kernel BTF and from the script: %d prints the
// value, %s the enumerator's name (a value without one prints as a number),
// also for an enum kept in a map; as in bpftrace v0.26, print() and map
// keys and values print the name too, and JSON the number.
func TestEnumsPrintNames(t *testing.T) {
	requireRoot(t)
	script := `enum color { RED, GREEN = 5, BLUE };
BEGIN {
  $c = (enum color)6;
  printf("%s %d %s %d %s %s\n", BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_HASH, GREEN, BLUE, $c, (enum color)7);
  @e = $c;
  printf("%s\n", @e);
  print($c);
  print((1, $c));
  @k[$c, 2] = count();
  @k[(enum color)0, 2] = count();
  @k[(enum color)0, 2] = count();
  exit();
}`
	res := trace(t, traceRun{args: []string{"-e", script}, noAttach: true})
	wantOutput(t, res, "BPF_MAP_TYPE_HASH 1 GREEN 6 BLUE 7\nBLUE\nBLUE\n(1, BLUE)\n\n\n@e: BLUE\n@k[BLUE, 2]: 1\n@k[RED, 2]: 2\n", "Attached 1 probe\n")
	res = trace(t, traceRun{args: []string{"-f", "json", "-e", "enum color { RED, GREEN = 5, BLUE }; BEGIN { @e = (enum color)6; print((enum color)5); exit(); }"}, noAttach: true})
	wantOutput(t, res, `{"type": "attached_probes", "count": 1, "data": {"probes": 1}}
{"type": "value", "data": 5}
{"type": "map", "data": {"@e": 6}}
`, "")
}

// A struct written in the script, cast on a uprobe argument: members of
// every kind (int, short, bitfields, char array, array of longs, a pointer
// followed to another struct) are read from user memory, and from a copy
// of the whole struct kept in a variable.
func TestScriptStructOnUprobeArg(t *testing.T) {
	requireRoot(t)
	c, _ := userHelpers(t)
	script := fmt.Sprintf(`struct shape {
  int id;
  short kind;
  unsigned char visible : 1, layer : 3;
  char name[8];
  long dims[3];
  struct shape *next;
};
uprobe:%s:shape_area {
  $s = (struct shape *)arg0;
  printf("%%d %%d %%d %%d %%s %%d %%d %%d %%d\n", $s->id, $s->kind, $s->visible, $s->layer,
         $s->name, $s->dims[2], $s.next->id, sizeof(struct shape), offsetof(struct shape, next));
  $v = *$s;
  @v[$v.id] = ($v.visible, $v.layer, $v.kind, $v.name, $v.dims[1]);
}`, c)
	res := trace(t, traceRun{
		args:    []string{"-e", script},
		trigger: func(t *testing.T) { runHelper(t, c, "3") },
		stop:    syscall.SIGINT,
	})
	want := "0 0 0 0 shape0 2 1000 48 40\n1 -1 1 1 shape1 3 1001 48 40\n2 -2 0 2 shape2 4 1002 48 40\n\n\n" +
		"@v[0]: (0, 0, 0, shape0, 1)\n@v[1]: (1, 1, -1, shape1, 2)\n@v[2]: (0, 2, -2, shape2, 3)\n"
	wantOutput(t, res, want, "Attached 1 probe\n")
}

// rawtracepoint arguments are typed from BTF: sys_enter's regs is a
// struct pt_regs *, whose orig_ax holds the syscall number too.
func TestRawTracepointArgsFromBTF(t *testing.T) {
	requireRoot(t)
	script := `rawtracepoint:sys_enter /comm == "btfrawtp" && args.id == 110/ {
  printf("%d %d %s\n", args.id, args.regs->orig_ax, curtask->comm);
  exit();
}`
	res := trace(t, traceRun{
		args:    []string{"-e", script},
		trigger: func(t *testing.T) { runNamedSysloop(t, "btfrawtp", 2) },
	})
	wantOutput(t, res, "110 110 btfrawtp\n\n\n", "Attached 1 probe\n")
}

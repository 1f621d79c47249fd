package main

// End-to-end tests of iter probes (iter:task, iter:task_file,
// iter:task_vma): the program runs once per kernel object, ctx holds the
// object, and the run ends when the iteration does.

import (
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// startSleeper starts a process that waits, with stdin, stdout and stderr
// on /dev/null: its task, its files and its memory areas are known.
func startSleeper(t *testing.T) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd
}

func TestIterTask(t *testing.T) {
	requireRoot(t)
	s := startSleeper(t)
	pid := s.Process.Pid
	res := trace(t, traceRun{args: []string{"-e", fmt.Sprintf(
		`iter:task /ctx.task.tgid == %d/ { printf("%%s:%%d %%s\n", ctx.task.comm, ctx.task.pid, probe); } END { printf("end\n"); }`, pid)}})
	wantOutput(t, res, fmt.Sprintf("sleep:%d iter:task\nend\n\n\n", pid), "Attached 2 probes\n")
}

func TestIterTaskFile(t *testing.T) {
	requireRoot(t)
	s := startSleeper(t)
	pid := s.Process.Pid
	res := trace(t, traceRun{args: []string{"-e", fmt.Sprintf(
		`iter:task_file /ctx.task.pid == %d/ { printf("%%d %%d %%s\n", ctx.fd, ctx.file.f_inode.i_ino != 0, ctx.task.comm); @files = count(); }`, pid)}})
	// The files are those of /proc/PID/fd, in the order of their numbers.
	entries, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	var fds []int
	for _, e := range entries {
		n, _ := strconv.Atoi(e.Name())
		fds = append(fds, n)
	}
	sort.Ints(fds)
	var want strings.Builder
	for _, fd := range fds {
		fmt.Fprintf(&want, "%d 1 sleep\n", fd)
	}
	fmt.Fprintf(&want, "\n\n@files: %d\n", len(fds))
	wantOutput(t, res, want.String(), "Attached 1 probe\n")
}

// iter:task_vma visits the memory areas of each task: those of a process
// are the lines of its /proc/PID/maps (but [vsyscall], which is no vma).
func TestIterTaskVMA(t *testing.T) {
	requireRoot(t)
	s := startSleeper(t)
	pid := s.Process.Pid
	res := trace(t, traceRun{args: []string{"-e", fmt.Sprintf(
		`iter:task_vma /ctx.task.pid == %d/ { printf("%%lx-%%lx\n", ctx.vma.vm_start, ctx.vma.vm_end); }`, pid)}})
	maps, err := os.ReadFile(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(string(maps)), "\n") {
		if strings.HasSuffix(line, "[vsyscall]") {
			continue
		}
		want.WriteString(strings.Fields(line)[0] + "\n")
	}
	wantOutput(t, res, want.String()+"\n\n", "Attached 1 probe\n")
}

// -l lists the iterators and, with -v, the fields of ctx.
func TestListIter(t *testing.T) {
	requireRoot(t)
	out, err := exec.Command(binPath, "-l", "iter:*").CombinedOutput()
	if err != nil || string(out) != "iter:task\niter:task_file\niter:task_vma\n" {
		t.Errorf("-l iter:*: %v %q", err, out)
	}
	out, err = exec.Command(binPath, "-lv", "iter:task_*").CombinedOutput()
	want := "iter:task_file\n    struct task_struct * task\n    u32 fd\n    struct file * file\niter:task_vma\n    struct task_struct * task\n    struct vm_area_struct * vma\n"
	if err != nil || string(out) != want {
		t.Errorf("-lv iter:task_*: %v\n%s\nwant:\n%s", err, out, want)
	}
}

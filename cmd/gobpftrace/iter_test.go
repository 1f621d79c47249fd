package main

// End-to-end tests of iter probes (iter:task, iter:task_file,
// iter:task_vma, iter:tcp, iter:ksym...): the program runs once per kernel object, ctx holds the
// object, and the run ends when the iteration does.

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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

// -l lists the kernel's iterators (a bpf_iter_NAME function and its
// struct bpf_iter__NAME in kernel BTF), sorted, and with -v the fields of
// ctx.
func TestListIter(t *testing.T) {
	requireRoot(t)
	out, err := exec.Command(binPath, "-l", "iter:*").CombinedOutput()
	if err != nil {
		t.Fatalf("-l iter:*: %v %s", err, out)
	}
	names := strings.Split(strings.TrimSpace(string(out)), "\n")
	if !sort.StringsAreSorted(names) {
		t.Errorf("-l iter:* is not sorted:\n%s", out)
	}
	// This kernel's iterators (6.18): the three of task, the network ones,
	// BPF objects, kernel symbols and slab caches at least.
	for _, want := range []string{"iter:bpf_link", "iter:bpf_map", "iter:bpf_map_elem", "iter:bpf_prog", "iter:cgroup", "iter:kmem_cache", "iter:ksym", "iter:netlink", "iter:task", "iter:task_file", "iter:task_vma", "iter:tcp", "iter:udp", "iter:unix"} {
		if !slices.Contains(names, want) {
			t.Errorf("-l iter:* lacks %s:\n%s", want, out)
		}
	}
	for _, n := range names {
		if !strings.HasPrefix(n, "iter:") || strings.Contains(n, "num_") || strings.HasSuffix(n, "_new") {
			t.Errorf("-l iter:* lists %q, which is no iterator", n)
		}
	}
	out, err = exec.Command(binPath, "-lv", "iter:task_*").CombinedOutput()
	want := "iter:task_file\n    struct task_struct * task\n    u32 fd\n    struct file * file\niter:task_vma\n    struct task_struct * task\n    struct vm_area_struct * vma\n"
	if err != nil || string(out) != want {
		t.Errorf("-lv iter:task_*: %v\n%s\nwant:\n%s", err, out, want)
	}
	out, err = exec.Command(binPath, "-lv", "iter:tcp").CombinedOutput()
	want = "iter:tcp\n    struct sock_common * sk_common\n    uid_t uid\n"
	if err != nil || string(out) != want {
		t.Errorf("-lv iter:tcp: %v\n%s\nwant:\n%s", err, out, want)
	}
}

// iter:tcp and iter:udp visit the sockets: a listener and a bound UDP
// socket of the test are found by their ports, with their state and the
// owner's uid.
func TestIterSockets(t *testing.T) {
	requireRoot(t)
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	tcpPort := ln.Addr().(*net.TCPAddr).Port
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	udpPort := pc.LocalAddr().(*net.UDPAddr).Port

	res := trace(t, traceRun{args: []string{"-e", fmt.Sprintf(
		`iter:tcp /ctx.sk_common.skc_num == %d/ { printf("tcp %%d state %%d uid %%d\n", ctx.sk_common.skc_num, ctx.sk_common.skc_state, ctx.uid); }`, tcpPort)}})
	// TCP_LISTEN is 10.
	wantOutput(t, res, fmt.Sprintf("tcp %d state 10 uid %d\n\n\n", tcpPort, os.Getuid()), "Attached 1 probe\n")

	res = trace(t, traceRun{args: []string{"-e", fmt.Sprintf(
		`iter:udp /ctx.udp_sk.inet.sk.__sk_common.skc_num == %d/ { printf("udp %%d uid %%d\n", ctx.udp_sk.inet.sk.__sk_common.skc_num, ctx.uid); }`, udpPort)}})
	wantOutput(t, res, fmt.Sprintf("udp %d uid %d\n\n\n", udpPort, os.Getuid()), "Attached 1 probe\n")
}

// iter:ksym visits the kernel's symbols: vfs_read is there with the
// address and type /proc/kallsyms gives it.
func TestIterKsym(t *testing.T) {
	requireRoot(t)
	kallsyms, err := os.ReadFile("/proc/kallsyms")
	if err != nil {
		t.Fatal(err)
	}
	var want string
	for _, line := range strings.Split(string(kallsyms), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[2] == "vfs_read" {
			want = fmt.Sprintf("%s %s %s\n", f[2], f[1], strings.TrimLeft(f[0], "0"))
		}
	}
	if want == "" {
		t.Skip("no vfs_read in /proc/kallsyms")
	}
	res := trace(t, traceRun{args: []string{"-e",
		`iter:ksym /str(ctx.ksym.name) == "vfs_read"/ { printf("%s %c %lx\n", ctx.ksym.name, ctx.ksym.type, ctx.ksym.value); }`}})
	wantOutput(t, res, want+"\n\n", "Attached 1 probe\n")
}

// iter:bpf_prog and iter:bpf_map visit the BPF objects of the system:
// among them the program that iterates and the script's own maps.
func TestIterBPFObjects(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{args: []string{"-e", `iter:bpf_prog /str(ctx.prog.aux.name) == "p0_bpf_prog"/ { printf("%s\n", ctx.prog.aux.name); }`}})
	wantOutput(t, res, "p0_bpf_prog\n\n\n", "Attached 1 probe\n")
	res = trace(t, traceRun{args: []string{"-e", `iter:bpf_map /ctx.map.map_type == 27/ { printf("%s\n", ctx.map.name); }`}})
	mustExit(t, res, 0)
	// BPF_MAP_TYPE_RINGBUF is 27: the script's event ring buffer, which
	// carries its printf, is one.
	if !slices.Contains(strings.Split(res.stdout, "\n"), "events") {
		t.Errorf("the script's ring buffer is not among the maps:\n%s", res.stdout)
	}
}

// iter:cgroup walks the cgroup hierarchy from the root, parents first: a
// cgroup made by the test is found at level 1.
func TestIterCgroup(t *testing.T) {
	requireRoot(t)
	root := "/sys/fs/cgroup/unified"
	if _, err := os.Stat(root + "/cgroup.procs"); err != nil {
		root = "/sys/fs/cgroup"
	}
	dir := fmt.Sprintf("%s/gbt_iter_%d", root, os.Getpid())
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Skipf("cannot make a cgroup: %v", err)
	}
	defer os.Remove(dir)
	name := filepath.Base(dir)
	res := trace(t, traceRun{args: []string{"-e", fmt.Sprintf(
		`iter:cgroup /ctx.cgroup.level == 0 || str(ctx.cgroup.kn.name) == "%s"/ { printf("%%d %%s\n", ctx.cgroup.level, str(ctx.cgroup.kn.name)); }`, name)}})
	wantOutput(t, res, fmt.Sprintf("0 \n1 %s\n\n\n", name), "Attached 1 probe\n")
}

// Iterators over one map's elements need the map, which an iter probe
// cannot name; an iterator the kernel lacks is refused in bpftrace's
// words.
func TestIterRefused(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{args: []string{"-e", `iter:bpf_map_elem { @n = count(); }`}, noAttach: true})
	wantError(t, res, "stdin:1:1-18: ERROR: iter:bpf_map_elem iterates over the elements of one map, which an iter probe cannot name\niter:bpf_map_elem { @n = count(); }\n~~~~~~~~~~~~~~~~~\nHINT: iter:bpf_map lists the maps; read a script's own maps with print() or for loops\n")
	res = trace(t, traceRun{args: []string{"-e", `iter:num_new { @n = count(); }`}, noAttach: true})
	wantError(t, res, "stdin:1:1-13: ERROR: iter num_new not available for your kernel version.\niter:num_new { @n = count(); }\n~~~~~~~~~~~~\nHINT: gobpftrace -l 'iter:*' lists the iterators of this kernel\n")
}

// wantError checks a run that failed with exit code 1, stderr and nothing
// on stdout.
func wantError(t *testing.T, res result, stderr string) {
	t.Helper()
	mustExit(t, res, 1)
	if res.stderr != stderr || res.stdout != "" {
		t.Errorf("stderr:\n%s\nwant:\n%s\nstdout: %q", res.stderr, stderr, res.stdout)
	}
}

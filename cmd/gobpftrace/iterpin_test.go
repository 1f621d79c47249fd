package main

// End-to-end tests of pinned iterators (iter:NAME:PIN): gobpftrace pins
// the iterator in bpffs and ends; each read of the file runs it, and what
// its printf() wrote is the file's content; removing the file unloads it.

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
)

// pinnedObjects are the kernel objects behind a pinned link: the link,
// its program and the program's maps.
func pinnedObjects(t *testing.T, path string) kernelObjects {
	t.Helper()
	l, err := link.LoadPinnedLink(path, nil)
	if err != nil {
		t.Fatalf("loading the pinned link %s: %v", path, err)
	}
	defer l.Close()
	info, err := l.Info()
	if err != nil {
		t.Fatal(err)
	}
	p, err := ebpf.NewProgramFromID(info.Program)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	pinfo, err := p.Info()
	if err != nil {
		t.Fatal(err)
	}
	k := kernelObjects{progs: []uint32{uint32(info.Program)}, links: []uint32{uint32(info.ID)}}
	ids, _ := pinfo.MapIDs()
	for _, id := range ids {
		k.maps = append(k.maps, uint32(id))
	}
	return k
}

// catFile runs cat on path: the iterator runs in cat, whose comm it sees.
func catFile(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("cat", path).Output()
	if err != nil {
		t.Fatalf("cat %s: %v", path, err)
	}
	return string(out)
}

func TestIterPinned(t *testing.T) {
	requireRoot(t)
	s := startSleeper(t)
	pid := s.Process.Pid
	pin := fmt.Sprintf("gobpftrace_test_pin_%d", os.Getpid())
	path := "/sys/fs/bpf/" + pin
	t.Cleanup(func() { os.Remove(path) })
	script := fmt.Sprintf(`iter:task:%s /ctx.task.tgid == %d/ {
	printf("%%s:%%d by %%s [%%5d|%%-4d|%%x|%%hhd|%%c] %%s\n", ctx.task.comm, ctx.task.pid, comm, (int8)-5, 7, (int8)-1, 300, 65, str(ctx.task.comm, 3));
	@reads = count();
}
BEGIN { printf("begin\n"); }
END { printf("end\n"); }`, pin, pid)
	// Run directly, not with trace(): what the pin holds stays loaded.
	cmd := exec.Command(binPath, "-e", script)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	res := result{stdout: stdout.String(), stderr: stderr.String()}
	// As bpftrace: the run ends once the program is pinned, END runs and
	// the maps (empty: nothing read the file yet) print. BEGIN's output
	// comes after the pin's line, as in bpftrace, which reads the events
	// only then.
	wantOutput(t, res, "Program pinned to "+path+"\nbegin\nend\n\n\n", "Attached 3 probes\n")

	held := pinnedObjects(t, path)
	want := fmt.Sprintf("sleep:%d by cat [   -5|7   |ffffffff|44|A] sle\n", pid)
	for i := 0; i < 2; i++ { // each read runs the iterator again
		if got := catFile(t, path); got != want {
			t.Errorf("read %d of %s:\n%q\nwant:\n%q", i+1, path, got, want)
		}
	}

	// The pin is taken: a second run is refused before anything runs.
	again := trace(t, traceRun{args: []string{"-e", script}, noAttach: true})
	mustExit(t, again, 1)
	wantErr := fmt.Sprintf("ERROR: Failed to pin iter probe link: %s already exists\nHINT: a pinned iterator stays until its file is removed: rm %s, or choose another pin\n", path, path)
	if again.stdout != "" || again.stderr != wantErr {
		t.Errorf("second run:\nstdout %q\nstderr:\n%s\nwant:\n%s", again.stdout, again.stderr, wantErr)
	}

	// Removing the file releases the link, the program and its maps.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if left := held.stillLoaded(); left != "" {
		t.Errorf("after rm %s, still in the kernel: %s", path, left)
	}
}

// Where the pin cannot be made, gobpftrace says why before running
// anything.
func TestIterPinErrors(t *testing.T) {
	requireRoot(t)
	dir, err := os.MkdirTemp("", "gbt-pin")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	missing := fmt.Sprintf("/sys/fs/bpf/gobpftrace_test_nodir_%d", os.Getpid())
	for _, tc := range []struct{ pin, want string }{
		{dir + "/it", "ERROR: Failed to pin iter probe link: " + dir + " is not on a BPF file system (bpffs)\nHINT: pin under /sys/fs/bpf, or mount a bpffs there: mount -t bpf bpf " + dir + "\n"},
		{missing + "/it", "ERROR: Failed to pin iter probe link: the directory " + missing + " does not exist\nHINT: create it in bpffs (mkdir " + missing + "), or pin under /sys/fs/bpf\n"},
	} {
		res := trace(t, traceRun{args: []string{"-e", `BEGIN { printf("begin\n"); } iter:task:` + tc.pin + ` { printf("x\n"); }`}, noAttach: true})
		mustExit(t, res, 1)
		if res.stdout != "" || res.stderr != tc.want {
			t.Errorf("pin %s:\nstdout %q\nstderr:\n%s\nwant:\n%s", tc.pin, res.stdout, res.stderr, tc.want)
		}
		if _, err := os.Stat(tc.pin); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("pin %s: %v", tc.pin, err)
		}
	}
}

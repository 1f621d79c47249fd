package tracefs

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/runtime/internal/kerneltest"
)

// TestMountsTracefs runs TestMountsTracefsChild in a private mount
// namespace where tracefs is unmounted: the runtime must mount it again.
func TestMountsTracefs(t *testing.T) {
	kerneltest.RequireRoot(t)
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		t.Fatal("unshare(1) is needed: ", err)
	}
	cmd := exec.Command(unshare, "--mount", "--propagation", "private",
		os.Args[0], "-test.run=^TestMountsTracefsChild$", "-test.v")
	cmd.Env = append(os.Environ(), "GBT_MOUNT_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestMountsTracefsChild") {
		t.Fatalf("child: %v\n%s", err, out)
	}
}

func TestMountsTracefsChild(t *testing.T) {
	if os.Getenv("GBT_MOUNT_CHILD") != "1" {
		return // only meaningful as TestMountsTracefs's child
	}
	// debugfs shows tracefs again under its tracing directory (an
	// automount) once tracefs is unmounted: take it away too, so that
	// only the runtime's own mount can bring tracefs back.
	if IsDir("/sys/kernel/debug/tracing") {
		if err := unix.Unmount("/sys/kernel/debug", unix.MNT_DETACH); err != nil && err != unix.EINVAL {
			t.Fatalf("unmount debugfs: %v", err)
		}
	}
	for mountedTracefs("/proc/self/mounts") != "" {
		dir := mountedTracefs("/proc/self/mounts")
		if err := unix.Unmount(dir, unix.MNT_DETACH); err != nil {
			t.Fatalf("unmount %s: %v", dir, err)
		}
	}
	if IsDir(filepath.Join(defaultTracefs, "events")) {
		t.Fatal("tracefs is still visible")
	}
	dir, err := Dir()
	if err != nil || dir != defaultTracefs {
		t.Fatalf("TracefsDir: %q, %v", dir, err)
	}
	if !IsDir(filepath.Join(dir, "events", "raw_syscalls", "sys_enter")) {
		t.Fatal("tracefs was not mounted")
	}
}

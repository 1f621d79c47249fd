package runtime

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/gobpftrace/gobpftrace/runtime/host"
	"github.com/gobpftrace/gobpftrace/runtime/probes"
)

// TestNonRoot runs TestNonRootChild as user nobody: every entry point must
// answer with the one-line privilege message.
func TestNonRoot(t *testing.T) {
	requireRoot(t)
	dir, err := os.MkdirTemp("", "gbt-nonroot")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "runtime.test")
	if err := copyFile(os.Args[0], bin, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run=^TestNonRootChild$", "-test.v")
	cmd.Env = append(os.Environ(), "GBT_NONROOT_CHILD=1")
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestNonRootChild") {
		t.Fatalf("child: %v\n%s", err, out)
	}
}

func TestNonRootChild(t *testing.T) {
	if os.Getenv("GBT_NONROOT_CHILD") != "1" {
		return // only meaningful as TestNonRoot's child
	}
	want := host.PrivilegeError().Error()
	plan := newPlan().prog("gbt_begin", begin(), ret()).plan
	if err := Run(context.Background(), plan, Options{}); err == nil || err.Error() != want {
		t.Errorf("Run: %v", err)
	}
	env, _ := probes.NewEnv()
	if _, err := env.MatchTracepoints("syscalls", "*"); err == nil || err.Error() != want {
		t.Errorf("MatchTracepoints: %v", err)
	}
	if _, err := env.Tracepoint("syscalls", "sys_enter_openat"); err == nil || err.Error() != want {
		t.Errorf("Tracepoint: %v", err)
	}
}

func copyFile(src, dst string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

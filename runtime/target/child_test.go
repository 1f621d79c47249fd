package target

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is the child's output, written by exec's copying goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func procLink(t *testing.T, pid int, name string) string {
	t.Helper()
	s, err := os.Readlink(filepath.Join("/proc", strconv.Itoa(pid), name))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func procComm(t *testing.T, pid string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("/proc", pid, "comm"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// The child waits, as this program run again, named as this process, until
// Start; then the same pid runs the command, with the environment of this
// process, and onExec sees it stopped right after its exec.
func TestChildRunsCommandOnlyAtStart(t *testing.T) {
	t.Setenv("CHILD_TEST_VAR", "from the parent")
	var out lockedBuffer
	var execPid int
	var execExe string
	c, err := StartChild([]string{"sh", "-c", "echo $$ ${" + stubEnv + "-unset} $CHILD_TEST_VAR"}, &out, os.Stderr, func(pid int) {
		execPid = pid
		execExe, _ = os.Readlink(filepath.Join("/proc", strconv.Itoa(pid), "exe"))
	}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	if got, want := procLink(t, c.Pid(), "exe"), procLink(t, os.Getpid(), "exe"); got != want {
		t.Errorf("before Start the child runs %s, want this program %s", got, want)
	}
	if got, want := procComm(t, strconv.Itoa(c.Pid())), procComm(t, "self"); got != want {
		t.Errorf("before Start the child is named %q, want %q", got, want)
	}
	// Traced (root here), it waits stopped, every thread of it.
	if !allStopped(c.Pid()) {
		t.Error("before Start the child's threads are not all stopped")
	}
	time.Sleep(50 * time.Millisecond)
	if out.String() != "" {
		t.Fatalf("the command ran before Start: %q", out.String())
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	<-c.Exited()
	if want := strconv.Itoa(c.Pid()) + " unset from the parent\n"; out.String() != want {
		t.Errorf("the command printed %q, want %q", out.String(), want)
	}
	if execPid != c.Pid() {
		t.Errorf("onExec was called for pid %d, want %d", execPid, c.Pid())
	}
	if sh, _ := filepath.EvalSymlinks("/bin/sh"); execExe != sh {
		t.Errorf("at onExec the child runs %q, want %q", execExe, sh)
	}
}

func TestChildStoppedBeforeStartNeverRuns(t *testing.T) {
	dir := t.TempDir()
	mark := filepath.Join(dir, "ran")
	c, err := StartChild([]string{"sh", "-c", "touch " + mark}, os.Stdout, os.Stderr, func(int) {}, false)
	if err != nil {
		t.Fatal(err)
	}
	pid := c.Pid()
	c.Stop()
	if _, err := os.Stat(filepath.Join("/proc", strconv.Itoa(pid))); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the child %d is still there after Stop (%v)", pid, err)
	}
	if _, err := os.Stat(mark); err == nil {
		t.Error("the command ran although the child was stopped before Start")
	}
}

func TestChildMissingCommand(t *testing.T) {
	_, err := StartChild([]string{"gobpftrace-no-such-command"}, os.Stdout, os.Stderr, nil, false)
	if want := "Failed to fork child: Path 'gobpftrace-no-such-command' does not exist or is not executable"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
}

// A file -c accepts (an ELF shared object) that the kernel refuses to exec:
// Start says so and the child is gone.
func TestChildExecFails(t *testing.T) {
	path := notExecutableCopy(t)
	c, err := StartChild([]string{path}, os.Stdout, os.Stderr, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	if err := c.Start(); err == nil || err.Error() != "Failed to exec child: "+path+": permission denied" {
		t.Errorf("Start = %v", err)
	}
	select {
	case <-c.Exited():
	case <-time.After(10 * time.Second):
		t.Fatal("the child did not exit after its exec failed")
	}
}

// The stub is recognised only with its name, its token in the environment
// and the same token already waiting in the pipe: the variable set by hand
// (with or without a pipe on fd 3) changes nothing.
func TestStubRecognition(t *testing.T) {
	token := "0123456789abcdef0123456789abcdef"
	args := []string{stubName, "comm", "/bin/true", "true"}
	pipeWith := func(data string) int {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close(); w.Close() })
		w.WriteString(data)
		return int(r.Fd())
	}
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	for _, c := range []struct {
		name  string
		args  []string
		token string
		fd    int
		want  bool
	}{
		{"started by StartChild", args, token, pipeWith(token + "g"), true},
		{"no token", args, "", pipeWith(token), false},
		{"another token", args, token, pipeWith("f" + token[1:]), false},
		{"empty pipe", args, token, pipeWith(""), false},
		{"not a pipe", args, token, int(devnull.Fd()), false},
		{"another name", append([]string{"gobpftrace"}, args[1:]...), token, pipeWith(token), false},
		{"no command", args[:3], token, pipeWith(token), false},
	} {
		if got := isStub(c.args, c.token, c.fd); got != c.want {
			t.Errorf("%s: isStub = %v, want %v", c.name, got, c.want)
		}
	}
}

// execFirst (bpftrace's way with usdt probes): the command is exec'd at
// once and kept stopped right after its exec until Start.
func TestChildExecFirst(t *testing.T) {
	var out lockedBuffer
	primed := 0
	c, err := StartChild([]string{"sh", "-c", "echo $$"}, &out, os.Stderr, func(pid int) { primed = pid }, true)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	sh, _ := filepath.EvalSymlinks("/bin/sh")
	if got := procLink(t, c.Pid(), "exe"); got != sh || primed != c.Pid() {
		t.Errorf("before Start the child runs %s (onExec for %d), want %s (onExec for %d)", got, primed, sh, c.Pid())
	}
	status, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(c.Pid()), "status"))
	if !strings.Contains(string(status), "\nState:\tt (tracing stop)\n") {
		t.Errorf("before Start the child is not stopped:\n%s", status)
	}
	time.Sleep(50 * time.Millisecond)
	if out.String() != "" {
		t.Fatalf("the command ran before Start: %q", out.String())
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	<-c.Exited()
	if want := strconv.Itoa(c.Pid()) + "\n"; out.String() != want {
		t.Errorf("the command printed %q, want %q", out.String(), want)
	}
}

// execFirst with an exec that fails: StartChild says why.
func TestChildExecFirstFails(t *testing.T) {
	path := notExecutableCopy(t)
	_, err := StartChild([]string{path}, os.Stdout, os.Stderr, func(int) {}, true)
	if err == nil || err.Error() != "Failed to exec child: "+path+": permission denied" {
		t.Errorf("StartChild = %v", err)
	}
}

// Released from its stop, the command runs on (it is not held in the
// stop it waited in) and can be stopped and continued as any process.
func TestChildNotHeldStopped(t *testing.T) {
	var out lockedBuffer
	c, err := StartChild([]string{"sh", "-c", "sleep 0.2; echo done"}, &out, os.Stderr, func(int) {}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.Exited():
	case <-time.After(10 * time.Second):
		status, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(c.Pid()), "status"))
		t.Fatalf("the command did not end:\n%s", status)
	}
	if out.String() != "done\n" {
		t.Errorf("the command printed %q", out.String())
	}
}

// notExecutableCopy copies /bin/true (a PIE, an ELF shared object -c
// accepts) without execute permission: a command the kernel refuses to
// exec.
func notExecutableCopy(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("/bin/true")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "noexec")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := CommandBinary(path); err != nil {
		t.Skipf("/bin/true is not a shared object here: %v", err)
	}
	return path
}

package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A consumer that falls behind: gobpftrace's output is a pipe the test
// does not read while a storm of printf events runs, so gobpftrace blocks
// writing and the ring buffer overflows. While tracing, "Lost N events"
// lines appear in the output (the test stops gobpftrace only after seeing
// one); at exit the total is on stderr; and every event the script sent
// (counted in @sent) was either printed or counted lost, exactly.
func TestLostEventsWhileRunning(t *testing.T) {
	requireRoot(t)
	loop := uniqueLoop(t)
	const n = 200000
	cmd := exec.Command(binPath, "-e", `tracepoint:syscalls:sys_enter_getppid /comm == "`+filepath.Base(loop)+`"/ {
		@sent = count(); printf("ev %d\n", nsecs);
	}`)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	errFile, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer errFile.Close()
	cmd.Stderr = errFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	stderr := func() string { b, _ := os.ReadFile(errFile.Name()); return string(b) }
	for start := time.Now(); !strings.Contains(stderr(), "Attached "); time.Sleep(20 * time.Millisecond) {
		if time.Since(start) > 30*time.Second {
			t.Fatalf("gobpftrace did not attach within 30s: %s", stderr())
		}
	}
	held := heldObjects(cmd.Process.Pid)

	runLoop(t, loop, n) // nothing reads the output meanwhile

	// Read everything; stop gobpftrace once a Lost line was printed.
	lostLine := regexp.MustCompile(`^Lost (\d+) events$`)
	var printed, lost, lostLines int
	var other []string
	sawLost := make(chan struct{})
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			switch m := lostLine.FindStringSubmatch(line); {
			case strings.HasPrefix(line, "ev "):
				printed++
			case m != nil:
				k, _ := strconv.Atoi(m[1])
				lost += k
				if lostLines++; lostLines == 1 {
					close(sawLost)
				}
			default:
				other = append(other, line)
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	select {
	case <-sawLost:
	case <-time.After(30 * time.Second):
		t.Fatalf("no Lost line while tracing after 30s (%d events printed)", printed)
	}
	cmd.Process.Signal(syscall.SIGINT)
	<-readDone
	if err := cmd.Wait(); err != nil {
		t.Fatalf("gobpftrace: %v\n%s", err, stderr())
	}
	if left := held.stillLoaded(); left != "" {
		t.Errorf("after gobpftrace exited, still in the kernel: %s", left)
	}

	if want := []string{"", "", fmt.Sprintf("@sent: %d", n)}; strings.Join(other, "\n") != strings.Join(want, "\n") {
		t.Errorf("other output lines %q, want %q", other, want)
	}
	if printed+lost != n {
		t.Errorf("%d events sent: %d printed + %d reported lost = %d", n, printed, lost, printed+lost)
	}
	want := fmt.Sprintf("Attached 1 probe\nWARNING: %d events lost in total: the ring buffer was full (user space read too slowly)\n", lost)
	if got := stderr(); got != want {
		t.Errorf("stderr %q, want %q", got, want)
	}
	t.Logf("%d events: %d printed, %d lost in %d Lost lines", n, printed, lost, lostLines)
}

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The interactive session, driven end to end through a pseudo-terminal.

// ptyPair opens a new pseudo-terminal: the master side for the test, the
// slave side for the child.
func ptyPair(t *testing.T) (master, slave *os.File) {
	return ptyPairSize(t, 40, 200)
}

// ptyPairSize is ptyPair with the window size the terminal reports.
func ptyPairSize(t *testing.T, rows, cols uint16) (master, slave *os.File) {
	t.Helper()
	fd, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	master = os.NewFile(uintptr(fd), "/dev/ptmx")
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	unix.IoctlSetWinsize(int(slave.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: rows, Col: cols})
	return master, slave
}

// terminal is a running gobpftrace on a pty.
type terminal struct {
	t      *testing.T
	master *os.File
	cmd    *exec.Cmd
	mu     sync.Mutex
	out    strings.Builder
	seen   int // output consumed by expect
	exited chan error
}

func startTerminal(t *testing.T, home string, args ...string) *terminal {
	t.Helper()
	return startTerminalSize(t, home, 40, 200, args...)
}

// startTerminalSize starts gobpftrace on a terminal of rows x cols (as the
// terminal reports it: 0 columns is what some consoles say).
func startTerminalSize(t *testing.T, home string, rows, cols uint16, args ...string) *terminal {
	t.Helper()
	master, slave := ptyPairSize(t, rows, cols)
	cmd := exec.Command(binPath, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.Env = append(os.Environ(), "HOME="+home, "TERM=xterm")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	slave.Close()
	term := &terminal{t: t, master: master, cmd: cmd, exited: make(chan error, 1)}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			term.mu.Lock()
			term.out.Write(buf[:n])
			term.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	go func() { term.exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		master.Close()
	})
	return term
}

// screenIs waits until the screen, as a terminal of rows x cols shows
// everything written so far, is exactly want.
func (term *terminal) screenIs(rows, cols int, want string) {
	term.t.Helper()
	// The expected text wraps at the right margin as the screen does.
	wsc := newScreen(rows, cols)
	wsc.write(strings.ReplaceAll(want, "\n", "\r\n"))
	want = wsc.text()
	deadline := time.Now().Add(20 * time.Second)
	var got string
	for time.Now().Before(deadline) {
		term.mu.Lock()
		all := term.out.String()
		term.mu.Unlock()
		sc := newScreen(rows, cols)
		sc.write(all)
		if got = sc.text(); got == want {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	term.t.Fatalf("the screen shows:\n%s\nwant:\n%s", got, want)
}

// screen returns what the terminal shows now.
func (term *terminal) screen(rows, cols int) string {
	term.mu.Lock()
	all := term.out.String()
	term.mu.Unlock()
	sc := newScreen(rows, cols)
	sc.write(all)
	return sc.text()
}

func (term *terminal) send(s string) {
	term.t.Helper()
	if _, err := term.master.WriteString(s); err != nil {
		term.t.Fatal(err)
	}
}

// expect waits for want to appear in the output after what earlier calls
// consumed, and returns the output up to and including it.
func (term *terminal) expect(want string) string {
	term.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		term.mu.Lock()
		all := term.out.String()
		term.mu.Unlock()
		if i := strings.Index(all[term.seen:], want); i >= 0 {
			got := all[term.seen : term.seen+i+len(want)]
			term.seen += i + len(want)
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
	term.mu.Lock()
	defer term.mu.Unlock()
	term.t.Fatalf("waited for %q; terminal shows after the last match:\n%s", want, term.out.String()[term.seen:])
	return ""
}

func TestREPL(t *testing.T) {
	requireRoot(t)
	home := t.TempDir()
	term := startTerminal(t, home)
	term.expect("gobpftrace> ")

	// A probe block over two lines: the second line gets the continuation
	// prompt; the probe attaches once the brace closes.
	term.send("tracepoint:syscalls:sys_enter_getppid /comm == \"clisysloop\"/ {\r")
	term.expect("...> ")
	term.send("@calls[comm] = count(); }\r")
	term.expect("Attached 1 probe")
	term.expect("gobpftrace> ")

	if held := heldObjects(term.cmd.Process.Pid); len(held.progs) == 0 {
		t.Errorf("the attached entry holds no program")
	}
	term.send(".probes\r")
	term.expect("#1 tracepoint:syscalls:sys_enter_getppid")
	term.expect("gobpftrace> ")

	runCLISysloop(t, 321)
	term.send(".maps\r")
	term.expect("@calls[clisysloop]: 321")
	term.expect("gobpftrace> ")

	// Ctrl-C detaches and prints the maps, then the prompt returns.
	runCLISysloop(t, 100)
	term.send("\x03")
	term.expect("@calls[clisysloop]: 421")
	term.expect("gobpftrace> ")
	term.send(".probes\r")
	term.expect("no probes attached")
	// Detached means released: the session holds no program or link.
	if held := heldObjects(term.cmd.Process.Pid); len(held.progs) != 0 || len(held.links) != 0 {
		t.Errorf("after Ctrl-C the session still holds %+v", held)
	}

	// The last entry's instructions, grouped by line.
	term.send(".asm\r")
	term.expect("; 2: @calls[comm] = count(); }")
	term.expect("gobpftrace> ")

	// An angle block, and an error that leaves the session running.
	term.send("BEGIN < printf(\"hello %d\\n\", 1 + 2); >\r")
	term.expect("hello 3")
	term.send("BEGIN { nope(); }\r")
	term.expect("ERROR: Unknown function: nope")
	term.expect("gobpftrace> ")

	// Completion: providers, tracepoint categories and events, builtins,
	// map names.
	term.send("tracep\t")
	term.expect("tracepoint:")
	term.send("raw_sys\t")
	term.expect("raw_syscalls:")
	term.send("sys_ent\t")
	term.expect("sys_enter")
	term.send(" { @xyz[nse\t")
	term.expect("nsecs")
	term.send("] = count(); @x\t")
	term.expect("@xyz")
	term.send("[nsecs] = count(); }\r")
	term.expect("Attached 1 probe")
	term.send(".clear\r")
	term.expect("detached every probe")

	term.send(".quit\r")
	select {
	case err := <-term.exited:
		if err != nil {
			t.Fatalf("exit: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("did not quit")
	}

	// History: entries (a multi-line one in full) and commands.
	data, err := os.ReadFile(filepath.Join(home, ".gobpftrace_history"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{".probes", ".asm", `BEGIN < printf("hello %d\n", 1 + 2); >`, "@calls[comm] = count(); }"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("history lacks %q:\n%s", want, data)
		}
	}
	// A new session recalls the previous entry with the up arrow.
	term2 := startTerminal(t, home)
	term2.expect("gobpftrace> ")
	term2.send("\x1b[A")
	term2.expect(".quit")
	term2.send("\r")
	select {
	case <-term2.exited:
	case <-time.After(10 * time.Second):
		t.Fatal("second session did not quit")
	}
}

// A symbolic link planted as the history file is not followed: the session
// says so, keeps running, and the link's target is untouched.
func TestREPLHistorySymlink(t *testing.T) {
	requireRoot(t)
	home := t.TempDir()
	target := filepath.Join(t.TempDir(), "shadow")
	if err := os.WriteFile(target, []byte("root:x:0:0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(home, ".gobpftrace_history")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	term := startTerminal(t, home)
	term.expect("WARNING: history is not kept: " + link + " is a symbolic link, which gobpftrace does not follow")
	term.expect("gobpftrace> ")
	term.send("BEGIN { printf(\"typed\\n\"); }\r")
	term.expect("typed")
	term.expect("gobpftrace> ")
	term.send(".quit\r")
	select {
	case err := <-term.exited:
		if err != nil {
			t.Fatalf("exit: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("did not quit")
	}
	if data, _ := os.ReadFile(target); string(data) != "root:x:0:0\n" {
		t.Errorf("the history link's target was written: %q", data)
	}
}

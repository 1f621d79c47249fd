package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The interactive session through a pseudo-terminal, asserting the whole
// screen exactly (as vt_test.go's emulator renders what was written):
// keystrokes in, screen out.

const (
	scrRows = 500 // tall enough that nothing scrolls away: the screen is the transcript
	scrCols = 80
	banner  = "gobpftrace v0.1.0 interactive session: type a probe block, or .help\n"
	prompt  = "gobpftrace> "
)

// session is a terminal and the transcript it should show so far.
type session struct {
	*terminal
	want strings.Builder
}

func startSession(t *testing.T, cols uint16) *session {
	t.Helper()
	s := &session{terminal: startTerminalSize(t, t.TempDir(), 24, cols)}
	s.want.WriteString(banner)
	s.show(prompt)
	return s
}

// show adds text to the expected transcript and waits for the screen to
// be exactly the transcript.
func (s *session) show(text string) {
	s.t.Helper()
	s.want.WriteString(text)
	s.screenIs(scrRows, scrCols, s.want.String())
}

// enter types line and Enter, and expects output then a new prompt.
func (s *session) enter(line, output string) {
	s.t.Helper()
	s.send(line + "\r")
	s.show(line + "\n" + output + prompt)
}

func (s *session) quit() {
	s.t.Helper()
	s.send(".quit\r")
	select {
	case err := <-s.exited:
		if err != nil {
			s.t.Fatalf("exit: %v", err)
		}
	case <-time.After(10 * time.Second):
		s.t.Fatal("did not quit")
	}
}

// Bare statements and expressions run as if in BEGIN, with no blank lines
// left behind; errors point into the text as typed.
func TestREPLScreenStatements(t *testing.T) {
	requireRoot(t)
	s := startSession(t, scrCols)
	s.enter(`@x = 1;`, "@x: 1\n")
	s.enter(`printf("hi\n");`, "hi\n")
	s.enter(`printf("%d apples\n", 6 * 7)`, "42 apples\n")
	s.enter(`1+2`, "3\n")
	s.enter(`comm`, "gobpftrace\n")
	s.enter(`$a = 5; @sq[$a] = $a * $a;`, "@sq[5]: 25\n")
	s.enter(`BEGIN { printf("hello\n"); }`, "Attached 1 probe\nhello\n")
	s.enter(`BEGIN { @y = 2; } END { printf("end\n"); }`, "Attached 2 probes\nend\n@y: 2\n")
	s.enter(`@y = ;`, "stdin:1:6-7: ERROR: syntax error, unexpected ;\n@y = ;\n     ~\n")
	s.enter(`1 + nope()`, "stdin:1:5-11: ERROR: Unknown function: nope\n1 + nope()\n    ~~~~~~\n")
	s.enter(`tracepoint:nope:nope { }`, "stdin:1:1-21: WARNING: tracepoint not found: nope:nope\ntracepoint:nope:nope { }\n~~~~~~~~~~~~~~~~~~~~\nERROR: Unable to attach probe: tracepoint:nope:nope. If this is expected, set the 'missing_probes' config variable to 'warn'.\n")
	s.quit()
}

// Completion: an exact name is kept, candidates are listed, Ctrl-C while
// they are shown abandons the line; tracepoints, uprobe files and
// symbols, struct names and fields, builtins, functions and maps.
func TestREPLScreenCompletion(t *testing.T) {
	requireRoot(t)
	s := startSession(t, scrCols)

	// sys_enter_openat is complete: Tab keeps it and lists both events.
	s.send("tracepoint:syscalls:sys_enter_opena\t")
	s.show("tracepoint:syscalls:sys_enter_openat")
	s.send("\t")
	s.screenIs(scrRows, scrCols, s.want.String()+"\nsys_enter_openat   sys_enter_openat2\n")
	// Ctrl-C with the candidates shown abandons the line.
	s.send("\x03")
	s.show("^C\n" + prompt)

	// A file path after uprobe:, then the binary's symbols.
	dir := filepath.Dir(sysloopPath)
	s.send("uprobe:" + dir + "/sysl\t")
	s.show("uprobe:" + dir + "/sysloop:")
	s.send("mai\t")
	s.show("main")
	s.send(" { @calls = count(); }\r")
	s.show(" { @calls = count(); }\nAttached 1 probe\n" + prompt)
	runSysloop(t, 3, "")
	s.send("\x03")
	s.show("^C\n@calls: 1\n" + prompt)

	// Struct names after struct, fields after ->, builtins, functions.
	s.send("BEGIN { printf(\"%d %d\\n\", sizeof(struct task_stru\t")
	s.show(`BEGIN { printf("%d %d\n", sizeof(struct task_struct`)
	s.send("\t")
	s.screenIs(scrRows, scrCols, s.want.String()+"\ntask_struct               task_struct__safe_rcu\n")
	s.send(") > 0, curtask->real_pa\t")
	s.show(") > 0, curtask->real_parent")
	s.send("->tgi\t")
	s.show("->tgid")
	s.send(" > 0); @m[nse\t")
	s.show(" > 0); @m[nsecs")
	s.send(" > 0] = coun\t")
	s.show(" > 0] = count(")
	s.send("); @mm = co\t")
	s.screenIs(scrRows, scrCols, s.want.String()+"); @mm = co\ncomm   count(\n")
	s.send("\x03")
	s.want.WriteString("); @mm = co^C\n" + prompt)
	s.screenIs(scrRows, scrCols, s.want.String())

	// A tracepoint's fields after args., map names after @.
	s.send("t:syscalls:sys_enter_openat { printf(\"%s\\n\", str(args.filen\t")
	s.show(`t:syscalls:sys_enter_openat { printf("%s\n", str(args.filename`)
	s.send(")); @opens = count(); @op\t")
	s.show(")); @opens = count(); @opens")
	s.send("\x03")
	s.show("^C\n" + prompt)
	s.quit()
}

// A terminal that reports 0 columns still completes (as 80 columns).
func TestREPLScreenZeroColumns(t *testing.T) {
	requireRoot(t)
	s := startSession(t, 0)
	s.send("tracep\t")
	s.show("tracepoint:")
	s.send("raw_sys\t")
	s.show("raw_syscalls:")
	s.send("sys_e\t")
	s.screenIs(scrRows, scrCols, s.want.String()+"sys_e\nsys_enter  sys_exit\n")
	s.want.WriteString("sys_e")
	s.send("\x03")
	s.show("^C\n" + prompt)
	s.quit()
}

// Every dot command.
func TestREPLScreenCommands(t *testing.T) {
	requireRoot(t)
	s := startSession(t, scrCols)
	cli := func(args ...string) string {
		out, err := exec.Command(binPath, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		return string(out)
	}

	s.enter(".help count", "count() -> count_t: aggregation\n  Counts how many times it is called.\n")
	s.enter(".help t", "tracepoint: probe type (also t)\n  Kernel static tracepoint category:event; its fields are in args.\n")
	s.enter(".help nope", "no builtin, function, probe type or config setting is called nope\n")
	s.enter(".list tracepoint:syscalls:sys_enter_openat*", cli("-l", "tracepoint:syscalls:sys_enter_openat*"))
	s.enter(".args tracepoint:syscalls:sys_enter_openat", cli("-lv", "tracepoint:syscalls:sys_enter_openat"))

	// Two entries; .detach ends one, printing its maps.
	one := `tracepoint:syscalls:sys_enter_getppid /comm == "sysloop"/ { @one = count(); }`
	two := `tracepoint:syscalls:sys_enter_getppid /comm == "sysloop"/ { @two = count(); }`
	s.enter(one, "Attached 1 probe\n")
	s.enter(two, "Attached 1 probe\n")
	s.enter(".probes", "#1 tracepoint:syscalls:sys_enter_getppid\n#2 tracepoint:syscalls:sys_enter_getppid\n")
	runSysloop(t, 5, "")
	s.enter(".detach 1", "@one: 5\n")
	s.enter(".detach 1", "no entry #1 is attached (.probes lists them)\n")
	s.enter(".probes", "#2 tracepoint:syscalls:sys_enter_getppid\n")
	s.enter(".maps", "@two: 5\n")

	// .asm and .ir show the last entry as -d does.
	s.enter(".asm", cli("-d", "asm", "-e", two))
	if slices.Contains(stageNames, "ir") {
		s.enter(".ir", cli("-d", "ir", "-e", two))
	} else {
		s.enter(".ir", "ERROR: the ir stage is not available yet: this gobpftrace has no -d ir (its stages: ast, types, asm, verifier)\n")
	}
	s.enter(".clear", "detached every probe; their maps were discarded\n")

	// .load runs a file; .save writes every entry as one script.
	dir := t.TempDir()
	script := filepath.Join(dir, "hello.bt")
	if err := os.WriteFile(script, []byte("BEGIN { printf(\"loaded\\n\"); }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s.enter(".load "+script, "Attached 1 probe\nloaded\n")
	s.enter(`1+2`, "3\n")
	saved := filepath.Join(dir, "s.bt")
	s.enter(".save "+saved, "saved 4 entries to "+saved+"\n")
	data, err := os.ReadFile(saved)
	if err != nil {
		t.Fatal(err)
	}
	want := one + "\n\n" + two + "\n\nBEGIN { printf(\"loaded\\n\"); }\n\nBEGIN {\nprint((\n1+2\n));\n}\n"
	if string(data) != want {
		t.Errorf(".save wrote:\n%s\nwant:\n%s", data, want)
	}
	// The saved script runs as it is.
	if out := cli("-e", "BEGIN {\nprint((\n1+2\n));\n}"); out != "Attached 1 probe\n3\n\n\n" {
		t.Errorf("saved entry runs as %q", out)
	}
	link := filepath.Join(dir, "link")
	os.Symlink(script, link)
	s.enter(".save "+link, "ERROR: could not save to "+link+": it is a symbolic link, which .save does not follow\n")
	s.enter(".detach x", "usage: .detach N, with N an entry number that .probes shows\n")
	s.enter(".nope", "unknown command .nope (.help lists them)\n")
	s.quit()
}

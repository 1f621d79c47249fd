package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
)

// Scripts shaped like bpftrace's current opensnoop and syscount tools,
// which read their options with getopt(name, default, "help"): they load,
// take --name=value after "--", list their options with -- --help, and
// refuse an option they do not have in bpftrace's words.

const getoptDir = "../../testdata/getopt"

// copyAs copies the program at path to dir/name, so that its comm is name.
func copyAs(t *testing.T, path, dir, name string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, name)
	if err := os.WriteFile(out, data, 0o755); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestGetoptOpensnoop(t *testing.T) {
	requireRoot(t)
	script, _ := filepath.Abs(filepath.Join(getoptDir, "opensnoop.bt"))
	dir := t.TempDir()
	cat := copyAs(t, "/bin/cat", dir, "optcat")
	cwd := filepath.Join(dir, "x", "y")
	os.MkdirAll(cwd, 0o755)
	open := func(t *testing.T) {
		cmd := exec.Command(cat, "nothere")
		cmd.Dir = cwd
		cmd.Run() // fails: the file does not exist
	}
	res := trace(t, traceRun{args: []string{script, "--", "--comm=optcat", "--depth=2"}, trigger: open, stop: os.Interrupt})
	mustExit(t, res, 0)
	re := regexp.MustCompile(`(?m)^PID    COMM               FD ERR PATH\n(?s:.*)^[0-9]+ +optcat             -1   2 /x/y/nothere\n`)
	if !re.MatchString(res.stdout) {
		t.Errorf("stdout:\n%s", res.stdout)
	}

	res = trace(t, traceRun{args: []string{script, "--", "--help"}, noAttach: true})
	mustExit(t, res, 0)
	want := `OPTIONS of ` + script + ` (after --):
    --comm=STRING      trace only the processes of this name (default: "")
    --depth=NUM        directories of the working directory to print, innermost first (default: 8)
`
	if res.stdout != want || res.stderr != "" {
		t.Errorf("-- --help: stdout\n%s\nwant\n%s\nstderr %q", res.stdout, want, res.stderr)
	}

	res = trace(t, traceRun{args: []string{script, "--", "--dpeth=3"}, noAttach: true})
	mustExit(t, res, 1)
	if want := "ERROR: unexpected program command line options: --dpeth\nHINT: expected program options: --comm, --depth\n"; res.stderr != want {
		t.Errorf("stderr %q, want %q", res.stderr, want)
	}
}

func TestGetoptSyscount(t *testing.T) {
	requireRoot(t)
	script, _ := filepath.Abs(filepath.Join(getoptDir, "syscount.bt"))
	prog := copyAs(t, "/bin/true", t.TempDir(), "optsyscount")
	run := func(t *testing.T) {
		if err := exec.Command(prog).Run(); err != nil {
			t.Error(err)
		}
	}
	res := trace(t, traceRun{args: []string{script, "--", "--sysname", "--top=2", "--comm=optsyscount"}, trigger: run, stop: os.Interrupt})
	mustExit(t, res, 0)
	re := regexp.MustCompile(`^Counting syscalls\.\.\. Hit Ctrl-C to end\.\n\nTop syscalls by name:\n(@syscallname\[[a-z_0-9]+\]: [0-9]+\n){2}\nTop processes:\n@process\[optsyscount\]: [0-9]+\n\n\n$`)
	if !re.MatchString(res.stdout) {
		t.Errorf("--sysname --top=2: stdout:\n%s", res.stdout)
	}
	res = trace(t, traceRun{args: []string{script, "--", "--top=1", "--comm=optsyscount"}, trigger: run, stop: os.Interrupt})
	mustExit(t, res, 0)
	re = regexp.MustCompile(`^Counting syscalls\.\.\. Hit Ctrl-C to end\.\n\nTop syscalls by number:\n@syscall\[[0-9]+\]: [0-9]+\n\nTop processes:\n@process\[optsyscount\]: [0-9]+\n\n\n$`)
	if !re.MatchString(res.stdout) {
		t.Errorf("--top=1: stdout:\n%s", res.stdout)
	}

	// -h with the script: the usage, then the script's options (parsed
	// only: no kernel needed).
	res = trace(t, traceRun{args: []string{"-h", script}, noAttach: true})
	mustExit(t, res, 0)
	want := usage + "\nOPTIONS of " + script + ` (after --):
    --comm=STRING      count only the processes of this name (default: "")
    --sysname          count by system call name, not number (default: false)
    --top=NUM          how many of each to print (default: 10)
`
	if res.stdout != want {
		t.Errorf("-h script.bt: stdout\n%s", res.stdout)
	}
	res = trace(t, traceRun{args: []string{script, "--", "--top"}, noAttach: true})
	mustExit(t, res, 1)
	if want := script + ":26:18-64: ERROR: getopt(): --top takes an integer: give it as --top=N\n"; len(res.stderr) < len(want) || res.stderr[:len(want)] != want {
		t.Errorf("--top: stderr %q", res.stderr)
	}
}

package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
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

// advCase is one case of a testdata/adversarial/*.cases file (the format
// is described in that folder's README).
type advCase struct {
	class, name     string
	line            int
	script          string
	args            []string
	stdin           string
	stdinFile       string
	repl            bool
	exit            int
	stderr, stdout  []string
	seconds         float64
	mb              int64
	positionedCheck bool
}

// TestAdversarial runs every case of testdata/adversarial: the expected
// result or a positioned error, within the case's time and memory bounds,
// and never a Go trace.
func TestAdversarial(t *testing.T) {
	requireRoot(t)
	files, _ := filepath.Glob("../../testdata/adversarial/*.cases")
	if len(files) < 5 {
		t.Fatalf("%d case files in testdata/adversarial, want at least 5", len(files))
	}
	for _, f := range files {
		cases, err := readAdvCases(f)
		if err != nil {
			t.Fatal(err)
		}
		class := strings.TrimSuffix(filepath.Base(f), ".cases")
		t.Run(class, func(t *testing.T) {
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) { runAdvCase(t, c) })
			}
		})
	}
}

func readAdvCases(path string) ([]*advCase, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	class := strings.TrimSuffix(filepath.Base(path), ".cases")
	var cases []*advCase
	var c *advCase
	for i, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, val, _ := strings.Cut(line, " ")
		fail := func(format string, args ...any) error {
			return fmt.Errorf("%s:%d: %s", path, i+1, fmt.Sprintf(format, args...))
		}
		if key == "case" {
			c = &advCase{class: class, name: val, line: i + 1, exit: 1, seconds: 20, mb: 600, positionedCheck: true, args: []string{"{file}"}}
			cases = append(cases, c)
			continue
		}
		if c == nil {
			return nil, fail("%q before the first case", key)
		}
		switch key {
		case "script":
			c.script = unescapeCase(val)
		case "gen":
			words := strings.Fields(val)
			g := generators[words[0]]
			if g == nil {
				return nil, fail("unknown generator %q", words[0])
			}
			if c.script, err = g(words[1:]); err != nil {
				return nil, fail("%v", err)
			}
		case "args":
			c.args = strings.Fields(val)
		case "stdin":
			c.stdin = unescapeCase(val)
		case "stdinfile":
			c.stdinFile = val
		case "repl":
			c.repl = val == "yes"
		case "exit":
			if c.exit, err = strconv.Atoi(val); err != nil {
				return nil, fail("exit: %v", err)
			}
		case "stderr":
			c.stderr = append(c.stderr, val)
		case "stdout":
			c.stdout = append(c.stdout, val)
		case "seconds":
			if c.seconds, err = strconv.ParseFloat(val, 64); err != nil {
				return nil, fail("seconds: %v", err)
			}
		case "mb":
			if c.mb, err = strconv.ParseInt(val, 10, 64); err != nil {
				return nil, fail("mb: %v", err)
			}
		case "positioned":
			c.positionedCheck = val != "no"
		default:
			return nil, fail("unknown key %q", key)
		}
	}
	for _, c := range cases {
		if c.script == "" {
			return nil, fmt.Errorf("%s:%d: case %s has no script", path, c.line, c.name)
		}
	}
	return cases, nil
}

// unescapeCase decodes a case's text: \n is a newline, \\ a backslash.
func unescapeCase(s string) string {
	return strings.NewReplacer(`\\`, `\`, `\n`, "\n").Replace(s)
}

// goTrace matches what the Go runtime prints when a program crashes.
var goTrace = regexp.MustCompile(`(?m)^(panic: |fatal error: |goroutine \d+ )|runtime\.`)

// positioned matches a positioned error's first line: FILE:L:C-C: ERROR:
// or, about the file as a whole, FILE: ERROR:.
var positioned = regexp.MustCompile(`^[^\s:]+(:\d+:\d+-\d+)?: ERROR: `)

func runAdvCase(t *testing.T, c *advCase) {
	dir := t.TempDir()
	file := filepath.Join(dir, c.name+".bt")
	if err := os.WriteFile(file, []byte(c.script), 0o644); err != nil {
		t.Fatal(err)
	}
	if c.repl {
		runAdvREPL(t, c, dir)
		return
	}
	var args []string
	for _, a := range c.args {
		a = strings.ReplaceAll(a, "{file}", file)
		args = append(args, strings.ReplaceAll(a, "{src}", c.script))
	}
	limit := time.Duration(c.seconds * float64(time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), limit+10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	switch {
	case c.stdinFile != "":
		in, err := os.Open(c.stdinFile)
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		cmd.Stdin = in
	default:
		cmd.Stdin = strings.NewReader(strings.ReplaceAll(c.stdin, "{src}", c.script))
	}
	start := time.Now()
	err := cmd.Run()
	elapsed := time.Since(start)
	if ctx.Err() != nil {
		t.Fatalf("%s:%d: still running after %v: killed", c.class, c.line, limit+10*time.Second)
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	// The child's peak RSS. Linux counts in it the test process's own peak
	// when the child was started (os/exec starts it sharing the test
	// process's memory until exec), so it is an upper bound: the bound
	// checked is stricter, never looser.
	rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss / 1024 // KiB to MiB
	t.Logf("%.2fs, at most %d MiB peak RSS, exit %d", elapsed.Seconds(), rss, code)
	checkAdvResult(t, c, code, stdout.String(), stderr.String(), elapsed, rss)
}

func checkAdvResult(t *testing.T, c *advCase, code int, stdout, stderr string, elapsed time.Duration, rss int64) {
	t.Helper()
	show := func(s string) string {
		if len(s) > 2000 {
			return s[:2000] + "...(cut)"
		}
		return s
	}
	if goTrace.MatchString(stderr) {
		t.Errorf("a Go trace on stderr:\n%s", show(stderr))
	}
	if code != c.exit {
		t.Errorf("exit code %d, want %d; stderr:\n%s", code, c.exit, show(stderr))
	}
	if code != 0 && c.positionedCheck && !positioned.MatchString(stderr) {
		t.Errorf("stderr does not start with a positioned error:\n%s", show(stderr))
	}
	for _, want := range c.stderr {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, show(stderr))
		}
	}
	for _, want := range c.stdout {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, show(stdout))
		}
	}
	if limit := time.Duration(c.seconds * float64(time.Second)); elapsed > limit {
		t.Errorf("took %v, the bound is %v", elapsed, limit)
	}
	if rss > c.mb {
		t.Errorf("peak RSS %d MiB, the bound is %d MiB", rss, c.mb)
	}
}

// runAdvREPL types the script as one line into the interactive session.
func runAdvREPL(t *testing.T, c *advCase, home string) {
	line := strings.ReplaceAll(strings.TrimRight(c.script, "\n"), "\n", " ")
	term := startTerminal(t, home)
	term.expect("gobpftrace> ")
	start := time.Now()
	term.send(line + "\r")
	var shown string
	for _, want := range c.stderr {
		shown += term.expect(want)
	}
	elapsed := time.Since(start)
	term.send(".quit\r")
	select {
	case <-term.exited:
	case <-time.After(10 * time.Second):
		t.Fatalf("the session did not end after .quit")
	}
	rss := term.cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss / 1024
	t.Logf("%.2fs, at most %d MiB peak RSS", elapsed.Seconds(), rss)
	sc := bufio.NewScanner(strings.NewReader(shown))
	for sc.Scan() {
		if goTrace.MatchString(sc.Text()) {
			t.Errorf("a Go trace on the terminal:\n%s", shown)
			break
		}
	}
	if limit := time.Duration(c.seconds * float64(time.Second)); elapsed > limit {
		t.Errorf("took %v, the bound is %v", elapsed, limit)
	}
	if rss > c.mb {
		t.Errorf("peak RSS %d MiB, the bound is %d MiB", rss, c.mb)
	}
}

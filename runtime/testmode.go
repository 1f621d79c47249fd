package runtime

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/cilium/ebpf"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/runtime/attach"
	"github.com/gobpftrace/gobpftrace/runtime/host"
	"github.com/gobpftrace/gobpftrace/runtime/output"
)

// testResult is what one test: probe did.
type testResult struct {
	name     string
	duration time.Duration
	passed   bool
	// output is what the test printed (its events, errorf's messages),
	// shown only when it failed.
	output string
}

// runTests is --mode test: BEGIN, each test: probe once in the order of
// the script, END, with a line per test as bpftrace prints them. A test
// passes when its program returns 0, it reports no error (errorf, assert,
// a run-time error) and it does not call exit() with a non-zero code.
// What a test prints is kept and shown only when it fails. No map is
// printed; the run's exit code is 1 when a test failed.
func (s *session) runTests(ctx context.Context, begins, ends, tests []*codegen.Program) error {
	if len(tests) == 0 {
		return fmt.Errorf("--mode test runs the script's test: probes, and it has none (write test:NAME { ... })")
	}
	if err := s.startSpecial(begins, len(begins)+len(ends)+len(tests)); err != nil {
		return err
	}
	if err := s.out.Flush(); err != nil {
		return err
	}
	names := make([]string, len(tests))
	for i, p := range tests {
		names[i] = strings.TrimPrefix(attach.ProbeName(p), "test:")
	}
	report := newTestReport(s.opts.Format, s.opts.stdout(), names)
	failed := false
	for i, p := range tests {
		if ctx.Err() != nil {
			break
		}
		r, err := s.runTest(p)
		if err != nil {
			return err
		}
		r.name = names[i]
		failed = failed || !r.passed
		report.result(i, r)
	}
	if err := s.runSpecial(ends); err != nil {
		return err
	}
	if err := s.drain(); err != nil {
		return err
	}
	if err := s.out.Flush(); err != nil {
		return err
	}
	if failed && s.opts.OnExitCode != nil {
		s.opts.OnExitCode(1)
	}
	return nil
}

// runTest runs one test program and collects what it printed through a
// printer of its own.
func (s *session) runTest(p *codegen.Program) (testResult, error) {
	var buf bytes.Buffer
	capture := &countingPrinter{Printer: s.newCapture(&buf)}
	out := s.disp.out
	s.disp.out = capture
	defer func() { s.disp.out = out }()
	s.disp.exited, s.disp.hasExitCode = false, false

	start := time.Now()
	ret, err := s.loaded.Progs[p.Name].Run(&ebpf.RunOptions{})
	took := time.Since(start)
	if err != nil {
		return testResult{}, fmt.Errorf("could not run %s: %s", attach.ProbeName(p), host.ErrnoText(err))
	}
	if err := s.drain(); err != nil {
		return testResult{}, err
	}
	capture.Flush()
	failedExit := s.disp.exited && s.disp.hasExitCode && s.disp.exitCode != 0
	s.disp.exited, s.disp.hasExitCode = false, false
	passed := ret == 0 && capture.errors == 0 && !failedExit
	return testResult{duration: took, passed: passed, output: buf.String()}, nil
}

// newCapture is a printer of the run's format writing both the script's
// output and its diagnostics to w.
func (s *session) newCapture(w io.Writer) output.Printer {
	return output.New(s.opts.Format, s.format, output.Destination{
		Stdout: w, Stderr: w, File: s.plan.File, Source: s.plan.Source,
	})
}

// countingPrinter counts the errors a test reports: errorf() and
// assert(), run-time errors and failed helpers (-k).
type countingPrinter struct {
	output.Printer
	errors int
}

func (c *countingPrinter) ScriptError(span lang.Span, msg string) {
	c.errors++
	c.Printer.ScriptError(span, msg)
}

func (c *countingPrinter) RuntimeWarning(span lang.Span, msg string) {
	c.errors++
	c.Printer.RuntimeWarning(span, msg)
}

func (c *countingPrinter) HelperError(span lang.Span, helper string, retcode int64) {
	c.errors++
	c.Printer.HelperError(span, helper, retcode)
}

// testReport prints the results of --mode test: in text as bpftrace does
// (its coloured, gtest-like lines, whatever the terminal), in JSON one
// test_result line per test.
type testReport struct {
	json   bool
	w      io.Writer
	names  []string
	passed []bool
}

func newTestReport(format string, w io.Writer, names []string) *testReport {
	return &testReport{json: format == "json", w: w, names: names}
}

const (
	testGreen = "\033[32m"
	testRed   = "\033[31m"
	testReset = "\033[0m"
)

// result reports test i, the last one with the summary.
func (t *testReport) result(i int, r testResult) {
	t.passed = append(t.passed, r.passed)
	if t.json {
		fmt.Fprintf(t.w, `{"type": "test_result", "data": {%s: {"duration": %d, "passed": %t, "output": %s}}}`+"\n",
			output.JSONString(r.name), r.duration.Nanoseconds(), r.passed, output.JSONString(r.output))
		return
	}
	var b strings.Builder
	tag := func(color, label string) { b.WriteString(color + "[" + label + "]" + testReset + " ") }
	if i == 0 {
		tag(testGreen, "==========")
		fmt.Fprintf(&b, "Running %d tests.\n", len(t.names))
	}
	tag(testGreen, " RUN      ")
	b.WriteString(r.name + "\n")
	if r.passed {
		tag(testGreen, "       OK ")
	} else {
		for _, line := range strings.Split(r.output, "\n") {
			if line != "" {
				b.WriteString(line + "\n")
			}
		}
		tag(testRed, "  FAILED  ")
	}
	b.WriteString(r.name + " (" + durationText(r.duration) + ")\n")
	if i == len(t.names)-1 {
		failed := 0
		for _, p := range t.passed {
			if !p {
				failed++
			}
		}
		tag(testGreen, "==========")
		fmt.Fprintf(&b, "%d %s ran.\n", len(t.names), testsWord(len(t.names)))
		tag(testGreen, "  PASSED  ")
		fmt.Fprintf(&b, "%d %s.\n", len(t.passed)-failed, testsWord(len(t.passed)-failed))
		if failed > 0 {
			tag(testRed, "  FAILED  ")
			fmt.Fprintf(&b, "%d %s, listed below:\n", failed, testsWord(failed))
			for k, p := range t.passed {
				if !p {
					tag(testRed, "  FAILED  ")
					b.WriteString(t.names[k] + "\n")
				}
			}
		}
	}
	io.WriteString(t.w, b.String())
}

func testsWord(n int) string {
	if n == 1 {
		return "test"
	}
	return "tests"
}

// durationText is a duration in its largest whole unit, as bpftrace
// shows it: "12 μs", "3 ms".
func durationText(d time.Duration) string {
	ns := d.Nanoseconds()
	switch {
	case ns >= int64(time.Second):
		return strconv.FormatInt(ns/int64(time.Second), 10) + " s"
	case ns >= int64(time.Millisecond):
		return strconv.FormatInt(ns/int64(time.Millisecond), 10) + " ms"
	case ns >= int64(time.Microsecond):
		return strconv.FormatInt(ns/int64(time.Microsecond), 10) + " μs"
	}
	return strconv.FormatInt(ns, 10) + " ns"
}

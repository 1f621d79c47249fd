package runtime

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cilium/ebpf"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/runtime/attach"
	"github.com/gobpftrace/gobpftrace/runtime/host"
	"github.com/gobpftrace/gobpftrace/runtime/output"
)

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
	report := output.NewReport(s.opts.Format, s.opts.stdout(), names)
	failed := false
	for i, p := range tests {
		if ctx.Err() != nil {
			break
		}
		r, err := s.runTest(p)
		if err != nil {
			return err
		}
		r.Name = names[i]
		failed = failed || !r.Passed
		report.TestResult(r)
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
func (s *session) runTest(p *codegen.Program) (output.TestResult, error) {
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
		return output.TestResult{}, fmt.Errorf("could not run %s: %s", attach.ProbeName(p), host.ErrnoText(err))
	}
	if err := s.drain(); err != nil {
		return output.TestResult{}, err
	}
	capture.Flush()
	failedExit := s.disp.exited && s.disp.hasExitCode && s.disp.exitCode != 0
	s.disp.exited, s.disp.hasExitCode = false, false
	passed := ret == 0 && capture.errors == 0 && !failedExit
	return output.TestResult{Duration: took, Passed: passed, Output: buf.String()}, nil
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

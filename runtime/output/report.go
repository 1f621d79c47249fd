package output

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Report writes the results of --mode bench and --mode test in one output
// format, as a Printer writes a run's output: NewReport chooses the format
// once and the runtime never asks which it has. The text report is
// bpftrace's benchmark table and its gtest-like test lines, the JSON
// report its benchmark_results and test_result lines.
type Report interface {
	// Benchmarks writes the time one run of each benchmark takes, in the
	// order given.
	Benchmarks(rows []Benchmark)
	// TestResult writes the result of the run's next test; after the last
	// of the tests NewReport was given, the summary.
	TestResult(r TestResult)
}

// Benchmark is one bench: probe's result.
type Benchmark struct {
	Name        string
	Nanoseconds uint64
}

// TestResult is what one test: probe did.
type TestResult struct {
	Name     string
	Duration time.Duration
	Passed   bool
	// Output is what the test printed (its events, errorf's messages),
	// shown only when it failed.
	Output string
}

// NewReport returns the report of format "json", or of the text format
// for anything else, writing to w. tests names the run's tests, in order.
func NewReport(format string, w io.Writer, tests []string) Report {
	if format == "json" {
		return &jsonReport{w: w}
	}
	return &textReport{w: w, names: tests}
}

type jsonReport struct{ w io.Writer }

func (r *jsonReport) Benchmarks(rows []Benchmark) {
	var b strings.Builder
	b.WriteString(`{"type": "benchmark_results", "data": {`)
	for i, row := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(JSONString(row.Name) + ": " + strconv.FormatUint(row.Nanoseconds, 10))
	}
	b.WriteString("}}\n")
	io.WriteString(r.w, b.String())
}

func (r *jsonReport) TestResult(t TestResult) {
	fmt.Fprintf(r.w, `{"type": "test_result", "data": {%s: {"duration": %d, "passed": %t, "output": %s}}}`+"\n",
		JSONString(t.Name), t.Duration.Nanoseconds(), t.Passed, JSONString(t.Output))
}

// textReport keeps whether each test passed, for the summary.
type textReport struct {
	w      io.Writer
	names  []string
	passed []bool
}

// Benchmarks writes bpftrace's benchmark table: two blank lines, then
// the name and nanoseconds of each benchmark in a box.
func (r *textReport) Benchmarks(rows []Benchmark) {
	width := [2]int{len("BENCHMARK"), len("NANOSECONDS")}
	ns := make([]string, len(rows))
	for i, row := range rows {
		ns[i] = strconv.FormatUint(row.Nanoseconds, 10)
		width[0] = max(width[0], len(row.Name))
		width[1] = max(width[1], len(ns[i]))
	}
	line := "+" + strings.Repeat("-", width[0]+2) + "+" + strings.Repeat("-", width[1]+2) + "+\n"
	cells := func(a, b string) string { return fmt.Sprintf("| %-*s | %-*s |\n", width[0], a, width[1], b) }
	var b strings.Builder
	b.WriteString("\n\n" + line + cells("BENCHMARK", "NANOSECONDS") + line)
	for i, row := range rows {
		b.WriteString(cells(row.Name, ns[i]))
	}
	b.WriteString(line)
	io.WriteString(r.w, b.String())
}

const (
	testGreen = "\033[32m"
	testRed   = "\033[31m"
	testReset = "\033[0m"
)

// TestResult writes bpftrace's coloured, gtest-like lines (whatever the
// terminal).
func (r *textReport) TestResult(t TestResult) {
	i := len(r.passed)
	r.passed = append(r.passed, t.Passed)
	var b strings.Builder
	tag := func(color, label string) { b.WriteString(color + "[" + label + "]" + testReset + " ") }
	if i == 0 {
		tag(testGreen, "==========")
		fmt.Fprintf(&b, "Running %d tests.\n", len(r.names))
	}
	tag(testGreen, " RUN      ")
	b.WriteString(t.Name + "\n")
	if t.Passed {
		tag(testGreen, "       OK ")
	} else {
		for _, line := range strings.Split(t.Output, "\n") {
			if line != "" {
				b.WriteString(line + "\n")
			}
		}
		tag(testRed, "  FAILED  ")
	}
	b.WriteString(t.Name + " (" + durationText(t.Duration) + ")\n")
	if i == len(r.names)-1 {
		failed := 0
		for _, p := range r.passed {
			if !p {
				failed++
			}
		}
		tag(testGreen, "==========")
		fmt.Fprintf(&b, "%d %s ran.\n", len(r.names), testsWord(len(r.names)))
		tag(testGreen, "  PASSED  ")
		fmt.Fprintf(&b, "%d %s.\n", len(r.passed)-failed, testsWord(len(r.passed)-failed))
		if failed > 0 {
			tag(testRed, "  FAILED  ")
			fmt.Fprintf(&b, "%d %s, listed below:\n", failed, testsWord(failed))
			for k, p := range r.passed {
				if !p {
					tag(testRed, "  FAILED  ")
					b.WriteString(r.names[k] + "\n")
				}
			}
		}
	}
	io.WriteString(r.w, b.String())
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

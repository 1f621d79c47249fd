package output

import (
	"strings"
	"testing"
	"time"
)

// The two reports of --mode bench and --mode test, byte for byte (the end
// to end tests in cmd/gobpftrace run them with the kernel's timings).
func TestReports(t *testing.T) {
	var b strings.Builder
	rows := []Benchmark{{"a_longer_name", 12}, {"b", 1234567890123}}
	NewReport("text", &b, nil).Benchmarks(rows)
	want := "\n\n" +
		"+---------------+---------------+\n" +
		"| BENCHMARK     | NANOSECONDS   |\n" +
		"+---------------+---------------+\n" +
		"| a_longer_name | 12            |\n" +
		"| b             | 1234567890123 |\n" +
		"+---------------+---------------+\n"
	if b.String() != want {
		t.Errorf("text benchmarks:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	NewReport("json", &b, nil).Benchmarks(rows)
	if want := `{"type": "benchmark_results", "data": {"a_longer_name": 12, "b": 1234567890123}}` + "\n"; b.String() != want {
		t.Errorf("json benchmarks: %q, want %q", b.String(), want)
	}

	results := []TestResult{
		{Name: "ok", Duration: 1500 * time.Nanosecond, Passed: true, Output: "hidden\n"},
		{Name: "bad", Duration: 3 * time.Millisecond, Output: "shown\n\nagain\n"},
	}
	b.Reset()
	r := NewReport("text", &b, []string{"ok", "bad"})
	for _, res := range results {
		r.TestResult(res)
	}
	g, red, x := "\033[32m", "\033[31m", "\033[0m"
	want = g + "[==========]" + x + " Running 2 tests.\n" +
		g + "[ RUN      ]" + x + " ok\n" + g + "[       OK ]" + x + " ok (1 μs)\n" +
		g + "[ RUN      ]" + x + " bad\nshown\nagain\n" + red + "[  FAILED  ]" + x + " bad (3 ms)\n" +
		g + "[==========]" + x + " 2 tests ran.\n" +
		g + "[  PASSED  ]" + x + " 1 test.\n" +
		red + "[  FAILED  ]" + x + " 1 test, listed below:\n" +
		red + "[  FAILED  ]" + x + " bad\n"
	if b.String() != want {
		t.Errorf("text tests:\n%q\nwant:\n%q", b.String(), want)
	}
	b.Reset()
	r = NewReport("json", &b, []string{"ok", "bad"})
	for _, res := range results {
		r.TestResult(res)
	}
	want = `{"type": "test_result", "data": {"ok": {"duration": 1500, "passed": true, "output": "hidden\n"}}}` + "\n" +
		`{"type": "test_result", "data": {"bad": {"duration": 3000000, "passed": false, "output": "shown\n\nagain\n"}}}` + "\n"
	if b.String() != want {
		t.Errorf("json tests:\n%s\nwant:\n%s", b.String(), want)
	}
}

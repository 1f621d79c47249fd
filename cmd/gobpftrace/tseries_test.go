package main

import (
	"regexp"
	"strings"
	"testing"
)

// tseriesScript writes each aggregation of tseries() several times from
// BEGIN. With 100000 s intervals every write of a run lands in one
// interval (a run crosses an interval boundary about once in 10^5), so
// each chart has one line whose value is the kernel's aggregation of the
// writes; only the interval's start varies from run to run.
const tseriesScript = `BEGIN {
  @last = tseries(5, 100000s, 3); @last = tseries(-7, 100000s, 3);
  @avg = tseries(4, 100000s, 3, "avg"); @avg = tseries(7, 100000s, 3, "avg");
  @sum[1, "a"] = tseries(4, 100000s, 3, "sum"); @sum[1, "a"] = tseries(7, 100000s, 3, "sum");
  @sum[2, "b"] = tseries(-1, 100000s, 3, "sum");
  @min = tseries(4, 100000s, 3, "min"); @min = tseries(-2, 100000s, 3, "min"); @min = tseries(9, 100000s, 3, "min");
  @max = tseries((uint32)4, 100000s, 3, "max"); @max = tseries((uint32)9, 100000s, 3, "max"); @max = tseries((uint32)1, 100000s, 3, "max");
  exit();
}`

// tseriesChart is one single-interval chart as bpftrace draws it: the
// value centred between value-1 and value+1, the time with 9 digits (one
// interval: no interval to take the unit from).
func tseriesChart(name, lo, v, hi string) string {
	pad := func(s string, w int, left bool) string {
		if left {
			return s + strings.Repeat(" ", w-len(s))
		}
		return strings.Repeat(" ", w-len(s)) + s
	}
	labels := strings.Repeat(" ", 19) + pad(lo, 21, true) + pad(hi, 32, false) + "\n"
	return name + ":\n" + labels +
		"hh:mm:ss.ns        |___________________________________________________|\n" +
		"HH:MM:SS.000000000 |                         *                         | " + v + "\n" +
		"                   v___________________________________________________v\n" +
		labels + "\n"
}

var (
	chartTime = regexp.MustCompile(`(?m)^\d\d:\d\d:\d\d\.000000000 `)
	jsonTime  = regexp.MustCompile(`"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.000000000"`)
)

// TestTseriesAggregations runs tseries() in the kernel and prints it as
// text and as JSON.
func TestTseriesAggregations(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{args: []string{"-e", tseriesScript}, noAttach: true})
	mustExit(t, res, 0)
	got := chartTime.ReplaceAllString(res.stdout, "HH:MM:SS.000000000 ")
	want := "\n\n" + tseriesChart("@avg", "4", "5", "6") + tseriesChart("@last", "-8", "-7", "-6") +
		tseriesChart("@max", "8", "9", "10") + tseriesChart("@min", "-3", "-2", "-1") +
		tseriesChart("@sum[1, a]", "10", "11", "12") + tseriesChart("@sum[2, b]", "-2", "-1", "0")
	if got != want {
		t.Errorf("text:\n%s\nwant:\n%s", got, want)
	}

	res = trace(t, traceRun{args: []string{"-f", "json", "-e", tseriesScript}, noAttach: true})
	mustExit(t, res, 0)
	got = jsonTime.ReplaceAllString(res.stdout, `"T"`)
	point := func(v string) string { return `[{"interval_start":"T","value":` + v + `}]` }
	want = `{"type": "attached_probes", "count": 1, "data": {"probes": 1}}` + "\n" +
		`{"type": "tseries", "data": {"@avg": ` + point("5") + "}}\n" +
		`{"type": "tseries", "data": {"@last": ` + point("-7") + "}}\n" +
		`{"type": "tseries", "data": {"@max": ` + point("9") + "}}\n" +
		`{"type": "tseries", "data": {"@min": ` + point("-2") + "}}\n" +
		`{"type": "tseries", "data": {"@sum": {"1,a": ` + point("11") + `, "2,b": ` + point("-1") + "}}}\n"
	if got != want {
		t.Errorf("json:\n%s\nwant:\n%s", got, want)
	}
}

// TestTseriesIntervals: an interval probe writes a counter into a 5-interval
// series at each tick; the chart keeps the last intervals, oldest first,
// each line's time one interval after the previous one's.
func TestTseriesIntervals(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{args: []string{"-e", `interval:ms:200 { @n++; @ = tseries(@n, 200ms, 5, "max"); if (@n == 8) { exit(); } }`}})
	mustExit(t, res, 0)
	lines := strings.Split(strings.TrimSpace(res.stdout), "\n")
	line := regexp.MustCompile(`^(\d\d):(\d\d):(\d\d)\.(\d{3}) [|*][ .*]{51}[|*] (\d+|-)$`)
	var points []string
	var prev int
	for _, l := range lines {
		m := line.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		ms := ((atoi(m[1])*60+atoi(m[2]))*60+atoi(m[3]))*1000 + atoi(m[4])
		if len(points) > 0 && (ms-prev+86400000)%86400000 != 200 {
			t.Errorf("line %q is not one interval after the previous one", l)
		}
		prev = ms
		points = append(points, m[5])
	}
	// A tick may land in the interval of the previous one (the timer's
	// phase against the clock); then a gap or a shorter window shows, but
	// the series always ends with 8 and has at most 5 intervals.
	if len(points) == 0 || len(points) > 5 || points[len(points)-1] != "8" {
		t.Fatalf("intervals %v in:\n%s", points, res.stdout)
	}
	if !strings.HasPrefix(res.stdout, "\n\n@:\n") || !strings.Contains(res.stdout, "hh:mm:ss.ms  |___") {
		t.Errorf("chart header missing:\n%s", res.stdout)
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

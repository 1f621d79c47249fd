package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// requirePrometheus finds Debian's prometheus and promtool, which .ci/run
// installs: missing in CI is a failure, elsewhere a skip.
func requirePrometheus(t *testing.T) (prometheus, promtool string) {
	t.Helper()
	prometheus, err1 := exec.LookPath("prometheus")
	promtool, err2 := exec.LookPath("promtool")
	if err1 == nil && err2 == nil {
		return prometheus, promtool
	}
	if os.Getenv("CI") != "" {
		t.Fatal("prometheus and promtool are needed in CI (.ci/run installs Debian's prometheus)")
	}
	t.Skip("needs prometheus and promtool (apt-get install prometheus)")
	return "", ""
}

// freePort is a loopback port nothing listens on (for a moment).
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startPrometheus runs a real Prometheus on 127.0.0.1 in a temporary
// directory, scraping target every second, and returns its address once
// it is ready. It is stopped when the test ends.
func startPrometheus(t *testing.T, binary, target string) string {
	t.Helper()
	dir := t.TempDir()
	config := fmt.Sprintf(`global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: gobpftrace
    static_configs:
      - targets: [%q]
`, target)
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	var log bytes.Buffer
	cmd := exec.Command(binary, "--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address="+addr)
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(unix.SIGTERM)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return addr
			}
		}
		select {
		case <-exited:
			t.Fatalf("prometheus exited:\n%s", log.String())
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("prometheus not ready within 60s:\n%s", log.String())
		}
	}
}

// promSeries is one series of an instant query: its labels and value.
type promSeries struct {
	labels map[string]string
	value  string
}

// queryPrometheus runs an instant query through Prometheus's HTTP API.
func queryPrometheus(t *testing.T, addr, query string) []promSeries {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/api/v1/query?query=" + url.QueryEscape(query))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Status string
		Error  string
		Data   struct {
			Result []struct {
				Metric map[string]string
				Value  [2]any
			}
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("query %s: %v", query, err)
	}
	if body.Status != "success" {
		t.Fatalf("query %s: %s", query, body.Error)
	}
	var out []promSeries
	for _, r := range body.Data.Result {
		out = append(out, promSeries{labels: r.Metric, value: fmt.Sprint(r.Value[1])})
	}
	return out
}

// The whole way from a probe to Prometheus: gobpftrace --metrics serves
// the maps of a script while a known workload runs, a real Prometheus
// scrapes it every second, and its query API must give the exact counts
// and cumulative buckets; promtool accepts the exposition; Ctrl-C still
// prints the maps.
func TestMetricsPrometheus(t *testing.T) {
	requireRoot(t)
	prometheus, promtool := requirePrometheus(t)

	// The kill(v, 0) calls come from this thread only: the script keeps
	// the values of its tid. Signal 0 only asks whether v exists.
	goruntime.LockOSThread()
	defer goruntime.UnlockOSThread()
	tid := unix.Gettid()
	// Values on both edges of buckets, so that an `le` off by one shows.
	values := []int{0, 1, 1, 2, 3, 4, 7, 8, 9, 10, 19, 20, 40, 99, 100, 1000}
	const getppids = 1234

	port := freePort(t)
	metricsAddr := fmt.Sprintf("127.0.0.1:%d", port)
	// The sysloop helper under a name of its own: other tests run sysloop.
	loop := filepath.Join(t.TempDir(), "promloop")
	if data, err := os.ReadFile(sysloopPath); err != nil || os.WriteFile(loop, data, 0o755) != nil {
		t.Fatalf("copying sysloop: %v", err)
	}
	script := `tracepoint:syscalls:sys_enter_getppid /comm == "promloop"/ { @getppid_calls = count(); @calls_by_comm[comm] = count(); }
tracepoint:syscalls:sys_enter_kill /tid == $1 && args.sig == 0/ {
	@kill_target_pids = hist(args.pid);
	@kill_target_pids_linear = lhist(args.pid, 0, 100, 10);
	@kill_target_pid_stats = stats(args.pid);
	@kill_target_pid_largest = max(args.pid);
	@kill_calls[comm, args.sig] = count();
}`
	comm, err := os.ReadFile("/proc/thread-self/comm")
	if err != nil {
		t.Fatal(err)
	}
	res := trace(t, traceRun{
		args: []string{"--metrics", metricsAddr, "--metric-labels", "@kill_calls=comm,signal", "-e", script, fmt.Sprint(tid)},
		stop: os.Interrupt,
		trigger: func(t *testing.T) {
			prom := startPrometheus(t, prometheus, metricsAddr)
			if out, err := exec.Command(loop, fmt.Sprint(getppids)).CombinedOutput(); err != nil {
				t.Fatalf("promloop: %v: %s", err, out)
			}
			for _, v := range values {
				unix.Kill(v, 0)
			}

			// Cumulative buckets: each `le` counts the values <= le.
			upTo := func(le string) string {
				bound, err := strconv.ParseFloat(le, 64)
				if err != nil {
					t.Fatalf("le %q: %v", le, err)
				}
				n := 0
				for _, v := range values {
					if float64(v) <= bound {
						n++
					}
				}
				return fmt.Sprint(n)
			}
			n := fmt.Sprint(len(values))
			checks := []struct {
				query string
				// want is the expected series, "label=value,... value", sorted.
				want func(got []promSeries) []string
			}{
				{`up{job="gobpftrace"}`, fixedWant(`instance=` + metricsAddr + `,job=gobpftrace 1`)},
				{`gobpftrace_getppid_calls_total`, fixedWant(fmt.Sprintf("instance=%s,job=gobpftrace %d", metricsAddr, getppids))},
				{`gobpftrace_calls_by_comm_total`, fixedWant(fmt.Sprintf("instance=%s,job=gobpftrace,key=promloop %d", metricsAddr, getppids))},
				{`gobpftrace_kill_calls_total`, fixedWant(fmt.Sprintf("comm=%s,instance=%s,job=gobpftrace,signal=0 %s", strings.TrimSpace(string(comm)), metricsAddr, n))},
				{`gobpftrace_kill_target_pid_largest`, fixedWant(fmt.Sprintf("instance=%s,job=gobpftrace 1000", metricsAddr))},
				{`gobpftrace_kill_target_pid_stats_count`, fixedWant(fmt.Sprintf("instance=%s,job=gobpftrace %s", metricsAddr, n))},
				{`gobpftrace_kill_target_pid_stats_sum`, fixedWant(fmt.Sprintf("instance=%s,job=gobpftrace 1323", metricsAddr))},
				{`gobpftrace_kill_target_pids_count`, fixedWant(fmt.Sprintf("instance=%s,job=gobpftrace %s", metricsAddr, n))},
				// --metrics compiles the histograms to keep their sums.
				{`gobpftrace_kill_target_pids_sum`, fixedWant(fmt.Sprintf("instance=%s,job=gobpftrace 1323", metricsAddr))},
				{`gobpftrace_kill_target_pids_linear_sum`, fixedWant(fmt.Sprintf("instance=%s,job=gobpftrace 1323", metricsAddr))},
				// hist(): le -1, 0, 1, 3, 7 ... 2^62-1, +Inf.
				{`gobpftrace_kill_target_pids_bucket`, bucketsWant(t, metricsAddr, 65, upTo)},
				// lhist(0, 100, 10): le -1, 9, 19 ... 99, +Inf.
				{`gobpftrace_kill_target_pids_linear_bucket`, bucketsWant(t, metricsAddr, 12, upTo)},
			}
			// Scraped every second: wait until a scrape after the workload
			// shows its result (bounded, not timed).
			deadline := time.Now().Add(60 * time.Second)
			for _, c := range checks {
				for {
					got := queryPrometheus(t, prom, c.query)
					have, want := seriesText(got), c.want(got)
					if strings.Join(have, "\n") == strings.Join(want, "\n") {
						break
					}
					if time.Now().After(deadline) {
						t.Fatalf("%s:\n got %s\nwant %s", c.query, strings.Join(have, "\n     "), strings.Join(want, "\n     "))
					}
					time.Sleep(250 * time.Millisecond)
				}
			}
			// Bucket bounds of the linear histogram, as Prometheus stored them.
			var les []string
			for _, s := range queryPrometheus(t, prom, `gobpftrace_kill_target_pids_linear_bucket`) {
				les = append(les, s.labels["le"])
			}
			sortByNumber(les)
			if got := strings.Join(les, " "); got != "-1 9 19 29 39 49 59 69 79 89 99 +Inf" {
				t.Errorf("lhist buckets: %s", got)
			}

			// promtool lints the exposition, whatever the scraper asks for.
			for _, accept := range []string{"", "application/openmetrics-text; version=1.0.0"} {
				text := scrape(t, metricsAddr, accept)
				check := exec.Command(promtool, "check", "metrics")
				check.Stdin = strings.NewReader(text)
				if out, err := check.CombinedOutput(); err != nil {
					t.Errorf("promtool check metrics (Accept %q): %v\n%s\nexposition:\n%s", accept, err, out, firstLines(text, 40))
				}
			}
		},
	})
	mustExit(t, res, 0)
	// The maps are still printed at exit.
	for _, want := range []string{
		fmt.Sprintf("@getppid_calls: %d\n", getppids),
		"@kill_target_pid_largest: 1000\n",
		fmt.Sprintf("@kill_target_pid_stats: count %d, average 82, total 1323\n", len(values)),
		"@kill_target_pids_linear:\n" + fmt.Sprintf("%-16s%8d |", "[0, 10)", 9),
	} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("exit print lacks %q:\n%s", want, res.stdout)
		}
	}
	if strings.Contains(res.stderr, "WARNING") || strings.Contains(res.stderr, "ERROR") {
		t.Errorf("stderr:\n%s", res.stderr)
	}
}

// fixedWant expects exactly the given series.
func fixedWant(series ...string) func([]promSeries) []string {
	return func([]promSeries) []string { sort.Strings(series); return series }
}

// bucketsWant expects n bucket series whose values are what upTo gives for
// their le.
func bucketsWant(t *testing.T, instance string, n int, upTo func(le string) string) func([]promSeries) []string {
	return func(got []promSeries) []string {
		var want []string
		les := map[string]bool{}
		for _, s := range got {
			les[s.labels["le"]] = true
		}
		if len(les) != n {
			return []string{fmt.Sprintf("(%d bucket series)", n)}
		}
		for le := range les {
			want = append(want, fmt.Sprintf("instance=%s,job=gobpftrace,le=%s %s", instance, le, upTo(le)))
		}
		sort.Strings(want)
		return want
	}
}

// seriesText renders series as "label=value,... value" without __name__,
// sorted.
func seriesText(series []promSeries) []string {
	var out []string
	for _, s := range series {
		var labels []string
		for k, v := range s.labels {
			if k != "__name__" {
				labels = append(labels, k+"="+v)
			}
		}
		sort.Strings(labels)
		out = append(out, strings.Join(labels, ",")+" "+s.value)
	}
	sort.Strings(out)
	return out
}

func sortByNumber(les []string) {
	sort.Slice(les, func(i, j int) bool {
		a, _ := strconv.ParseFloat(les[i], 64)
		b, _ := strconv.ParseFloat(les[j], 64)
		return a < b
	})
}

// scrape gets /metrics as Prometheus would, in the format accept asks for.
func scrape(t *testing.T, addr, accept string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+addr+"/metrics", nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /metrics: %v %d %s", err, resp.StatusCode, body)
	}
	return string(body)
}

// firstLines shortens a long text for an error message.
func firstLines(text string, n int) string {
	lines := strings.SplitAfter(text, "\n")
	if len(lines) <= n {
		return text
	}
	return strings.Join(lines[:n], "") + "...\n"
}

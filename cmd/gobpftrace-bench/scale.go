package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Scale: many probes attached by one wildcard, then detached. Only
// gobpftrace is measured: bpftrace 0.17 attaches tracepoints one by one in
// tens of milliseconds each (23 s for 361 of them, docs/performance.md)
// and has no uprobe_multi.
func benchScale(c *config, t *table, tools []*tool) error {
	g := tools[0]
	dir, err := os.MkdirTemp("", "gobpftrace-bench-scale")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	// A copy of the gobpftrace binary is the large binary probed: no
	// process runs it, so the probes only attach.
	target := filepath.Join(dir, "target")
	if err := copyFile(g.bin, target); err != nil {
		return err
	}
	cases := []struct{ name, script string }{
		{"tracepoint:syscalls:* (every syscall tracepoint)", "tracepoint:syscalls:* { @ = count(); }"},
		{"uprobe:BIN:runtime.* on a copy of gobpftrace (Go, 16 MB)", "uprobe:" + target + ":runtime.* { @ = count(); }"},
	}
	for i, cs := range cases {
		script, err := writeScript(dir, fmt.Sprintf("scale%d.bt", i), cs.script)
		if err != nil {
			return err
		}
		attach, detach := map[string][]float64{}, map[string][]float64{}
		line := ""
		for r := 0; r < c.runs; r++ {
			p, err := g.start(script, nil, false)
			if err != nil {
				return err
			}
			if err := p.waitAttached(); err != nil {
				return err
			}
			attach[g.name] = append(attach[g.name], ms(p.attachAt.Sub(p.start)))
			detach[g.name] = append(detach[g.name], ms(p.stop()))
			line = strings.TrimSpace(p.attachLine)
		}
		t.ratioRow("scale", cs.name+": start to attached (ms), "+line, attach, "< 1000 ms", 0)
		t.ratioRow("scale", cs.name+": SIGINT to exit (ms)", detach, "< 1000 ms", 0)
	}
	return nil
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o755)
}

// metricsScript fills 10 maps of about 1,000 keys each.
const metricsScript = `tracepoint:syscalls:sys_enter_getppid /comm == "gbtload"/ {
  $k = rand % 1000;
  @c0[$k] = count(); @c1[$k] = count(); @c2[$k] = count();
  @s0[$k] = sum($k); @s1[$k] = sum($k); @s2[$k] = sum($k);
  @m0[$k] = max($k); @m1[$k] = min($k);
  @a0[$k] = avg($k); @a1[$k] = avg($k);
}
`

// Peak RSS of a --metrics exporter with 10 maps of 1,000 keys, scraped
// -runs times, and the time of a scrape.
func benchMetrics(c *config, t *table, tools []*tool) error {
	g := tools[0]
	dir, err := os.MkdirTemp("", "gobpftrace-bench-metrics")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	script, err := writeScript(dir, "metrics.bt", metricsScript)
	if err != nil {
		return err
	}
	rss, scrape := map[string][]float64{}, map[string][]float64{}
	lines := 0
	for r := 0; r < c.runs; r++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		addr := l.Addr().String()
		l.Close()
		p, err := g.startArgs([]string{"--metrics", addr, script}, nil, false)
		if err != nil {
			return err
		}
		if err := p.waitAttached(); err != nil {
			return err
		}
		getppidLoop(max(c.calls/10, 20_000))
		for s := 0; s < 5; s++ {
			t0 := time.Now()
			resp, err := http.Get("http://" + addr + "/metrics")
			if err != nil {
				p.kill()
				return fmt.Errorf("scraping --metrics: %w", err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			scrape[g.name] = append(scrape[g.name], ms(time.Since(t0)))
			lines = strings.Count(string(body), "\n")
		}
		p.stop()
		rss[g.name] = append(rss[g.name], float64(p.maxRSS)/1024)
	}
	t.absRow("rss", fmt.Sprintf("--metrics, 10 maps of 1,000 keys, 5 scrapes (%d lines each): peak RSS (MiB)", lines), rss, "<= 20 MiB", 20)
	t.absRow("rss", "--metrics: one scrape of those maps (ms)", scrape, "-", 0)
	return nil
}

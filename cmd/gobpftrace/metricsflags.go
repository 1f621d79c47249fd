package main

import (
	"io"
	"strconv"
	"strings"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/runtime/metrics"
	"github.com/gobpftrace/gobpftrace/runtime/script"
)

// metricsOptions are --metrics and the flags that shape its metrics.
type metricsOptions struct {
	addr      string // --metrics
	public    bool   // --metrics-public
	prefix    *string
	names     map[string]string   // --metric-name @m=NAME
	labels    map[string][]string // --metric-labels @m=a,b
	maxSeries int                 // --metrics-max-series
	// shaping lists the shaping flags given, for the error when
	// --metrics is missing.
	shaping []string
}

// mapAssignment splits "@map=value" of flag; form is the value's form
// for the error.
func mapAssignment(flag, form, a string) (string, string, error) {
	name, value, ok := strings.Cut(a, "=")
	if !ok || !strings.HasPrefix(name, "@") || value == "" {
		return "", "", usagef("--%s %s: write --%s @MAP=%s", flag, a, flag, form)
	}
	return name, value, nil
}

func (o *options) addMetricName(a string) error {
	m, name, err := mapAssignment("metric-name", "NAME", a)
	if err != nil {
		return err
	}
	if _, dup := o.metrics.names[m]; dup {
		return usagef("--metric-name names %s twice", m)
	}
	if o.metrics.names == nil {
		o.metrics.names = map[string]string{}
	}
	o.metrics.names[m] = name
	o.metrics.shaping = append(o.metrics.shaping, "--metric-name")
	return nil
}

func (o *options) addMetricLabels(a string) error {
	m, list, err := mapAssignment("metric-labels", "LABEL,LABEL...", a)
	if err != nil {
		return err
	}
	if _, dup := o.metrics.labels[m]; dup {
		return usagef("--metric-labels names the labels of %s twice", m)
	}
	if o.metrics.labels == nil {
		o.metrics.labels = map[string][]string{}
	}
	o.metrics.labels[m] = strings.Split(list, ",")
	o.metrics.shaping = append(o.metrics.shaping, "--metric-labels")
	return nil
}

func (o *options) setMaxSeries(a string) error {
	n, err := strconv.Atoi(a)
	if err != nil || n < 1 {
		return usagef("--metrics-max-series %s: give a number of series, 1 or more", a)
	}
	o.metrics.maxSeries = n
	o.metrics.shaping = append(o.metrics.shaping, "--metrics-max-series")
	return nil
}

// check refuses the shaping flags without --metrics.
func (m *metricsOptions) check() error {
	if m.addr != "" {
		return nil
	}
	given := m.shaping
	if m.public {
		given = append(given, "--metrics-public")
	}
	if m.prefix != nil {
		given = append(given, "--metrics-prefix")
	}
	if len(given) > 0 {
		return usagef("%s only shapes the metrics of --metrics ADDR, which is not given", given[0])
	}
	return nil
}

// config is the metrics.Config of the flags.
func (m *metricsOptions) config() metrics.Config {
	return metrics.Config{Prefix: m.prefix, Names: m.names, Labels: m.labels, MaxSeries: m.maxSeries}
}

// metricsServer is --metrics: the collector of the script's maps and the
// HTTP server that serves it. A nil one does nothing.
type metricsServer struct {
	collector *metrics.Collector
	server    *metrics.Server
}

// serveMetrics checks how maps are exported and starts serving them at
// --metrics's address (empty until read is called).
func serveMetrics(o *options, maps []*codegen.Map, stderr io.Writer) (*metricsServer, error) {
	c, err := metrics.New(maps, o.metrics.config(), stderr)
	if err != nil {
		return nil, err
	}
	srv, err := metrics.Listen(o.metrics.addr, o.metrics.public)
	if err != nil {
		return nil, err
	}
	if err := srv.Serve(c, stderr); err != nil {
		srv.Close()
		return nil, err
	}
	return &metricsServer{collector: c, server: srv}, nil
}

// read makes each scrape read the running session's maps.
func (m *metricsServer) read(sess *script.Session) {
	if m != nil {
		m.collector.Attach(sess.Map)
	}
}

// close stops reading the maps and serving.
func (m *metricsServer) close() {
	if m != nil {
		m.collector.Detach()
		m.server.Close()
	}
}

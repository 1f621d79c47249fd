package main

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

func TestParseMetricsFlags(t *testing.T) {
	o, err := parseArgs([]string{"--metrics", "127.0.0.1:9464", "--metrics-public", "--metrics-prefix=node_",
		"--metric-name", "@calls=syscalls", "--metric-labels", "@calls=comm,pid", "--metric-labels=@=cpu",
		"--metrics-max-series", "50", "x.bt"})
	if err != nil {
		t.Fatal(err)
	}
	m := o.metrics
	if m.addr != "127.0.0.1:9464" || !m.public || m.prefix == nil || *m.prefix != "node_" || m.maxSeries != 50 ||
		!reflect.DeepEqual(m.names, map[string]string{"@calls": "syscalls"}) ||
		!reflect.DeepEqual(m.labels, map[string][]string{"@calls": {"comm", "pid"}, "@": {"cpu"}}) {
		t.Errorf("got %+v", m)
	}
}

// Bad metrics flags are bad command lines: one line, the usage, exit 1.
func TestBadMetricsFlags(t *testing.T) {
	cases := []struct {
		args []string
		msg  string
	}{
		{[]string{"--metric-name", "@a=b", "-e", "BEGIN{}"}, "ERROR: --metric-name only shapes the metrics of --metrics ADDR, which is not given"},
		{[]string{"--metrics-public", "-e", "BEGIN{}"}, "ERROR: --metrics-public only shapes the metrics of --metrics ADDR, which is not given"},
		{[]string{"--metrics", "127.0.0.1:1", "--metric-name", "calls=x", "-e", "BEGIN{}"}, "ERROR: --metric-name calls=x: write --metric-name @MAP=NAME"},
		{[]string{"--metrics", "127.0.0.1:1", "--metric-labels", "@a", "-e", "BEGIN{}"}, "ERROR: --metric-labels @a: write --metric-labels @MAP=LABEL,LABEL..."},
		{[]string{"--metrics", "127.0.0.1:1", "--metric-name", "@a=x", "--metric-name", "@a=y", "-e", "BEGIN{}"}, "ERROR: --metric-name names @a twice"},
		{[]string{"--metrics", "127.0.0.1:1", "--metrics-max-series", "0", "-e", "BEGIN{}"}, "ERROR: --metrics-max-series 0: give a number of series, 1 or more"},
		{[]string{"--metrics"}, "ERROR: option '--metrics' requires an argument"},
	}
	for _, c := range cases {
		var stdout, stderr bytes.Buffer
		if code := run(c.args, strings.NewReader(""), &stdout, &stderr); code != 1 {
			t.Errorf("%q: exit %d", c.args, code)
		}
		if want := c.msg + "\n\n" + usage; stderr.String() != want {
			t.Errorf("%q: stderr\n%s\nwant first line %s", c.args, stderr.String(), c.msg)
		}
	}
}

// An address other hosts could reach is refused without --metrics-public,
// before anything is compiled; --metrics needs a script.
func TestMetricsAddressRefused(t *testing.T) {
	cases := []struct {
		args []string
		msg  string
	}{
		{[]string{"--metrics", "0.0.0.0:9464", "-e", "BEGIN { exit(); }"},
			"ERROR: --metrics 0.0.0.0:9464: 0.0.0.0 means every network interface, and anyone who reaches it could read what the script collects; use 127.0.0.1:9464, or add --metrics-public to serve the metrics there on purpose\n"},
		{[]string{"--metrics", "127.0.0.1:9464"},
			"ERROR: --metrics serves the maps of a script: give it with -e 'program' or a file (the interactive session has no --metrics)\n"},
	}
	for _, c := range cases {
		var stdout, stderr bytes.Buffer
		if code := run(c.args, strings.NewReader(""), &stdout, &stderr); code != 1 || stderr.String() != c.msg || stdout.Len() != 0 {
			t.Errorf("%q: exit %d, stdout %q, stderr\n%s\nwant\n%s", c.args, code, stdout.String(), stderr.String(), c.msg)
		}
	}
}

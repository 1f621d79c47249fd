package metrics

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/runtime/output"
)

func TestCheckAddress(t *testing.T) {
	for _, ok := range []string{"127.0.0.1:9464", "127.1.2.3:1", "[::1]:9464", "localhost:9464", "127.0.0.1:0"} {
		if err := CheckAddress(ok, false); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	cases := map[string]string{
		"0.0.0.0:9464":    "--metrics 0.0.0.0:9464: 0.0.0.0 means every network interface, and anyone who reaches it could read what the script collects; use 127.0.0.1:9464, or add --metrics-public to serve the metrics there on purpose",
		":9464":           "--metrics :9464: no host means every network interface, and anyone who reaches it could read what the script collects; use 127.0.0.1:9464, or add --metrics-public to serve the metrics there on purpose",
		"10.1.2.3:80":     "--metrics 10.1.2.3:80: 10.1.2.3 is not a loopback address, and anyone who reaches it could read what the script collects; use 127.0.0.1:80, or add --metrics-public to serve the metrics there on purpose",
		"example.com:1":   "--metrics example.com:1: example.com is not a loopback address, and anyone who reaches it could read what the script collects; use 127.0.0.1:1, or add --metrics-public to serve the metrics there on purpose",
		"9464":            "--metrics 9464: not an address: write HOST:PORT, such as 127.0.0.1:9464",
		"127.0.0.1:x":     `--metrics 127.0.0.1:x: the port "x" is not a number from 1 to 65535`,
		"127.0.0.1:70000": `--metrics 127.0.0.1:70000: the port "70000" is not a number from 1 to 65535`,
	}
	for addr, want := range cases {
		if err := CheckAddress(addr, false); err == nil || err.Error() != want {
			t.Errorf("%s: got %v\nwant %s", addr, err, want)
		}
	}
	for _, public := range []string{"0.0.0.0:9464", ":9464", "10.1.2.3:80"} {
		if err := CheckAddress(public, true); err != nil {
			t.Errorf("%s with --metrics-public: %v", public, err)
		}
	}
}

// The server answers /metrics in the text format, and the port it holds
// is refused to a second one.
func TestServer(t *testing.T) {
	calls := newMap("@calls", tStr, &lang.Type{Kind: lang.KCount})
	c, err := New([]*codegen.Map{calls}, Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.Attach(readFixed(map[*codegen.Map][]output.Entry{calls: {entry(calls, "a\"b\\c", u64(3))}}))
	s, err := Listen("127.0.0.1:0", false)
	if err != nil {
		t.Fatal(err)
	}
	var scrapeErrors strings.Builder
	if err := s.Serve(c, &scrapeErrors); err != nil {
		t.Fatal(err)
	}
	encoding := ""
	get := func(accept string) (string, string) {
		req, _ := http.NewRequest("GET", "http://"+s.Addr()+"/metrics", nil)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		if encoding != "" {
			// set by hand, the client does not decompress
			req.Header.Set("Accept-Encoding", encoding)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		return resp.Header.Get("Content-Type"), string(body)
	}
	ctype, body := get("")
	if !strings.HasPrefix(ctype, "text/plain; version=0.0.4") {
		t.Errorf("content type %q", ctype)
	}
	checkText(t, body, "# HELP gobpftrace_calls_total gobpftrace map @calls: count()\n# TYPE gobpftrace_calls_total counter\ngobpftrace_calls_total{key=\"a\\\"b\\\\c\"} 3\n")
	// Asked for OpenMetrics, it still answers in the text format.
	ctype, body2 := get("application/openmetrics-text; version=1.0.0")
	if !strings.HasPrefix(ctype, "text/plain; version=0.0.4") || body2 != body {
		t.Errorf("asked for OpenMetrics: content type %q, body\n%s", ctype, body2)
	}

	// Go's client asks for gzip and decompresses: asked for no
	// compression, and for gzip by hand, the server answers the same text.
	encoding = "identity"
	if _, plain := get(""); plain != body {
		t.Errorf("identity: %q", plain)
	}
	encoding = "deflate, gzip;q=0.5"
	if _, zipped := get(""); !strings.HasPrefix(zipped, "\x1f\x8b") {
		t.Errorf("gzip: not gzipped: %q", zipped)
	}

	if _, err := Listen(s.Addr(), false); err == nil || !strings.Contains(err.Error(), "could not listen: address already in use") {
		t.Errorf("second listener on %s: %v", s.Addr(), err)
	}
	if err := s.Close(); err != nil {
		t.Error(err)
	}
	if _, err := http.Get("http://" + s.Addr() + "/metrics"); err == nil {
		t.Error("the server still answers after Close")
	}
	checkText(t, scrapeErrors.String(), "")
}

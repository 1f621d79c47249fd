package metrics

import (
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

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

// What is not a scrape gets HTTP's answers; a fifth request while four
// are being served gets 503; Close ends connections that hang.
func TestServerRequests(t *testing.T) {
	calls := newMap("@calls", nil, &lang.Type{Kind: lang.KCount})
	c, err := New([]*codegen.Map{calls}, Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.Attach(readFixed(map[*codegen.Map][]output.Entry{calls: {entry(calls, nil, u64(3))}}))
	s, err := Listen("127.0.0.1:0", false)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Serve(c, io.Discard); err != nil {
		t.Fatal(err)
	}
	raw := func(request string) string {
		conn, err := net.Dial("tcp", s.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.Write([]byte(request))
		resp, _ := io.ReadAll(conn)
		return string(resp)
	}
	const metricsText = "# HELP gobpftrace_calls_total gobpftrace map @calls: count()\n# TYPE gobpftrace_calls_total counter\ngobpftrace_calls_total 3\n"
	cases := []struct{ request, want string }{
		{"GET /metrics?x=1 HTTP/1.0\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Type: " + ContentType + "\r\nContent-Length: " + strconv.Itoa(len(metricsText)) + "\r\nConnection: close\r\nVary: Accept-Encoding\r\n\r\n" + metricsText},
		{"HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Type: " + ContentType + "\r\nContent-Length: " + strconv.Itoa(len(metricsText)) + "\r\nConnection: close\r\nVary: Accept-Encoding\r\n\r\n"},
		{"GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 46\r\nConnection: close\r\n\r\ngobpftrace: the script's maps are at /metrics\n"},
		{"GET /other HTTP/1.1\r\n\r\n", "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 19\r\nConnection: close\r\n\r\n404 page not found\n"},
		{"POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n", "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 23\r\nConnection: close\r\nAllow: GET, HEAD\r\n\r\n405 Method Not Allowed\n"},
		{"hello\r\n\r\n", "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 16\r\nConnection: close\r\n\r\n400 Bad Request\n"},
		{"GET /metrics HTTP/1.1\r\nX: " + strings.Repeat("y", 20000) + "\r\n\r\n", "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 16\r\nConnection: close\r\n\r\n400 Bad Request\n"},
	}
	for _, cs := range cases {
		if got := raw(cs.request); got != cs.want {
			t.Errorf("%.40q:\ngot  %q\nwant %q", cs.request, got, cs.want)
		}
	}
	// Four connections that send nothing hold every slot.
	var idle []net.Conn
	for range maxScrapesInFlight {
		conn, err := net.Dial("tcp", s.Addr())
		if err != nil {
			t.Fatal(err)
		}
		idle = append(idle, conn)
	}
	time.Sleep(100 * time.Millisecond)
	if got := raw("GET /metrics HTTP/1.1\r\n\r\n"); !strings.HasPrefix(got, "HTTP/1.1 503 Service Unavailable\r\n") || !strings.HasSuffix(got, "\r\n\r\nLimit of concurrent requests reached (4), try again later.\n") {
		t.Errorf("fifth request: %q", got)
	}
	closed := make(chan error)
	go func() { closed <- s.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Error(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close waits for connections that send nothing")
	}
	for _, conn := range idle {
		conn.SetReadDeadline(time.Now().Add(time.Second))
		if n, err := conn.Read(make([]byte, 1)); n != 0 || err == nil {
			t.Errorf("an idle connection is still open after Close: %d, %v", n, err)
		}
	}
}

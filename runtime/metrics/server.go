package metrics

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gobpftrace/gobpftrace/runtime/host"
)

// Server serves one Collector at /metrics in the Prometheus text format.
// It does not offer OpenMetrics: there a bucket's le is written "1023.0",
// and Prometheus 2 keeps that text as the label, so a query for
// le="1023" would find nothing.
//
// It speaks the little HTTP/1.x that a scrape needs (GET or HEAD of a
// path, one request per connection, closed after the response) rather
// than using net/http: net/http, and the crypto/tls and x509 it brings,
// are 2.8 MB of gobpftrace's 11 MB of code and data, which every run
// maps whether it serves metrics or not: about 2.5 MiB of resident memory
// of the traced one-liner (docs/performance.md). Go's HTTP client and a
// real Prometheus are the tests' oracles (server_test.go,
// cmd/gobpftrace's TestMetricsPrometheus).
type Server struct {
	listener net.Listener
	done     chan struct{}

	mu    sync.Mutex
	conns map[net.Conn]bool // being served
	wg    sync.WaitGroup
}

// Limits of one request: its head must arrive within headerTimeout and
// fit in maxHeader bytes; the response must be taken within
// writeTimeout.
const (
	headerTimeout = 10 * time.Second
	writeTimeout  = 30 * time.Second
	maxHeader     = 16 << 10
)

// maxScrapesInFlight bounds the requests served at once: one scrape at a
// time reads the maps (the Collector serializes them); more waiting
// scrapes would only queue, and further ones get 503.
const maxScrapesInFlight = 4

// Listen checks addr (see CheckAddress) and binds it, so that a busy port
// is reported before the script is loaded.
func Listen(addr string, public bool) (*Server, error) {
	if err := CheckAddress(addr, public); err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics %s: could not listen: %s", addr, host.ErrnoText(err))
	}
	return &Server{listener: l}, nil
}

// Addr is the address the server listens on (with the port chosen when
// the address asked for port 0).
func (s *Server) Addr() string { return s.listener.Addr().String() }

// Serve starts serving c in the background; errors of a scrape are
// written to warnings.
func (s *Server) Serve(c *Collector, warnings io.Writer) error {
	s.done = make(chan struct{})
	s.conns = map[net.Conn]bool{}
	inFlight := make(chan struct{}, maxScrapesInFlight)
	go func() {
		defer close(s.done)
		for {
			conn, err := s.listener.Accept()
			if errors.Is(err, net.ErrClosed) {
				return
			}
			if err != nil {
				// e.g. EMFILE: wait for connections to end, as net/http does
				time.Sleep(50 * time.Millisecond)
				continue
			}
			s.mu.Lock()
			s.conns[conn] = true
			s.mu.Unlock()
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer func() {
					s.mu.Lock()
					delete(s.conns, conn)
					s.mu.Unlock()
					conn.Close()
				}()
				select {
				case inFlight <- struct{}{}:
					defer func() { <-inFlight }()
					serveConn(conn, c, warnings)
				default:
					if _, err := readRequest(conn); err == nil {
						conn.SetWriteDeadline(time.Now().Add(writeTimeout))
						respond(conn, 503, plainText, nil, fmt.Appendf(nil, "Limit of concurrent requests reached (%d), try again later.\n", maxScrapesInFlight), true)
					}
				}
			}()
		}
	}()
	return nil
}

// request is what the server looks at in a request.
type request struct {
	method, path string
	gzip         bool // Accept-Encoding takes gzip
}

// errBadRequest is a request that is not HTTP/1.x.
var errBadRequest = errors.New("bad request")

// readRequest reads a request's head (and nothing after it: GET and HEAD
// have no body).
func readRequest(conn net.Conn) (*request, error) {
	conn.SetReadDeadline(time.Now().Add(headerTimeout))
	tp := textproto.NewReader(bufio.NewReader(io.LimitReader(conn, maxHeader)))
	line, err := tp.ReadLine()
	if err != nil {
		return nil, err
	}
	method, rest, ok1 := strings.Cut(line, " ")
	target, proto, ok2 := strings.Cut(rest, " ")
	if !ok1 || !ok2 || !strings.HasPrefix(proto, "HTTP/1.") || method == "" || !strings.HasPrefix(target, "/") {
		return nil, errBadRequest
	}
	header, err := tp.ReadMIMEHeader()
	if err != nil {
		return nil, errBadRequest
	}
	path, _, _ := strings.Cut(target, "?")
	return &request{method: method, path: path, gzip: acceptsGzip(header.Get("Accept-Encoding"))}, nil
}

// serveConn answers one request on conn.
func serveConn(conn net.Conn, c *Collector, warnings io.Writer) {
	req, err := readRequest(conn)
	conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	switch {
	case err == errBadRequest:
		respond(conn, 400, plainText, nil, []byte("400 Bad Request\n"), true)
		return
	case err != nil:
		return // the client went away, or sent nothing in time
	case req.method != "GET" && req.method != "HEAD":
		respond(conn, 405, plainText, []string{"Allow: GET, HEAD"}, []byte("405 Method Not Allowed\n"), true)
		return
	case req.path == "/":
		respond(conn, 200, plainText, nil, []byte("gobpftrace: the script's maps are at /metrics\n"), req.method == "GET")
		return
	case req.path != "/metrics":
		respond(conn, 404, plainText, nil, []byte("404 page not found\n"), req.method == "GET")
		return
	}
	text, errs := c.Gather()
	for _, err := range errs {
		fmt.Fprintf(warnings, "WARNING: --metrics: %v\n", err)
	}
	if len(text) == 0 && len(errs) > 0 {
		respond(conn, 500, plainText, nil, []byte("An error has occurred while serving metrics:\n\n"+errs[len(errs)-1].Error()+"\n"), true)
		return
	}
	extra := []string{"Vary: Accept-Encoding"}
	if req.gzip {
		var zipped bytes.Buffer
		gz := gzip.NewWriter(&zipped)
		gz.Write(text)
		gz.Close()
		text = zipped.Bytes()
		extra = append(extra, "Content-Encoding: gzip")
	}
	respond(conn, 200, ContentType, extra, text, req.method == "GET")
}

const plainText = "text/plain; charset=utf-8"

var statusText = map[int]string{200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 500: "Internal Server Error", 503: "Service Unavailable"}

// respond writes a whole response (the body only when sendBody: not for
// HEAD); the connection is then closed.
func respond(w io.Writer, status int, contentType string, extra []string, body []byte, sendBody bool) {
	var b []byte
	b = fmt.Appendf(b, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n", status, statusText[status], contentType, len(body))
	for _, h := range extra {
		b = append(b, h...)
		b = append(b, "\r\n"...)
	}
	b = append(b, "\r\n"...)
	if sendBody {
		b = append(b, body...)
	}
	w.Write(b)
}

// acceptsGzip reports whether an Accept-Encoding header takes gzip (as
// Prometheus's scrapes do), unless with q=0.
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		q, found := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q=")
		if !found {
			return true
		}
		v, err := strconv.ParseFloat(q, 64)
		return err == nil && v > 0
	}
	return false
}

// Close stops the server, letting a scrape in progress finish for up to
// a second.
func (s *Server) Close() error {
	err := s.listener.Close()
	if s.done == nil {
		return err
	}
	<-s.done
	finished := make(chan struct{})
	go func() { s.wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(time.Second):
		s.mu.Lock()
		for conn := range s.conns {
			conn.Close()
		}
		s.mu.Unlock()
		<-finished
	}
	return err
}

package metrics

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gobpftrace/gobpftrace/runtime/host"
)

// Server serves one Collector at /metrics in the Prometheus text format.
// It does not offer OpenMetrics: there a bucket's le is written "1023.0",
// and Prometheus 2 keeps that text as the label, so a query for
// le="1023" would find nothing.
type Server struct {
	listener net.Listener
	http     *http.Server
	done     chan struct{}
}

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

// maxScrapesInFlight bounds the scrapes served at once: one at a time
// reads the maps (the Collector serializes them); more waiting scrapes
// would only queue, and the next ones get 503.
const maxScrapesInFlight = 4

// Serve starts serving c in the background; errors of a scrape are
// written to errors.
func (s *Server) Serve(c *Collector, errors io.Writer) error {
	inFlight := make(chan struct{}, maxScrapesInFlight)
	mux := http.NewServeMux()
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, r *http.Request) {
		select {
		case inFlight <- struct{}{}:
			defer func() { <-inFlight }()
		default:
			http.Error(w, fmt.Sprintf("Limit of concurrent requests reached (%d), try again later.", maxScrapesInFlight), http.StatusServiceUnavailable)
			return
		}
		text, errs := c.Gather()
		for _, err := range errs {
			fmt.Fprintf(errors, "WARNING: --metrics: %v\n", err)
		}
		if len(text) == 0 && len(errs) > 0 {
			http.Error(w, "An error has occurred while serving metrics:\n\n"+errs[len(errs)-1].Error(), http.StatusInternalServerError)
			return
		}
		h := w.Header()
		h.Set("Content-Type", ContentType)
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r.Header.Get("Accept-Encoding")) {
			h.Set("Content-Encoding", "gzip")
			gz := gzip.NewWriter(w)
			gz.Write(text)
			gz.Close()
			return
		}
		h.Set("Content-Length", strconv.Itoa(len(text)))
		w.Write(text)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintln(w, "gobpftrace: the script's maps are at /metrics")
	})
	s.http = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	s.done = make(chan struct{})
	go func() {
		defer close(s.done)
		s.http.Serve(s.listener)
	}()
	return nil
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
	if s.http == nil {
		return s.listener.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	err := s.http.Shutdown(ctx)
	if err != nil {
		err = s.http.Close()
	}
	<-s.done
	return err
}

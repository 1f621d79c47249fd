package metrics

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

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

// Serve starts serving c in the background; errors of a scrape are
// written to errors.
func (s *Server) Serve(c *Collector, errors io.Writer) error {
	reg := prometheus.NewRegistry()
	if err := reg.Register(c); err != nil {
		return fmt.Errorf("--metrics: %v", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		ErrorLog:      log.New(errors, "WARNING: --metrics: ", 0),
		ErrorHandling: promhttp.ContinueOnError,
		// One scrape at a time reads the maps (the Collector serializes
		// them); more waiting scrapes would only queue.
		MaxRequestsInFlight: 4,
	}))
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

// Package metrics serves a running script's maps as Prometheus metrics
// (gobpftrace --metrics ADDR). Each map is one metric family: count() and
// sum() are counters, min(), max(), avg() and plain integers gauges,
// stats() a summary (count and sum), hist() and lhist() histograms whose
// cumulative `le` buckets are the script's buckets. A key becomes labels.
//
// Nothing runs in the kernel for it: a Collector reads the maps when
// Prometheus scrapes, as Go values through runtime/script's Session.Map
// (batch lookups, folded over CPUs, as the exit print reads them), and a
// bound on the series of one scrape keeps a map with very many keys from
// flooding Prometheus. docs/cli.md describes names and labels.
//
// Files: address.go checks the listen address, names.go derives metric
// and label names, buckets.go the `le` bound of each bucket, collector.go
// reads the maps at scrape time, server.go serves /metrics.
package metrics

package metrics

import (
	"strconv"
	"strings"
)

// The Prometheus text exposition format (version 0.0.4), written here
// rather than by github.com/prometheus/client_golang: linking the client
// (and the protobuf runtime it brings) cost every run of gobpftrace, with
// or without --metrics, about 2 MB of binary, 4-6 ms of package
// initialisation and 1-2 MiB of resident memory (docs/performance.md),
// for what is a few lines of text per series. The client stays the
// oracle of the tests: they parse this output with its parser and compare
// it with its encoder's (text_test.go), and a real Prometheus scrapes it
// in cmd/gobpftrace's end-to-end test.
//
// A family is written as the client's registry and encoder write it:
// `# HELP` and `# TYPE` lines, then the samples sorted by their label
// values, labels in the order of their names, histograms' `le` last,
// numbers in Go's shortest 'g' form (NaN, +Inf, -Inf as such).

// textFamily is one metric family of a scrape.
type textFamily struct {
	name, help string
	kind       familyKind
	labels     []string  // label names, in the order they are written
	bounds     []float64 // histograms: `le` of each bucket
	samples    []*sample // labels in the order of labels
}

// ContentType is the Content-Type of the text format.
const ContentType = "text/plain; version=0.0.4; charset=utf-8; escaping=underscores"

// appendText appends f to b.
func (f *textFamily) appendText(b []byte) []byte {
	if len(f.samples) == 0 {
		return b
	}
	b = append(b, "# HELP "...)
	b = append(b, f.name...)
	b = append(b, ' ')
	b = appendEscaped(b, f.help, false)
	b = append(b, "\n# TYPE "...)
	b = append(b, f.name...)
	b = append(b, ' ')
	b = append(b, kindNames[f.kind]...)
	b = append(b, '\n')
	for _, s := range f.samples {
		switch f.kind {
		case kindCounter, kindGauge:
			b = f.appendSample(b, "", s, "", s.value)
		case kindSummary:
			b = f.appendSample(b, "_sum", s, "", s.sum)
			b = f.appendSample(b, "_count", s, "", s.value)
		case kindHistogram:
			for i, le := range f.bounds {
				if i+1 < len(f.bounds) && f.bounds[i+1] == le {
					continue // bounds past 2^53 that round to one float: one bucket, the larger count
				}
				b = f.appendSample(b, "_bucket", s, strconv.FormatFloat(le, 'g', -1, 64), float64(s.cumulative[i]))
			}
			b = f.appendSample(b, "_bucket", s, "+Inf", s.value)
			b = f.appendSample(b, "_sum", s, "", s.histSum())
			b = f.appendSample(b, "_count", s, "", s.value)
		}
	}
	return b
}

var kindNames = map[familyKind]string{
	kindCounter:   "counter",
	kindGauge:     "gauge",
	kindSummary:   "summary",
	kindHistogram: "histogram",
}

// appendSample appends one line: name+suffix, the labels (and le when
// not empty), the value.
func (f *textFamily) appendSample(b []byte, suffix string, s *sample, le string, v float64) []byte {
	b = append(b, f.name...)
	b = append(b, suffix...)
	if len(f.labels) > 0 || le != "" {
		b = append(b, '{')
		for i, name := range f.labels {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, name...)
			b = append(b, `="`...)
			b = appendEscaped(b, s.labels[i], true)
			b = append(b, '"')
		}
		if le != "" {
			if len(f.labels) > 0 {
				b = append(b, ',')
			}
			b = append(b, `le="`...)
			b = append(b, le...)
			b = append(b, '"')
		}
		b = append(b, '}')
	}
	b = append(b, ' ')
	b = strconv.AppendFloat(b, v, 'g', -1, 64)
	return append(b, '\n')
}

// appendEscaped escapes a HELP text (backslash, newline) or a label value
// (also the double quote).
func appendEscaped(b []byte, s string, quote bool) []byte {
	if !strings.ContainsAny(s, "\\\n\"") {
		return append(b, s...)
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			b = append(b, `\\`...)
		case c == '\n':
			b = append(b, `\n`...)
		case c == '"' && quote:
			b = append(b, `\"`...)
		default:
			b = append(b, c)
		}
	}
	return b
}

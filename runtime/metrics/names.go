package metrics

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
)

// DefaultPrefix starts every metric name derived from a map name:
// @syscalls counting with count() is gobpftrace_syscalls_total.
const DefaultPrefix = "gobpftrace_"

// DroppedKeysName is the gauge telling, per map, how many keys the last
// scrape left out because of the series bound. It appears for a map once
// the map has overflowed.
const DroppedKeysName = "gobpftrace_metrics_dropped_keys"

// Config says how maps become metrics.
type Config struct {
	// Prefix starts the derived names (DefaultPrefix when nil).
	Prefix *string
	// Names gives a map ("@x") its whole metric name (no prefix is
	// added; a counter still gets _total).
	Names map[string]string
	// Labels names the labels of a map's key parts, in order.
	Labels map[string][]string
	// MaxSeries bounds the series of one scrape (DefaultMaxSeries when 0).
	MaxSeries int
}

// DefaultMaxSeries is the default bound on the series of one scrape.
const DefaultMaxSeries = 10000

var (
	metricNameRE = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)
	labelNameRE  = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
)

// familyKind is the Prometheus type a map's values have.
type familyKind int

const (
	kindCounter familyKind = iota
	kindGauge
	kindSummary
	kindHistogram
)

// kindOf says how values of type v are exported; false when they are
// not numbers (strings, stacks, tuples...).
func kindOf(v *lang.Type) (familyKind, bool) {
	switch v.Kind {
	case lang.KCount, lang.KSum:
		return kindCounter, true
	case lang.KMin, lang.KMax, lang.KAvg, lang.KInt, lang.KBool:
		return kindGauge, true
	case lang.KStats:
		return kindSummary, true
	case lang.KHist, lang.KLhist:
		return kindHistogram, true
	}
	return 0, false
}

// metricName is the name of map m's family.
func metricName(m *codegen.Map, kind familyKind, cfg Config) (string, error) {
	name, given := cfg.Names[m.ScriptName]
	if !given {
		prefix := DefaultPrefix
		if cfg.Prefix != nil {
			prefix = *cfg.Prefix
		}
		base := strings.TrimPrefix(m.ScriptName, "@")
		if base == "" {
			base = "map" // the map named just @
		}
		name = prefix + base
		if !metricNameRE.MatchString(name) {
			return "", fmt.Errorf("--metrics-prefix %q: %s is not a valid Prometheus metric name (letters, digits, _ and :, not starting with a digit)", prefix, name)
		}
	}
	if kind == kindCounter && !strings.HasSuffix(name, "_total") {
		name += "_total"
	}
	return name, nil
}

// keyParts is how many labels a key of type t has.
func keyParts(t *lang.Type) int {
	switch {
	case t == nil:
		return 0
	case t.Kind == lang.KTuple:
		return len(t.Elems)
	}
	return 1
}

// labelNames are the labels of map m's keys: given by flag, else a
// record's field names, else key (one part) or key0, key1...
func labelNames(m *codegen.Map, kind familyKind, cfg Config) ([]string, error) {
	n := keyParts(m.Key)
	names, given := cfg.Labels[m.ScriptName]
	switch {
	case given && len(names) != n:
		return nil, fmt.Errorf("--metric-labels %s=%s: %s's key has %d %s, so it needs %d label %s",
			m.ScriptName, strings.Join(names, ","), m.ScriptName, n, plural(n, "part", "parts"), n, plural(n, "name", "names"))
	case given:
	case n == 1 && m.Key.Kind != lang.KTuple:
		names = []string{"key"}
	case m.Key != nil && m.Key.Names != nil:
		names = m.Key.Names
	default:
		for i := 0; i < n; i++ {
			names = append(names, fmt.Sprintf("key%d", i))
		}
	}
	seen := map[string]bool{}
	for _, l := range names {
		var problem string
		switch {
		case !labelNameRE.MatchString(l):
			problem = "is not a valid Prometheus label name (letters, digits and _, not starting with a digit)"
		case strings.HasPrefix(l, "__"):
			problem = "starts with __, which Prometheus keeps for itself"
		case l == "le" && kind == kindHistogram:
			problem = "is the label of histogram buckets"
		case l == "quantile" && kind == kindSummary:
			problem = "is the label of summary quantiles"
		case seen[l]:
			problem = "is used twice"
		}
		if problem != "" {
			return nil, fmt.Errorf("the label %q of %s %s: name the labels with --metric-labels %s=NAME,...", l, m.ScriptName, problem, m.ScriptName)
		}
		seen[l] = true
	}
	return names, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// seriesNames are the sample names a family writes, to find collisions.
func seriesNames(name string, kind familyKind) []string {
	switch kind {
	case kindSummary:
		return []string{name, name + "_sum", name + "_count"}
	case kindHistogram:
		return []string{name, name + "_bucket", name + "_sum", name + "_count"}
	}
	return []string{name}
}

// checkFlagsNameMaps refuses --metric-name and --metric-labels for maps
// the script does not have.
func checkFlagsNameMaps(maps []*codegen.Map, cfg Config) error {
	have := map[string]bool{}
	var all []string
	for _, m := range maps {
		have[m.ScriptName] = true
		all = append(all, m.ScriptName)
	}
	sort.Strings(all)
	hint := "the script has no maps"
	if len(all) > 0 {
		hint = "its maps are " + strings.Join(all, ", ")
	}
	check := func(flag string, keys []string) error {
		sort.Strings(keys)
		for _, k := range keys {
			if !have[k] {
				return fmt.Errorf("%s %s: the script has no map %s (%s)", flag, k, k, hint)
			}
		}
		return nil
	}
	var names, labels []string
	for k, v := range cfg.Names {
		if !metricNameRE.MatchString(v) {
			return fmt.Errorf("--metric-name %s=%s: %q is not a valid Prometheus metric name (letters, digits, _ and :, not starting with a digit)", k, v, v)
		}
		names = append(names, k)
	}
	for k := range cfg.Labels {
		labels = append(labels, k)
	}
	if err := check("--metric-name", names); err != nil {
		return err
	}
	return check("--metric-labels", labels)
}

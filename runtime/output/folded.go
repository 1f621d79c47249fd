package output

import (
	"sort"
	"strconv"
	"strings"

	"github.com/gobpftrace/gobpftrace/codegen"
)

// Folded stacks (-f folded): one line per distinct stack,
//
//	comm;main;a;b;c;do_syscall_64_[k];ksys_read_[k] 42
//
// root first, the frames separated by ';', then a space and the count:
// the input of flamegraph.pl and of most flame graph tools. The key's
// other parts (comm, pid...) come first in key order, then the user
// stack, then the kernel stack; kernel frames end with _[k].

// foldedLines returns the folded lines of one stack map, sorted, equal
// lines (two stack ids that symbolize alike) added up. prefix, when not
// empty, is put first on every line (the map's name, when a run writes
// several stack maps).
func (f *Formatter) foldedLines(m *codegen.Map, entries *Entries, top int64, div uint64, prefix string) []string {
	samples := f.stackSamples(m, entries, div)
	if top > 0 && int64(len(samples)) > top {
		sort.SliceStable(samples, func(i, j int) bool { return samples[i].value > samples[j].value })
		samples = samples[:top]
	}
	counts := map[string]int64{}
	for _, s := range samples {
		counts[foldedStack(s, prefix)] += s.value
	}
	lines := make([]string, 0, len(counts))
	for stack, n := range counts {
		lines = append(lines, stack+" "+strconv.FormatInt(n, 10))
	}
	sort.Strings(lines)
	return lines
}

// foldedStack is a sample's frames, root first, after its labels.
func foldedStack(s stackSample, prefix string) string {
	var parts []string
	if prefix != "" {
		parts = append(parts, prefix)
	}
	for _, l := range s.labels {
		parts = append(parts, foldedName(l.text))
	}
	for n := len(s.frames) - 1; n >= 0; n-- {
		parts = append(parts, foldedName(s.frames[n].displayName()))
	}
	if len(parts) == 0 {
		// Neither stack could be taken and nothing else is in the key.
		return "[unknown]"
	}
	return strings.Join(parts, ";")
}

// foldedName keeps a name from breaking the line: ';' separates frames
// and a newline ends the line.
func foldedName(s string) string {
	if s == "" {
		return "[unknown]"
	}
	return strings.NewReplacer(";", ":", "\n", " ").Replace(s)
}

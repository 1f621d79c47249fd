package repl

import (
	"sort"
	"strings"

	"github.com/gobpftrace/gobpftrace/stdlib"
)

// completer completes the word before the cursor: a provider at the start
// of a probe, tracepoint categories and events after "tracepoint:", map
// names after '@', and builtins and functions elsewhere.
type completer struct {
	s *session
	// tracepoints caches category/event pairs from the first request.
	tracepoints [][2]string
}

func isWordByte(c rune) bool {
	return c == '_' || c == ':' || c == '@' || c == '$' || c == '.' || c == '*' ||
		c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// Do implements readline.AutoCompleter: it returns the suffixes that
// complete the word before pos, and the word's length.
func (c *completer) Do(line []rune, pos int) ([][]rune, int) {
	start := pos
	for start > 0 && isWordByte(line[start-1]) {
		start--
	}
	word := string(line[start:pos])
	var cands []string
	switch {
	case strings.HasPrefix(word, "."):
		if start == 0 {
			cands = []string{".probes", ".maps", ".asm", ".clear", ".help", ".quit"}
		}
	case strings.HasPrefix(word, "@"):
		cands = c.mapNames(string(line))
	case strings.HasPrefix(word, "tracepoint:") || strings.HasPrefix(word, "t:"):
		cands = c.tracepointNames(word)
	default:
		if probePosition(line[:start]) {
			for _, p := range stdlib.ProviderNames() {
				if p == "BEGIN" || p == "END" || p == "begin" || p == "end" {
					cands = append(cands, p)
				} else {
					cands = append(cands, p+":")
				}
			}
		} else {
			cands = append(cands, stdlib.VarNames()...)
			for _, f := range stdlib.FuncNames() {
				cands = append(cands, f+"(")
			}
		}
	}
	sort.Strings(cands)
	var out [][]rune
	seen := map[string]bool{}
	for _, cand := range cands {
		if strings.HasPrefix(cand, word) && len(cand) > len(word) && !seen[cand] {
			seen[cand] = true
			out = append(out, []rune(cand[len(word):]))
		}
	}
	return out, len([]rune(word))
}

// probePosition reports whether a probe may start here: at the start of
// the entry or after a closing brace.
func probePosition(before []rune) bool {
	t := strings.TrimSpace(string(before))
	return t == "" || strings.HasSuffix(t, "}") || strings.HasSuffix(t, ">") || strings.HasSuffix(t, ",")
}

func (c *completer) mapNames(line string) []string {
	names := map[string]bool{}
	c.s.mu.Lock()
	for k := range c.s.known {
		names[k] = true
	}
	c.s.mu.Unlock()
	// Maps typed earlier on the same line.
	for i := 0; i < len(line); i++ {
		if line[i] != '@' {
			continue
		}
		j := i + 1
		for j < len(line) && (line[j] == '_' || line[j] >= 'a' && line[j] <= 'z' || line[j] >= 'A' && line[j] <= 'Z' || line[j] >= '0' && line[j] <= '9') {
			j++
		}
		if j > i+1 {
			names[line[i:j]] = true
		}
	}
	return sortedKeys(names)
}

func (c *completer) tracepointNames(word string) []string {
	prefix, rest, _ := strings.Cut(word, ":")
	if c.tracepoints == nil && c.s.cfg.Env != nil {
		c.tracepoints, _ = c.s.cfg.Env.MatchTracepoints("*", "*")
	}
	var out []string
	cat, _, hasEvent := strings.Cut(rest, ":")
	seen := map[string]bool{}
	for _, tp := range c.tracepoints {
		if !hasEvent {
			name := prefix + ":" + tp[0] + ":"
			if !seen[name] {
				seen[name] = true
				out = append(out, name)
			}
			continue
		}
		if tp[0] == cat {
			out = append(out, prefix+":"+tp[0]+":"+tp[1])
		}
	}
	return out
}

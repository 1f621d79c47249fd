package repl

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/runtime/probes"
	"github.com/gobpftrace/gobpftrace/stdlib"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// completer completes the word before the cursor: a provider where a probe
// starts, tracepoint categories and events, file paths and then symbols
// after uprobe:, struct and union names after `struct`, fields after `->`
// or `args.`, map names after '@', commands after '.', and builtins and
// functions elsewhere. A name typed in full stays a candidate, so that
// `sys_enter_openat` is not completed to `sys_enter_openat2`.
type completer struct {
	s *session

	mu sync.Mutex
	// tracepoints caches category/event pairs from the first request.
	tracepoints [][2]string
	// symbols caches each uprobe binary's function names.
	symbols map[string][]string
}

func isWordByte(c rune) bool {
	return c == '_' || c == ':' || c == '@' || c == '$' || c == '.' || c == '*' ||
		c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// Do implements readline.AutoCompleter: it returns the suffixes that
// complete the word before pos, and the word's length.
func (c *completer) Do(line []rune, pos int) ([][]rune, int) {
	word, cands := c.candidates(string(line[:pos]))
	sort.Strings(cands)
	var out [][]rune
	seen := map[string]bool{}
	for _, cand := range cands {
		if strings.HasPrefix(cand, word) && !seen[cand] {
			seen[cand] = true
			out = append(out, []rune(cand[len(word):]))
		}
	}
	// Readline shows each candidate as the last len runes typed plus its
	// suffix: show only the part after the last ':' or '/', so a list
	// of tracepoints reads "sys_enter_openat  sys_enter_openat2".
	shown := word[strings.LastIndexAny(word, ":/")+1:]
	return out, len([]rune(shown))
}

// candidates returns the word being completed (the end of text) and the
// full words it may become.
func (c *completer) candidates(text string) (string, []string) {
	// An attach point being typed: its text back to a separator.
	apStart := strings.LastIndexAny(text, " \t{},<>") + 1
	if ap := text[apStart:]; probePosition(text[:apStart]) {
		if prov, rest, ok := strings.Cut(ap, ":"); ok && isUprobeProvider(prov) {
			return ap, c.uprobeNames(prov, rest)
		}
	}

	// A plain identifier, and what comes before it.
	start := len(text)
	for start > 0 && isIdentByte(text[start-1]) {
		start--
	}
	ident, before := text[start:], text[:start]
	if strings.HasSuffix(before, "->") || strings.HasSuffix(before, ".") {
		if fields, ok := c.fieldNames(text, before); ok {
			return ident, fields
		}
	}
	if structKeyword.MatchString(before) {
		return ident, c.structNames(structKeyword.FindStringSubmatch(before)[1])
	}

	wstart := len(text)
	for wstart > 0 && isWordByte(rune(text[wstart-1])) {
		wstart--
	}
	word := text[wstart:]
	var cands []string
	switch {
	case strings.HasPrefix(word, "."):
		if wstart == 0 {
			cands = commandNames
		}
	case strings.HasPrefix(word, "@"):
		cands = c.mapNames(text)
	case strings.HasPrefix(word, "tracepoint:") || strings.HasPrefix(word, "t:"):
		cands = c.tracepointNames(word)
	default:
		if probePosition(text[:wstart]) {
			for _, p := range probetype.Names() {
				if probetype.Type(p).Special() {
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
	return word, cands
}

var structKeyword = regexp.MustCompile(`\b(struct|union)\s+$`)

// probePosition reports whether a probe may start here: at the start of
// the entry or after a closing brace.
func probePosition(before string) bool {
	t := strings.TrimSpace(before)
	return t == "" || strings.HasSuffix(t, "}") || strings.HasSuffix(t, ">") || strings.HasSuffix(t, ",")
}

func isUprobeProvider(p string) bool {
	info := probetype.Lookup(p)
	return info != nil && (info.Name == probetype.Uprobe || info.Name == probetype.Uretprobe)
}

// uprobeNames completes uprobe:PATH (directories, then executables and
// libraries, followed by ':') and uprobe:PATH:SYMBOL (the binary's
// function symbols, as -l lists them).
func (c *completer) uprobeNames(prov, rest string) []string {
	path, _, hasSym := strings.Cut(rest, ":")
	if hasSym {
		var out []string
		for _, sym := range c.binarySymbols(path) {
			out = append(out, prov+":"+path+":"+sym)
		}
		return out
	}
	dir, file := filepath.Split(path)
	readDir := dir
	if readDir == "" {
		readDir = "."
	}
	ents, err := os.ReadDir(readDir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		name := e.Name()
		if strings.HasPrefix(name, ".") && !strings.HasPrefix(file, ".") {
			continue
		}
		info, err := os.Stat(filepath.Join(readDir, name)) // links to files count as files
		if err != nil {
			continue
		}
		switch {
		case info.IsDir():
			out = append(out, prov+":"+dir+name+"/")
		case info.Mode().IsRegular() && (info.Mode()&0o111 != 0 || strings.Contains(name, ".so")):
			out = append(out, prov+":"+dir+name+":")
		}
	}
	return out
}

// binarySymbols returns the function symbols of a binary, as `-l
// uprobe:PATH:*` lists them, read once per binary.
func (c *completer) binarySymbols(path string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if syms, ok := c.symbols[path]; ok {
		return syms
	}
	list := c.s.cfg.List
	if list == nil {
		list = probes.List
	}
	var buf bytes.Buffer
	var syms []string
	if err := list(&buf, io.Discard, "uprobe:"+path+":*", false, c.s.cfg.Compile.PID); err == nil {
		for _, line := range strings.Split(buf.String(), "\n") {
			// uprobe:BINARY:SYMBOL, BINARY as resolved (it may differ
			// from the path typed).
			if parts := strings.SplitN(line, ":", 3); len(parts) == 3 {
				syms = append(syms, parts[2])
			}
		}
	}
	if c.symbols == nil {
		c.symbols = map[string][]string{}
	}
	c.symbols[path] = syms
	return syms
}

// accessChain matches a member access chain at the end of the text typed:
// its base, then `->name` or `.name` steps, then the access being typed.
var accessChain = regexp.MustCompile(`(curtask|args|\(\s*\(\s*(?:struct|union)\s+\w+\s*\*\s*\)[^()]*\))((?:(?:->|\.)\w+)*)(?:->|\.)$`)

var castType = regexp.MustCompile(`^\(\s*\(\s*((?:struct|union)\s+\w+)\s*\*`)

// fieldNames completes a member after `->` or `.`: of curtask, of a
// tracepoint's args, or of a struct pointer cast in parentheses.
func (c *completer) fieldNames(text, before string) ([]string, bool) {
	m := accessChain.FindStringSubmatch(before)
	if m == nil {
		return nil, false
	}
	var t *lang.Type
	switch {
	case m[1] == "curtask":
		t = c.kernelType("struct task_struct")
	case m[1] == "args":
		t = c.tracepointArgs(text)
	default:
		t = c.kernelType(strings.Join(strings.Fields(castType.FindStringSubmatch(m[1])[1]), " "))
	}
	for _, name := range regexp.MustCompile(`\w+`).FindAllString(m[2], -1) {
		if t == nil {
			return nil, false
		}
		var next *lang.Type
		for _, f := range t.Fields {
			if f.Name == name {
				next = f.Type
			}
		}
		t = c.structOf(next)
	}
	if t == nil {
		return nil, false
	}
	var out []string
	for _, f := range t.Fields {
		if f.Name != "" {
			out = append(out, f.Name)
		}
	}
	return out, true
}

// structOf returns the struct t is or points to, with its fields.
func (c *completer) structOf(t *lang.Type) *lang.Type {
	if t != nil && t.Kind == lang.KPtr {
		t = t.Elem
	}
	if t == nil || t.Kind != lang.KStruct {
		return nil
	}
	if len(t.Fields) == 0 && t.Name != "" {
		return c.kernelType(t.Name)
	}
	return t
}

func (c *completer) kernelType(name string) *lang.Type {
	te, ok := c.s.cfg.Env.(lang.TypeEnv)
	if !ok {
		return nil
	}
	t, found, err := te.KernelType(name)
	if err != nil || !found || t.Kind != lang.KStruct {
		return nil
	}
	return t
}

// tracepointArgs returns the args struct of the entry's first tracepoint.
func (c *completer) tracepointArgs(text string) *lang.Type {
	m := firstTracepoint.FindStringSubmatch(text)
	if m == nil || c.s.cfg.Env == nil {
		return nil
	}
	t, err := c.s.cfg.Env.Tracepoint(m[1], m[2])
	if err != nil {
		return nil
	}
	return t
}

var firstTracepoint = regexp.MustCompile(`^\s*(?:tracepoint|t):(\w+):(\w+)`)

// structNames lists kernel struct (or union) names without the keyword.
func (c *completer) structNames(kind string) []string {
	te, ok := c.s.cfg.Env.(lang.TypeEnv)
	if !ok {
		return nil
	}
	names, err := te.KernelStructNames()
	if err != nil {
		return nil
	}
	var out []string
	for _, n := range names {
		if rest, ok := strings.CutPrefix(n, kind+" "); ok {
			out = append(out, rest)
		}
	}
	return out
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
		for j < len(line) && isIdentByte(line[j]) {
			j++
		}
		if j > i+1 && j < len(line) { // not the word being completed
			names[line[i:j]] = true
		}
	}
	return sortedKeys(names)
}

func (c *completer) tracepointNames(word string) []string {
	prefix, rest, _ := strings.Cut(word, ":")
	c.mu.Lock()
	if c.tracepoints == nil && c.s.cfg.Env != nil {
		c.tracepoints, _ = c.s.cfg.Env.MatchTracepoints("*", "*")
	}
	tps := c.tracepoints
	c.mu.Unlock()
	var out []string
	cat, _, hasEvent := strings.Cut(rest, ":")
	seen := map[string]bool{}
	for _, tp := range tps {
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

package probes

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/runtime/host"
	"github.com/gobpftrace/gobpftrace/runtime/tracefs"
)

// Tracefs implements lang.Env over tracefs. It lists directory names only
// and parses a format file the first time its tracepoint is asked for.
type Env struct {
	dir func() (string, error)

	mu      sync.Mutex
	formats map[string]*tracefs.Format
	// reading are the format files being read, by key (see prefetch).
	reading map[string]*formatRead
	// listed are the tracepoints a wildcard found (MatchTracepoints),
	// with the matches whose format files are read ahead once one of
	// them is asked for (nil: too few to read ahead).
	listed map[string]*prefetchBatch
}

// prefetchBatch is the matches of one wildcard, read ahead together.
type prefetchBatch struct {
	pairs   [][2]string
	started bool
}

var _ lang.TracepointCheckEnv = (*Env)(nil)

// formatRead is a format file being read; done closes when f and err are
// set.
type formatRead struct {
	done chan struct{}
	f    *tracefs.Format
	err  error
}

var _ lang.Env = (*Env)(nil)

// NewEnv returns the system's tracefs as a lang.Env. It is cheap: tracefs
// is found (or mounted) on first use, so scripts that never name a
// tracepoint never need it.
func NewEnv() (*Env, error) {
	return &Env{dir: tracefs.Dir}, nil
}

// NewTracefsAt returns an Env over a tracefs-like tree at dir (which holds
// an events/ directory); tests use it with fixed data.
func NewTracefsAt(dir string) *Env {
	return &Env{dir: func() (string, error) { return dir, nil }}
}

func (t *Env) eventsDir() (string, error) {
	dir, err := t.dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "events"), nil
}

// Format returns the parsed format file of category:event. A file another
// goroutine is reading (prefetch) is waited for, not read twice.
func (t *Env) Format(category, event string) (*tracefs.Format, error) {
	key := category + ":" + event
	t.mu.Lock()
	if f, ok := t.formats[key]; ok {
		t.mu.Unlock()
		return f, nil
	}
	if r, ok := t.reading[key]; ok {
		t.mu.Unlock()
		<-r.done
		return r.f, r.err
	}
	if t.reading == nil {
		t.reading = map[string]*formatRead{}
	}
	r := &formatRead{done: make(chan struct{})}
	t.reading[key] = r
	var ahead [][2]string
	if b := t.listed[key]; b != nil && !b.started {
		b.started, ahead = true, b.pairs
	}
	t.mu.Unlock()
	if ahead != nil {
		t.prefetch(ahead)
	}
	r.f, r.err = t.readFormat(category, event)
	t.mu.Lock()
	if r.err == nil {
		if t.formats == nil {
			t.formats = map[string]*tracefs.Format{}
		}
		t.formats[key] = r.f
	}
	delete(t.reading, key)
	t.mu.Unlock()
	close(r.done)
	return r.f, r.err
}

// prefetchMin is the number of tracepoints a wildcard matches from which
// their format files are read ahead, concurrently.
const prefetchMin = 8

// prefetchParallelism bounds the format files read at once. Reading one
// takes the kernel's event mutex, which a process closing tracepoint perf
// events holds for an RCU grace period per event (20-30 ms here): read one
// after the other, 720 format files took 18.5 s then (0.16 s otherwise);
// several readers waiting at once take their turns in a row.
const prefetchParallelism = 16

// prefetch reads the format files of pairs in the background, so that the
// checker, which asks for them one by one, finds them read. It starts when
// the first of a wildcard's matches is asked for: a probe that does not
// use args reads none.
func (t *Env) prefetch(pairs [][2]string) {
	next := make(chan [2]string, len(pairs))
	for _, p := range pairs {
		next <- p
	}
	close(next)
	// Other runs' release children wait while these are read.
	release := func() {}
	if dir, err := t.dir(); err == nil {
		release = tracefs.Busy(dir)
	}
	var wg sync.WaitGroup
	for range min(prefetchParallelism, len(pairs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range next {
				t.Format(p[0], p[1])
			}
		}()
	}
	go func() { wg.Wait(); release() }()
}

// readFormat reads and parses the format file of category:event.
func (t *Env) readFormat(category, event string) (*tracefs.Format, error) {
	key := category + ":" + event
	events, err := t.eventsDir()
	if err != nil {
		return nil, err
	}
	if !validName(category) || !validName(event) {
		return nil, lang.TracepointNotFound(category, event)
	}
	if !attachableCategory(category) {
		return nil, ftraceEventError(event)
	}
	data, err := readTracefs(filepath.Join(events, category, event, "format"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, lang.TracepointNotFound(category, event)
	}
	if err != nil {
		if host.IsPermission(err) && !host.Privileged() {
			return nil, host.PrivilegeError()
		}
		return nil, fmt.Errorf("could not read tracepoint format of %s: %s", key, host.ErrnoText(err))
	}
	f, err := tracefs.ParseFormat(string(data))
	if err != nil {
		return nil, fmt.Errorf("could not parse tracepoint format of %s: %v", key, err)
	}
	return f, nil
}

// Tracepoint implements lang.Env.
func (t *Env) Tracepoint(category, event string) (*lang.Type, error) {
	f, err := t.Format(category, event)
	if err != nil {
		return nil, err
	}
	return f.Struct(category, event), nil
}

// MatchTracepoints implements lang.Env: * and ? wildcards in either part,
// results sorted by category then event. The format files of many
// matches are read ahead (prefetch) once the checker asks for one: it
// then reads each match's.
func (t *Env) MatchTracepoints(category, event string) ([][2]string, error) {
	events, err := t.eventsDir()
	if err != nil {
		return nil, err
	}
	var cats []string
	if HasWildcard(category) {
		names, err := subdirs(events)
		if err != nil {
			return nil, err
		}
		for _, c := range names {
			if WildcardMatch(category, c) && attachableCategory(c) {
				cats = append(cats, c)
			}
		}
	} else if validName(category) && tracefs.IsDir(filepath.Join(events, category)) {
		cats = []string{category}
	}
	var out [][2]string
	for _, c := range cats {
		if !attachableCategory(c) && HasWildcard(event) {
			continue // tracepoint:ftrace:* matches nothing, as -l lists nothing
		}
		if !HasWildcard(event) {
			if validName(event) && tracefs.IsDir(filepath.Join(events, c, event)) {
				out = append(out, [2]string{c, event})
			}
			continue
		}
		names, err := subdirs(filepath.Join(events, c))
		if err != nil {
			return nil, err
		}
		for _, e := range names {
			if WildcardMatch(event, e) {
				out = append(out, [2]string{c, e})
			}
		}
	}
	var batch *prefetchBatch
	if len(out) >= prefetchMin {
		batch = &prefetchBatch{pairs: out}
	}
	t.mu.Lock()
	if t.listed == nil {
		t.listed = map[string]*prefetchBatch{}
	}
	for _, p := range out {
		if b, ok := t.listed[p[0]+":"+p[1]]; !ok || b == nil {
			t.listed[p[0]+":"+p[1]] = batch
		}
	}
	t.mu.Unlock()
	return out, nil
}

// CheckTracepoint implements lang.TracepointCheckEnv: the errors Format
// would give for category:event, without reading its format file (every
// read waits for the kernel's event mutex). A wildcard's matches are known
// from their listing; another tracepoint is looked up by its directory.
func (t *Env) CheckTracepoint(category, event string) error {
	key := category + ":" + event
	t.mu.Lock()
	_, listed := t.listed[key]
	_, read := t.formats[key]
	t.mu.Unlock()
	if listed || read {
		return nil
	}
	events, err := t.eventsDir()
	if err != nil {
		return err
	}
	if !validName(category) || !validName(event) {
		return lang.TracepointNotFound(category, event)
	}
	if !attachableCategory(category) {
		return ftraceEventError(event)
	}
	fi, err := os.Stat(filepath.Join(events, category, event))
	switch {
	case errors.Is(err, fs.ErrNotExist) || err == nil && !fi.IsDir():
		return lang.TracepointNotFound(category, event)
	case err != nil && host.IsPermission(err) && !host.Privileged():
		return host.PrivilegeError()
	case err != nil:
		return fmt.Errorf("could not look up tracepoint %s: %s", key, host.ErrnoText(err))
	}
	return nil
}

// attachableCategory reports whether the events of a tracefs category can
// be attached to. ftrace's own events (ftrace:function, ftrace:print,
// ...) have format files but are not tracepoints: they are not in
// available_events and a BPF program cannot attach to them. Listing (-l)
// and wildcards both leave them out; naming one gets ftraceEventError.
func attachableCategory(c string) bool { return c != "ftrace" }

func ftraceEventError(event string) error {
	return fmt.Errorf("tracepoint:ftrace:%s is one of ftrace's internal events, which cannot be attached (they are not tracepoints)", event)
}

// subdirs lists the names of the directories in dir, sorted.
func subdirs(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("could not list tracepoints in %s: %s", dir, host.ErrnoText(err))
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

// validName rejects names that would escape the events directory.
func validName(s string) bool {
	return s != "" && s != "." && s != ".." && !strings.ContainsAny(s, "/\x00")
}

func HasWildcard(s string) bool { return strings.ContainsAny(s, "*?") }

// WildcardMatch matches s against a pattern where * matches any run of
// characters and ? any single character.
func WildcardMatch(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// readTracefs reads a tracefs file with one large read where os.ReadFile
// would make several small ones: every read of a format file takes the
// kernel's event mutex, which attaching and detaching tracepoints elsewhere
// on the machine hold, so each read can wait for tens of milliseconds.
func readTracefs(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	n := 0
	for {
		m, err := f.Read(buf[n:])
		n += m
		if err == io.EOF || m == 0 {
			return buf[:n], nil
		}
		// A format file ends with its print fmt line: stop there rather
		// than make one more read (and wait once more) to see the end.
		if n > 0 && buf[n-1] == '\n' && bytes.Contains(buf[:n], []byte("\nprint fmt: ")) {
			return buf[:n], nil
		}
		if err != nil {
			return nil, err
		}
		if n == len(buf) {
			buf = append(buf, make([]byte, len(buf))...)
		}
	}
}

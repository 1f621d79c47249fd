// Package repl is gobpftrace's interactive session: each probe block typed
// at the prompt is compiled, loaded and attached at once, and its output
// streams while the prompt stays usable. Ctrl-C detaches every running
// probe, prints its maps and returns to the prompt.
//
//	gobpftrace> tracepoint:raw_syscalls:sys_enter { @[comm] = count(); }
//	Attached 1 probe
//	gobpftrace> ^C
//	@[bash]: 12
//
// A line that is not a probe block (`@x = 1;`, `printf("hi\n");`, `1+2`)
// runs as if in a BEGIN block; an expression's value is printed.
// Commands start with a dot (.help lists them).
package repl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/chzyer/readline"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/parser"
	"github.com/gobpftrace/gobpftrace/runtime/script"
)

// Config is what the session needs from the command line.
type Config struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Env answers tracepoint questions (probes.NewEnv).
	Env lang.Env
	// Compile holds how entries compile and run (-p, -c, --unsafe, -k,
	// -f); each entry's Config is read from BPFTRACE_* variables.
	Compile script.Options
	// Run returns the options of one entry's session, writing to out.
	Run func(out io.Writer) script.RunOptions
	// Version is printed in the banner.
	Version string
	// HistoryFile defaults to ~/.gobpftrace_history.
	HistoryFile string
	// Stage prints one -d stage (asm, ir...) of a compiled entry, as -d
	// does; it returns an error for a stage that does not exist.
	Stage func(stage string, plan *codegen.Plan, checked *lang.Checked, out, errOut io.Writer) error
	// List lists probes as -l (verbose: -lv) does; probes.List
	// when nil.
	List func(w, warn io.Writer, pattern string, verbose bool, pid int) error
}

const (
	prompt     = "gobpftrace> "
	contPrompt = "       ...> "
)

// entry is one compiled probe block, running or done.
type entry struct {
	id   int
	text string // as typed
	// source is what was compiled: text, or text inside a BEGIN block.
	source  string
	plan    *codegen.Plan
	checked *lang.Checked
	cancel  context.CancelFunc
	done    chan struct{}
	mu      sync.Mutex
	sess    *script.Session // once started
	discard bool            // .clear: drop whatever it still prints
}

// Write passes the entry's output on unless it was cleared.
type entryWriter struct {
	e *entry
	w io.Writer
}

func (w entryWriter) Write(p []byte) (int, error) {
	w.e.mu.Lock()
	discard := w.e.discard
	w.e.mu.Unlock()
	if discard {
		return len(p), nil
	}
	return w.w.Write(p)
}

type session struct {
	cfg     Config
	rl      *readline.Instance
	out     io.Writer
	errOut  io.Writer
	mu      sync.Mutex
	running []*entry
	entries []*entry // every entry compiled, for .save
	lastID  int
	last    *entry // the last entry compiled, for .asm and .ir
	hist    *history
	known   map[string]bool
	// prompting is true while the prompt is up (Readline runs); output
	// then goes through readline, which redraws the prompt below it.
	promptMu  sync.Mutex
	prompting bool
	// inst is the readline instance, for the input filter that runs on
	// readline's own goroutine.
	inst atomic.Pointer[readline.Instance]
}

// Run runs the session until .quit or end of input.
func Run(cfg Config) error {
	if cfg.HistoryFile == "" {
		if home, err := os.UserHomeDir(); err == nil {
			cfg.HistoryFile = filepath.Join(home, ".gobpftrace_history")
		}
	}
	s := &session{cfg: cfg, known: map[string]bool{}}
	rc := &readline.Config{
		Prompt:                 prompt,
		HistoryLimit:           historyLimit,
		DisableAutoSaveHistory: true,
		AutoComplete:           &completer{s: s},
		InterruptPrompt:        "^C",
		EOFPrompt:              "",
		HistorySearchFold:      true,
		FuncGetWidth:           terminalWidth,
		FuncFilterInputRune:    s.filterInput,
	}
	if cfg.Stdin != nil {
		rc.Stdin = io.NopCloser(cfg.Stdin)
	}
	if cfg.Stdout != nil {
		rc.Stdout = cfg.Stdout
	}
	if cfg.Stderr != nil {
		rc.Stderr = cfg.Stderr
	}
	rl, err := readline.NewEx(rc)
	if err != nil {
		return fmt.Errorf("could not start the interactive session: %v", err)
	}
	defer rl.Close()
	s.rl = rl
	s.inst.Store(rl)
	direct := func(w io.Writer) io.Writer {
		if w == nil {
			return os.Stdout
		}
		return w
	}
	s.out = &screenWriter{s: s, prompt: rl.Stdout(), direct: direct(cfg.Stdout)}
	s.errOut = &screenWriter{s: s, prompt: rl.Stderr(), direct: direct(cfg.Stderr)}
	if cfg.HistoryFile != "" {
		h, items, err := openHistory(cfg.HistoryFile)
		if err != nil {
			fmt.Fprintf(s.errOut, "WARNING: history is not kept: %v\n", err)
		}
		for _, item := range items {
			rl.SaveHistory(item)
		}
		s.hist = h
		defer h.close()
	}

	// A SIGINT sent from outside acts like Ctrl-C typed at the prompt.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		for sig := range sigs {
			if sig == syscall.SIGTERM {
				s.stopAll(true)
				rl.Close()
				return
			}
			s.stopAll(true)
		}
	}()

	fmt.Fprintf(s.out, "%s interactive session: type a probe block, or .help\n", cfg.Version)
	var buf []string
	for {
		if len(buf) == 0 {
			rl.SetPrompt(prompt)
		} else {
			rl.SetPrompt(contPrompt)
		}
		s.setPrompting(true)
		line, err := rl.Readline()
		s.setPrompting(false)
		if errors.Is(err, readline.ErrInterrupt) {
			if len(buf) > 0 || line != "" {
				buf = nil // abandon the entry being typed
				continue
			}
			if !s.stopAll(true) {
				fmt.Fprintln(s.out, "(no probes attached: .quit or Ctrl-D leaves)")
			}
			continue
		}
		if err != nil { // io.EOF: Ctrl-D
			if len(buf) > 0 {
				buf = nil
				continue
			}
			break
		}
		if len(buf) == 0 && strings.HasPrefix(strings.TrimSpace(line), ".") {
			s.saveHistory(strings.TrimSpace(line))
			// A command's output is written at once: readline redraws
			// the prompt around each write it sees.
			var out bytes.Buffer
			quit := s.command(strings.TrimSpace(line), &out, &out)
			s.out.Write(out.Bytes())
			if quit {
				break
			}
			continue
		}
		if len(buf) == 0 && strings.TrimSpace(line) == "" {
			continue
		}
		buf = append(buf, line)
		text := strings.Join(buf, "\n")
		if incomplete(text) {
			continue
		}
		buf = nil
		s.saveHistory(text)
		s.enter(text)
	}
	s.stopAll(true)
	return nil
}

func (s *session) setPrompting(on bool) {
	s.promptMu.Lock()
	s.prompting = on
	s.promptMu.Unlock()
}

// screenWriter writes output through readline while the prompt is up, so
// that the line being typed is redrawn below it, and straight to the
// terminal while an entry or a command runs: readline decides whether to
// redraw from its own input state, which changes just after Enter, and
// would otherwise leave a stray prompt between two writes.
type screenWriter struct {
	s              *session
	prompt, direct io.Writer
}

func (w *screenWriter) Write(p []byte) (int, error) {
	w.s.promptMu.Lock()
	defer w.s.promptMu.Unlock()
	if w.s.prompting {
		return w.prompt.Write(p)
	}
	return w.direct.Write(p)
}

// terminalWidth is the terminal's width for line editing and completion
// lists. A terminal that reports 0 columns (a serial console, some
// emulators) gets $COLUMNS or 80, so completion still works.
func terminalWidth() int {
	if w := readline.GetScreenWidth(); w > 0 {
		return w
	}
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	return 80
}

// filterInput sees each key before readline does: Ctrl-C while completion
// candidates are shown leaves completion first, so that it then abandons
// the line as Ctrl-C does anywhere else (readline alone would only hide
// the candidates).
func (s *session) filterInput(r rune) (rune, bool) {
	if r == readline.CharInterrupt {
		if rl := s.inst.Load(); rl != nil && (rl.Operation.IsInCompleteMode() || rl.Operation.IsInCompleteSelectMode()) {
			rl.Operation.ExitCompleteMode(true)
		}
	}
	return r, true
}

// saveHistory records an entry for recall and in the history file.
func (s *session) saveHistory(text string) {
	s.rl.SaveHistory(text)
	s.hist.add(text)
}

// incomplete reports whether text needs more lines: a brace or an angle
// block is still open (the parser stops at the end of the text).
func incomplete(text string) bool {
	if depth(text) > 0 {
		return true
	}
	_, err := parser.Parse("stdin", text)
	if err == nil {
		return false
	}
	var ds *lang.Diagnostics
	if errors.As(err, &ds) {
		end := len(strings.TrimRight(text, " \t\n"))
		for _, d := range ds.List {
			if d.Span.Start.Line > 0 && d.Span.Start.Offset >= end {
				return true
			}
		}
	}
	return false
}

// depth counts unclosed braces outside strings and comments.
func depth(text string) int {
	n := 0
	inStr, lineComment, blockComment := false, false, false
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case lineComment:
			if c == '\n' {
				lineComment = false
			}
		case blockComment:
			if c == '*' && i+1 < len(text) && text[i+1] == '/' {
				blockComment = false
				i++
			}
		case inStr:
			if c == '\\' {
				i++
			} else if c == '"' {
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '/' && i+1 < len(text) && text[i+1] == '/':
			lineComment = true
		case c == '/' && i+1 < len(text) && text[i+1] == '*':
			blockComment = true
		case c == '{':
			n++
		case c == '}':
			n--
		}
	}
	return n
}

// enter compiles an entry and starts it.
func (s *session) enter(text string) {
	c, err := s.compileEntry(text)
	if err != nil {
		fmt.Fprintln(s.errOut, err)
		return
	}
	for _, w := range c.warnings {
		fmt.Fprint(s.errOut, w)
	}
	for _, m := range c.plan.Maps {
		s.known[m.ScriptName] = true
	}
	s.mu.Lock()
	s.lastID++
	e := &entry{id: s.lastID, text: text, source: c.source, plan: c.plan, checked: c.checked, done: make(chan struct{})}
	s.last = e
	s.entries = append(s.entries, e)
	s.mu.Unlock()

	ctx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	var opts script.RunOptions
	if s.cfg.Run != nil {
		opts = s.cfg.Run(entryWriter{e, s.out})
	}
	opts.Output = entryWriter{e, s.out}
	opts.Errors = s.errOut
	opts.DryRun = false
	opts.ForgetMaps = true
	// The session's own layout: no blank lines before the maps an entry
	// prints when it ends (bpftrace's end-of-output separator).
	opts.NoExitSeparator = true
	if c.bare {
		opts.Quiet = true // no "Attached 1 probe" for `1+2`
	}
	s.mu.Lock()
	s.running = append(s.running, e)
	s.mu.Unlock()
	// Start returns once the entry is attached (or failed), so that errors
	// and the "Attached" line come before the next prompt; an entry that
	// only runs BEGIN is waited for to its end, so its output does too.
	sess, err := c.script.Start(ctx, opts)
	if err != nil {
		s.remove(e)
		fmt.Fprintln(s.errOut, errorText(err))
		close(e.done)
		return
	}
	e.mu.Lock()
	e.sess = sess
	e.mu.Unlock()
	go func() {
		defer close(e.done)
		err := sess.Wait()
		s.remove(e)
		if err != nil {
			fmt.Fprintln(s.errOut, errorText(err))
		}
	}()
	if c.beginOnly {
		<-e.done
	}
}

func (s *session) remove(e *entry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, x := range s.running {
		if x == e {
			s.running = append(s.running[:i], s.running[i+1:]...)
			return
		}
	}
}

// stopAll detaches every running entry; with print, their maps print as
// at the end of a run, else their output is discarded. It reports whether
// anything was running.
func (s *session) stopAll(print bool) bool {
	s.mu.Lock()
	running := append([]*entry(nil), s.running...)
	s.mu.Unlock()
	for _, e := range running {
		if !print {
			e.mu.Lock()
			e.discard = true
			e.mu.Unlock()
		}
		e.cancel()
		<-e.done
	}
	return len(running) > 0
}

// stop detaches one running entry, printing its maps; it reports whether
// entry id was running.
func (s *session) stop(id int) bool {
	s.mu.Lock()
	var found *entry
	for _, e := range s.running {
		if e.id == id {
			found = e
		}
	}
	s.mu.Unlock()
	if found == nil {
		return false
	}
	found.cancel()
	<-found.done
	return true
}

func errorText(err error) string {
	s := err.Error()
	if strings.HasPrefix(s, "ERROR:") || strings.Contains(s, ": ERROR: ") {
		return s
	}
	return "ERROR: " + s
}

// sortedKeys returns m's keys in order.
func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

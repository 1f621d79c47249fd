package repl

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/runtime/probes"
	"github.com/gobpftrace/gobpftrace/stdlib"
)

// commandNames are the dot commands, for completion.
var commandNames = []string{".args", ".asm", ".clear", ".detach", ".help", ".ir", ".list", ".load", ".maps", ".probes", ".quit", ".save"}

// loadMax bounds the script .load reads.
const loadMax = 1 << 20

// command runs a dot command, writing to out and errOut; it returns true
// to quit.
func (s *session) command(line string, out, errOut io.Writer) bool {
	name, arg, _ := strings.Cut(line, " ")
	arg = strings.TrimSpace(arg)
	switch name {
	case ".quit", ".exit", ".q":
		return true
	case ".help", ".h":
		if arg == "" {
			fmt.Fprint(out, help)
			break
		}
		if text, ok := stdlib.Help(arg); ok {
			fmt.Fprint(out, text)
		} else {
			fmt.Fprintf(errOut, "no builtin, function, probe type or config setting is called %s\n", arg)
		}
	case ".probes":
		running := s.runningEntries()
		if len(running) == 0 {
			fmt.Fprintln(out, "no probes attached")
		}
		for _, e := range running {
			var names []string
			for _, p := range e.plan.Programs {
				names = append(names, p.Attach.Name)
			}
			fmt.Fprintf(out, "#%d %s\n", e.id, strings.Join(names, ", "))
		}
	case ".maps":
		printed := false
		for _, e := range s.runningEntries() {
			e.mu.Lock()
			sess := e.sess
			e.mu.Unlock()
			if sess == nil || len(e.plan.Maps) == 0 {
				continue
			}
			printed = true
			if err := sess.PrintMaps(out); err != nil {
				fmt.Fprintln(errOut, errorText(err))
			}
		}
		if !printed {
			fmt.Fprintln(out, "no maps")
		}
	case ".asm", ".ir":
		s.mu.Lock()
		last := s.last
		s.mu.Unlock()
		switch {
		case last == nil:
			fmt.Fprintln(out, "nothing compiled yet")
		case s.cfg.Stage == nil:
			fmt.Fprintf(errOut, "ERROR: %s is not available in this session\n", name)
		default:
			if err := s.cfg.Stage(name[1:], last.plan, last.checked, out, errOut); err != nil {
				fmt.Fprintln(errOut, errorText(err))
			}
		}
	case ".clear":
		if s.stopAll(false) {
			fmt.Fprintln(out, "detached every probe; their maps were discarded")
		}
	case ".detach":
		id, err := strconv.Atoi(strings.TrimPrefix(arg, "#"))
		if err != nil {
			fmt.Fprintln(errOut, "usage: .detach N, with N an entry number that .probes shows")
			break
		}
		if !s.stop(id) {
			fmt.Fprintf(errOut, "no entry #%d is attached (.probes lists them)\n", id)
		}
	case ".list", ".args":
		if name == ".args" && arg == "" {
			fmt.Fprintln(errOut, "usage: .args PROBE, e.g. .args tracepoint:syscalls:sys_enter_openat")
			break
		}
		list := s.cfg.List
		if list == nil {
			list = probes.List
		}
		if err := list(out, errOut, arg, name == ".args", s.cfg.Compile.PID); err != nil {
			fmt.Fprintln(errOut, errorText(err))
		}
	case ".load":
		if arg == "" {
			fmt.Fprintln(errOut, "usage: .load FILE")
			break
		}
		text, err := readScript(arg)
		if err != nil {
			fmt.Fprintln(errOut, errorText(err))
			break
		}
		s.enter(text)
	case ".save":
		if arg == "" {
			fmt.Fprintln(errOut, "usage: .save FILE")
			break
		}
		n, err := s.save(arg)
		if err != nil {
			fmt.Fprintln(errOut, errorText(err))
			break
		}
		fmt.Fprintf(out, "saved %d %s to %s\n", n, plural(n, "entry", "entries"), arg)
	default:
		fmt.Fprintf(errOut, "unknown command %s (.help lists them)\n", name)
	}
	return false
}

func (s *session) runningEntries() []*entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*entry(nil), s.running...)
}

// readScript reads a script for .load, at most loadMax bytes.
func readScript(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("could not read the script: %v", unwrapPathError(err))
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && !st.Mode().IsRegular() {
		return "", fmt.Errorf("could not read the script: %s is not a regular file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, loadMax+1))
	if err != nil {
		return "", fmt.Errorf("could not read the script: %v", unwrapPathError(err))
	}
	if len(data) > loadMax {
		return "", fmt.Errorf("could not read the script: %s is larger than %d bytes", path, loadMax)
	}
	return string(data), nil
}

// save writes every entry compiled in this session, in order, as one
// script that gobpftrace runs as it is (bare statements inside their
// BEGIN block). The file is opened as -o opens its output: created or
// truncated, mode 0644, never through a symbolic link.
func (s *session) save(path string) (int, error) {
	s.mu.Lock()
	var b strings.Builder
	for i, e := range s.entries {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(strings.TrimRight(e.source, "\n"))
		b.WriteString("\n")
	}
	n := len(s.entries)
	s.mu.Unlock()
	fd, err := unix.Open(path, unix.O_WRONLY|unix.O_CREAT|unix.O_TRUNC|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o644)
	if err != nil {
		if errors.Is(err, unix.ELOOP) {
			return 0, fmt.Errorf("could not save to %s: it is a symbolic link, which .save does not follow", path)
		}
		return 0, fmt.Errorf("could not save to %s: %v", path, err)
	}
	f := os.NewFile(uintptr(fd), path)
	_, err = f.WriteString(b.String())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("could not save to %s: %v", path, err)
	}
	return n, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %v", pe.Path, pe.Err)
	}
	return err
}

const help = `Type a probe block to compile and attach it; its output streams here.
A block may span lines: the entry ends when its braces (or < >) close.
Anything else (@x = 1;  printf("hi\n");  1+2  comm) runs as if in a BEGIN
block, and an expression's value is printed. Maps do not carry over from
one entry to the next.
Tab completes providers, tracepoints, uprobe files and symbols, struct
names and fields, builtins, functions and map names.

  Ctrl-C          with text typed, abandon it; else detach every running
                  probe and print its maps
  .probes         list the attached entries (#N) and their probes
  .maps           print the current contents of every map
  .detach N       detach entry #N and print its maps
  .clear          detach every probe without printing its maps
  .list PATTERN   list probes, as -l does
  .args PROBE     list a probe's arguments, as -lv does
  .help NAME      describe a builtin, function, probe type or setting
  .asm            show the instructions of the last entry (-d asm)
  .ir             show the IR of the last entry (-d ir)
  .load FILE      run a script file as an entry
  .save FILE      write this session's entries to FILE as one script
  .help           this text
  .quit           leave (also Ctrl-D)
`

package main

// The docs test: every command shown in docs/*.md runs here, and its output
// must match what the page shows.
//
// Convention. A command is a line of a fenced ```sh block that starts with
// "# gobpftrace " (optionally "# NAME=value ... gobpftrace " for
// environment settings). A command whose quotes are still open at the end
// of its line continues on the next lines, like in a shell. The lines after
// it, up to the next command or the end of the block, are what the terminal
// shows: stderr (the "Attached" line, warnings, errors) followed by stdout.
//
//   - A line "^C" means the script runs until Ctrl-C: the test makes some
//     activity (the sysloop helper, cat, ls), sends SIGINT and compares the
//     output's shape (see shapeMatch). In the terminal "^C" is where the
//     first of the two newlines before the maps lands, so it stands for an
//     empty line.
//   - A line "..." marks shortened output: the comparison is by shape, and
//     "..." stands for any number of lines.
//   - A block right after the line "<!-- output varies -->" is compared by
//     shape too (for scripts that end by themselves but print counts).
//   - Comments right before a block may prepare its commands, for lessons
//     that need more than the default activity (sysloop, cat, ls):
//     "<!-- setup: SH -->" runs before each command, "<!-- trigger: SH -->"
//     replaces the default activity, "<!-- cleanup: SH -->" runs after.
//     SH is a sh command line. The commands of such a block, and SH, run
//     in the directory of the built helpers (sysloop, gotarget,
//     uprobetarget, stackloop, callchain, tcppair), which is also first
//     in PATH; a command with "$(" runs through sh, so that
//     "$(stat -c %i DIR)" can give a parameter.
//   - Otherwise the output must be exactly what the page shows. Trailing
//     empty lines (the two newlines printed before the maps at exit) are
//     not shown.
//
// Output containing "ERROR:" expects exit code 1, otherwise 0. Fenced code
// blocks in any other language hold script fragments and are not run.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gobpftrace/gobpftrace/lang/parser"
)

// docCommand is one command found in the docs.
type docCommand struct {
	file string
	line int
	env  []string // NAME=value settings before the command
	args []string // arguments after "gobpftrace"
	want []string // the output lines shown
	// varies: the block follows "<!-- output varies -->".
	varies bool
	// setup, trigger and cleanup are the block's hooks (sh command lines).
	setup, trigger, cleanup string
	// raw is the command's text after "gobpftrace", as written.
	raw string
}

// hooked reports whether the command's block has hooks.
func (c docCommand) hooked() bool { return c.setup != "" || c.trigger != "" || c.cleanup != "" }

// runHook runs a hook's sh command line in the helpers' directory.
func runHook(t *testing.T, dir, what, line string) {
	t.Helper()
	cmd := exec.Command("sh", "-c", line)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PATH="+dir+":"+os.Getenv("PATH"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %q: %v: %s", what, line, err, out)
	}
}

func (c docCommand) String() string {
	return fmt.Sprintf("%s:%d", filepath.Base(c.file), c.line)
}

func TestDocsCommands(t *testing.T) {
	requireRoot(t)
	files, _ := filepath.Glob("../../docs/*.md")
	if len(files) == 0 {
		t.Fatal("no docs found")
	}
	total := 0
	for _, f := range files {
		cmds, err := parseDocCommands(f)
		if err != nil {
			t.Fatal(err)
		}
		total += len(cmds)
		for _, c := range cmds {
			t.Run(c.String(), func(t *testing.T) { runDocCommand(t, c) })
		}
	}
	if total == 0 {
		t.Fatal("no commands found in docs/*.md")
	}
}

func runDocCommand(t *testing.T, c docCommand) {
	ctrlC, shortened, attach := false, false, false
	want := make([]string, len(c.want))
	for i, l := range c.want {
		switch {
		case l == "^C":
			ctrlC = true
			l = ""
		case l == "...":
			shortened = true
		case strings.HasPrefix(l, "Attached "):
			attach = true
		}
		want[i] = l
	}
	for len(want) > 0 && want[len(want)-1] == "" {
		want = want[:len(want)-1]
	}
	// A BEGIN/END-only script exits as soon as it has attached: the harness
	// must not look for its programs then.
	r := traceRun{args: c.args, noAttach: !attach || onlyBeginEnd(c.args), trigger: defaultDocTrigger}
	if len(c.env) > 0 {
		r.wrap = append([]string{"env"}, c.env...)
	}
	if strings.Contains(c.raw, "$(") {
		// sh runs the command line; the binary under test is its $0.
		r.wrap = append(r.wrap, "sh", "-c", `exec "$0"`+c.raw)
		r.args = nil
	}
	if c.hooked() {
		userHelpers(t)
		stackloopPath(t)
		callchainPath(t)
		tcppairPath(t)
		dir := filepath.Dir(binPath)
		r.dir = dir
		if c.setup != "" {
			runHook(t, dir, "setup", c.setup)
		}
		if c.cleanup != "" {
			t.Cleanup(func() { runHook(t, dir, "cleanup", c.cleanup) })
		}
		if c.trigger != "" {
			r.trigger = func(t *testing.T) {
				runHook(t, dir, "trigger", c.trigger)
				time.Sleep(100 * time.Millisecond)
			}
		}
	}
	if ctrlC {
		r.stop = syscall.SIGINT
	}
	res := trace(t, r)
	code := 0
	if strings.Contains(strings.Join(want, "\n"), "ERROR:") {
		code = 1
	}
	mustExit(t, res, code)
	got := strings.Split(strings.TrimSuffix(res.stderr+res.stdout, "\n"), "\n")
	for len(got) > 0 && got[len(got)-1] == "" {
		got = got[:len(got)-1]
	}
	if ctrlC || shortened || c.varies {
		if !shapeMatch(want, got) {
			t.Errorf("%s: output does not have the shape the doc shows\n--- got\n%s\n--- doc\n%s", c, strings.Join(got, "\n"), strings.Join(c.want, "\n"))
		}
		return
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s: output differs from the doc\n--- got\n%s\n--- doc\n%s", c, strings.Join(got, "\n"), strings.Join(c.want, "\n"))
	}
}

// defaultDocTrigger is the activity a command's probes see: sysloop, cat
// and ls.
func defaultDocTrigger(t *testing.T) {
	runSysloop(t, 1000, "/etc/hostname")
	for _, args := range [][]string{{"cat", "/etc/hostname"}, {"ls", "/"}} {
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v: %s", args[0], err, out)
		}
	}
}

// onlyBeginEnd reports whether the -e script has no probe but BEGIN, END
// and iterators: it may end before the harness looks for the programs it
// holds.
func onlyBeginEnd(args []string) bool {
	for i, a := range args {
		if a != "-e" || i+1 == len(args) {
			continue
		}
		prog, err := parser.Parse("stdin", args[i+1])
		if err != nil {
			return false
		}
		for _, p := range prog.Probes {
			for _, ap := range p.AttachPoints {
				if n := strings.ToUpper(ap.Raw); n != "BEGIN" && n != "END" && !strings.HasPrefix(n, "ITER:") {
					return false
				}
			}
		}
		return true
	}
	return false
}

// parseDocCommands finds the commands of one Markdown file.
func parseDocCommands(path string) ([]docCommand, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var cmds []docCommand
	var cur *docCommand
	inSh, inOther, shHasCommand, varies := false, false, false, false
	// comments are the HTML comments since the last other line outside
	// code blocks: they describe the next block.
	var comments []string
	var hooks docCommand
	lines := strings.Split(string(data), "\n")
	flush := func() {
		if cur != nil {
			for len(cur.want) > 0 && cur.want[len(cur.want)-1] == "" {
				cur.want = cur.want[:len(cur.want)-1]
			}
			cmds = append(cmds, *cur)
			cur = nil
		}
	}
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		fence := strings.HasPrefix(strings.TrimSpace(l), "```")
		switch {
		case inSh && fence:
			flush()
			if !shHasCommand {
				return nil, fmt.Errorf("%s:%d: a ```sh block without a '# gobpftrace' command", path, i+1)
			}
			inSh = false
		case inOther && fence:
			inOther = false
		case fence && strings.TrimSpace(l) == "```sh":
			inSh, shHasCommand, varies = true, false, false
			hooks = docCommand{}
			for _, cm := range comments {
				body := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(cm, "<!--"), "-->"))
				switch {
				case body == "output varies":
					varies = true
				case strings.HasPrefix(body, "setup: "):
					hooks.setup = strings.TrimPrefix(body, "setup: ")
				case strings.HasPrefix(body, "trigger: "):
					hooks.trigger = strings.TrimPrefix(body, "trigger: ")
				case strings.HasPrefix(body, "cleanup: "):
					hooks.cleanup = strings.TrimPrefix(body, "cleanup: ")
				}
			}
		case fence:
			inOther = true
		case inSh && isDocCommand(l):
			flush()
			text, start := strings.TrimPrefix(l, "# "), i+1
			words, open := splitShell(text)
			for open && i+1 < len(lines) {
				i++
				text += "\n" + lines[i]
				words, open = splitShell(text)
			}
			if open {
				return nil, fmt.Errorf("%s:%d: unclosed quote", path, start)
			}
			c := &docCommand{file: path, line: start, varies: varies, setup: hooks.setup, trigger: hooks.trigger, cleanup: hooks.cleanup}
			if _, after, ok := strings.Cut(text, "gobpftrace"); ok {
				c.raw = after
			}
			for len(words) > 0 && regexp.MustCompile(`^[A-Z_][A-Z0-9_]*=`).MatchString(words[0]) {
				c.env = append(c.env, words[0])
				words = words[1:]
			}
			if len(words) == 0 || words[0] != "gobpftrace" {
				return nil, fmt.Errorf("%s:%d: not a gobpftrace command", path, start)
			}
			c.args = words[1:]
			cur, shHasCommand = c, true
		case inSh && cur != nil:
			cur.want = append(cur.want, l)
		case inSh && strings.TrimSpace(l) != "":
			return nil, fmt.Errorf("%s:%d: output before any command in a ```sh block", path, i+1)
		case !inOther && strayCommandRE.MatchString(l):
			return nil, fmt.Errorf("%s:%d: a command outside a ```sh block is not tested", path, i+1)
		}
		if tl := strings.TrimSpace(l); !inSh && !inOther && !fence && tl != "" {
			if strings.HasPrefix(tl, "<!--") && strings.HasSuffix(tl, "-->") {
				comments = append(comments, tl)
			} else {
				comments = nil
			}
		}
		if fence && !inSh && !inOther {
			comments = nil
		}
	}
	if inSh {
		return nil, fmt.Errorf("%s: unterminated ```sh block", path)
	}
	return cmds, nil
}

var docCommandRE = regexp.MustCompile(`^# ([A-Z_][A-Z0-9_]*=\S* )*gobpftrace( |$)`)

// strayCommandRE finds a command written outside any code block (a
// page title such as "# gobpftrace tutorial" is not one).
var strayCommandRE = regexp.MustCompile(`# ([A-Z_][A-Z0-9_]*=\S* )*gobpftrace -`)

func isDocCommand(l string) bool { return docCommandRE.MatchString(l) }

// splitShell splits a command line into words the way sh does for the
// quoting the docs use: single quotes, double quotes (with \" and \\) and
// backslash outside quotes. open reports an unterminated quote.
func splitShell(s string) (words []string, open bool) {
	var w strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, true
			}
			w.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case ch == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
					i++
				}
				w.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, true
			}
			inWord = true
		case ch == '\\' && i+1 < len(s):
			i++
			if s[i] != '\n' {
				w.WriteByte(s[i])
				inWord = true
			}
		case ch == ' ' || ch == '\t' || ch == '\n':
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		default:
			w.WriteByte(ch)
			inWord = true
		}
	}
	if inWord {
		words = append(words, w.String())
	}
	return words, false
}

var (
	shapeBar  = regexp.MustCompile(`\|[@ ]*\|`)
	shapeWord = regexp.MustCompile(`[^\s\[\](),|]+`)
	shapeSpc  = regexp.MustCompile(`\s+`)
)

// shape reduces a line to its skeleton: histogram bars become "||", every
// word (names, numbers, paths) becomes "w", runs of spaces one space. So
// "@[bash]: 311" and "@[sysloop]: 1004" have the same shape, and so have
// two histogram rows with different counts.
func shape(l string) string {
	l = shapeBar.ReplaceAllString(l, "||")
	l = shapeWord.ReplaceAllString(l, "w")
	return shapeSpc.ReplaceAllString(l, " ")
}

// shapeMatch reports whether got has the shape of want, where a want line
// "..." matches any number of lines.
func shapeMatch(want, got []string) bool {
	if len(want) == 0 {
		return len(got) == 0
	}
	if want[0] == "..." {
		for i := 0; i <= len(got); i++ {
			if shapeMatch(want[1:], got[i:]) {
				return true
			}
		}
		return false
	}
	return len(got) > 0 && shape(want[0]) == shape(got[0]) && shapeMatch(want[1:], got[1:])
}

// TestDocsParser checks the command extraction on a small page.
func TestDocsParser(t *testing.T) {
	dir := t.TempDir()
	md := "Intro.\n\n```sh\n# gobpftrace -e 'BEGIN { printf(\"hi\\n\"); }'\nAttached 1 probe\nhi\n\n# BPFTRACE_MAX_STRLEN=8 gobpftrace -e 'BEGIN {\n  exit();\n}' 1 two\n```\n\n```\n# gobpftrace not run\n```\n"
	path := filepath.Join(dir, "x.md")
	if err := os.WriteFile(path, []byte(md), 0o644); err != nil {
		t.Fatal(err)
	}
	cmds, err := parseDocCommands(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(cmds) != 2 {
		t.Fatalf("got %d commands, want 2: %+v", len(cmds), cmds)
	}
	if got := fmt.Sprintf("%q %q", cmds[0].args, cmds[0].want); got != `["-e" "BEGIN { printf(\"hi\\n\"); }"] ["Attached 1 probe" "hi"]` {
		t.Errorf("first command: %s", got)
	}
	if got := fmt.Sprintf("%q %q %q %d", cmds[1].env, cmds[1].args, cmds[1].want, cmds[1].line); got != `["BPFTRACE_MAX_STRLEN=8"] ["-e" "BEGIN {\n  exit();\n}" "1" "two"] [] 8` {
		t.Errorf("second command: %s", got)
	}
	if !shapeMatch([]string{"Attached 1 probe", "", "@[a]: 1", "...", "@[bash]: 311"}, []string{"Attached 1 probe", "", "@[x]: 5", "@[y]: 6", "@[sysloop]: 1003"}) {
		t.Error("shapeMatch with ... failed")
	}
	if shapeMatch([]string{"@h:", "[1]   3 |@@@ |"}, []string{"@h: 5"}) {
		t.Error("shapeMatch matched different shapes")
	}
	hooked := "Text.\n\n<!-- setup: mkdir d -->\n<!-- trigger: ./gotarget 1 2 -->\n<!-- cleanup: rmdir d -->\n\n```sh\n# gobpftrace -e 'BEGIN { }' $(stat -c %i d)\n```\n\n```sh\n# gobpftrace -e 'BEGIN { }'\n```\n"
	p := filepath.Join(dir, "hooked.md")
	if err := os.WriteFile(p, []byte(hooked), 0o644); err != nil {
		t.Fatal(err)
	}
	hc, err := parseDocCommands(p)
	if err != nil || len(hc) != 2 {
		t.Fatalf("hooked page: %v, %d commands", err, len(hc))
	}
	if h := hc[0]; h.setup != "mkdir d" || h.trigger != "./gotarget 1 2" || h.cleanup != "rmdir d" || h.raw != " -e 'BEGIN { }' $(stat -c %i d)" {
		t.Errorf("hooks: %+v", h)
	}
	if hc[1].hooked() {
		t.Errorf("the hooks of a block applied to the next one: %+v", hc[1])
	}
	for _, bad := range []string{"```sh\nAttached\n```\n", "# gobpftrace -e 'x'\n", "```sh\n# gobpftrace -e 'BEGIN {}'\n```\n# gobpftrace -V\n", "```sh\n```\n"} {
		p := filepath.Join(dir, "bad.md")
		os.WriteFile(p, []byte(bad), 0o644)
		if _, err := parseDocCommands(p); err == nil {
			t.Errorf("no error for %q", bad)
		}
	}
}

package target

import (
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The command line of -c: split into arguments without a shell, and the
// file it runs found as bpftrace finds it.

// SplitCommand splits the command of -c into its arguments, as a POSIX
// shell splits words but without expanding anything: blanks separate
// arguments; single quotes keep everything up to the next single quote;
// double quotes keep everything up to the next double quote, where a
// backslash escapes only `"`, `\`, `$`, a backquote or a newline; outside
// quotes a backslash escapes any character (and a backslash-newline is
// removed). An unclosed quote or a trailing backslash is an error.
func SplitCommand(line string) ([]string, error) {
	var args []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				args = append(args, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '\\':
			if i+1 == len(line) {
				return nil, errors.New("the command ends with a backslash")
			}
			i++
			if line[i] != '\n' {
				cur.WriteByte(line[i])
				inWord = true
			}
		case c == '\'':
			end := strings.IndexByte(line[i+1:], '\'')
			if end < 0 {
				return nil, errors.New("the command has an unclosed single quote (')")
			}
			cur.WriteString(line[i+1 : i+1+end])
			i += end + 1
			inWord = true
		case c == '"':
			i++
			for ; i < len(line) && line[i] != '"'; i++ {
				if line[i] == '\\' && i+1 < len(line) && strings.IndexByte("\"\\$`\n", line[i+1]) >= 0 {
					i++
					if line[i] == '\n' {
						continue
					}
				}
				cur.WriteByte(line[i])
			}
			if i == len(line) {
				return nil, errors.New(`the command has an unclosed double quote (")`)
			}
			inWord = true
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		args = append(args, cur.String())
	}
	if len(args) == 0 {
		return nil, errors.New("the command is empty")
	}
	return args, nil
}

// CommandBinary finds the file that -c runs for name, the command's first
// word, as bpftrace v0.26 does: name itself and, when it has no slash,
// name in each directory of $PATH; only ELF files count (an executable
// with the execute permission, or a shared object). Several different
// files are an error, as in bpftrace (links to one file count once). The
// path returned is absolute: the file to execute.
func CommandBinary(name string) (string, error) {
	candidates := []string{name}
	if !strings.Contains(name, "/") {
		for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
			if dir != "" {
				candidates = append(candidates, filepath.Join(dir, name))
			}
		}
	}
	var found []string
	seen := map[string]bool{}
	for _, p := range candidates {
		if !runnableELF(p) {
			continue
		}
		real, err := filepath.EvalSymlinks(p)
		if err != nil {
			real = p
		}
		if abs, err := filepath.Abs(real); err == nil {
			real = abs
		}
		if !seen[real] {
			seen[real] = true
			found = append(found, p)
		}
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("Path '%s' does not exist or is not executable", name)
	case 1:
		// A path that exec runs as it is: "mytool" found in the current
		// directory must not be looked up in $PATH again.
		if abs, err := filepath.Abs(found[0]); err == nil {
			return abs, nil
		}
		return found[0], nil
	}
	return "", fmt.Errorf("Path '%s' must refer to a unique binary but matched %d binaries: %s", name, len(found), strings.Join(found, ", "))
}

// runnableELF reports whether path is an ELF executable with the execute
// permission or an ELF shared object (bpftrace's test for -c).
func runnableELF(path string) bool {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return false
	}
	f, err := elf.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	switch f.Type {
	case elf.ET_EXEC:
		return fi.Mode()&0o100 != 0
	case elf.ET_DYN:
		return true
	}
	return false
}

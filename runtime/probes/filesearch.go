package probes

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/gobpftrace/gobpftrace/lang"
)

// The files a uprobe or usdt target with a wildcard stands for without
// -p, as bpftrace finds them: "*" is every file a running process maps; a
// pattern globs, and one without a '/' globs in the directories of $PATH
// too.

var _ lang.FileSearchEnv = (*Env)(nil)

// AllMappedFiles implements lang.FileSearchEnv: the ELF files mapped by
// every running process but this one, each file once (a file mapped in
// several mount namespaces is named by its first path), sorted by path.
func (t *Env) AllMappedFiles() ([]string, error) {
	return allMappedFiles()
}

func allMappedFiles() ([]string, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	self := os.Getpid()
	seenPath := map[string]bool{}
	var paths []string
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		mapped, err := mappedPaths(pid)
		if err != nil {
			continue // exited, or a kernel thread
		}
		for _, p := range mapped {
			if !seenPath[p] {
				seenPath[p] = true
				paths = append(paths, p)
			}
		}
	}
	sort.Strings(paths)
	// The kernel places a uprobe on an inode: a file seen through two
	// paths (a container's /proc/PID/root) is probed once.
	type inode struct{ dev, ino uint64 }
	seenFile := map[inode]bool{}
	var out []string
	for _, p := range paths {
		var st syscall.Stat_t
		if syscall.Stat(p, &st) != nil || !isELF(p) {
			continue
		}
		id := inode{uint64(st.Dev), st.Ino}
		if !seenFile[id] {
			seenFile[id] = true
			out = append(out, p)
		}
	}
	return out, nil
}

// GlobFiles implements lang.FileSearchEnv: the files a uprobe can be
// placed in that pattern globs to, kept relative when the pattern is (with
// its leading ./, which Glob drops); for a pattern without a '/', also
// those it globs to in each directory of $PATH, named by their full path.
// A file reached by two paths (/bin/bash and /usr/bin/bash where /bin is a
// link) is named once, by its first.
func (t *Env) GlobFiles(pattern string) []string {
	var out []string
	type inode struct{ dev, ino uint64 }
	seen := map[inode]bool{}
	add := func(pat string, relative bool) {
		files, _ := filepath.Glob(pat)
		for _, f := range files {
			if relative && strings.HasPrefix(pat, "./") && !strings.HasPrefix(f, "./") && !filepath.IsAbs(f) {
				f = "./" + f
			}
			var st syscall.Stat_t
			if syscall.Stat(f, &st) != nil || !probeableELF(f) {
				continue
			}
			if id := (inode{uint64(st.Dev), st.Ino}); !seen[id] {
				seen[id] = true
				out = append(out, f)
			}
		}
	}
	add(pattern, true)
	if !strings.Contains(pattern, "/") {
		for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
			if dir != "" && filepath.IsAbs(dir) {
				add(filepath.Join(dir, pattern), false)
			}
		}
	}
	return out
}

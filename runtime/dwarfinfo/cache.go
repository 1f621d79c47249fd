package dwarfinfo

import (
	"os"
	"sync"
	"time"
)

// The debug information of the binaries a run reads, kept once per file
// (the checker, -lv and the stack printer ask for the same binaries), and
// the directories --debuginfo names.
var cache struct {
	sync.Mutex
	dirs  []string
	files map[string]cached
}

type cached struct {
	size  int64
	mtime time.Time
	f     *File
	err   error
}

// SetSearchDirs sets the directories Load looks in for separate debug
// files (--debuginfo), before /usr/lib/debug.
func SetSearchDirs(dirs []string) {
	cache.Lock()
	defer cache.Unlock()
	cache.dirs = append([]string(nil), dirs...)
	cache.files = nil
}

// Load returns the debug information of the binary at path, read once
// (again if the file changed).
func Load(path string) (*File, error) {
	st, err := os.Stat(path)
	if err != nil {
		return Open(path, nil)
	}
	cache.Lock()
	defer cache.Unlock()
	if c, ok := cache.files[path]; ok && c.size == st.Size() && c.mtime.Equal(st.ModTime()) {
		return c.f, c.err
	}
	f, err := Open(path, cache.dirs)
	if cache.files == nil {
		cache.files = map[string]cached{}
	}
	cache.files[path] = cached{size: st.Size(), mtime: st.ModTime(), f: f, err: err}
	return f, err
}

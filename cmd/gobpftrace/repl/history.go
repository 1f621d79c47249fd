package repl

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// historyLimit is how many items the session recalls; historyReadMax bounds
// what is read of the file (its tail), whatever its size.
const (
	historyLimit   = 500
	historyReadMax = 1 << 20
)

// history is the session's history file. The session runs as root, so the
// file is opened as -o opens its output: a symbolic link as the last path
// component is refused (O_NOFOLLOW), and so is anything but a regular file,
// so a link planted at ~/.gobpftrace_history cannot make root append typed
// lines to another file. The readline library's own history file handling
// follows links, so it is not used.
type history struct {
	f    *os.File
	last string
}

// openHistory opens (creating it, mode 0600) the history file at path and
// returns it with the items it holds, oldest first.
func openHistory(path string) (*history, []string, error) {
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_APPEND|unix.O_CREAT|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0o600)
	if err != nil {
		if errors.Is(err, unix.ELOOP) {
			return nil, nil, fmt.Errorf("%s is a symbolic link, which gobpftrace does not follow", path)
		}
		return nil, nil, fmt.Errorf("could not open %s: %v", path, err)
	}
	f := os.NewFile(uintptr(fd), path)
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, nil, fmt.Errorf("%s is not a regular file", path)
	}
	var data []byte
	if size := st.Size(); size > historyReadMax {
		data = make([]byte, historyReadMax)
		n, _ := f.ReadAt(data, size-historyReadMax)
		data = data[:n]
		// Drop the partial first line.
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			data = data[i+1:]
		}
	} else {
		data, _ = io.ReadAll(io.LimitReader(f, historyReadMax))
	}
	var items []string
	for _, line := range strings.Split(string(data), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			items = append(items, line)
		}
	}
	if len(items) > historyLimit {
		items = items[len(items)-historyLimit:]
	}
	h := &history{f: f}
	if len(items) > 0 {
		h.last = items[len(items)-1]
	}
	return h, items, nil
}

// add appends an entry unless it repeats the previous one.
func (h *history) add(text string) {
	if h == nil || text == h.last {
		return
	}
	h.last = text
	h.f.WriteString(text + "\n")
}

func (h *history) close() {
	if h != nil {
		h.f.Close()
	}
}

package runtime

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/runtime/output"
)

// cgroup2Root is where the cgroup v2 hierarchy is mounted:
// /sys/fs/cgroup, or /sys/fs/cgroup/unified on hybrid systems.
func cgroup2Root() string {
	data, err := os.ReadFile("/proc/self/mounts")
	if err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			f := strings.Fields(line)
			if len(f) > 2 && f[2] == "cgroup2" {
				return f[1]
			}
		}
	}
	return "/sys/fs/cgroup"
}

// userSpace implements output.UserSpace for a run.
type userSpace struct {
	wall int64

	mu      sync.Mutex
	users   map[uint32]string
	cgroups map[uint64]string
}

// newUserSpace measures the offset from the monotonic clock (the clock of
// nsecs, bpf_ktime_get_ns) to the real-time clock once, at start.
func newUserSpace() *userSpace {
	var mono, real unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &mono)
	_ = unix.ClockGettime(unix.CLOCK_REALTIME, &real)
	return &userSpace{wall: real.Nano() - mono.Nano()}
}

func (u *userSpace) WallOffset() int64 { return u.wall }

// Username reads /etc/passwd once.
func (u *userSpace) Username(uid uint32) (string, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.users == nil {
		u.users = readPasswd("/etc/passwd")
	}
	name, ok := u.users[uid]
	return name, ok
}

func readPasswd(path string) map[uint32]string {
	users := map[uint32]string{}
	f, err := os.Open(path)
	if err != nil {
		return users
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.Split(sc.Text(), ":")
		if len(parts) < 3 {
			continue
		}
		if id, err := strconv.ParseUint(parts[2], 10, 32); err == nil {
			if _, dup := users[uint32(id)]; !dup {
				users[uint32(id)] = parts[0]
			}
		}
	}
	return users
}

// CgroupPath finds the cgroup v2 directory whose id is id. Only the
// unified hierarchy exists here; a filter that does not match "unified"
// (a shell wildcard) selects nothing.
func (u *userSpace) CgroupPath(id uint64, filter string) string {
	if ok, _ := filepath.Match(filter, "unified"); !ok {
		return ""
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if p, ok := u.cgroups[id]; ok {
		return "unified:" + p
	}
	// A cgroup made since the last walk: walk again.
	u.cgroups = walkCgroups(cgroup2Root())
	if p, ok := u.cgroups[id]; ok {
		return "unified:" + p
	}
	return ""
}

// walkCgroups maps the id of every cgroup under root to its path relative
// to root ("/" for root itself).
func walkCgroups(root string) map[uint64]string {
	out := map[uint64]string{}
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		id, err := CgroupID(path)
		if err != nil {
			return nil
		}
		rel := strings.TrimPrefix(path, root)
		if rel == "" {
			rel = "/"
		}
		out[id] = rel
		return nil
	})
	return out
}

// CgroupID is the cgroup v2 id of the cgroup directory at path: the 64-bit
// handle that name_to_handle_at gives for it (which bpf_get_current_cgroup_id
// returns for the tasks in it).
func CgroupID(path string) (uint64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return 0, errors.New(output.StrerrorText(errnoOf(err)))
	}
	if st.Type != unix.CGROUP2_SUPER_MAGIC {
		return 0, fmt.Errorf("not on a cgroup v2 file system")
	}
	h, _, err := unix.NameToHandleAt(unix.AT_FDCWD, path, 0)
	if err != nil {
		return 0, errors.New(output.StrerrorText(errnoOf(err)))
	}
	b := h.Bytes()
	if len(b) < 8 {
		return 0, fmt.Errorf("unexpected file handle of %d bytes", len(b))
	}
	var id uint64
	for i := 7; i >= 0; i-- {
		id = id<<8 | uint64(b[i])
	}
	return id, nil
}

// CgroupID implements lang.CgroupEnv.
func (t *Tracefs) CgroupID(path string) (uint64, error) { return CgroupID(path) }

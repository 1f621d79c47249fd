package runtime

import (
	"bufio"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/runtime/probes"
)

// userSpace implements output.UserSpace for a run.
type userSpace struct {
	wall int64
	// tai is what to add to a TAI timestamp (tseries()) for Unix time.
	tai int64

	mu    sync.Mutex
	users map[uint32]string
	// cgroups caches cgroup paths by mount point and id.
	cgroups map[string]string
}

// newUserSpace measures the offset from the monotonic clock (the clock of
// nsecs, bpf_ktime_get_ns) to the real-time clock once, at start.
func newUserSpace() *userSpace {
	var mono, real, tai unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &mono)
	_ = unix.ClockGettime(unix.CLOCK_REALTIME, &real)
	_ = unix.ClockGettime(unix.CLOCK_TAI, &tai)
	// CLOCK_TAI runs at a whole number of seconds from CLOCK_REALTIME (0
	// until something such as chrony sets the kernel's TAI offset).
	taiOff := (real.Nano() - tai.Nano()) / 1e9 * 1e9
	if d := (real.Nano() - tai.Nano()) % 1e9; d > 5e8 {
		taiOff += 1e9
	} else if d < -5e8 {
		taiOff -= 1e9
	}
	return &userSpace{wall: real.Nano() - mono.Nano(), tai: taiOff}
}

func (u *userSpace) WallOffset() int64 { return u.wall }

// TAIOffset implements output.TAIOffsetter.
func (u *userSpace) TAIOffset() int64 { return u.tai }

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

// cgroupRoots lists the mounted cgroup hierarchies as bpftrace names them:
// "unified" for cgroup v2, and the cgroup v1 ones by the name of their
// mount directory ("cpu", "memory", ...), each with its mount point.
func cgroupRoots() (v2, v1 [][2]string) {
	data, err := os.ReadFile("/proc/mounts")
	if err != nil {
		return nil, nil
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || (f[0] != "cgroup" && f[0] != "cgroup2") {
			continue
		}
		if st, err := os.Stat(f[1]); err != nil || !st.IsDir() {
			continue
		}
		if f[0] == "cgroup2" {
			v2 = append(v2, [2]string{"unified", f[1]})
		} else {
			v1 = append(v1, [2]string{filepath.Base(f[1]), f[1]})
		}
	}
	return v2, v1
}

// CgroupPath is the path of the cgroup whose inode number is id in every
// hierarchy whose name matches filter, as bpftrace prints it: cgroup v2
// first, then v1 by name, "name:path" joined by ",", hierarchies without
// such a cgroup left out. (cgroup v1 ids are per hierarchy: the same
// number can name cgroups of several hierarchies, the roots all being 1.)
func (u *userSpace) CgroupPath(id uint64, filter string) string {
	v2, v1 := cgroupRoots()
	sort.Slice(v1, func(i, j int) bool {
		if v1[i][0] != v1[j][0] {
			return v1[i][0] < v1[j][0]
		}
		return v1[i][1] < v1[j][1]
	})
	var parts []string
	for _, root := range append(v2, v1...) {
		if !probes.WildcardMatch(filter, root[0]) {
			continue
		}
		if p := u.pathIn(root[1], id); p != "" {
			parts = append(parts, root[0]+":"+p)
		}
	}
	return strings.Join(parts, ",")
}

// pathIn finds the directory under base whose inode number is id and
// returns its path relative to base ("/" for base itself), remembering it
// while it stays valid.
func (u *userSpace) pathIn(base string, id uint64) string {
	u.mu.Lock()
	defer u.mu.Unlock()
	key := base + "\x00" + strconv.FormatUint(id, 10)
	if p, ok := u.cgroups[key]; ok && inode(filepath.Join(base, p)) == id {
		return p
	}
	if u.cgroups == nil {
		u.cgroups = map[string]string{}
	}
	if inode(base) == id {
		u.cgroups[key] = "/"
		return "/"
	}
	found := ""
	_ = filepath.WalkDir(base, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() || path == base {
			return nil
		}
		if inode(path) == id {
			found = strings.TrimPrefix(path, base)
			return fs.SkipAll
		}
		return nil
	})
	if found != "" {
		u.cgroups[key] = found
	}
	return found
}

func inode(path string) uint64 {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return 0
	}
	return st.Ino
}

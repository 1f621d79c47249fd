package probes

import (
	"errors"
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/runtime/output"
)

// CgroupID is the cgroup v2 id of the cgroup directory at path: the 64-bit
// handle that name_to_handle_at gives for it (which bpf_get_current_cgroup_id
// returns for the tasks in it).
func CgroupID(path string) (uint64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return 0, errors.New(output.StrerrorText(errnoOf(err)))
	}
	if st.Type != unix.CGROUP2_SUPER_MAGIC {
		return 0, fmt.Errorf("not a cgroup v2 directory")
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
func (t *Env) CgroupID(path string) (uint64, error) { return CgroupID(path) }

// errnoOf is err's errno, EIO when it has none.
func errnoOf(err error) int64 {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return int64(errno)
	}
	return int64(syscall.EIO)
}

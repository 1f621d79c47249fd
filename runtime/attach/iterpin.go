package attach

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/runtime/host"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// A pinned iterator (iter:NAME:PIN) is not run: its link is pinned in
// bpffs and gobpftrace ends, as bpftrace does. Each read of the file runs
// the iterator and returns what its printf() wrote; the pin, and with it
// the program and its maps, stays until the file is removed (rm PATH).

// bpffsDir is where bpffs is mounted by convention; gobpftrace mounts it
// there for a pin below it when nothing is mounted.
const bpffsDir = "/sys/fs/bpf"

// PinnedIter is the link of a pinned iterator, which PinIterators pins
// at Path instead of running it.
type PinnedIter struct {
	*link.Iter
	Path string
}

// pinFailed starts every error about a pin, in bpftrace's words.
const pinFailed = "Failed to pin iter probe link"

// CheckPins checks, before anything runs, that the pins of the pinned
// iterators among progs can be made: the file is new and its directory in
// bpffs. It mounts bpffs at /sys/fs/bpf for a pin below it when none is
// mounted there.
func CheckPins(progs []*codegen.Program) error {
	for _, p := range progs {
		if Provider(p) != probetype.Iter || p.Attach.Pin == "" {
			continue
		}
		if err := checkPin(p.Attach.Pin); err != nil {
			return err
		}
	}
	return nil
}

func checkPin(path string) error {
	dir := filepath.Dir(path)
	if strings.HasPrefix(path, bpffsDir+"/") && !isBpffs(bpffsDir) {
		if err := unix.Mount("bpf", bpffsDir, "bpf", 0, "mode=0700"); err != nil {
			if host.IsPermission(err) && !host.Privileged() {
				return host.PrivilegeError()
			}
			return fmt.Errorf("%s: no BPF file system (bpffs) is mounted at %s, and mounting one failed (%s)\nHINT: mount it with: mount -t bpf bpf %s",
				pinFailed, bpffsDir, host.ErrnoText(err), bpffsDir)
		}
	}
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		if errors.Is(err, unix.ENOENT) {
			return fmt.Errorf("%s: the directory %s does not exist\nHINT: create it in bpffs (mkdir %s), or pin under %s", pinFailed, dir, dir, bpffsDir)
		}
		return fmt.Errorf("%s: %s: %s", pinFailed, dir, host.ErrnoText(err))
	}
	if st.Type != unix.BPF_FS_MAGIC {
		return fmt.Errorf("%s: %s is not on a BPF file system (bpffs)\nHINT: pin under %s, or mount a bpffs there: mount -t bpf bpf %s", pinFailed, dir, bpffsDir, dir)
	}
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("%s: %s already exists\nHINT: a pinned iterator stays until its file is removed: rm %s, or choose another pin", pinFailed, path, path)
	}
	return nil
}

// isBpffs reports whether dir is the root or a directory of a bpffs.
func isBpffs(dir string) bool {
	var st unix.Statfs_t
	return unix.Statfs(dir, &st) == nil && st.Type == unix.BPF_FS_MAGIC
}

// PinIterators pins the pinned iterators among the attached links and
// returns their paths.
func PinIterators(attached []io.Closer) ([]string, error) {
	var paths []string
	for _, c := range attached {
		pi, ok := c.(*PinnedIter)
		if !ok {
			continue
		}
		if err := pi.Pin(pi.Path); err != nil {
			if errors.Is(err, unix.EEXIST) {
				return paths, fmt.Errorf("%s: %s already exists\nHINT: a pinned iterator stays until its file is removed: rm %s, or choose another pin", pinFailed, pi.Path, pi.Path)
			}
			return paths, fmt.Errorf("%s: %s: %s", pinFailed, pi.Path, host.ErrnoText(err))
		}
		paths = append(paths, pi.Path)
	}
	return paths, nil
}

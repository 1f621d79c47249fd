package tracefs

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/runtime/host"
)

// defaultTracefs is where tracefs lives on current systems, and where we
// mount it when it is missing.
const defaultTracefs = "/sys/kernel/tracing"

// legacyTracefs is the debugfs path older systems use.
const legacyTracefs = "/sys/kernel/debug/tracing"

var (
	tracefsOnce sync.Once
	tracefsDir  string
	tracefsErr  error
)

// TracefsDir returns the tracefs mount point, mounting tracefs at
// /sys/kernel/tracing when it is missing and we are root. The answer is
// computed once per process.
func Dir() (string, error) {
	tracefsOnce.Do(func() { tracefsDir, tracefsErr = findOrMountTracefs() })
	return tracefsDir, tracefsErr
}

func findOrMountTracefs() (string, error) {
	if dir := mountedTracefs("/proc/self/mounts"); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "events")); err != nil {
			if host.IsPermission(err) && !host.Privileged() {
				return "", host.PrivilegeError()
			}
			if host.IsPermission(err) {
				// Privileged by capabilities, but tracefs is root's.
				return "", fmt.Errorf("cannot read tracefs at %s: %s (tracepoints need root, or CAP_DAC_READ_SEARCH besides the capabilities to trace)", dir, host.ErrnoText(err))
			}
			return "", fmt.Errorf("cannot read tracefs at %s: %s", dir, host.ErrnoText(err))
		}
		return dir, nil
	}
	for _, dir := range []string{defaultTracefs, legacyTracefs} {
		if IsDir(filepath.Join(dir, "events")) {
			return dir, nil
		}
	}
	if os.Geteuid() != 0 {
		if !host.Privileged() {
			return "", host.PrivilegeError()
		}
		return "", errors.New("tracefs is not mounted at " + defaultTracefs +
			": mount it with: mount -t tracefs nodev " + defaultTracefs)
	}
	if err := unix.Mount("nodev", defaultTracefs, "tracefs", 0, ""); err != nil {
		return "", fmt.Errorf("tracefs is not mounted and mounting it at %s failed (%s): mount it with: mount -t tracefs nodev %s",
			defaultTracefs, host.ErrnoText(err), defaultTracefs)
	}
	return defaultTracefs, nil
}

// mountedTracefs returns the first tracefs mount point listed in a mounts
// file, preferring /sys/kernel/tracing. It may be unreadable to non-root.
func mountedTracefs(mounts string) string {
	f, err := os.Open(mounts)
	if err != nil {
		return ""
	}
	defer f.Close()
	found := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 3 || fields[2] != "tracefs" {
			continue
		}
		dir := unescapeMountPath(fields[1])
		if dir == defaultTracefs {
			return dir
		}
		if found == "" {
			found = dir
		}
	}
	return found
}

// unescapeMountPath undoes the octal escapes (\040 for space...) of
// /proc/self/mounts.
func unescapeMountPath(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			var v byte
			ok := true
			for _, c := range []byte(s[i+1 : i+4]) {
				if c < '0' || c > '7' {
					ok = false
					break
				}
				v = v*8 + (c - '0')
			}
			if ok {
				b.WriteByte(v)
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func IsDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

// HasKprobes reports whether the kernel has kprobes (CONFIG_KPROBES): the
// kprobe PMU or tracefs' kprobe_events.
func HasKprobes() bool {
	if _, err := os.Stat("/sys/bus/event_source/devices/kprobe"); err == nil {
		return true
	}
	dir, err := Dir()
	if err != nil {
		return false
	}
	_, err = os.Stat(filepath.Join(dir, "kprobe_events"))
	return err == nil
}

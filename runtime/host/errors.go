package host

import (
	"errors"
	"io/fs"
	"strings"

	"golang.org/x/sys/unix"
)

// ErrnoText describes an error in words, without Go's "open /x:" prefixes
// or raw errno numbers: "permission denied", "no such file or directory".
func ErrnoText(err error) string {
	var errno unix.Errno
	if errors.As(err, &errno) {
		return errno.Error()
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// IsPermission reports whether err means we lack privileges.
func IsPermission(err error) bool {
	return errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES)
}

// privilegeMessage says exactly what privileged() checks.
const privilegeMessage = "gobpftrace must be run as root (user id 0), or with the capability CAP_SYS_ADMIN, or with both CAP_BPF and CAP_PERFMON"

// PrivilegeError is the message for missing privileges.
func PrivilegeError() error {
	return errors.New(privilegeMessage)
}

// firstLine keeps the first line of a message.
func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

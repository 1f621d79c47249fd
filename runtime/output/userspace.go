package output

import (
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gobpftrace/gobpftrace/lang"
)

// UserSpace answers what values formatted in user space need from the
// system: strftime()'s clock, username's user names and cgroup_path()'s
// paths. The runtime provides one per run (Formatter.UserSpace); without
// one, timestamps count from the Unix epoch and names print as numbers.
type UserSpace interface {
	// WallOffset is what to add to an nsecs timestamp to get Unix time in
	// nanoseconds.
	WallOffset() int64
	// Username is the name of uid.
	Username(uid uint32) (string, bool)
	// CgroupPath is the path of cgroup id in every hierarchy whose name
	// matches filter ("unified" for cgroup v2), as "name:path" joined by ",".
	CgroupPath(id uint64, filter string) string
}

// strftimeText formats strftime(format, ns): ns is an nsecs timestamp.
func (f *Formatter) strftimeText(format string, ns uint64) string {
	if format == "" {
		return ""
	}
	wall := int64(ns)
	if u := f.UserSpace; u != nil {
		wall += u.WallOffset()
	}
	return Strftime(format, time.Unix(0, wall))
}

// StrerrorText is C's strerror(errno) text, as glibc words it.
func StrerrorText(errno int64) string {
	if errno > 0 && errno < 4096 {
		s := syscall.Errno(errno).Error()
		if s != "" && !strings.HasPrefix(s, "errno ") {
			return strings.ToUpper(s[:1]) + s[1:]
		}
	}
	if errno == 0 {
		return "Success"
	}
	return "Unknown error " + strconv.FormatInt(errno, 10)
}

// usernameText is the user name of uid (the number when unknown).
func (f *Formatter) usernameText(uid uint32) string {
	if u := f.UserSpace; u != nil {
		if name, ok := u.Username(uid); ok {
			return name
		}
	}
	return strconv.FormatUint(uint64(uid), 10)
}

func (f *Formatter) cgroupPathText(id uint64, filter string) string {
	if u := f.UserSpace; u != nil {
		return u.CgroupPath(id, filter)
	}
	return ""
}

// inetText is ntop()'s text: inet_ntop of an AF_INET or AF_INET6 address.
func inetText(b []byte) string {
	if len(b) < 24 {
		return ""
	}
	af, addr := readUint(b, 8), b[8:24]
	switch af {
	case 2:
		return netip.AddrFrom4([4]byte(addr[:4])).String()
	case 10:
		a := netip.AddrFrom16([16]byte(addr))
		// glibc writes ::a.b.c.d for an IPv4-compatible address (the first
		// six words zero, the seventh not).
		zero := true
		for _, c := range addr[:12] {
			zero = zero && c == 0
		}
		if zero && (addr[12] != 0 || addr[13] != 0) {
			return "::" + netip.AddrFrom4([4]byte(addr[12:])).String()
		}
		return a.String()
	}
	return ""
}

// decodeUserSpace decodes the kinds formatted in user space.
func (f *Formatter) decodeUserSpace(t *lang.Type, b []byte) (item, bool) {
	switch t.Kind {
	case lang.KTimestamp:
		return strItem(f.strftimeText(t.Name, readUint(b, 8))), true
	case lang.KStrerror:
		return strItem(StrerrorText(readInt(b, 8))), true
	case lang.KUsername:
		return strItem(f.usernameText(uint32(readUint(b, 8)))), true
	case lang.KSyscallName:
		return strItem(SyscallNameText(readInt(b, 8))), true
	case lang.KSignalName:
		return strItem(SignalNameText(readInt(b, 8))), true
	case lang.KCgroupPath:
		return strItem(f.cgroupPathText(readUint(b, 8), t.Name)), true
	case lang.KInet:
		return strItem(inetText(b)), true
	}
	return item{}, false
}

package output

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/gobpftrace/gobpftrace/lang"
)

type fakeUserSpace struct{ wall int64 }

func (f fakeUserSpace) WallOffset() int64 { return f.wall }
func (fakeUserSpace) Username(uid uint32) (string, bool) {
	if uid == 0 {
		return "root", true
	}
	return "", false
}
func (fakeUserSpace) CgroupPath(id uint64, filter string) string {
	if filter == "unified" || filter == "*" {
		return "unified:/a/b"
	}
	return ""
}

func TestStrftimeText(t *testing.T) {
	t.Setenv("TZ", "UTC")
	// 2024-03-05 06:07:08.123456789 UTC, given as 1000 s of "uptime" past
	// a boot time that the offset holds.
	at := time.Date(2024, 3, 5, 6, 7, 8, 123456789, time.UTC)
	uptime := int64(1000e9)
	f := &Formatter{UserSpace: fakeUserSpace{wall: at.UnixNano() - uptime}}
	for format, want := range map[string]string{
		"%Y-%m-%d %H:%M:%S": "2024-03-05 06:07:08",
		"%H:%M:%S.%f":       "06:07:08.123456",
		"%s":                "1709618828",
		"":                  "",
	} {
		if got := f.strftimeText(format, uint64(uptime)); got != want {
			t.Errorf("strftime(%q) = %q, want %q", format, got, want)
		}
	}
}

func TestStrerrorText(t *testing.T) {
	for errno, want := range map[int64]string{
		1: "Operation not permitted", 2: "No such file or directory", 13: "Permission denied",
		0: "Success", 5000: "Unknown error 5000", -3: "Unknown error -3",
		73: "RFS specific error", // a text that starts with a capital already
	} {
		if got := StrerrorText(errno); got != want {
			t.Errorf("strerror(%d) = %q, want %q", errno, got, want)
		}
	}
}

func TestInetText(t *testing.T) {
	inet := func(af uint64, addr ...byte) []byte {
		b := make([]byte, 24)
		binary.LittleEndian.PutUint64(b, af)
		copy(b[8:], addr)
		return b
	}
	for _, c := range []struct {
		b    []byte
		want string
	}{
		{inet(2, 127, 0, 0, 1), "127.0.0.1"},
		{inet(10, a16(0, 0xfe, 1, 0x80, 15, 1)...), "fe80::1"},
		{inet(10, a16(15, 1)...), "::1"},
		{inet(10), "::"},
		{inet(10, a16(10, 0xff, 11, 0xff, 12, 1, 13, 2, 14, 3, 15, 4)...), "::ffff:1.2.3.4"},
		{inet(10, a16(12, 1, 13, 2, 14, 3, 15, 4)...), "::1.2.3.4"},
		{inet(10, a16(0, 0x20, 1, 0x01, 2, 0x0d, 3, 0xb8, 5, 1, 9, 1, 15, 1)...), "2001:db8:1:0:1::1"},
	} {
		if got := inetText(c.b); got != c.want {
			t.Errorf("ntop(% x) = %q, want %q", c.b, got, c.want)
		}
	}
}

// a16 is a 16-byte address given as index, value pairs.
func a16(pairs ...byte) []byte {
	b := make([]byte, 16)
	for i := 0; i+1 < len(pairs); i += 2 {
		b[pairs[i]] = pairs[i+1]
	}
	return b
}

func TestUserSpaceValues(t *testing.T) {
	f := &Formatter{UserSpace: fakeUserSpace{}}
	u := func(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }
	for _, c := range []struct {
		t    *lang.Type
		b    []byte
		want string
	}{
		{&lang.Type{Kind: lang.KUsername, Size: 8}, u(0), "root"},
		{&lang.Type{Kind: lang.KUsername, Size: 8}, u(4242), "4242"},
		{&lang.Type{Kind: lang.KCgroupPath, Size: 8, Name: "*"}, u(9), "unified:/a/b"},
		{&lang.Type{Kind: lang.KCgroupPath, Size: 8, Name: "cpu"}, u(9), ""},
		{&lang.Type{Kind: lang.KStrerror, Size: 8}, u(2), "No such file or directory"},
		{&lang.Type{Kind: lang.KMacaddr, Size: 6}, []byte{0x18, 0xc0, 0x4d, 8, 0x2e, 0xbb}, "18:C0:4D:08:2E:BB"},
	} {
		if got := f.Value(c.t, c.b); got != c.want {
			t.Errorf("%s: %q, want %q", c.t, got, c.want)
		}
	}
}

func TestJSONPrintErrorAndSyscall(t *testing.T) {
	got := printed("json", plain, func(p Printer) {
		p.ScriptError(lang.Span{Start: lang.Pos{Line: 1, Col: 9}}, "bad \"x\"")
		p.System("hi\n")
	})
	want := `{"type": "print_error", "msg": "bad \"x\"", "filename": "stdin", "line": 1, "col": 9}` + "\n" +
		`{"type": "syscall", "data": "hi\n"}` + "\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

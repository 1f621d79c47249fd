package check

import (
	"strings"
	"testing"
)

// write_user() with --unsafe: what it writes to and from, and how much.
func TestWriteUserMisuse(t *testing.T) {
	for src, want := range map[string]string{
		`BEGIN { write_user(0, 1, 1) }`:                   "stdin:1:23-24: ERROR: write_user() writes the bytes of a string, array, struct or tuple (int8 provided)",
		`BEGIN { $s = "ab"; write_user(0, $s, 4) }`:       "stdin:1:38-39: ERROR: write_user() length must be between 1 and the value's size, 3 (4 provided)",
		`BEGIN { $s = "ab"; write_user("x", $s, 1) }`:     "stdin:1:31-34: ERROR: write_user() writes to an address: a pointer or an integer (string[2] provided)",
		`BEGIN { $s = "ab"; @ok = write_user(0, $s, 3) }`: "",
	} {
		_, _, err := run(t, src, Options{Unsafe: true})
		got := ""
		if err != nil {
			got = strings.SplitN(err.Error(), "\n", 2)[0]
		}
		if got != want {
			t.Errorf("%s:\ngot  %s\nwant %s", src, got, want)
		}
	}
}

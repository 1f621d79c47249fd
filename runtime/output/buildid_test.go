package output

import "testing"

// A build-id frame prints as bpftrace prints it: the build id in hex and
// the offset with at least two digits, or the bare address in hex.
func TestBuildIDLine(t *testing.T) {
	var id [20]byte
	for i := range id {
		id[i] = byte(i * 13)
	}
	for _, c := range []struct {
		f    BuildIDFrame
		want string
	}{
		{BuildIDFrame{HasBuildID: true, BuildID: id, Offset: 0x1139}, "000d1a2734414e5b6875828f9ca9b6c3d0ddeaf7 0x1139"},
		{BuildIDFrame{HasBuildID: true, BuildID: id, Offset: 0x5}, "000d1a2734414e5b6875828f9ca9b6c3d0ddeaf7 0x05"},
		{BuildIDFrame{Offset: 0x7fff12345678}, "7fff12345678"},
	} {
		if got := buildIDLine(c.f); got != c.want {
			t.Errorf("%+v: %q, want %q", c.f, got, c.want)
		}
	}
}

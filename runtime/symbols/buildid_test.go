package symbols

import (
	"encoding/binary"
	"fmt"
	"testing"
)

// A build-id stack map value: frames with a build id and a file offset
// (status 1), with only an address (status 2), up to the first empty one.
func TestBuildIDFrames(t *testing.T) {
	val := make([]byte, 4*32)
	put := func(i int, status uint32, id byte, off uint64) {
		binary.LittleEndian.PutUint32(val[32*i:], status)
		for k := 0; k < 20; k++ {
			val[32*i+4+k] = id + byte(k)
		}
		binary.LittleEndian.PutUint64(val[32*i+24:], off)
	}
	put(0, 1, 0xa0, 0x1139)
	put(1, 2, 0, 0x7fff12345678)
	put(3, 1, 0xb0, 0x10) // after the empty frame 2: not read
	frames := buildIDFrames(val)
	got := fmt.Sprintf("%d %v %x %#x | %v %#x", len(frames), frames[0].HasBuildID, frames[0].BuildID, frames[0].Offset, frames[1].HasBuildID, frames[1].Offset)
	if want := "2 true a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3 0x1139 | false 0x7fff12345678"; got != want {
		t.Errorf("frames %s, want %s", got, want)
	}
}

package output

import (
	"errors"
	"reflect"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang"
)

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

// buildIDSymbols holds one build-id stack, id 1.
type buildIDSymbols struct{ stackSymbols }

func (buildIDSymbols) BuildIDStack(limit int, id int64) ([]BuildIDFrame, error) {
	if id == 1 {
		return []BuildIDFrame{{Offset: 0x1234}}, nil
	}
	return nil, errors.New("BPF map operation lookup failed: No such file or directory [map = stackbid3]")
}

// A build-id stack the kernel could not record prints empty after the
// error, with the stack's length from the value's upper half.
func TestBuildIDStackLost(t *testing.T) {
	var errs []string
	f := &Formatter{Symbols: buildIDSymbols{}, Errors: func(msg string) { errs = append(errs, msg) }}
	ty := &lang.Type{Kind: lang.KStack, Name: "ustack", Size: 16, StackLimit: 3, StackMode: "build_id", UserSpace: true}
	value := func(id uint64) []byte { return append(u64(id), u64(42)...) }
	if got := f.Value(ty, value(1)); got != "\n1234\n" {
		t.Errorf("stack 1: %q", got)
	}
	if got := f.Value(ty, value(3<<32|uint64(uint32(0xffffffef)))); got != "" {
		t.Errorf("lost stack: %q", got)
	}
	want := []string{"failed to look up stack id: -17 stack length: 3 (pid 42): BPF map operation lookup failed: No such file or directory [map = stackbid3]"}
	if !reflect.DeepEqual(errs, want) {
		t.Errorf("errors %q, want %q", errs, want)
	}
}

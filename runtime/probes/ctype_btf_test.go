package probes

import (
	"testing"

	"github.com/gobpftrace/gobpftrace/runtime/tracefs"
)

// Enum fields keep their enum's name and struct pointers their struct's,
// for the checker to complete from kernel BTF.
func TestFieldTypesNamedForBTF(t *testing.T) {
	for _, c := range []struct {
		f    tracefs.FormatField
		want string
		enum string
	}{
		{tracefs.FormatField{CType: "enum skb_drop_reason", Size: 4, ArrayLen: -1}, "uint32", "enum skb_drop_reason"},
		{tracefs.FormatField{CType: "const struct __kernel_timespec *", Size: 8, ArrayLen: -1}, "struct __kernel_timespec *", ""},
		{tracefs.FormatField{CType: "union bpf_attr *", Size: 8, ArrayLen: -1}, "union bpf_attr *", ""},
		{tracefs.FormatField{CType: "void *", Size: 8, ArrayLen: -1}, "uint8 *", ""},
	} {
		got := tracefs.FieldType(&c.f)
		if got.String() != c.want {
			t.Errorf("%s: %s, want %s", c.f.CType, got, c.want)
		}
		if c.enum != "" && (got.Enum == nil || got.Enum.Name != c.enum) {
			t.Errorf("%s: enum %+v, want %s", c.f.CType, got.Enum, c.enum)
		}
	}
}

package check

import (
	"reflect"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang"
)

// SeqPrintfFormat turns a printf format into the kernel's for
// bpf_seq_printf, and refuses what the kernel cannot format.
func TestSeqPrintfFormat(t *testing.T) {
	str := lang.StringType(16)
	ptr := &lang.Type{Kind: lang.KPtr, Size: 8, Elem: lang.TUint8}
	for _, tc := range []struct {
		format string
		types  []*lang.Type
		want   string
		convs  []SeqConv
		msg    string
	}{
		{"none %%\n", nil, "none %%\n", nil, ""},
		{"%d %-5u|%05x %X %i", []*lang.Type{lang.TInt8, lang.TUint64, lang.TInt32, ptr, lang.TBool},
			"%lld %-5llu|%05llx %llX %lli",
			[]SeqConv{{Bits: 32, Signed: true}, {Bits: 32}, {Bits: 32}, {Bits: 32}, {Bits: 32, Signed: true}}, ""},
		{"%hhd %hu %ld %llx %zu", []*lang.Type{lang.TInt64, lang.TInt64, lang.TInt64, lang.TInt64, lang.TInt64},
			"%lld %llu %lld %llx %llu",
			[]SeqConv{{Bits: 8, Signed: true}, {Bits: 16}, {Bits: 64, Signed: true}, {Bits: 64}, {Bits: 64}}, ""},
		{"%-16s %c", []*lang.Type{str, lang.TUint8}, "%-16s %c", []SeqConv{{String: true}, {Bits: 8}}, ""},
		{"%p", []*lang.Type{ptr}, "", nil, "'%p' is not a conversion the kernel's bpf_seq_printf formats (flags - + 0 and space, a width, then d i u x X c or s)"},
		{"%#x", []*lang.Type{lang.TInt64}, "", nil, "'%#' is not a conversion the kernel's bpf_seq_printf formats (flags - + 0 and space, a width, then d i u x X c or s)"},
		{"%5.3d", []*lang.Type{lang.TInt64}, "", nil, "'%5.3d' has a precision, which the kernel's bpf_seq_printf does not take"},
		{"%s", []*lang.Type{lang.TInt64}, "", nil, "%s prints a string here (int64 provided)"},
		{"%d", []*lang.Type{str}, "", nil, "%d prints an integer or a pointer here (string[16] provided)"},
		{"\x1b[31m%d", []*lang.Type{lang.TInt64}, "", nil, "the kernel's bpf_seq_printf formats only printable ASCII text (byte 0x1b at 0)"},
		{"é", nil, "", nil, "the kernel's bpf_seq_printf formats only printable ASCII text (byte 0xc3 at 0)"},
	} {
		got, convs, msg := SeqPrintfFormat(tc.format, tc.types)
		if got != tc.want || msg != tc.msg || !reflect.DeepEqual(convs, tc.convs) {
			t.Errorf("SeqPrintfFormat(%q) = %q, %+v, %q; want %q, %+v, %q", tc.format, got, convs, msg, tc.want, tc.convs, tc.msg)
		}
	}
}

package check

import (
	"testing"

	"github.com/gobpftrace/gobpftrace/lang"
)

// Tuples whose field holds uint64 in one store and a signed value in
// another go into one map or variable as bpftrace v0.26 puts them: the
// field becomes an int64 and each store that may not fit it is converted
// with the cast warning, at the field's expression in a tuple literal and
// at the whole value otherwise. A field some integer type holds both of
// (uint32 and int32 give int64) converts without a warning.
func TestTupleSignMix(t *testing.T) {
	const castWarning = "WARNING: Expression of type: uint64 being cast to type: int64.\nThis may cause unexpected results. Use an explicit cast to suppress this warning.\n"
	tests := []struct {
		src, typ, want string
	}{
		{`BEGIN { @m = (1, (uint64)2); @m = (1, (int64)-1) }`, "@m (int8,int64)",
			"stdin:1:18-27: " + castWarning + "BEGIN { @m = (1, (uint64)2); @m = (1, (int64)-1) }\n                 ~~~~~~~~~\n"},
		{`BEGIN { $t = ("a", nsecs); $t = ("b", -5) }`, "$t (string[2],int64)",
			"stdin:1:20-25: " + castWarning + "BEGIN { $t = (\"a\", nsecs); $t = (\"b\", -5) }\n                   ~~~~~\n"},
		// A tuple that is not a literal is warned about as a whole.
		{`BEGIN { $u = (nsecs, 1); $t = $u; $t = ((int8)-1, 2) }`, "$t (int64,int8)",
			"stdin:1:31-33: " + castWarning + "BEGIN { $u = (nsecs, 1); $t = $u; $t = ((int8)-1, 2) }\n                              ~~\n"},
		// Nested tuples, and map keys.
		{`BEGIN { @k[(1, ((uint64)3, 4))] = 1; @k[(1, ((int16)-3, 4))] = 2 }`, "@k key (int8,(int64,int8))",
			"stdin:1:17-26: " + castWarning + "BEGIN { @k[(1, ((uint64)3, 4))] = 1; @k[(1, ((int16)-3, 4))] = 2 }\n                ~~~~~~~~~\n"},
		{`BEGIN { @m = ((uint32)2, 1); @m = ((int32)-1, 2) }`, "@m (int64,int8)", ""},
		{`BEGIN { $t = ((uint64)2, 1); $t = ((uint8)1, 2) }`, "$t (uint64,int8)", ""},
	}
	for _, tc := range tests {
		prog, out := mustCheck(t, tc.src)
		got := ""
		for _, w := range out.Warnings {
			got += lang.Format(out.File, out.Source, w)
		}
		if got != tc.want {
			t.Errorf("%s:\ngot:\n%s\nwant:\n%s", tc.src, got, tc.want)
		}
		typ := ""
		switch {
		case tc.typ[0] == '$':
			s := varSyms(prog)
			typ = s[len(s)-1].Name + " " + s[len(s)-1].Type.String()
		case out.Maps[0].Key != nil:
			typ = out.Maps[0].Name + " key " + out.Maps[0].Key.String()
		default:
			typ = out.Maps[0].Name + " " + out.Maps[0].Value.String()
		}
		if typ != tc.typ {
			t.Errorf("%s: %s, want %s", tc.src, typ, tc.typ)
		}
	}
}

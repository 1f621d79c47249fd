package output

import (
	"testing"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
)

// record packs printf arguments after the 8-byte event id header, each at
// its own alignment, and returns the event and the record.
func record(format string, args ...any) (*codegen.Event, []byte) {
	ev := &codegen.Event{Kind: codegen.EvPrintf, Format: format}
	rec := make([]byte, codegen.EventHeaderSize)
	for _, a := range args {
		var t *lang.Type
		var v any = a
		switch x := a.(type) {
		case int:
			t = lang.TInt64
		case string:
			t = lang.StringType(16)
		case typed:
			t, v = x.t, x.v
		}
		for len(rec)%codegen.Alignof(t) != 0 {
			rec = append(rec, 0)
		}
		ev.Args = append(ev.Args, &codegen.EventArg{Offset: len(rec), Type: t})
		if t.Kind == lang.KBuffer {
			s := v.(string)
			b := make([]byte, 4+t.Size)
			b[0] = byte(len(s))
			copy(b[4:], s)
			rec = append(rec, b...)
			continue
		}
		rec = append(rec, encode(t, v)...)
	}
	ev.Size = len(rec)
	return ev, rec
}

type typed struct {
	t *lang.Type
	v any
}

func TestPrintf(t *testing.T) {
	cases := []struct {
		format string
		args   []any
		want   string
	}{
		// Same output from bpftrace v0.17 (captured) and v0.26.
		{"%ld|%lu|%lld|%llu|%lx|%hhd|%hd|%hu|%hhu\n", []any{-1, -1, -2, -2, -1, 300, 70000, -1, -1},
			"-1|18446744073709551615|-2|18446744073709551614|ffffffffffffffff|44|4464|65535|255\n"},
		{"[%s][%10s][%-10s][%c][%%][%5c]\n", []any{"abc", "abc", "abc", 65, 66}, "[abc][       abc][abc       ][A][%][    B]\n"},
		{"[%5d][%-5d][%05d]\n", []any{42, 42, 42}, "[   42][42   ][00042]\n"},
		{"[%p]\n", []any{4096}, "[0x1000]\n"},
		{"[%d][%d]\n", []any{typed{lang.TInt8, -3}, typed{lang.TUint8, 250}}, "[-3][250]\n"},
		{"[%llx][%jd][%zd]\n", []any{0x12345678abcdef, -1, -1}, "[12345678abcdef][-1][-1]\n"},
		{"value: %dms100\n", []any{100}, "value: 100ms100\n"},
		{"%dst: %sa; %dnd: %sb;;\n", []any{1, "a", 2, "ab"}, "1st: aa; 2nd: abb;;\n"},
		{"%hhx %hx %jx\n", []any{0x12345678abcdef, 0x12345678abcdef, 0x12345678abcdef}, "ef cdef 12345678abcdef\n"},
		{"%X %o %#x %#o %i\n", []any{255, 8, 255, 8, -5}, "FF 10 0xff 010 -5\n"},
		{"%-8s|%8s|\n", []any{"TID", "PID"}, "TID     |     PID|\n"},
		{"%s\n", []any{typed{lang.StringType(4), "abcd"}}, "abcd..\n"},
		{"%r|%rx|%rh\n", []any{typed{&lang.Type{Kind: lang.KBuffer, Size: 6}, "Hi\x00\n"}, typed{&lang.Type{Kind: lang.KBuffer, Size: 6}, "Hello\x00"},
			typed{&lang.Type{Kind: lang.KBuffer, Size: 6}, "Hello\x00"}}, `Hi\x00\x0a|\x48\x65\x6c\x6c\x6f\x00|48 65 6c 6c 6f 00` + "\n"},
		{"%s %d\n", []any{typed{tuple(lang.TInt64, lang.StringType(8)), []any{1, "x"}}, typed{lang.TBool, 1}}, "(1, x) 1\n"},
		// v0.26 converts an integer to the C type of the length modifier,
		// int or unsigned int (32 bits) without one, as C's printf does.
		{"%d|%u|%x\n", []any{0x100000001, typed{lang.TInt32, -3}, typed{lang.TInt16, -1}}, "1|4294967293|ffffffff\n"},
		{"%hhx %hx %x %jx\n", []any{0x12345678abcdef, 0x12345678abcdef, 0x12345678abcdef, 0x12345678abcdef}, "ef cdef 78abcdef 12345678abcdef\n"},
		{"[%d][%u][%x][%x][%X]\n", []any{typed{lang.TInt32, -100}, -1, typed{lang.TInt8, -1}, typed{lang.TInt16, -2}, typed{lang.TInt16, -2}}, "[-100][4294967295][ffffffff][fffffffe][FFFFFFFE]\n"},
		{"[%ld][%lu][%llx][%zd][%td][%lo]\n", []any{0x1ffffffff, -1, typed{lang.TInt8, -1}, -5, 0x100000000, 0x100000000}, "[8589934591][18446744073709551615][ffffffffffffffff][-5][4294967296][40000000000]\n"},
		{"[%d][%i][%o][%Lu][%llld]\n", []any{typed{lang.TUint32, 4294967295}, 0xfffffffe, 0x1ffffffff, -1, 0x100000002}, "[-1][-2][37777777777][4294967295][2]\n"},
		{"[%hhd][%hhu][%hd][%hu][%5d][%-6x|]\n", []any{255, -1, 0x18000, -1, typed{lang.TInt32, -7}, -1}, "[-1][255][-32768][65535][   -7][ffffffff|]\n"},
		// v0.26 ignores precision for integers and strings (v0.17: "007", "ab").
		{"[%.3d][%8.3d][%.2s]\n", []any{7, 7, "abcdef"}, "[7][       7][abcdef]\n"},
		// Zero padding goes after the sign or base prefix; '-' wins over '0'.
		// v0.26's streams: the 0 fill goes before the sign and the base
		// prefix, and after the text with '-'; it pads strings too.
		{"[%05d][%+05d][%#06x][%-05d][%+d][%+u][%05s]\n", []any{-42, 42, 255, 7, 3, 3, "ab"}, "[00-42][00+42][000xff][70000][+3][3][000ab]\n"},
		{"[%p]\n", []any{0}, "[0]\n"},
		{"100%% done, %q stays\n", nil, "100% done, %q stays\n"},
	}
	for _, c := range cases {
		ev, rec := record(c.format, c.args...)
		got, err := plain.Sprintf(ev, rec)
		if err != nil {
			t.Errorf("Sprintf(%q): %v", c.format, err)
			continue
		}
		if got != c.want {
			t.Errorf("Sprintf(%q) = %q, want %q", c.format, got, c.want)
		}
	}
}

func TestPrintfShortRecord(t *testing.T) {
	ev, rec := record("%d %d\n", 1, 2)
	if _, err := plain.Sprintf(ev, rec[:12]); err == nil {
		t.Error("want an error for a truncated record")
	}
}

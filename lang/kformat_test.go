package lang

import (
	"fmt"
	"testing"
)

// The scanner splits a format into text (with "%%" kept as written) and
// conversions, reading flags by the syntax's sets in order, then the
// length modifier, then whatever byte comes next as the letter.
func TestScanKernelFormat(t *testing.T) {
	ordered := KernelFormatSyntax{Flags: []string{"-+ 0", "0123456789"}, Length: "hl"}
	anyOrder := KernelFormatSyntax{Flags: []string{"-+ 0123456789."}, Length: "hl"}
	for _, tc := range []struct {
		format string
		syn    KernelFormatSyntax
		want   string
	}{
		{"a %d b", ordered, `["a " %[2:4]""""d " b"]`},
		{"100%% %-08lx", ordered, `["100%% " %[6:12]"-08""l"x]`},
		{"%5-d", ordered, `[%[0:3]"5"""- "d"]`},
		{"%5-d", anyOrder, `[%[0:4]"5-"""d]`},
		{"%.3hhd", ordered, `[%[0:2]"""". "3hhd"]`},
		{"%.3hhd", anyOrder, `[%[0:6]".3""hh"d]`},
		{"x%", ordered, `["x" %[1:2]""""\x00]`},
		{"%l", ordered, `[%[0:2]"""l"\x00]`},
		{"", ordered, `[]`},
	} {
		got := "["
		for i, p := range ScanKernelFormat(tc.format, tc.syn) {
			if i > 0 {
				got += " "
			}
			if !p.Conv {
				got += fmt.Sprintf("%q", p.Text)
				continue
			}
			got += fmt.Sprintf("%%[%d:%d]%q%q%s", p.Start, p.End, p.Flags, p.Length, verbText(p.Verb))
		}
		got += "]"
		if got != tc.want {
			t.Errorf("%q: %s, want %s", tc.format, got, tc.want)
		}
	}
}

func verbText(v byte) string {
	if v == 0 {
		return `\x00`
	}
	return string(v)
}

package check

import (
	"fmt"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang"
)

// TestFoldedLiterals checks the value and type that literal arithmetic
// folds to (fold.go), and where it refuses to fold.
func TestFoldedLiterals(t *testing.T) {
	tests := []struct{ expr, want string }{
		{`1 + 2`, "3 int8"},
		{`1 - 2`, "-1 int8"},
		{`200 * 2`, "400 int16"},
		{`-(1 + 2)`, "-3 int8"},
		{`-(-5)`, "5 int8"},
		{`7 / -2`, "-3 int8"},
		{`-7 % 3`, "-1 int8"},
		{`-8 >> 1`, "-4 int8"},
		{`1 << 40`, "1099511627776 int64"},
		{`-1 & 0xff`, "255 int16"},
		{`-1 | 0`, "-1 int8"},
		{`~1`, "18446744073709551614 uint64"},
		{`~-1`, "0 int8"},
		{`0xffffffffffffffff & 0xff`, "255 uint8"},
		{`0xffffffffffffffff - 1`, "18446744073709551614 uint64"},
		{`0x7fffffffffffffff + 1`, "9223372036854775808 uint64"},
		{`-9223372036854775807 - 1`, "-9223372036854775808 int64"},
		{`0 - 9223372036854775808`, "-9223372036854775808 int64"},
		{`-2 * -3`, "6 int8"},
		{`1 + 2 * 3 - 4`, "3 int8"},
		// Left to the program: shifts by 64 or more.
		{`1 << 64`, "not folded"},
		{`1 / 0`, "error"},
		{`5 % 0`, "error"},
		{`0xffffffffffffffff + 1`, "error"},
		{`0xffffffffffffffff * 2`, "error"},
		{`-9223372036854775807 - 2`, "error"},
		{`0 - 9223372036854775809`, "error"},
		{`0xffffffffffffffff + -1`, "error"},
	}
	for _, tc := range tests {
		prog, _, err := run(t, "BEGIN { $r = "+tc.expr+" }", Options{})
		got := "error"
		if err == nil {
			v := prog.Probes[0].Body.Stmts[0].(*lang.AssignStmt).Value
			f, ok := foldOperand(v)
			switch {
			case !ok:
				got = "not folded"
			case f.Negative:
				got = fmt.Sprintf("%d %s", int64(f.Value), v.Type())
			default:
				got = fmt.Sprintf("%d %s", f.Value, v.Type())
			}
		}
		if got != tc.want {
			t.Errorf("%s: %s, want %s", tc.expr, got, tc.want)
		}
	}
}

// Arithmetic on literals is a literal for is_literal(), as bpftrace folds
// it first.
func TestFoldedIsLiteral(t *testing.T) {
	for src, ok := range map[string]bool{
		`BEGIN { static_assert(is_literal(1 + 2), "folded") }`:        true,
		`BEGIN { static_assert(is_literal(-(1 + 2)), "folded") }`:     true,
		`BEGIN { static_assert(is_literal(pid + 2), "not folded") }`:  false,
		`BEGIN { static_assert(is_literal((uint8)1 + 2), "a cast") }`: false,
		// Positional parameters are literals: $1 is 42, $2 "hello", $3 missing.
		`BEGIN { static_assert(is_literal($1 + 1), "integer") }`:      true,
		`BEGIN { static_assert(is_literal($2), "text") }`:             true,
		`BEGIN { static_assert(is_literal($3), "missing") }`:          true,
		`BEGIN { static_assert(is_literal($#), "count") }`:            true,
		`BEGIN { static_assert(is_literal($1 + pid), "not folded") }`: false,
	} {
		_, _, err := run(t, src, Options{Params: testParams})
		if (err == nil) != ok {
			t.Errorf("%s: error %v", src, err)
		}
	}
}

// A positional parameter that is an integer is that literal: typed as it,
// folded with other literals, and too large a result is refused.
func TestPositionalLiterals(t *testing.T) {
	params := []string{"5", "-300", "9223372036854775807", "abc", "0xffffffffffffffff", "010"}
	for src, want := range map[string]string{
		`$r = $1`:           "5 int8",
		`$r = $2`:           "-300 int16",
		`$r = $1 + $2`:      "-295 int16",
		`$r = $9`:           "0 int8",
		`$r = $#`:           "6 uint8",
		`$r = $3 + 1`:       "9223372036854775808 uint64",
		`$r = $3 * 2 * 2`:   "error",
		`$r = $1; $r = pid`: "uint32",
		`$r = $5`:           "18446744073709551615 uint64",
		`$r = $5 + 1`:       "error",
		`$r = $6 * $1`:      "40 int8",
		`$r = -$1`:          "-5 int8",
		`$r = $4 + 1`:       "error",
		`$r = $4`:           "0 string[4]",
	} {
		prog, _, err := run(t, "BEGIN { "+src+" }", Options{Params: params})
		got := "error"
		if err == nil {
			a := prog.Probes[0].Body.Stmts[0].(*lang.AssignStmt)
			v := a.Value
			f, _ := foldOperand(v)
			got = fmt.Sprintf("%d %s", f.Value, v.Type())
			if f.Negative {
				got = fmt.Sprintf("%d %s", int64(f.Value), v.Type())
			}
			if len(prog.Probes[0].Body.Stmts) > 1 {
				got = a.Target.(*lang.Var).Sym.Type.String()
			}
		}
		if got != want {
			t.Errorf("%s: %s, want %s", src, got, want)
		}
	}
}

// A call's argument that is a positional parameter given text is the
// string literal of that text, accepted where a literal is required ($2
// is "hello"); an integer parameter stays an integer.
func TestPositionalTextArgument(t *testing.T) {
	for src, ok := range map[string]bool{
		`BEGIN { printf($2) }`:                        true,
		`BEGIN { static_assert(is_literal($2), $2) }`: true,
		`BEGIN { printf($1) }`:                        false,
		`BEGIN { $f = $2; printf($f) }`:               false,
	} {
		_, _, err := run(t, src, Options{Params: testParams})
		if (err == nil) != ok {
			t.Errorf("%s: error %v", src, err)
		}
	}
}

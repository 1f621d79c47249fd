package check

import (
	"strings"
	"testing"
)

// TestIntegerRulesV026 lists bpftrace v0.26's integer typing rules, one row
// each, with the type gobpftrace gives the variable $r and the warning it
// draws ("" for none).
func TestIntegerRulesV026(t *testing.T) {
	tests := []struct{ rule, src, want, warn string }{
		{"subtraction is signed", `$r = (uint32)1 - (uint32)2`, "int64", ""},
		{"addition of unsigned stays unsigned", `$r = (uint8)1 + (uint8)2`, "uint64", ""},
		{"a signed operand makes arithmetic signed", `$r = (int32)1 + (uint32)1`, "int64", ""},
		{"a literal adapts to an unsigned operand", `$r = nsecs + 1`, "uint64", ""},
		{"uint64 with a signed value warns at the operator", `$r = nsecs * (int8)-1`, "int64", "arithmetic on integers of different signs: 'uint64' and 'int8' can lead to undefined behavior"},
		{"a negative literal is signed", `$r = nsecs > -1`, "bool", "comparison of integers of different signs: 'uint64' and 'int8' can lead to undefined behavior"},
		{"signs meet in a type holding both", `$r = (uint32)1 == (int32)-1`, "bool", ""},
		{"a variable widens to hold both signs", `$r = (uint8)1; $r = (int8)-1`, "int16", ""},
		{"a wider value widens a variable", `$r = (uint8)1; $r = (uint16)2`, "uint16", ""},
		{"uint64 then signed: int64 and a warning", `$r = nsecs; $r = (int8)-1`, "int64", "Expression of type: uint64 being cast to type: int64.\nThis may cause unexpected results. Use an explicit cast to suppress this warning."},
		{"a literal that fits keeps the type", `$r = (int8)1; $r = 5`, "int8", ""},
		{"++ gives an int64", `$r = (uint8)255; $r++`, "int64", ""},
		{"let takes a value every one of whose values fits", `let $r: int64 = pid`, "int64", ""},
		{"let takes a literal that fits", `let $r: uint8 = 255`, "uint8", ""},
		{"let converts arithmetic (64 bits here) with a warning", `let $r: uint8 = pid + 1`, "uint8", "Expression of type: uint64 being cast to type: uint8.\nThis may cause unexpected results. Use an explicit cast to suppress this warning."},
		{"a cast to the same type warns", `$r = (uint32)pid`, "uint32", "Unnecessary cast: the expression is already of type 'uint32'"},
		{"a literal is the smallest signed type holding it", `$r = 1`, "int8", ""},
		{"a larger literal", `$r = 255`, "int16", ""},
		{"a literal above int64 is a uint64", `$r = 18446744073709551615`, "uint64", ""},
		{"a negative literal fits its variable", `$r = 1; $r = -1`, "int8", ""},
		{"a wider literal widens the variable", `$r = 1; $r = 0x1ffffffff`, "int64", ""},
		{"a literal variable takes an unsigned value's sign", `$r = 0; $r = pid`, "uint32", ""},
		{"a literal takes an unsigned variable's sign", `$r = pid; $r = 5000000000`, "uint64", ""},
		{"literal branches", `$r = pid > 0 ? 1 : 2`, "int8", ""},
		{"a literal branch takes the other's sign", `$r = pid > 0 ? pid : 2`, "uint32", ""},
		{"signed literal branches", `$r = pid > 0 ? 1 : -300`, "int16", ""},
		{"tuple fields keep literal types", `$r = (1, -1, 300)`, "(int8,int8,int16)", ""},
		{"sizeof is a literal", `$r = sizeof(1)`, "int8", ""},
		{"sizeof of a type", `$r = sizeof(uint64)`, "int8", ""},
		{"typeof a literal", `let $r: typeof(1) = 5`, "int8", ""},
		{"literal arithmetic folds to a literal", `$r = 1 + 1`, "int8", ""},
		{"a folded literal takes its value's type", `$r = 200 * 2`, "int16", ""},
		{"a negative folded literal", `$r = 1 - 2`, "int8", ""},
		{"negation of folded literals", `$r = -(100 + 100)`, "int16", ""},
		{"~ of a literal is non-negative", `$r = ~1`, "uint64", ""},
		{"a folded literal is sign-flexible", `$r = 1 + 2; $r = pid`, "uint32", ""},
		{"an unsigned literal keeps a folded result unsigned", `$r = 0xffffffffffffffff & 0xff`, "uint8", ""},
		{"casts are not folded", `$r = (uint8)3 * 2`, "uint64", ""},
		{"a map value from folded literals", `@m = 1 + 2; $r = @m`, "int8", ""},
		{"a literal compound-assigned to an unsigned variable", `$r = nsecs; $r += 1`, "uint64", ""},
		{"a literal range", `for ($r : 0..10) { }`, "int8", ""},
		{"a literal range up to an unsigned bound", `for ($r : 0..ncpus) { }`, "uint64", ""},
		{"a literal variable compared with an unsigned value draws no warning", `$r = 0; $b = nsecs > $r`, "int8", ""},
		{"a variable that held a negative value does", `$r = -1; $b = nsecs > $r`, "int8", "comparison of integers of different signs: 'uint64' and 'int8' can lead to undefined behavior"},
	}
	for _, tc := range tests {
		prog, out := mustCheck(t, "BEGIN { "+tc.src+" }")
		got := ""
		for _, s := range varSyms(prog) {
			if s.Name == "$r" {
				got = s.Type.String()
			}
		}
		warn := ""
		if len(out.Warnings) > 0 {
			warn = out.Warnings[0].Msg
		}
		if got != tc.want || warn != tc.warn {
			t.Errorf("%s: %s: $r is %s, warning %q; want %s, %q", tc.rule, tc.src, got, warn, tc.want, tc.warn)
		}
	}
}

// A non-negative literal next to an unsigned value takes its sign, so the
// comparison and division are generated unsigned (bpftrace v0.26's
// sign-flexible literals); next to a signed value it stays signed.
func TestLiteralTakesOperandSign(t *testing.T) {
	tests := []struct{ src, want string }{
		{`BEGIN { $r = nsecs > 5 }`, "$r: bool\nnsecs > 5: bool\nnsecs: uint64\n5: uint8"},
		{`BEGIN { $r = 300 / pid }`, "$r: uint64\n300 / pid: uint64\n300: uint16\npid: uint32"},
		{`BEGIN { $r = (int32)pid < 5 }`, "$r: bool\n(int32)pid < 5: bool\n(int32)pid: int32\npid: uint32\n5: int8"},
		{`BEGIN { $r = sizeof(pid) <= pid }`, "$r: bool\nsizeof(pid) <= pid: bool\nsizeof(pid): uint8\npid: uint32\npid: uint32"},
	}
	for _, tc := range tests {
		prog, _ := mustCheck(t, tc.src)
		if got, want := typeDump(prog, tc.src), trimLines(tc.want); got != want {
			t.Errorf("%s:\n%s\nwant:\n%s", tc.src, got, want)
		}
	}
}

// TestDeclaredTypeRefusesWiderValues: a variable declared with an integer
// type takes, as bpftrace v0.26's does, only a literal that fits or a
// value of a type whose every value fits; anything else is refused at the
// statement, in bpftrace's words.
func TestDeclaredTypeRefusesWiderValues(t *testing.T) {
	tests := []struct{ src, want string }{
		{`BEGIN { let $u: uint16 = 70000; }`, "stdin:1:9-31: ERROR: Type mismatch for $u: trying to assign value of type 'uint32' when variable already has a type 'uint16'"},
		{`BEGIN { let $x: int8 = -200; }`, "stdin:1:9-28: ERROR: Type mismatch for $x: trying to assign value of type 'int16' when variable already has a type 'int8'"},
		{`BEGIN { let $x: int8 = 128; }`, "stdin:1:9-27: ERROR: Type mismatch for $x: trying to assign value of type 'int16' when variable already has a type 'int8'"},
		{`BEGIN { let $q: uint64 = -1; }`, "stdin:1:9-28: ERROR: Type mismatch for $q: trying to assign value of type 'int8' when variable already has a type 'uint64'"},
		{`BEGIN { let $e: int64 = 18446744073709551615; }`, "stdin:1:9-45: ERROR: Type mismatch for $e: trying to assign value of type 'uint64' when variable already has a type 'int64'"},
		{`BEGIN { $z = (uint32)70000; let $y: uint8 = $z; }`, "stdin:1:29-47: ERROR: Type mismatch for $y: trying to assign value of type 'uint32' when variable already has a type 'uint8'"},
		{`BEGIN { let $y: uint32 = (int8)-1; }`, "stdin:1:9-34: ERROR: Type mismatch for $y: trying to assign value of type 'int8' when variable already has a type 'uint32'"},
		{`BEGIN { let $p: int64 = nsecs; }`, "stdin:1:9-30: ERROR: Type mismatch for $p: trying to assign value of type 'uint64' when variable already has a type 'int64'"},
		{`BEGIN { let $u: uint16; $u = 70000; }`, "stdin:1:25-35: ERROR: Type mismatch for $u: trying to assign value of type 'uint32' when variable already has a type 'uint16'"},
		{`BEGIN { let $u: uint16 = 5; $u = pid; }`, "stdin:1:29-37: ERROR: Type mismatch for $u: trying to assign value of type 'uint32' when variable already has a type 'uint16'"},
		// A positional parameter given an integer is that literal.
		{`BEGIN { let $p: uint8 = $1; }`, "stdin:1:9-27: ERROR: Type mismatch for $p: trying to assign value of type 'uint16' when variable already has a type 'uint8'"},
	}
	for _, tc := range tests {
		_, _, err := run(t, tc.src, Options{Params: []string{"300"}})
		if err == nil {
			t.Errorf("check %q: no error, want %q", tc.src, tc.want)
			continue
		}
		if first := strings.SplitN(err.Error(), "\n", 2)[0]; first != tc.want {
			t.Errorf("check %q:\n got %s\nwant %s", tc.src, first, tc.want)
		}
	}
	// What fits is taken silently and keeps the declared type.
	for _, src := range []string{
		`BEGIN { let $a: uint8 = 255; let $b: int8 = -128; let $c: int16 = (uint8)200; let $d: uint64 = 18446744073709551615; let $e: uint8 = 1000 - 999; let $f: int32 = pid - 1; $a = 0; $b = $b; let $g: uint8 = sizeof(uint64); let $h: uint8 = $1; }`,
	} {
		mustCheck(t, src)
	}
}

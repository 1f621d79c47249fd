package check

import "testing"

// TestIntegerRulesV026 lists bpftrace v0.26's integer typing rules, one row
// each, with the type gobpftrace gives the variable $r and the warning it
// draws ("" for none). Rows marked "differs" keep a deliberate difference
// (docs/differences.md: literals).
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
		{"let keeps its type, truncating with a warning", `let $r: uint8 = pid`, "uint8", "Expression of type: uint32 being cast to type: uint8.\nThis may cause unexpected results. Use an explicit cast to suppress this warning."},
		{"a cast to the same type warns", `$r = (uint32)pid`, "uint32", "Unnecessary cast: the expression is already of type 'uint32'"},
		{"differs: a variable set from a literal", `$r = 1`, "int64", ""},
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

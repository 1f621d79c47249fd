package main

// End-to-end tests of struct members and parameters typed from DWARF
// (testdata/helpers/structargs.c, built with gcc -g -O0): char arrays
// with no NUL, floating-point members, structs passed by value and
// parameters passed on the stack.

import (
	"fmt"
	"testing"
)

// runStructArgs runs script (with %[1]s for the helper's path) against
// the helper started by -c to call every function once.
func runStructArgs(t *testing.T, script string, args ...string) result {
	t.Helper()
	helper := buildCHelper(t, "structargs", "-g", "-O0")
	script = fmt.Sprintf(script, helper)
	return trace(t, traceRun{args: append(args, "-e", script, "-c", helper+" 1"), noAttach: true})
}

// A char array member whose bytes are all used (char name[4] holding
// "abcd", no NUL) is a string of all its bytes: read through the pointer,
// from a copy of the struct, through str() (which keeps them all unless a
// shorter length is given), as printf's %s and as a map key; a
// NUL-terminated one (tag) stops at its NUL.
func TestStructArgsFullCharArray(t *testing.T) {
	requireRoot(t)
	script := `uprobe:%[1]s:take_rec {
  $s = *args.r;
  print((args.r->name, $s.name, str(args.r->name), str($s.name), str($s.name, 2), $s.tag, str(args.r->tag)));
  printf("%%s|%%s|%%s\n", args.r->name, str($s.name), $s.tag);
  @[str(args.r->name)] = 1;
  @n[$s.name, $s.tag] = 2;
  exit();
}`
	res := runStructArgs(t, script)
	wantOutput(t, res, "(abcd, abcd, abcd, abcd, ab, tag, tag)\nabcd|abcd|tag\n\n\n@[abcd]: 1\n@n[abcd, tag]: 2\n", "Attached 1 probe\n")
	res = runStructArgs(t, script, "-f", "json")
	wantOutput(t, res, `{"type": "attached_probes", "count": 1, "data": {"probes": 1}}
{"type": "value", "data": ["abcd","abcd","abcd","abcd","ab","tag","tag"]}
{"type": "printf", "data": "abcd|abcd|tag\n"}
{"type": "map", "data": {"@": {"abcd": 1}}}
{"type": "map", "data": {"@n": {"abcd,tag": 2}}}
`, "")
}

// recText is the helper's rec as print() shows it: its float and double
// members print as null (bpftrace has no floating-point values), in their
// places.
const recArgText = "{ .a = 7, .f = null, .d = null, .name = abcd, .tag = tag, .b = 9 }"

// A struct with float and double members, from DWARF and declared in the
// script (the same layout: float 4 bytes, double 8 aligned to 8): printed
// whole, kept in a map, as a map key and in a tuple key, in text and JSON.
func TestStructArgsFloatMembers(t *testing.T) {
	requireRoot(t)
	script := `struct R { int a; float f; double d; char name[4]; char tag[8]; long b; }
uprobe:%[1]s:take_rec {
  $s = *args.r;
  print($s);
  print(*(struct R *)arg0);
  print((sizeof(struct R), offsetof(struct R, d), offsetof(struct R, b)));
  @m = $s;
  @k[$s] = 1;
  @t[(1, $s), "x y"] = 2;
  exit();
}`
	res := runStructArgs(t, script)
	wantOutput(t, res, recArgText+"\n"+recArgText+"\n(40, 8, 32)\n\n\n"+
		"@k["+recArgText+"]: 1\n"+
		"@m: "+recArgText+"\n"+
		"@t[(1, "+recArgText+"), x y]: 2\n", "Attached 1 probe\n")
	recJSON := `{"a": 7, "f": null, "d": null, "name": "abcd", "tag": "tag", "b": 9}`
	res = runStructArgs(t, script, "-f", "json")
	wantOutput(t, res, `{"type": "attached_probes", "count": 1, "data": {"probes": 1}}
{"type": "value", "data": `+recJSON+`}
{"type": "value", "data": `+recJSON+`}
{"type": "value", "data": [40,8,32]}
{"type": "map", "data": {"@k": {"{.a=7,.f=null,.d=null,.name=abcd,.tag=tag,.b=9}": 1}}}
{"type": "map", "data": {"@m": `+recJSON+`}}
{"type": "map", "data": {"@t": {"(1,{.a=7,.f=null,.d=null,.name=abcd,.tag=tag,.b=9}),xy": 2}}}
`, "")
}

// Reading a floating-point member is refused at its place, as bpftrace
// refuses a floating-point parameter.
func TestStructArgsFloatMemberErrors(t *testing.T) {
	helper := buildCHelper(t, "structargs", "-g", "-O0")
	cases := []struct{ body, want string }{
		{"print(args.r->f);", "stdin:2:9-18: ERROR: f has unsupported type\n" +
			"  print(args.r->f);\n        ~~~~~~~~~\n" +
			"HINT: f is a float: there are no floating-point values; printing the whole struct rec shows it as null, and its 4 bytes are at offset 4\n"},
		{"$s = *args.r; @x = $s.d + 1;", "stdin:2:22-26: ERROR: d has unsupported type\n" +
			"  $s = *args.r; @x = $s.d + 1;\n                     ~~~~\n" +
			"HINT: d is a double: there are no floating-point values; printing the whole struct rec shows it as null, and its 8 bytes are at offset 8\n"},
	}
	for _, tc := range cases {
		script := fmt.Sprintf("uprobe:%s:take_rec {\n  %s\n}", helper, tc.body)
		res := trace(t, traceRun{args: []string{"-e", script}, noAttach: true})
		mustExit(t, res, 1)
		if res.stderr != tc.want {
			t.Errorf("%s: stderr:\n%s\nwant:\n%s", tc.body, res.stderr, tc.want)
		}
	}
}

// An integer cast to an array inside a tuple sits at its elements'
// alignment (4 bytes after an int32): its bytes are stored in pieces of
// that size, which the verifier accepts (one 8-byte store there it
// refused as misaligned).
func TestArrayCastInTuple(t *testing.T) {
	requireRoot(t)
	script := `BEGIN { print(((int32)1, (int32[2])(uint64)0x200000001, (int16[4])(uint64)0x0004000300020001)); exit(); }`
	res := trace(t, traceRun{args: []string{"-e", script}, noAttach: true})
	wantOutput(t, res, "(1, [1,2], [1,2,3,4])\n\n\n", "Attached 1 probe\n")
}

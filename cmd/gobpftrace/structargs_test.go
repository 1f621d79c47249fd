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

// Structs passed by value and parameters passed on the stack, where the
// System V x86-64 ABI puts them: a struct of up to 16 bytes of integers
// in one or two registers (read as a record of its members: nested
// structs, an int array within a word, an enum by name), a bigger one on
// the stack, a seventh and later parameters on the stack in order (a
// short, a pointer, a struct, a byte), and a 16-byte struct that no longer
// fits in the one register left goes on the stack while the next integer
// still takes that register. Read alone, in print(args), kept in a
// variable, and in JSON.
func TestStructArgsByValueAndStack(t *testing.T) {
	requireRoot(t)
	script := `uprobe:%[1]s:take_pair { print(args.p); print(args); $p = args.p; print(($p.y, args.p.x, args.after)); }
uprobe:%[1]s:take_quad { print((args.first, args.n, args.after)); print((args.q.s, args.q.c, args.q.i, args.q.l, str(args.q.p))); @q = args.n; }
uprobe:%[1]s:take_big { print(args); }
uprobe:%[1]s:take_mixed { print(args.after); }
uprobe:%[1]s:take_many { print((args.a, args.e, args.f, args.g, str(args.h), args.i, args.j)); }
uprobe:%[1]s:take_late { print(args); exit(); }`
	res := runStructArgs(t, script)
	wantOutput(t, res, "{ .x = 3, .y = -4 }\n"+
		"{ .p = { .x = 3, .y = -4 }, .after = 42 }\n"+
		"(-4, 3, 42)\n"+
		"(-1, { .arr = [11,-12], .in = { .u = 65000, .k = -5 }, .colour = BLUE }, 43)\n"+
		"(-2, 200, -70000, 5000000000, quad)\n"+
		"{ .b = { .a = 10, .b = -20, .c = 30 }, .after = 44, .p = { .x = 3, .y = -4 } }\n"+
		"45\n"+
		"(1, 5, 6, -7, eight, { .a = 10, .b = -20, .c = 30 }, 250)\n"+
		"{ .a = 1, .b = 2, .c = 3, .d = 4, .e = 5, .t = { .x = 100, .y = -200 }, .after = 46 }\n"+
		"\n\n@q: { .arr = [11,-12], .in = { .u = 65000, .k = -5 }, .colour = BLUE }\n", "Attached 6 probes\n")
	res = runStructArgs(t, script, "-f", "json")
	wantOutput(t, res, `{"type": "attached_probes", "count": 6, "data": {"probes": 6}}
{"type": "value", "data": {"x": 3, "y": -4}}
{"type": "value", "data": {"p": {"x": 3, "y": -4}, "after": 42}}
{"type": "value", "data": [-4,3,42]}
{"type": "value", "data": [-1,{"arr": [11,-12], "in": {"u": 65000, "k": -5}, "colour": 2},43]}
{"type": "value", "data": [-2,200,-70000,5000000000,"quad"]}
{"type": "value", "data": {"b": {"a": 10, "b": -20, "c": 30}, "after": 44, "p": {"x": 3, "y": -4}}}
{"type": "value", "data": 45}
{"type": "value", "data": [1,5,6,-7,"eight",{"a": 10, "b": -20, "c": 30},250]}
{"type": "value", "data": {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "t": {"x": 100, "y": -200}, "after": 46}}
{"type": "map", "data": {"@q": {"arr": [11,-12], "in": {"u": 65000, "k": -5}, "colour": 2}}}
`, "")
}

// A struct passed partly in an xmm register cannot be read; its error
// says where it is and how to read its integer half.
func TestStructArgsByValueErrors(t *testing.T) {
	helper := buildCHelper(t, "structargs", "-g", "-O0")
	script := fmt.Sprintf("uprobe:%s:take_mixed {\n  print(args.m);\n}", helper)
	res := trace(t, traceRun{args: []string{"-e", script}, noAttach: true})
	mustExit(t, res, 1)
	want := "stdin:2:9-15: ERROR: args.m of take_mixed cannot be read: it is a struct passed by value partly in xmm registers, which a uprobe cannot read (the rest in di)\n" +
		"  print(args.m);\n        ~~~~~~\n" +
		"HINT: read its words with reg(\"di\")\n"
	if res.stderr != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", res.stderr, want)
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

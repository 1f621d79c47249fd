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

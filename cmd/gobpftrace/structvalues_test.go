package main

// End-to-end tests of whole structs, unions and arrays as values: copied
// from user memory (testdata/helpers/structvalues.c, a struct declared in
// the script cast on uprobe arguments), from kernel memory (curtask) and
// built in the script; kept in variables, maps, tuples and map keys;
// members and elements read from the copies; compared with == and !=;
// printed as text and JSON; indexes out of bounds at run time.

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// structValuesDefs declares the helper's structs as bpftrace scripts do.
const structValuesDefs = `struct inner { int c; short d; };
struct rec {
  int a;
  struct inner b;
  int arr[4];
  int y[2][2];
  struct inner ins[2];
  union { int u; char uc[4]; };
  struct { int n1; int n2; } anon;
  unsigned int bf1 : 3, bf2 : 5;
  int bf3 : 4;
  char name[8];
  unsigned long big;
};
struct grid { int y[2][2]; };
`

// recText is the helper's rec as print() shows it: nested structs, arrays
// of ints and of structs, an anonymous union's members, bitfields (bf3,
// an int holding -3 in 4 bits, reads zero-extended as 13, as bpftrace
// v0.26 reads bitfields), a char array.
const recText = "{ .a = 1, .b = { .c = 2, .d = -3 }, .arr = [1,2,3,4], .y = [[5,6],[7,8]], " +
	".ins = [{ .c = 10, .d = 11 },{ .c = 12, .d = 13 }], .u = 1094861636, .uc = DCBA, " +
	".anon = { .n1 = 20, .n2 = 21 }, .bf1 = 5, .bf2 = 17, .bf3 = 13, .name = hello, .big = 1099511627775 }"

// recJSON is the same as JSON.
const recJSON = `{"a": 1, "b": {"c": 2, "d": -3}, "arr": [1,2,3,4], "y": [[5,6],[7,8]], ` +
	`"ins": [{"c": 10, "d": 11},{"c": 12, "d": 13}], "u": 1094861636, "uc": "DCBA", ` +
	`"anon": {"n1": 20, "n2": 21}, "bf1": 5, "bf2": 17, "bf3": 13, "name": "hello", "big": 1099511627775}`

// runStructValues runs body in a uprobe on the helper's take_rec(&rec,
// &grid), with the helper started by -c to call it once, and the given
// extra arguments.
func runStructValues(t *testing.T, body string, args ...string) result {
	t.Helper()
	helper := buildCHelper(t, "structvalues", "-O2")
	script := fmt.Sprintf("%suprobe:%s:take_rec { %s }", structValuesDefs, helper, body)
	return trace(t, traceRun{args: append(args, "-e", script, "-c", helper+" 1"), noAttach: true})
}

// A whole struct read through a pointer into a variable, printed, kept in
// a map and a tuple; its members, nested members, array elements at any
// depth and bitfields read from the copy.
func TestStructValuePrintAndMembers(t *testing.T) {
	requireRoot(t)
	body := `$s = *(struct rec *)arg0;
  print($s);
  print(($s.a, $s.b.c, $s.b.d, $s.u, $s.anon.n2, $s.bf1, $s.bf2, $s.bf3, $s.name, $s.big));
  print(($s.arr, $s.y, $s.y[1][0], $s.ins, $s.ins[1].c, $s.arr[2], $s.b));
  $p = (struct rec *)arg0;
  printf("%s %s %d %d\n", $p->uc, $s.uc, $p->uc == "DCBA", $s.uc == "DCB");
  print($p->bf3);
  @m[1] = $s;
  @t = (1, $s.b);
  $u = ((int32)7, $s.b, (int8)9);
  print((sizeof($u), sizeof(((int32)1, $s.b)), $u));
  exit();`
	res := runStructValues(t, body)
	wantOutput(t, res, recText+"\n"+
		"(1, 2, -3, 1094861636, 21, 5, 17, 13, hello, 1099511627775)\n"+
		"([1,2,3,4], [[5,6],[7,8]], 7, [{ .c = 10, .d = 11 },{ .c = 12, .d = 13 }], 12, 3, { .c = 2, .d = -3 })\n"+
		"DCBA DCBA 1 0\n13\n"+
		"(16, 12, (7, { .c = 2, .d = -3 }, 9))\n"+
		"\n\n@m[1]: "+recText+"\n@t: (1, { .c = 2, .d = -3 })\n", "Attached 1 probe\n")

	res = runStructValues(t, body, "-f", "json")
	wantOutput(t, res, `{"type": "attached_probes", "count": 1, "data": {"probes": 1}}
{"type": "value", "data": `+recJSON+`}
{"type": "value", "data": [1,2,-3,1094861636,21,5,17,13,"hello",1099511627775]}
{"type": "value", "data": [[1,2,3,4],[[5,6],[7,8]],7,[{"c": 10, "d": 11},{"c": 12, "d": 13}],12,3,{"c": 2, "d": -3}]}
{"type": "printf", "data": "DCBA DCBA 1 0\n"}
{"type": "value", "data": 13}
{"type": "value", "data": [16,12,[7,{"c": 2, "d": -3},9]]}
{"type": "map", "data": {"@m": {"1": `+recJSON+`}}}
{"type": "map", "data": {"@t": [1,{"c": 2, "d": -3}]}}
`, "")
}

// Arrays as values: members kept in maps, as map keys (alone and with
// another key), as tuple fields, multi-dimensional, arrays of structs as
// map values keyed by a struct; and indexes known only at run time, which
// read the element, or warn and read 0 when out of bounds.
func TestArrayValuesKeysAndRunTimeIndex(t *testing.T) {
	requireRoot(t)
	body := `$s = *(struct rec *)arg0;
  $g = (struct grid *)arg1;
  @a[$s.arr] = 1;
  @b[$g->y, 42] = 2;
  @c = (1, $s.arr);
  @d = $g->y;
  $d = @d;
  @e[$s.b] = $s.ins;
  $i = 1;
  $j = 5;
  print(($s.arr[$i], $g->y[$i][0], $s.y[0][$i], $s.ins[$i].d, $d[$i][1]));
  print($s.arr[$j]);
  print($g->y[$j][1]);
  exit();`
	res := runStructValues(t, body)
	// The warnings name the index expression, on lines 27 and 28 of the
	// script (structValuesDefs is 15 lines).
	wantOutput(t, res, "(2, 7, 6, 13, 8)\n0\n0\n\n\n"+
		"@a[[1,2,3,4]]: 1\n"+
		"@b[[[5,6],[7,8]], 42]: 2\n"+
		"@c: (1, [1,2,3,4])\n"+
		"@d: [[5,6],[7,8]]\n"+
		"@e[{ .c = 2, .d = -3 }]: [{ .c = 10, .d = 11 },{ .c = 12, .d = 13 }]\n",
		"Attached 1 probe\n"+
			"stdin:27:9-19: WARNING: Array access out of bounds. This can lead to unexpected results.\n"+
			"  print($s.arr[$j]);\n"+
			"        ~~~~~~~~~~\n"+
			"stdin:28:9-18: WARNING: Array access out of bounds. This can lead to unexpected results.\n"+
			"  print($g->y[$j][1]);\n"+
			"        ~~~~~~~~~\n")

	body = `$s = *(struct rec *)arg0;
  $g = (struct grid *)arg1;
  @a[$s.arr] = 1;
  @b[$g->y, 42] = 2;
  @c = (1, $s.arr);
  @d = $g->y;
  @e[$s.b] = $s.ins;
  exit();`
	res = runStructValues(t, body, "-f", "json")
	wantOutput(t, res, `{"type": "attached_probes", "count": 1, "data": {"probes": 1}}
{"type": "map", "data": {"@a": {"[1,2,3,4]": 1}}}
{"type": "map", "data": {"@b": {"[[5,6],[7,8]],42": 2}}}
{"type": "map", "data": {"@c": [1,[1,2,3,4]]}}
{"type": "map", "data": {"@d": [[5,6],[7,8]]}}
{"type": "map", "data": {"@e": {"{.c=2,.d=-3}": [{"c": 10, "d": 11},{"c": 12, "d": 13}]}}}
`, "")
}

// == and != on arrays, structs and tuples holding them compare the bytes.
func TestStructAndArrayComparison(t *testing.T) {
	requireRoot(t)
	body := `$s = *(struct rec *)arg0;
  $g = (struct grid *)arg1;
  $t = *$g;
  print(($s.y == $g->y, $s.y != $t.y, $s.arr == $s.arr, $s.b == $s.ins[0], $s.ins[0] != $s.ins[1]));
  print(($t == *$g, $s.y[0] == $g->y[1], (1, $s.b) == (1, $s.b), (1, $s.arr) != (1, $s.arr)));
  if ($s.arr != $s.arr) { print("differ"); } else { print("same"); }
  exit();`
	res := runStructValues(t, body)
	wantOutput(t, res, "(true, false, true, false, true)\n(true, false, true, false)\nsame\n\n\n", "Attached 1 probe\n")
}

// Values built in the script and read from kernel memory in BEGIN: an
// integer cast to an array, compared, kept in a map key and a tuple, and
// indexed out of bounds at run time; curtask's whole task_struct and
// mm_struct copied and compared with the members read through the pointer,
// a struct chosen by a ternary; a pointer is 0x... in text and a number
// in JSON.
func TestStructValuesInBEGIN(t *testing.T) {
	requireRoot(t)
	script := `BEGIN {
  $a = (uint8[4])(uint32)0x04030201;
  $b = (uint8[4])(uint32)0x04030201;
  print(($a == $b, $a != (uint8[4])(uint32)5, $a[3]));
  @k[$a, 2] = 1;
  @t = (1, $a);
  $i = 7;
  print($a[$i]);
  $task = *curtask;
  print(((uint64)$task.pid == tid, (uint64)$task.tgid == pid, $task.comm == comm));
  $m = *curtask->mm;
  print(($m.mm_mt == curtask->mm->mm_mt, $m.map_count == curtask->mm->map_count));
  $c = curtask->comm;
  print($c == $task.comm);
  $x = $i > 3 ? $m.mm_mt : curtask->mm->mm_mt;
  print(($x == $m.mm_mt, (int16 *)0x33));
  exit();
}`
	res := trace(t, traceRun{args: []string{"-e", script}, noAttach: true})
	wantOutput(t, res, "(true, true, 4)\n0\n(true, true, true)\n(true, true)\ntrue\n(true, 0x33)\n\n\n@k[[1,2,3,4], 2]: 1\n@t: (1, [1,2,3,4])\n",
		"Attached 1 probe\n"+
			"stdin:8:9-15: WARNING: Array access out of bounds. This can lead to unexpected results.\n"+
			"  print($a[$i]);\n"+
			"        ~~~~~~\n")
	res = trace(t, traceRun{args: []string{"-f", "json", "-e", script}, noAttach: true})
	wantOutput(t, res, `{"type": "attached_probes", "count": 1, "data": {"probes": 1}}
{"type": "value", "data": [true,true,4]}
{"type": "runtime_error", "msg": "Array access out of bounds. This can lead to unexpected results.", "filename": "stdin", "line": 8, "col": 9}
{"type": "value", "data": 0}
{"type": "value", "data": [true,true,true]}
{"type": "value", "data": [true,true]}
{"type": "value", "data": true}
{"type": "value", "data": [true,51]}
{"type": "map", "data": {"@k": {"[1,2,3,4],2": 1}}}
{"type": "map", "data": {"@t": [1,[1,2,3,4]]}}
`, "")
}

// A struct a tracepoint argument points to (user memory): copied whole,
// printed, kept in a tuple and a map key, compared with another copy; a
// tracepoint's whole args, printed and kept in a map (its fields without
// the common ones).
func TestStructValueFromTracepointArg(t *testing.T) {
	requireRoot(t)
	script := `tracepoint:syscalls:sys_enter_clock_nanosleep /comm == "sleep"/ {
  $ts = *args.rqtp;
  print($ts);
  print((1, *args.rqtp));
  print($ts == *args.rqtp);
  @[$ts, args.rqtp->tv_nsec] = count();
}
tracepoint:syscalls:sys_enter_exit_group /comm == "sleep"/ {
  print(args);
  @e = args;
  exit();
}`
	res := trace(t, traceRun{args: []string{"-e", script, "-c", "/bin/sleep 0.01"}, noAttach: true})
	wantOutput(t, res, "{ .tv_sec = 0, .tv_nsec = 10000000 }\n(1, { .tv_sec = 0, .tv_nsec = 10000000 })\ntrue\n"+
		"{ .__syscall_nr = 231, .error_code = 0 }\n\n\n"+
		"@[{ .tv_sec = 0, .tv_nsec = 10000000 }, 10000000]: 1\n@e: { .__syscall_nr = 231, .error_code = 0 }\n", "Attached 2 probes\n")
	res = trace(t, traceRun{args: []string{"-f", "json", "-e", script, "-c", "/bin/sleep 0.01"}, noAttach: true})
	wantOutput(t, res, `{"type": "attached_probes", "count": 2, "data": {"probes": 2}}
{"type": "value", "data": {"tv_sec": 0, "tv_nsec": 10000000}}
{"type": "value", "data": [1,{"tv_sec": 0, "tv_nsec": 10000000}]}
{"type": "value", "data": true}
{"type": "value", "data": {"__syscall_nr": 231, "error_code": 0}}
{"type": "map", "data": {"@": {"{.tv_sec=0,.tv_nsec=10000000},10000000": 1}}}
{"type": "map", "data": {"@e": {"__syscall_nr": 231, "error_code": 0}}}
`, "")
}

// A char array without a NUL (char uc[4] holding "DCBA") is a string of
// all its bytes, with no truncation trailer; structs declared with nested
// anonymous structs and the last ';' left out, as in bpftrace's tests; an
// anonymous struct inside an anonymous union, whose members are the
// outer struct's (rec's bytes read through another layout: b is rec.b.d
// and its padding, c the low half of rec.arr[0], bc both).
func TestCharArrayAndNestedAnonymousStructs(t *testing.T) {
	requireRoot(t)
	helper := buildCHelper(t, "structvalues", "-O2")
	script := fmt.Sprintf(`struct F { char s[4]; }
struct Foo { struct { int m[1] } y; struct { int n; } a; }
struct N { int a; union { struct { int b; short c; short d; }; long bc; }; int arr[4]; }
uprobe:%s:take_rec {
  $f = (struct F *)(arg0 + 60);
  $v = *$f;
  print(($f->s, $v, $v.s, $f->s == "DCBA", str($f->s, 3)));
  @k[$f->s] = 1;
  print(*(struct Foo *)arg0);
  $n = *(struct N *)arg0;
  print(($n, $n.b, $n.c, $n.bc, sizeof(struct N)));
  exit();
}`, helper)
	res := trace(t, traceRun{args: []string{"-e", script, "-c", helper + " 1"}, noAttach: true})
	wantOutput(t, res, "(DCBA, { .s = DCBA }, DCBA, true, DCB)\n{ .y = { .m = [1] }, .a = { .n = 2 } }\n"+
		"({ .a = 1, .b = 65533, .c = 1, .d = 0, .bc = 4295032829, .arr = [2,3,4,5] }, 65533, 1, 4295032829, 32)\n\n\n@k[DCBA]: 1\n", "Attached 1 probe\n")
	res = trace(t, traceRun{args: []string{"-f", "json", "-e", script, "-c", helper + " 1"}, noAttach: true})
	wantOutput(t, res, `{"type": "attached_probes", "count": 1, "data": {"probes": 1}}
{"type": "value", "data": ["DCBA",{"s": "DCBA"},"DCBA",true,"DCB"]}
{"type": "value", "data": {"y": {"m": [1]}, "a": {"n": 2}}}
{"type": "value", "data": [{"a": 1, "b": 65533, "c": 1, "d": 0, "bc": 4295032829, "arr": [2,3,4,5]},65533,1,4295032829,32]}
{"type": "map", "data": {"@k": {"DCBA": 1}}}
`, "")
}

// A pointer variable declared with `let` and a type takes the address
// space of the pointer stored in it: in a uprobe it reads user memory,
// and a struct array copied through it holds the elements.
func TestDeclaredPointerReadsUserMemory(t *testing.T) {
	requireRoot(t)
	body := `let $q: struct rec *;
  let $ins: struct inner[2];
  $q = (struct rec *)arg0;
  $ins = $q->ins;
  print(($q->a, $q->b.d, $ins[1].c, $ins[0].d));
  exit();`
	res := runStructValues(t, body)
	wantOutput(t, res, "(1, -3, 12, 11)\n\n\n", "Attached 1 probe\n")
}

// Pointer arithmetic on user memory: *(p + i) with a constant and a
// run-time i, ++/--/+= (prefix and postfix), comparisons, casts such as
// (int8 *)$r + 4, an array member decaying to a pointer, and & of a
// member or element read through the uprobe's pointer, which points to
// user memory too (an int element carries no address space of its own:
// *(&$r->arr[0] + 2) read kernel memory, and 0, before).
func TestPointerArithmeticInUserMemory(t *testing.T) {
	requireRoot(t)
	body := `$p = (int32 *)arg0;
  $q = $p + 3;
  $i = 3;
  print((*($p + 1), *$q, $q - $p, *($p + $i), $p < $q, $p == (int32 *)arg0, $q != 0));
  $a = $p++; $b = ++$p;
  $p += 1; $c = $p--;
  print(($b - $a, *$a, *$b, *$c, *$p));
  $r = (struct rec *)arg0;
  $e = &$r->arr[0];
  $f = &$r->b.d;
  $s = &$r->ins[0];
  $s++;
  print((*($e + 2), *(&$r->arr[2]), *$f, $s->c, ($s - 1)->d, &$r->ins[1] - &$r->ins[0]));
  print((*((int8 *)$r + 4), *(uint16 *)((int8 *)$r + 8), *($r->arr + 3), $r->y[1][0] + *($r->arr + 1)));
  exit();`
	res := runStructValues(t, body)
	wantOutput(t, res, "(2, 1, 3, 1, true, true, true)\n(2, 1, 65533, 1, 65533)\n(3, 3, -3, 12, 11, 1)\n(2, 65533, 4, 9)\n\n\n", "Attached 1 probe\n")
}

// An element of a kernel array of structs (task_struct's sighand->action,
// an array of struct k_sigaction) prints with every member, at every depth,
// in text and JSON, and so does a variable declared with its type (let
// $d: struct k_sigaction): both printed as {} or { .sa = {} } (a struct
// type read from BTF without members) before.
func TestKernelArrayOfStructsElement(t *testing.T) {
	requireRoot(t)
	script := `BEGIN { $a = curtask->sighand->action[1]; $i = 1;
  let $d: struct k_sigaction; $d = $a;
  print(($a == *(struct k_sigaction *)&curtask->sighand->action[1], sizeof($a)));
  print(curtask->sighand->action[$i]); print(curtask->sighand->action[1]); print($a); print($d); exit(); }`
	text := regexp.MustCompile(`^\{ \.sa = \{ \.sa_handler = 0x[0-9a-f]+, \.sa_flags = \d+, \.sa_restorer = 0x[0-9a-f]+, \.sa_mask = \{ \.sig = \[\d+\] \} \} \}$`)
	res := trace(t, traceRun{args: []string{"-e", script}, noAttach: true})
	mustExit(t, res, 0)
	lines := strings.Split(strings.TrimSuffix(res.stdout, "\n\n\n"), "\n")
	if len(lines) != 5 || lines[0] != "(true, 32)" {
		t.Fatalf("stdout %q", res.stdout)
	}
	for _, l := range lines[1:] {
		if !text.MatchString(l) {
			t.Errorf("%q is not a whole struct k_sigaction", l)
		}
	}
	json := regexp.MustCompile(`^\{"type": "value", "data": \{"sa": \{"sa_handler": \d+, "sa_flags": \d+, "sa_restorer": \d+, "sa_mask": \{"sig": \["?\d+"?\]\}\}\}\}$`)
	res = trace(t, traceRun{args: []string{"-f", "json", "-e", script}, noAttach: true})
	mustExit(t, res, 0)
	lines = strings.Split(strings.TrimSpace(res.stdout), "\n")
	if len(lines) != 6 {
		t.Fatalf("json %q", res.stdout)
	}
	for _, l := range lines[2:] {
		if !json.MatchString(l) {
			t.Errorf("%q is not a whole struct k_sigaction", l)
		}
	}
}

package check

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/parser"
)

// btfEnv adds a few kernel types to the test environment, laid out as in
// a kernel (offsets are what BTF would give).
type btfEnv struct{ fakeEnv }

var (
	kSchedEntity = &lang.Type{Kind: lang.KStruct, Name: "struct sched_entity", Size: 16, Fields: []*lang.Field{
		{Name: "vruntime", Offset: 0, Type: lang.TUint64},
		{Name: "on_rq", Offset: 8, Type: lang.TUint8, BitOffset: 0, BitSize: 1},
		{Name: "sched_delayed", Offset: 8, Type: lang.TUint8, BitOffset: 1, BitSize: 3},
	}}
	kTask = &lang.Type{Kind: lang.KStruct, Name: "struct task_struct", Size: 64}
	kEnum = func() *lang.Type {
		t := lang.IntType(4, false)
		t.Enum = &lang.Enum{Name: "enum bpf_map_type", Values: map[int64]string{0: "BPF_MAP_TYPE_UNSPEC", 1: "BPF_MAP_TYPE_HASH"}}
		return t
	}()
)

func init() {
	kTask.Fields = []*lang.Field{
		{Name: "pid", Offset: 0, Type: lang.TInt32},
		{Name: "tgid", Offset: 4, Type: lang.TInt32},
		{Name: "comm", Offset: 8, Type: lang.StringType(16)},
		{Name: "real_parent", Offset: 24, Type: &lang.Type{Kind: lang.KPtr, Size: 8, Elem: &lang.Type{Kind: lang.KStruct, Name: "struct task_struct", Size: 64}}},
		{Name: "group_leader", Offset: 32, Type: &lang.Type{Kind: lang.KPtr, Size: 8, Elem: &lang.Type{Kind: lang.KStruct, Name: "struct task_struct", Size: 64}}},
		{Name: "se", Offset: 40, Type: &lang.Type{Kind: lang.KStruct, Name: "struct sched_entity", Size: 16}},
		{Name: "ids", Offset: 56, Type: &lang.Type{Kind: lang.KArray, Len: 2, Elem: lang.TUint32, Size: 8}},
	}
}

func (btfEnv) KernelType(name string) (*lang.Type, bool, error) {
	switch name {
	case "struct task_struct", "task_struct":
		return kTask, true, nil
	case "struct sched_entity":
		return kSchedEntity, true, nil
	case "enum bpf_map_type":
		return kEnum, true, nil
	case "pid_t":
		return lang.TInt32, true, nil
	}
	return nil, false, nil
}

func (btfEnv) KernelEnumerator(name string) (int64, *lang.Type, bool, error) {
	for v, n := range kEnum.Enum.Values {
		if n == name {
			return v, kEnum, true, nil
		}
	}
	return 0, nil, false, nil
}

func (btfEnv) KernelStructNames() ([]string, error) {
	return []string{"struct sched_entity", "struct task_struct"}, nil
}

func checkBTF(t *testing.T, src string) (*lang.Program, *lang.Checked, error) {
	t.Helper()
	prog, err := parser.Parse("stdin", src)
	if err != nil {
		t.Fatalf("parse %q: %v", src, err)
	}
	out, err := Check(prog, "stdin", src, btfEnv{testEnv}, Options{})
	if err != nil {
		var d *lang.Diagnostics
		if !errors.As(err, &d) {
			t.Fatalf("error is %T, want *lang.Diagnostics", err)
		}
	}
	return prog, out, err
}

// The types of kernel member chains, casts, sizeof, offsetof and enums.
func TestKernelTypes(t *testing.T) {
	tests := []struct{ expr, want string }{
		{"curtask", "struct task_struct *"},
		{"curtask->pid", "int32"},
		{"curtask.pid", "int32"},
		{"curtask->real_parent->tgid", "int32"},
		{"((struct task_struct *)curtask)->real_parent", "struct task_struct *"},
		{"(task_struct *)0", "struct task_struct *"},
		{"curtask->comm", "string[16]"},
		{"curtask->comm[3]", "int8"},
		{"curtask->se", "struct sched_entity"},
		{"curtask->se.vruntime", "uint64"},
		{"curtask->se->vruntime", "uint64"},
		{"curtask->se.sched_delayed", "uint8"},
		{"curtask->ids", "uint32[2]"},
		{"curtask->ids[1]", "uint32"},
		{"*curtask", "struct task_struct"},
		{"&curtask->tgid", "int32 *"},
		{"curtask + 1", "struct task_struct *"},
		{"sizeof(struct task_struct)", "int8"}, // a literal of the fixture's small size
		{"offsetof(struct task_struct, se.on_rq)", "int8"},
		{"BPF_MAP_TYPE_HASH", "uint32"},
		{"(enum bpf_map_type)1", "uint32"},
		{"(pid_t)1", "int32"},
		{"ppid", "uint32"},
		{"pcomm", "string[16]"},
	}
	for _, tc := range tests {
		src := "BEGIN { $x = " + tc.expr + "; }"
		_, out, err := checkBTF(t, src)
		if err != nil {
			t.Errorf("%s: %v", tc.expr, err)
			continue
		}
		as := out.Prog.Probes[0].Body.Stmts[0].(*lang.AssignStmt)
		if got := as.Value.Type().String(); got != tc.want {
			t.Errorf("%s: type %s, want %s", tc.expr, got, tc.want)
		}
	}
}

// Offsets, sizes and enum values the checker resolves.
func TestKernelTypeValues(t *testing.T) {
	_, out, err := checkBTF(t, `enum color { RED, GREEN = 5, BLUE };
struct pair { char tag; long value; unsigned int a : 3, b : 5; struct task_struct *task; };
BEGIN { $a = offsetof(struct task_struct, se.on_rq); $b = BPF_MAP_TYPE_HASH; $c = BLUE; $d = sizeof(struct pair); $e = offsetof(struct pair, task); }`)
	if err != nil {
		t.Fatal(err)
	}
	stmts := out.Prog.Probes[0].Body.Stmts
	if got := stmts[0].(*lang.AssignStmt).Value.(*lang.Offsetof).Value; got != 48 {
		t.Errorf("offsetof(se.on_rq) = %d, want 48", got)
	}
	if id := stmts[1].(*lang.AssignStmt).Value.(*lang.Ident); !id.Enum || id.Value != 1 {
		t.Errorf("BPF_MAP_TYPE_HASH: enum %v value %d, want 1", id.Enum, id.Value)
	}
	if id := stmts[2].(*lang.AssignStmt).Value.(*lang.Ident); !id.Enum || id.Value != 6 {
		t.Errorf("BLUE: enum %v value %d, want 6", id.Enum, id.Value)
	}
	pair := stmts[3].(*lang.AssignStmt).Value.(*lang.Sizeof).TypeArg.T
	var layout []string
	for _, f := range pair.Fields {
		layout = append(layout, fmt.Sprintf("%s@%d:%d+%d", f.Name, f.Offset, f.BitOffset, f.BitSize))
	}
	if got, want := fmt.Sprintf("%d %s", pair.Size, strings.Join(layout, " ")), "32 tag@0:0+0 value@8:0+0 a@16:0+3 b@16:3+5 task@24:0+0"; got != want {
		t.Errorf("struct pair: %s, want %s", got, want)
	}
	if got := stmts[4].(*lang.AssignStmt).Value.(*lang.Offsetof).Value; got != 24 {
		t.Errorf("offsetof(struct pair, task) = %d, want 24", got)
	}
}

// A script's struct may leave out the ';' after its last member, as
// bpftrace's own tests do (struct Foo { struct { int m[1] } y; ... }); its
// char arrays are strings marked as char arrays (printed whole).
func TestCDefsLastMemberWithoutSemicolon(t *testing.T) {
	_, out, err := checkBTF(t, `struct Foo { struct { int m[1] } y; struct { int n; } a; char s[5] }
BEGIN { $a = offsetof(struct Foo, a.n); $b = sizeof(struct Foo); $c = (struct Foo *)0; $d = $c->s; }`)
	if err != nil {
		t.Fatal(err)
	}
	stmts := out.Prog.Probes[0].Body.Stmts
	if got := stmts[0].(*lang.AssignStmt).Value.(*lang.Offsetof).Value; got != 4 {
		t.Errorf("offsetof(struct Foo, a.n) = %d, want 4", got)
	}
	if got := stmts[1].(*lang.AssignStmt).Value.(*lang.Sizeof).TypeArg.T.Size; got != 16 {
		t.Errorf("sizeof(struct Foo) = %d, want 16", got)
	}
	if st := stmts[3].(*lang.AssignStmt).Value.Type(); st.Kind != lang.KString || st.Size != 5 || !st.CharArray {
		t.Errorf("$c->s is %s (char array %v), want a char array string[5]", st, st.CharArray)
	}
}

// Misuse of kernel types: exact messages in bpftrace's layout.
func TestKernelTypeDiagnostics(t *testing.T) {
	tests := []struct{ src, want string }{
		{"BEGIN { $t = (struct task_strct *)curtask; }",
			"stdin:1:15-34: ERROR: Cannot resolve unknown type \"struct task_strct\"\nBEGIN { $t = (struct task_strct *)curtask; }\n              ~~~~~~~~~~~~~~~~~~~\nHINT: did you mean struct task_struct?"},
		{"BEGIN { $x = curtask->pidd; }",
			"stdin:1:14-27: ERROR: Struct/union of type 'struct task_struct' does not contain a field named 'pidd'\nBEGIN { $x = curtask->pidd; }\n             ~~~~~~~~~~~~~\nHINT: did you mean pid?"},
		{"BEGIN { $x = curtask->se.vrtime; }",
			"stdin:1:14-32: ERROR: Struct/union of type 'struct sched_entity' does not contain a field named 'vrtime'\nBEGIN { $x = curtask->se.vrtime; }\n             ~~~~~~~~~~~~~~~~~~\nHINT: did you mean vruntime?"},
		{"BEGIN { $x = sizeof(struct nope); }",
			"stdin:1:21-32: ERROR: Cannot resolve unknown type \"struct nope\"\nBEGIN { $x = sizeof(struct nope); }\n                    ~~~~~~~~~~~"},
		{"BEGIN { $x = offsetof(struct task_struct, nope); }",
			"stdin:1:14-48: ERROR: Struct/union of type 'struct task_struct' does not contain a field named 'nope'\nBEGIN { $x = offsetof(struct task_struct, nope); }\n             ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~"},
		{"BEGIN { $x = (struct task_struct)curtask; }",
			"stdin:1:14-41: ERROR: Cannot cast to \"struct task_struct\"\nBEGIN { $x = (struct task_struct)curtask; }\n             ~~~~~~~~~~~~~~~~~~~~~~~~~~~\nHINT: cast to a pointer instead: (struct task_struct *)"},
		{"BEGIN { $x = curtask->pid.x; }",
			"stdin:1:14-28: ERROR: Can not access field 'x' on expression of type 'int32'\nBEGIN { $x = curtask->pid.x; }\n             ~~~~~~~~~~~~~~"},
		{"BEGIN { $x = ((struct task_struct *)comm)->pid; }",
			"stdin:1:14-42: ERROR: Cannot cast from \"string[16]\" to \"struct task_struct *\"\nBEGIN { $x = ((struct task_struct *)comm)->pid; }\n             ~~~~~~~~~~~~~~~~~~~~~~~~~~~~"},
		{"BEGIN { $v = (void *)0; $x = *$v; }",
			"stdin:1:30-33: ERROR: Can not dereference type 'void *'\nBEGIN { $v = (void *)0; $x = *$v; }\n                             ~~~\nHINT: cast the pointer to a pointer of a known type first"},
		{"BEGIN { $x = &pid; }",
			"stdin:1:14-18: ERROR: The & operator can only take the address of a variable, a map, or a struct member or array element read through a pointer\nBEGIN { $x = &pid; }\n             ~~~~"},
		{"BEGIN { $x = curtask->ids[2]; }",
			"stdin:1:27-28: ERROR: the index 2 is out of bounds for array of size 2\nBEGIN { $x = curtask->ids[2]; }\n                          ~"},
		{"BEGIN { $x = arg0->pid; }",
			"stdin:1:14-18: ERROR: The arg0 builtin can only be used with 'kprobes', 'uprobes' and 'usdt' probes\nBEGIN { $x = arg0->pid; }\n             ~~~~"},
		{"BEGIN { $x = nsecs->pid; }",
			"stdin:1:14-24: ERROR: Can not access field 'pid' on expression of type 'uint64'\nBEGIN { $x = nsecs->pid; }\n             ~~~~~~~~~~\nHINT: cast the address to a struct pointer first: ((struct name *)expr)->pid"},
		{"struct s { int a; int a; }; BEGIN { }",
			"stdin:1:1-28: ERROR: Invalid C definition: duplicate member 'a'\nstruct s { int a; int a; }; BEGIN { }\n~~~~~~~~~~~~~~~~~~~~~~~~~~~"},
		{"struct s { struct nope n; }; BEGIN { }",
			"stdin:1:1-29: ERROR: Invalid C definition: member 'n' has incomplete type 'struct nope'\nstruct s { struct nope n; }; BEGIN { }\n~~~~~~~~~~~~~~~~~~~~~~~~~~~~"},
		{"struct s { frob x; }; BEGIN { }",
			"stdin:1:1-22: ERROR: Invalid C definition: unknown type 'frob'\nstruct s { frob x; }; BEGIN { }\n~~~~~~~~~~~~~~~~~~~~~"},
		{"enum e { MY_ONE = 1 }; BEGIN { $x = MY_ON_E; }",
			"stdin:1:37-44: ERROR: Unknown identifier: 'MY_ON_E'\nenum e { MY_ONE = 1 }; BEGIN { $x = MY_ON_E; }\n                                    ~~~~~~~\nHINT: did you mean MY_ONE?"},
		{"BEGIN { printf(\"%d\\n\", curtask->comm); }",
			"stdin:1:9-38: ERROR: unsupported format specifier for type 'string[16]': d\nBEGIN { printf(\"%d\\n\", curtask->comm); }\n        ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~"},
	}
	for _, tc := range tests {
		_, _, err := checkBTF(t, tc.src)
		if err == nil {
			t.Errorf("%s: no error, want:\n%s", tc.src, tc.want)
			continue
		}
		if got := err.Error(); got != tc.want {
			t.Errorf("%s:\ngot:\n%s\nwant:\n%s", tc.src, got, tc.want)
		}
	}
}

// Without kernel BTF, curtask stays an address and kernel types are
// unknown, with a hint.
func TestKernelTypesWithoutBTF(t *testing.T) {
	_, out, err := run(t, "BEGIN { $x = curtask; }", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := out.Prog.Probes[0].Body.Stmts[0].(*lang.AssignStmt).Value.Type().String(); got != "uint64" {
		t.Errorf("curtask: %s, want uint64", got)
	}
	_, _, err = run(t, "BEGIN { $x = ppid; }", Options{})
	want := "stdin:1:14-18: ERROR: The ppid builtin needs kernel BTF (struct task_struct)\nBEGIN { $x = ppid; }\n             ~~~~"
	if err == nil || err.Error() != want {
		t.Errorf("ppid without BTF: %v, want:\n%s", err, want)
	}
}

// A tracepoint field declared with an enum type (the format file names
// it) gets its enumerators from BTF, so %s prints names; a struct pointer
// field finds its struct in BTF.
func TestTracepointFieldsFromBTF(t *testing.T) {
	env := btfEnv{fakeEnv{"bpf:map_op": tp(24,
		field("kind", 8, &lang.Type{Kind: lang.KInt, Size: 4, Enum: &lang.Enum{Name: "enum bpf_map_type"}}),
		field("task", 16, ptr(&lang.Type{Kind: lang.KStruct, Name: "struct task_struct"})))}}
	src := `tracepoint:bpf:map_op { $k = args.kind; printf("%s %d %s\n", $k, args.task->pid, args.task->comm); }`
	prog, err := parser.Parse("stdin", src)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Check(prog, "stdin", src, env, Options{})
	if err != nil {
		t.Fatal(err)
	}
	k := out.Prog.Probes[0].Body.Stmts[0].(*lang.AssignStmt).Value.Type()
	if k.Enum == nil || k.Enum.Values[1] != "BPF_MAP_TYPE_HASH" {
		t.Errorf("args.kind: enum %+v, want the values of enum bpf_map_type", k.Enum)
	}
}

// An integer dereferences as the address of a uint64 (bpftrace's loads.bt
// reads *kaddr("avenrun") this way).
func TestDerefInteger(t *testing.T) {
	_, out, err := checkBTF(t, "BEGIN { $a = (uint64)curtask; $x = *($a + 8); }")
	if err != nil {
		t.Fatal(err)
	}
	if got := out.Prog.Probes[0].Body.Stmts[1].(*lang.AssignStmt).Value.Type().String(); got != "uint64" {
		t.Errorf("*($a + 8): %s, want uint64", got)
	}
}

// A flexible array member takes no room and indexes without a bound.
func TestFlexibleArrayMember(t *testing.T) {
	_, out, err := checkBTF(t, "struct fl { int n; long items[]; }; BEGIN { $f = (struct fl *)0; $x = $f->items[3]; $s = sizeof(struct fl); }")
	if err != nil {
		t.Fatal(err)
	}
	fl := out.Prog.Probes[0].Body.Stmts[2].(*lang.AssignStmt).Value.(*lang.Sizeof).TypeArg.T
	if fl.Size != 8 || fl.Fields[1].Offset != 8 || fl.Fields[1].Type.String() != "int64[0]" {
		t.Errorf("struct fl: size %d, items at %d of type %s", fl.Size, fl.Fields[1].Offset, fl.Fields[1].Type)
	}
}

// A typedef name alone in sizeof() or offsetof() is a type (the parser
// cannot tell it from an identifier).
func TestTypedefNamesInSizeof(t *testing.T) {
	_, out, err := checkBTF(t, "typedef struct { int a; union { long l; char c[3]; }; struct { short s1, s2; } pair; } foo_t; BEGIN { $a = sizeof(foo_t); $b = offsetof(foo_t, pair.s2); $c = sizeof(pid_t); }")
	if err != nil {
		t.Fatal(err)
	}
	stmts := out.Prog.Probes[0].Body.Stmts
	if got := stmts[0].(*lang.AssignStmt).Value.(*lang.Sizeof).TypeArg.T.Size; got != 24 {
		t.Errorf("sizeof(foo_t) = %d, want 24", got)
	}
	if got := stmts[1].(*lang.AssignStmt).Value.(*lang.Offsetof).Value; got != 18 {
		t.Errorf("offsetof(foo_t, pair.s2) = %d, want 18", got)
	}
	if got := stmts[2].(*lang.AssignStmt).Value.(*lang.Sizeof).TypeArg.T.String(); got != "int32" {
		t.Errorf("sizeof(pid_t) names %s, want int32", got)
	}
}

// noBTFEnv is a system whose kernel BTF cannot be read.
type noBTFEnv struct{ fakeEnv }

var errNoBTF = errors.New("could not read kernel BTF: open /sys/kernel/btf/vmlinux: no such file or directory")

func (noBTFEnv) KernelType(string) (*lang.Type, bool, error) { return nil, false, errNoBTF }
func (noBTFEnv) KernelEnumerator(string) (int64, *lang.Type, bool, error) {
	return 0, nil, false, errNoBTF
}
func (noBTFEnv) KernelStructNames() ([]string, error) { return nil, errNoBTF }

// When BTF cannot be read, curtask is an address and a kernel type gets
// the reason, at its place.
func TestKernelTypesUnreadableBTF(t *testing.T) {
	src := "BEGIN { $a = curtask; $t = (struct task_struct *)$a; }"
	prog, err := parser.Parse("stdin", src)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Check(prog, "stdin", src, noBTFEnv{testEnv}, Options{})
	want := "stdin:1:29-49: ERROR: could not read kernel BTF: open /sys/kernel/btf/vmlinux: no such file or directory\nBEGIN { $a = curtask; $t = (struct task_struct *)$a; }\n                            ~~~~~~~~~~~~~~~~~~~~"
	if err == nil || err.Error() != want {
		t.Errorf("got:\n%v\nwant:\n%s", err, want)
	}
}

package tracefs

import (
	"os"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang"
)

// openatFormat is a real format file, read by runtime's tests too.
var openatFormat = func() string {
	b, err := os.ReadFile("testdata/sys_enter_openat.format")
	if err != nil {
		panic(err)
	}
	return string(b)
}()

const mixedFormat = `name: mixed
ID: 7
format:
	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
	field:char prev_comm[16];	offset:8;	size:16;	signed:0;
	field:pid_t prev_pid;	offset:24;	size:4;	signed:1;
	field:unsigned long args[6];	offset:32;	size:48;	signed:0;
	field:__data_loc char[] name;	offset:80;	size:4;	signed:0;
	field:u8 saddr[4];	offset:84;	size:4;	signed:0;
	field:struct sockaddr * uaddr;	offset:88;	size:8;	signed:0;
	field:void * ptr;	offset:96;	size:8;	signed:0;
	field:const char *const * argv;	offset:104;	size:8;	signed:0;
	field:bool ok;	offset:112;	size:1;	signed:0;
	field:xfs_ino_t ino;	offset:120;	size:8;	signed:0;
	field:enum zone_type zt;	offset:128;	size:4;	signed:1;
	field:__data_loc u64[] addrs;	offset:132;	size:4;	signed:0;
	field:sigset_t mask;	offset:136;	size:16;	signed:0;

print fmt: "x"
`

func TestParseFormatOpenat(t *testing.T) {
	f, err := ParseFormat(openatFormat)
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "sys_enter_openat" || f.ID != 782 || len(f.Fields) != 9 {
		t.Fatalf("got name %q id %d, %d fields", f.Name, f.ID, len(f.Fields))
	}
	st := f.Struct("syscalls", "sys_enter_openat")
	if st.Kind != lang.KStruct || st.Name != "struct _tracepoint_syscalls_sys_enter_openat" || st.Size != 48 {
		t.Fatalf("struct %s size %d", st.Name, st.Size)
	}
	want := []struct {
		name   string
		offset int
		typ    string
	}{
		{"common_type", 0, "uint16"},
		{"common_flags", 2, "uint8"},
		{"common_preempt_count", 3, "uint8"},
		{"common_pid", 4, "int32"},
		{"__syscall_nr", 8, "int32"},
		{"dfd", 16, "int32"}, // the int in the 8-byte slot: width and sign from C
		{"filename", 24, "int8 *"},
		{"flags", 32, "int32"},
		{"mode", 40, "uint16"}, // umode_t
	}
	for i, w := range want {
		got := st.Fields[i]
		if got.Name != w.name || got.Offset != w.offset || got.Type.String() != w.typ {
			t.Errorf("field %d: got %s@%d %s, want %s@%d %s", i, got.Name, got.Offset, got.Type, w.name, w.offset, w.typ)
		}
	}
	if f.Fields[6].CType != "const char *" || f.Fields[6].Decl != "const char * filename" {
		t.Errorf("filename ctype %q decl %q", f.Fields[6].CType, f.Fields[6].Decl)
	}
	if !f.Fields[0].Common() || f.Fields[4].Common() {
		t.Errorf("Common() wrong")
	}
}

func TestParseFormatTypes(t *testing.T) {
	f, err := ParseFormat(mixedFormat)
	if err != nil {
		t.Fatal(err)
	}
	st := f.Struct("cat", "mixed")
	want := map[string]string{
		"common_type": "uint16",
		"prev_comm":   "string[16]",
		"prev_pid":    "int32",
		"args":        "uint64[6]",
		"name":        "int8 *",
		"saddr":       "uint8[4]",
		"uaddr":       "struct sockaddr *", // found in BTF when a member is read
		"ptr":         "uint8 *",
		"argv":        "int8 * *",
		"ok":          "bool",
		"ino":         "uint64",
		"zt":          "int32",
		"addrs":       "uint64 *",
		"mask":        "uint8[16]",
	}
	if len(st.Fields) != len(want) {
		t.Fatalf("%d fields, want %d", len(st.Fields), len(want))
	}
	for _, fl := range st.Fields {
		if got := fl.Type.String(); got != want[fl.Name] {
			t.Errorf("%s: got %s, want %s", fl.Name, got, want[fl.Name])
		}
		if dl := fl.Name == "name" || fl.Name == "addrs"; fl.DataLoc != dl {
			t.Errorf("%s: DataLoc %v", fl.Name, fl.DataLoc)
		}
	}
	if f.Fields[4].CType != "char" || f.Fields[4].ArrayLen != 0 || !f.Fields[4].DataLoc {
		t.Errorf("data_loc field parsed as %+v", f.Fields[4])
	}
	if f.Fields[3].ArrayLen != 6 || f.Fields[3].CType != "unsigned long" {
		t.Errorf("args parsed as %+v", f.Fields[3])
	}
	if st.Size != 152 {
		t.Errorf("size %d", st.Size)
	}
}

func TestParseFormatErrors(t *testing.T) {
	for _, text := range []string{
		"ID: x\n",
		"format:\n\tfield:int;\toffset:0;\tsize:4;\tsigned:1;\n",
		"format:\n\tfield:int a;\toffset:zero;\tsize:4;\tsigned:1;\n",
		"format:\n\tfield:int a;\tsize:4;\tsigned:1;\n",
	} {
		if _, err := ParseFormat(text); err == nil {
			t.Errorf("no error for %q", text)
		}
	}
}

func TestUnescapeMountPath(t *testing.T) {
	if got := unescapeMountPath(`/mnt/my\040dir`); got != "/mnt/my dir" {
		t.Errorf("got %q", got)
	}
	if got := unescapeMountPath(`/a\\b`); got != `/a\\b` {
		t.Errorf("got %q", got)
	}
}

package ktypes

import (
	"errors"
	"testing"

	"github.com/cilium/ebpf/btf"

	"github.com/gobpftrace/gobpftrace/lang"
)

func field(t *testing.T, st *lang.Type, name string) *lang.Field {
	t.Helper()
	for _, f := range st.Fields {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("%s has no member %s", st.Name, name)
	return nil
}

// BTF is loaded on the first question only, and once.
func TestLoadsLazilyOnce(t *testing.T) {
	loads := 0
	k := New(func() (*btf.Spec, error) {
		loads++
		return btf.LoadKernelSpec()
	})
	if loads != 0 {
		t.Fatalf("loaded %d times before any question", loads)
	}
	for i := 0; i < 3; i++ {
		if _, ok, err := k.Type("struct list_head"); err != nil || !ok {
			t.Fatalf("struct list_head: %v %v", ok, err)
		}
	}
	if loads != 1 {
		t.Fatalf("loaded %d times, want 1", loads)
	}
}

// Layouts that the kernel's ABI fixes: list_head, and sock_common's
// members inside anonymous unions and structs, lifted into the struct.
func TestStableLayouts(t *testing.T) {
	k := Vmlinux()
	lh, ok, err := k.Type("struct list_head")
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if lh.Size != 16 || field(t, lh, "next").Offset != 0 || field(t, lh, "prev").Offset != 8 {
		t.Errorf("list_head: %+v", lh)
	}
	if got := field(t, lh, "next").Type.String(); got != "struct list_head *" {
		t.Errorf("list_head.next: %s", got)
	}
	sc, ok, err := k.Type("struct sock_common")
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	for _, c := range []struct {
		name string
		off  int
		typ  string
	}{{"skc_daddr", 0, "uint32"}, {"skc_rcv_saddr", 4, "uint32"}, {"skc_dport", 12, "uint16"}, {"skc_num", 14, "uint16"}, {"skc_family", 16, "uint16"}} {
		f := field(t, sc, c.name)
		if f.Offset != c.off || f.Type.String() != c.typ {
			t.Errorf("sock_common.%s: offset %d type %s, want %d %s", c.name, f.Offset, f.Type, c.off, c.typ)
		}
	}
	task, ok, err := k.Type("task_struct")
	if err != nil || !ok || task.Name != "struct task_struct" {
		t.Fatalf("task_struct without the keyword: %v %v %v", task, ok, err)
	}
	if got := field(t, task, "comm").Type.String(); got != "string[16]" {
		t.Errorf("task_struct.comm: %s, want string[16]", got)
	}
	if pid, ok, err := k.Type("pid_t"); err != nil || !ok || pid.String() != "int32" {
		t.Errorf("pid_t: %v %v %v", pid, ok, err)
	}
	if _, ok, err := k.Type("struct no_such_struct_here"); err != nil || ok {
		t.Errorf("unknown struct: found %v, err %v", ok, err)
	}
}

// Every member of every struct in BTF lands at its bit offset: plain
// members at their byte, bitfields inside a unit of their type's size.
func TestMemberOffsetsMatchBTF(t *testing.T) {
	spec, err := Vmlinux().Spec()
	if err != nil {
		t.Fatal(err)
	}
	structs, bitfields := 0, 0
	for typ, err := range spec.All() {
		if err != nil {
			t.Fatal(err)
		}
		st, ok := typ.(*btf.Struct)
		if !ok || st.Name == "" {
			continue
		}
		structs++
		lt := Full(st)
		if lt.Size != int(st.Size) {
			t.Fatalf("struct %s: size %d, want %d", st.Name, lt.Size, st.Size)
		}
		for _, m := range st.Members {
			if m.Name == "" {
				continue
			}
			f := field(t, lt, m.Name)
			if m.BitfieldSize == 0 {
				if f.Offset*8 != int(m.Offset) || f.BitSize != 0 {
					t.Fatalf("struct %s.%s: offset %d, want bit %d", st.Name, m.Name, f.Offset, m.Offset)
				}
				continue
			}
			bitfields++
			if f.Offset*8+f.BitOffset != int(m.Offset) || f.BitSize != int(m.BitfieldSize) || f.BitOffset+f.BitSize > 8*lang.SizeOf(f.Type) {
				t.Fatalf("struct %s.%s: %d:%d+%d, want bit %d width %d", st.Name, m.Name, f.Offset, f.BitOffset, f.BitSize, m.Offset, m.BitfieldSize)
			}
		}
	}
	if structs < 1000 || bitfields == 0 {
		t.Fatalf("only %d structs and %d bitfields checked", structs, bitfields)
	}
}

// Enum constants and enum types carry the enumerators' names.
func TestEnums(t *testing.T) {
	k := Vmlinux()
	v, et, ok, err := k.Enumerator("BPF_MAP_TYPE_HASH")
	if err != nil || !ok || v != 1 {
		t.Fatalf("BPF_MAP_TYPE_HASH: %d %v %v", v, ok, err)
	}
	if et.Enum == nil || et.Enum.Name != "enum bpf_map_type" || et.Enum.Values[1] != "BPF_MAP_TYPE_HASH" {
		t.Errorf("enum type: %+v", et.Enum)
	}
	if _, _, ok, _ := k.Enumerator("NO_SUCH_ENUMERATOR"); ok {
		t.Error("NO_SUCH_ENUMERATOR found")
	}
	names, err := k.StructNames()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, n := range names {
		found = found || n == "struct task_struct"
	}
	if !found {
		t.Error("struct task_struct not among the struct names")
	}
}

// The raw scan of the BTF bytes and the walk over decoded types find the
// same enumerators and struct names.
func TestRawScanMatchesDecodedTypes(t *testing.T) {
	walked := New(btf.LoadKernelSpec)
	scanned := Vmlinux()
	for _, name := range []string{"BPF_MAP_TYPE_HASH", "SKB_DROP_REASON_NOT_SPECIFIED", "TCP_FIN_WAIT1", "HRTIMER_SOFTIRQ", "TASK_COMM_LEN"} {
		v1, t1, ok1, err1 := walked.Enumerator(name)
		v2, t2, ok2, err2 := scanned.Enumerator(name)
		if err1 != nil || err2 != nil || !ok1 || !ok2 || v1 != v2 || t1.Enum.Name != t2.Enum.Name {
			t.Errorf("%s: walked %d %v %v %v, scanned %d %v %v %v", name, v1, t1, ok1, err1, v2, t2, ok2, err2)
		}
	}
	n1, err := walked.StructNames()
	if err != nil {
		t.Fatal(err)
	}
	n2, err := scanned.StructNames()
	if err != nil {
		t.Fatal(err)
	}
	if len(n1) != len(n2) || len(n1) < 1000 {
		t.Fatalf("%d struct names walked, %d scanned", len(n1), len(n2))
	}
	for i := range n1 {
		if n1[i] != n2[i] {
			t.Fatalf("struct name %d: %s walked, %s scanned", i, n1[i], n2[i])
		}
	}
	if _, err := scanRaw([]byte("not btf at all, not btf at all")); err == nil {
		t.Error("scanRaw accepted data that is not BTF")
	}
}

// Without BTF every question gets the same clear error, and nothing panics.
func TestWithoutBTF(t *testing.T) {
	k := New(func() (*btf.Spec, error) {
		return nil, errors.New("open /sys/kernel/btf/vmlinux: no such file or directory")
	})
	want := "could not read kernel BTF: open /sys/kernel/btf/vmlinux: no such file or directory"
	if _, _, err := k.Type("struct task_struct"); err == nil || err.Error() != want {
		t.Errorf("Type: %v", err)
	}
	if _, _, _, err := k.Enumerator("BPF_MAP_TYPE_HASH"); err == nil || err.Error() != want {
		t.Errorf("Enumerator: %v", err)
	}
	if _, err := k.StructNames(); err == nil || err.Error() != want {
		t.Errorf("StructNames: %v", err)
	}
}

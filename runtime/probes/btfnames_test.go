package probes

import (
	"encoding/binary"
	"os"
	"reflect"
	"testing"
)

// btfNames walks type records of every size to the functions and the
// btf_trace_ typedefs; anything malformed is an error, never a panic.
func TestBTFNames(t *testing.T) {
	strs := "\x00int\x00f\x00btf_trace_sched_x\x00s\x00m\x00g\x00"
	off := func(name string) uint32 {
		for i := 0; i+len(name) <= len(strs); i++ {
			if strs[i:i+len(name)] == name && strs[i+len(name)] == 0 && (i == 0 || strs[i-1] == 0) {
				return uint32(i)
			}
		}
		t.Fatalf("no string %q", name)
		return 0
	}
	var types []byte
	rec := func(name uint32, kind, vlen int, extra int) {
		types = binary.LittleEndian.AppendUint32(types, name)
		types = binary.LittleEndian.AppendUint32(types, uint32(kind)<<24|uint32(vlen))
		types = binary.LittleEndian.AppendUint32(types, 0)
		types = append(types, make([]byte, extra)...)
	}
	rec(off("int"), 1, 0, 4)               // int
	rec(0, 13, 2, 16)                      // func_proto, 2 params
	rec(off("f"), 12, 0, 0)                // func f
	rec(off("s"), 4, 3, 36)                // struct, 3 members
	rec(off("btf_trace_sched_x"), 8, 0, 0) // typedef
	rec(0, 6, 1, 8)                        // enum, 1 value
	rec(off("g"), 12, 0, 0)                // func g
	rec(off("m"), 8, 0, 0)                 // typedef m
	hdr := make([]byte, 24)
	binary.LittleEndian.PutUint16(hdr, 0xeb9f)
	hdr[2] = 1
	binary.LittleEndian.PutUint32(hdr[4:], 24)
	binary.LittleEndian.PutUint32(hdr[8:], 0)
	binary.LittleEndian.PutUint32(hdr[12:], uint32(len(types)))
	binary.LittleEndian.PutUint32(hdr[16:], uint32(len(types)))
	binary.LittleEndian.PutUint32(hdr[20:], uint32(len(strs)))
	data := append(append(hdr, types...), strs...)
	funcs, tps, err := btfNames(data)
	if err != nil || !reflect.DeepEqual(funcs, []string{"f", "g"}) || !reflect.DeepEqual(tps, []string{"sched_x"}) {
		t.Errorf("btfNames = %q, %q, %v", funcs, tps, err)
	}
	for _, bad := range [][]byte{nil, data[:20], append([]byte{0, 0}, data[2:]...)} {
		if _, _, err := btfNames(bad); err == nil {
			t.Errorf("btfNames of % x: no error", bad[:min(len(bad), 8)])
		}
	}
	unknown := append([]byte(nil), data...)
	unknown[24+7] = 31 // the first record's kind
	if _, _, err := btfNames(unknown); err == nil || err.Error() != "kernel BTF: unknown type kind 31" {
		t.Errorf("unknown kind: %v", err)
	}
}

// One raw tracepoint is looked up by name in place: a typedef
// btf_trace_<event>, not a function of that name.
func TestKernelHasRawTracepoint(t *testing.T) {
	if _, err := os.Stat("/sys/kernel/btf/vmlinux"); err != nil {
		t.Skip("no kernel BTF")
	}
	for ev, want := range map[string]bool{"sys_enter": true, "sched_switch": true, "nonsense": false, "vfs_read": false, "": false} {
		if got, err := kernelHasRawTracepoint(ev); err != nil || got != want {
			t.Errorf("%q: %v, %v; want %v", ev, got, err, want)
		}
	}
}

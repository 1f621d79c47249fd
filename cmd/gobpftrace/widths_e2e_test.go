package main

import (
	"strings"
	"syscall"
	"testing"

	"github.com/cilium/ebpf"
)

// widthsScript keeps map keys and values of several integer widths, and
// self:signal:SIGUSR1 ends it once the test has looked at its maps.
const widthsScript = `BEGIN { @a = (int8)-5; @b = (uint8)200; @k[(int16)-3] = (uint16)60000; @k[(int16)2] = 7;
  @t[(uint8)7, "ab"] = (int32)-70000; @n[1] = 1; @n[2] = 1 + 2; @n[3] = -1; @n[200] = 0;
  @m = (uint64)5; @m = -1; print(@b); }
self:signal:SIGUSR1 { exit(); }`

// Map keys and values keep their integer width, as in bpftrace v0.26: the
// kernel maps' keys and values have the types' sizes, values print (text
// and JSON) as they were stored, narrow values sort by value, and a uint64
// that meets a signed value makes the map an int64 with a warning at the
// value.
func TestMapIntegerWidths(t *testing.T) {
	requireRoot(t)
	sizes := map[string][2]uint32{}
	res := trace(t, traceRun{
		args: []string{"-e", widthsScript},
		attached: func(t *testing.T, pid int) {
			for _, id := range heldObjects(pid).maps {
				m, err := ebpf.NewMapFromID(ebpf.MapID(id))
				if err != nil {
					t.Errorf("map %d: %v", id, err)
					continue
				}
				if info, err := m.Info(); err == nil {
					sizes[info.Name] = [2]uint32{info.KeySize, info.ValueSize}
				}
				m.Close()
			}
			syscall.Kill(pid, syscall.SIGUSR1)
		}})
	warning := func(line string) string {
		return `stdin:3:8-17: WARNING: Expression of type: uint64 being cast to type: int64.
This may cause unexpected results. Use an explicit cast to suppress this warning.
` + line + `
       ~~~~~~~~~
`
	}
	wantOutput(t, res, `@b: 200


@a: -5
@b: 200
@k[2]: 7
@k[-3]: 60000
@m: -1
@n[3]: -1
@n[200]: 0
@n[1]: 1
@n[2]: 3
@t[7, ab]: -70000
`, warning("  @m = (uint64)5; @m = -1; print(@b); }")+"Attached 2 probes\n")
	// Kernel map names: m<index>_<name>, in order of first use.
	for name, want := range map[string][2]uint32{
		"m0_a": {8, 1}, "m1_b": {8, 1}, "m2_k": {2, 2}, "m3_t": {4, 4}, "m4_n": {2, 1}, "m5_m": {8, 8},
	} {
		if got, ok := sizes[name]; !ok || got != want {
			t.Errorf("kernel map %s: key/value size %v, want %v (all: %v)", name, got, want, sizes)
		}
	}

	res = trace(t, traceRun{
		args:     []string{"-f", "json", "-e", strings.Replace(widthsScript, "print(@b); }", "print(@b); exit(); }", 1)},
		noAttach: true,
	})
	wantOutput(t, res, `{"type": "attached_probes", "count": 2, "data": {"probes": 2}}
{"type": "map", "data": {"@b": 200}}
{"type": "map", "data": {"@a": -5}}
{"type": "map", "data": {"@b": 200}}
{"type": "map", "data": {"@k": {"2": 7, "-3": 60000}}}
{"type": "map", "data": {"@m": -1}}
{"type": "map", "data": {"@n": {"3": -1, "200": 0, "1": 1, "2": 3}}}
{"type": "map", "data": {"@t": {"7,ab": -70000}}}
`, warning("  @m = (uint64)5; @m = -1; print(@b); exit(); }"))
}

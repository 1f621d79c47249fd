package codegen

import (
	"encoding/binary"
	"testing"
)

// Map keys and values keep their integer width (bpftrace v0.26): the
// kernel map's key and value have the type's size, values are stored at
// that width and read back sign- or zero-extended.
func TestMapIntegerWidths(t *testing.T) {
	l := runBegin(t, `BEGIN {
		@a = (int8)-5;
		@b = (uint8)200;
		@k[(int16)-3] = (uint16)60000;
		@t[(uint8)7, "ab"] = (int32)-70000;
		@lit = 1 + 2;
		@w = (uint8)255; @w++;
		@ra = @a - 1;
		@rb = @b + 1;
		@rk = @k[-3] + 1;
		@loop = 0;
		for ($kv : @k) { @loop += $kv.0 * 100000 + $kv.1; }
		@has = has_key(@k, -3);
	}`)
	sizes := map[string][2]int{ // key, value
		"@a": {8, 1}, "@b": {8, 1}, "@k": {2, 2}, "@t": {4, 4}, "@lit": {8, 1},
		"@w": {8, 8}, "@ra": {8, 8}, "@rb": {8, 8}, "@rk": {8, 8},
	}
	for name, want := range sizes {
		m, km := l.scriptMap(name)
		if got := [2]int{int(km.KeySize()), int(km.ValueSize())}; got != want || m.KeySize != want[0] || m.ValueSize != want[1] {
			t.Errorf("%s: kernel key/value %v (plan %d/%d), want %v", name, got, m.KeySize, m.ValueSize, want)
		}
	}
	if v := l.value("@a", nil); len(v) != 1 || int8(v[0]) != -5 {
		t.Errorf("@a = %x", v)
	}
	if v := l.value("@b", nil); len(v) != 1 || v[0] != 200 {
		t.Errorf("@b = %x", v)
	}
	key := binary.LittleEndian.AppendUint16(nil, uint16(0xfffd)) // (int16)-3
	if v := l.value("@k", le64(^uint64(2))); binary.LittleEndian.Uint16(v) != 60000 {
		t.Errorf("@k[-3] = %x", v)
	}
	if _, ok := l.entries("@k")[string(le64(^uint64(2)))]; !ok {
		t.Errorf("@k has no key %x", key)
	}
	// (uint8, string[3]): the string right after the byte, no padding.
	tk := append([]byte{7}, 'a', 'b', 0)
	if v := l.value("@t", tk); i64(v) != -70000 {
		t.Errorf("@t[7, ab] = %d", i64(v))
	}
	for name, want := range map[string]int64{"@lit": 3, "@w": 256, "@ra": -6, "@rb": 201, "@rk": 60001, "@loop": -240000, "@has": 1} {
		if got := i64(l.value(name, nil)); got != want {
			t.Errorf("%s = %d, want %d", name, got, want)
		}
	}
}

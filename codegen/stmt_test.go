package codegen

import (
	"testing"
)

func TestIfElseAndVariables(t *testing.T) {
	l := runBegin(t, `BEGIN {
		$a = 5;
		$b = $a * 2;
		$a += 3;
		$a <<= 1;
		$s = "hello";
		if ($a > 10) { @big = 1; } else { @big = 0; }
		if ($b == 9) { @b = 1; } else if ($b == 10) { @b = 2; } else { @b = 3; }
		if ($a < 0) { @never = 1; }
		$i = 0;
		$i++;
		$i++;
		$i--;
		printf("%d %d %s %d\n", $a, $b, $s, $i);
		$u = (uint8)250;
		$u += 10;
		printf("%d\n", $u);
	}`)
	if got := i64(l.value("@big", nil)); got != 1 {
		t.Errorf("@big = %d", got)
	}
	if got := i64(l.value("@b", nil)); got != 2 {
		t.Errorf("@b = %d", got)
	}
	if n := len(l.entries("@never")); n != 0 {
		t.Errorf("@never has %d entries", n)
	}
	recs := l.printfs()
	if len(recs) != 2 {
		t.Fatalf("%d printfs", len(recs))
	}
	r := recs[0]
	if r.int(0) != 16 || r.int(1) != 10 || r.str(2) != "hello" || r.int(3) != 1 {
		t.Errorf("got %d %d %q %d", r.int(0), r.int(1), r.str(2), r.int(3))
	}
	t.Logf("$u is %s", recs[1].ev.Args[0].Type)
}

func TestShortCircuit(t *testing.T) {
	l := runBegin(t, `BEGIN {
		if (0 && @a++) { @x = 1; }
		if (1 || @b++) { @y = 1; }
		if (1 && @c++ == 0) { @z = 1; }
		if (0 || @d++ == 0) { @w = 1; }
		$t = 0 ? @e++ : 7;
	}`)
	for _, m := range []string{"@a", "@b", "@e"} {
		if n := len(l.entries(m)); n != 0 {
			t.Errorf("%s evaluated (%d entries)", m, n)
		}
	}
	for _, m := range []string{"@c", "@d", "@z", "@w", "@y"} {
		if got := i64(l.value(m, nil)); got != 1 {
			t.Errorf("%s = %d, want 1", m, got)
		}
	}
	if n := len(l.entries("@x")); n != 0 {
		t.Errorf("@x set")
	}
}

func TestMapKeys(t *testing.T) {
	l := runBegin(t, `BEGIN {
		@i[1] = 10;
		@i[2] = 20;
		@i[2] += 5;
		@i[3]++;
		@s["a"] = 1;
		@s["bc"] = 2;
		@t[1, "x"] = 3;
		@t[2, "yz"] = 4;
		@t[2, "yz"] *= 2;
		@c[comm] = pid;
		@str[1] = "value";
		@r = @i[2] + @i[7];
		@rs = @str[1];
		delete(@i[1]);
		delete(@i, 3);
	}`)
	ints := l.entries("@i")
	if len(ints) != 1 || i64(ints[string(le64(2))]) != 25 {
		t.Errorf("@i = %v", ints)
	}
	m, _ := l.scriptMap("@s")
	if got := i64(l.value("@s", strKey("bc", m.KeySize))); got != 2 {
		t.Errorf(`@s["bc"] = %d`, got)
	}
	tm, _ := l.scriptMap("@t")
	if tm.KeySize != 16 {
		t.Logf("@t key %s size %d", tm.Key, tm.KeySize)
	}
	offs := TupleOffsets(tm.Key)
	key := make([]byte, tm.KeySize)
	key[0] = 2
	copy(key[offs[1]:], "yz")
	if got := i64(l.value("@t", key)); got != 8 {
		t.Errorf(`@t[2, "yz"] = %d`, got)
	}
	cm, _ := l.scriptMap("@c")
	if got := i64(l.value("@c", strKey("codegen.test", cm.KeySize))); got <= 0 {
		t.Errorf("@c[comm] = %d", got)
	}
	if got := i64(l.value("@r", nil)); got != 25 {
		t.Errorf("@r = %d", got)
	}
	rs := l.value("@rs", nil)
	if string(rs[:6]) != "value\x00" {
		t.Errorf("@rs = %q", rs)
	}
}

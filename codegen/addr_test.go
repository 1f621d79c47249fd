package codegen

import (
	"strings"
	"testing"
)

// __has_key((void *)&@m, (void *)&$k) looks up the bytes of $k in @m: in
// the probe's body, and in bpf_loop and bpf_for_each_map_elem callbacks,
// where $k lives in the probe's frame; &$x reads back through *.
func TestExternalHasKeyAndAddrOf(t *testing.T) {
	l := runChecked(t, checked(t, `BEGIN {
		@m[1] = 10; @m[3] = 30;
		$one = 1; $two = 2;
		@body = __has_key((void *)&@m, (void *)&$one) * 10 + __has_key((void *)&@m, (void *)&$two);
		$hits = 0;
		for ($kv : @m) {
			$k = $kv.0 + 2;
			if (__has_key((void *)&@m, (void *)&$k)) { $hits += 100; }
			if (__has_key((void *)&@m, (void *)&$one)) { $hits += 1; }
		}
		@inmap = $hits;
		$r = 0;
		for ($i : 0..5) { if (__has_key((void *)&@m, (void *)&$i)) { $r += $i; } }
		@inrange = $r;
		@s["abc"] = 1; $str = "abc"; $other = "abd";
		@str = __has_key((void *)&@s, (void *)&$str) * 10 + __has_key((void *)&@s, (void *)&$other);
		@t[1, "x"] = 1; $tup = (1, "x");
		@tuple = __has_key((void *)&@t, (void *)&$tup);
		$v = 41; $p = &$v; $v++;
		@deref = *$p;
	}`))
	for name, want := range map[string]uint64{"@body": 10, "@inmap": 102, "@inrange": 4, "@str": 10, "@tuple": 1, "@deref": 42} {
		if got := u64(l.value(name, nil)); got != want {
			t.Errorf("%s = %d, want %d", name, got, want)
		}
	}
}

// A histogram, whose elements are keyed by bucket too, is refused where
// it is written.
func TestExternalHasKeyRefused(t *testing.T) {
	src := `BEGIN { @h[1] = hist(5); $k = 1; @b = __has_key((void *)&@h, (void *)&$k); }`
	want := "test.bt:1:49-60: ERROR: __has_key() cannot look up @h: a hist_t map keeps each bucket under a key of its own"
	_, err := Compile(checked(t, src))
	if err == nil || strings.SplitN(err.Error(), "\n", 2)[0] != want {
		t.Errorf("%s:\n got %v\nwant %s", src, err, want)
	}
}

// The key is the variable's value, as has_key() takes it: an int32 $i
// of 0..100000 finds the int8 keys 5 and 77 twice, not once per 256, and
// 261 is not 5; a short string is not a longer key that starts with it.
func TestExternalHasKeyByValue(t *testing.T) {
	l := runChecked(t, checked(t, `BEGIN {
		@m[5] = 1; @m[77] = 1;
		$n = 0;
		for ($i : 0..100000) { if (__has_key((void *)&@m, (void *)&$i)) { $n++; } }
		@n = $n;
		$x = 261; @wide = __has_key((void *)&@m, (void *)&$x);
		@s["abcdefgh"] = 1; $k = "ab"; @short = __has_key((void *)&@s, (void *)&$k);
	}`))
	for name, want := range map[string]uint64{"@n": 2, "@wide": 0, "@short": 0} {
		if got := u64(l.value(name, nil)); got != want {
			t.Errorf("%s = %d, want %d", name, got, want)
		}
	}
}

// A pointer to a variable moves both ways: the verifier refuses any
// subtraction from a stack pointer, so p - n is emitted as p + (-n).
func TestAddrOfVariableArithmetic(t *testing.T) {
	l := runChecked(t, checked(t, `BEGIN {
		$x = 7; $p = &$x; $n = 3;
		$q = $p - 1; @a = $p - $q;
		$q -= 2; @b = $p - $q;
		$r = $p - $n; @c = $p - $r;
		$q--; @d = $p - $q;
		@e = *($q + 4);
	}`))
	for name, want := range map[string]uint64{"@a": 1, "@b": 3, "@c": 3, "@d": 4, "@e": 7} {
		if got := u64(l.value(name, nil)); got != want {
			t.Errorf("%s = %d, want %d", name, got, want)
		}
	}
}

// __delete((void *)&@m, (void *)&$k) deletes the key $k holds and returns
// bpf_map_delete_elem's result (0, -ENOENT for a key not there), in the
// body and in loop callbacks; __elem_count((void *)&@m) counts as len().
func TestExternalDeleteAndElemCount(t *testing.T) {
	l := runChecked(t, checked(t, `BEGIN {
		@m[1] = 10; @m[2] = 20; @m[3] = 30; @m[4] = 40;
		$two = 2;
		@first = __delete((void *)&@m, (void *)&$two);
		@again = -__delete((void *)&@m, (void *)&$two);
		@count = __elem_count((void *)&@m);
		$x = 259; @wide = -__delete((void *)&@m, (void *)&$x);
		$n = 0;
		for ($kv : @m) { $k = $kv.0; if ($k != 4 && __delete((void *)&@m, (void *)&$k) == 0) { $n++; } }
		@inloop = $n;
		for ($i : 0..3) { __delete((void *)&@m, (void *)&$i); }
		@left = __elem_count((void *)&@m) * 10 + len(@m);
		@s["abc"] = 1; @s["abd"] = 1; $str = "abc";
		@sdel = __delete((void *)&@s, (void *)&$str) * 10 + __elem_count((void *)&@s);
		@t[1, "x"] = 1; $tup = (1, "x");
		@tdel = __delete((void *)&@t, (void *)&$tup) * 10 + __elem_count((void *)&@t);
	}`))
	for name, want := range map[string]uint64{"@first": 0, "@again": 2, "@count": 3, "@wide": 2, "@inloop": 2, "@left": 11, "@sdel": 1, "@tdel": 0} {
		if got := u64(l.value(name, nil)); got != want {
			t.Errorf("%s = %d, want %d", name, got, want)
		}
	}
}

// A histogram's elements are keyed by bucket too: __delete refuses it.
func TestExternalDeleteRefused(t *testing.T) {
	src := `BEGIN { @h[1] = hist(5); $k = 1; @b = __delete((void *)&@h, (void *)&$k); }`
	want := "test.bt:1:48-59: ERROR: __delete() cannot delete from @h: a hist_t map keeps each bucket under a key of its own"
	_, err := Compile(checked(t, src))
	if err == nil || strings.SplitN(err.Error(), "\n", 2)[0] != want {
		t.Errorf("%s:\n got %v\nwant %s", src, err, want)
	}
}

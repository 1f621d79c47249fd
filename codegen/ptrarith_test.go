package codegen

import "testing"

// Pointer arithmetic moves by elements of the pointee's size: p + n,
// p - n, p++, p--, p += n, p -= n; p - q counts the elements between two
// pointers to one type (signed). cmd's TestPointerDifferenceOfStructs
// covers a size that is not a power of two.
func TestPointerArithmetic(t *testing.T) {
	l := runBegin(t, `BEGIN {
		$p = (int32 *)1000; $q = (int32 *)1008;
		printf("%d %d %d %d\n", $q - $p, $p - $q, $p + 3, $q - 1);
		$p++; $r = $p; $p--; $p--; $s = $p;
		$p += 5; $u = $p; $n = 2; $p -= $n;
		printf("%d %d %d %d\n", $r, $s, $u, $p);
		$b = (int8 *)10; $b++; $b += 4;
		$w = (uint16 *)100; $w -= 3;
		printf("%d %d\n", $b, $w);
	}`)
	recs := l.printfs()
	want := [][]int64{{2, -2, 1012, 1004}, {1004, 996, 1016, 1008}, {15, 94}}
	if len(recs) != len(want) {
		t.Fatalf("%d records, want %d", len(recs), len(want))
	}
	for i, w := range want {
		for j, v := range w {
			if got := recs[i].int(j); got != v {
				t.Errorf("record %d argument %d: %d, want %d", i, j, got, v)
			}
		}
	}
}

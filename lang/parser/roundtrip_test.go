package parser_test

import (
	"reflect"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/parser"
	"github.com/gobpftrace/gobpftrace/lang/printer"
)

var spanType = reflect.TypeOf(lang.Span{})

// stripSpans zeroes every Span in the tree so that trees parsed from
// different texts compare equal when only positions differ.
func stripSpans(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			stripSpans(v.Elem())
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			stripSpans(v.Index(i))
		}
	case reflect.Struct:
		if v.Type() == spanType {
			v.Set(reflect.Zero(spanType))
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				stripSpans(v.Field(i))
			}
		}
	}
}

func sameTree(a, b *lang.Program) bool {
	stripSpans(reflect.ValueOf(a))
	stripSpans(reflect.ValueOf(b))
	return reflect.DeepEqual(a, b)
}

func TestPrintRoundTrip(t *testing.T) {
	srcs := []string{roundTripExtra}
	for _, c := range shapeCases {
		srcs = append(srcs, c.src)
	}
	for _, src := range srcs {
		p1, err := parser.Parse("stdin", src)
		if err != nil {
			t.Errorf("Parse(%q): %v", src, err)
			continue
		}
		out := printer.Print(p1)
		p2, err := parser.Parse("printed", out)
		if err != nil {
			t.Errorf("re-parse of %q failed: %v\nprinted:\n%s", src, err, out)
			continue
		}
		if out2 := printer.Print(p2); out2 != out {
			t.Errorf("printing is not stable for %q:\n%s\nthen\n%s", src, out, out2)
		}
		if !sameTree(p1, p2) {
			t.Errorf("round trip changed the tree of %q:\n%s\n%s\nvs\n%s", src, out, dump(p1), dump(p2))
		}
	}
}

// roundTripExtra mixes every top-level item and block form in one script.
const roundTripExtra = `#!/usr/bin/env bpftrace
#include <linux/sched.h>
#define N 4
config = { max_strlen = 64; print_maps_on_exit = false }
struct S { int a; };
let @h = percpuhash(1000);
macro twice($x) < $x * 2 >
BEGIN, END /$1 > 0 && (pid > 1 ? 1 : 0)/ <
  if ($# >= 2) < @a[1, "x"] = twice(3); > else if (!@b) { @b = (uint8)-1 } else < @c++ >
  for ($kv : @a) < print($kv.0); >
  while ($i < 10) { $i += 1; if ($i > 5) < break > }
  @d = (a=1, b=(2, 3));
  @e = - -$i + -(-$i) + ~!$i + *(&$i) + ((struct S *)0)->a;
  @f = $i ? : 1;
  < $z = $i >> 1 >
  twice({ $i += 1; $i });
  @g = ({ let $t = 2; $t } + sizeof(int32));
  $w = twice(struct S *) + twice(uint8[4]) + twice(S *);
>
`

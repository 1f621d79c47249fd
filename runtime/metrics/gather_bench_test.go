package metrics

import (
	"fmt"
	"testing"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/runtime/output"
)

// BenchmarkGather is one scrape of 10 count maps of 1,000 keys each, on
// two CPUs (cmd/gobpftrace-bench's metrics section measures the process).
func BenchmarkGather(b *testing.B) {
	data := map[*codegen.Map][]output.Entry{}
	for i := range 10 {
		m := newMap(fmt.Sprintf("@c%d", i), lang.TUint64, &lang.Type{Kind: lang.KCount})
		for k := range 1000 {
			data[m] = append(data[m], entry(m, k, u64(uint64(k)), u64(1)))
		}
	}
	var maps []*codegen.Map
	for m := range data {
		maps = append(maps, m)
	}
	c, err := New(maps, Config{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	c.Attach(readFixed(data))
	b.ReportAllocs()
	for b.Loop() {
		if text, errs := c.Gather(); len(text) == 0 || len(errs) > 0 {
			b.Fatal(errs)
		}
	}
}

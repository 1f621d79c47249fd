package runtime

import (
	"bytes"
	"encoding/binary"
	"io"
	"testing"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang/check"
	"github.com/gobpftrace/gobpftrace/lang/parser"
	"github.com/gobpftrace/gobpftrace/runtime/output"
)

// printfRecord compiles one printf of integers and strings and builds a
// record for it as a program would send it.
func printfRecord(tb testing.TB) (*codegen.Plan, []byte) {
	tb.Helper()
	src := `BEGIN { printf("%d %d %s|%-6s|%05d|%x %u %3d\n", tid, nsecs, comm, "ab", -3, 255, 7, 1); }`
	prog, err := parser.Parse("stdin", src)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := check.Check(prog, "stdin", src, nil, check.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	plan, err := codegen.Compile(c)
	if err != nil {
		tb.Fatal(err)
	}
	ev := plan.Events[0]
	rec := make([]byte, ev.Size)
	vals := []uint64{1234, 987654321, 0, 0, ^uint64(2), 255, 7, 1}
	for i, a := range ev.Args {
		if a.Type.IsInt() {
			var le [8]byte
			binary.LittleEndian.PutUint64(le[:], vals[i])
			copy(rec[a.Offset:a.Offset+codegen.Sizeof(a.Type)], le[:])
		}
	}
	copy(rec[ev.Args[2].Offset:], "gbtload\x00")
	copy(rec[ev.Args[3].Offset:], "ab\x00")
	return plan, rec
}

func printfDispatcher(plan *codegen.Plan, w io.Writer) *dispatcher {
	f := &output.Formatter{}
	return &dispatcher{plan: plan, format: f, out: output.NewText(f, output.Destination{Stdout: w, Stderr: w})}
}

// The printf path (decoding a record, formatting, writing to the buffered
// output) allocates nothing per event once warm.
func TestPrintfEventAllocs(t *testing.T) {
	plan, rec := printfRecord(t)
	var out bytes.Buffer
	d := printfDispatcher(plan, &out)
	d.handle(rec)
	d.out.Flush()
	// %05d of -3 pads before the sign as bpftrace v0.26 (a C++ stream fill) does.
	if want := "1234 987654321 gbtload|ab    |000-3|ff 7   1\n"; out.String() != want {
		t.Fatalf("printed %q, want %q", out.String(), want)
	}
	d = printfDispatcher(plan, io.Discard)
	d.handle(rec)
	if n := testing.AllocsPerRun(1000, func() { d.handle(rec) }); n != 0 {
		t.Errorf("%v allocations per printf event, want 0", n)
	}
}

func BenchmarkPrintfEvent(b *testing.B) {
	plan, rec := printfRecord(b)
	d := printfDispatcher(plan, io.Discard)
	b.ReportAllocs()
	for b.Loop() {
		d.handle(rec)
	}
}

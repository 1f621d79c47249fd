package runtime

import (
	"bytes"
	"encoding/binary"
	"math/rand"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang/check"
	"github.com/gobpftrace/gobpftrace/lang/parser"
	"github.com/gobpftrace/gobpftrace/runtime/load"
	"github.com/gobpftrace/gobpftrace/runtime/output"
)

// recordsPlan compiles a script with one event of each kind.
func recordsPlan(t *testing.T) *codegen.Plan {
	t.Helper()
	src := `BEGIN {
		printf("%d %s %u %x %c|%-5s|\n", pid, comm, 7, 255, 65, "ab");
		print(5); print(comm); print((1, "x"));
		@m[1] = 1; print(@m); clear(@m); zero(@m);
		time("%H:%M"); exit();
	}`
	prog, err := parser.Parse("stdin", src)
	if err != nil {
		t.Fatal(err)
	}
	c, err := check.Check(prog, "stdin", src, nil, check.Options{})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := codegen.Compile(c)
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

// Nothing a BPF program sends can make the runtime misbehave: records that
// are empty, short, truncated at every length, of unknown ids, or full of
// random bytes are reported as warnings or printed as garbage, never a
// panic. handle is called directly: a panic fails the test.
func TestMalformedRecords(t *testing.T) {
	plan := recordsPlan(t)
	var out, errs bytes.Buffer
	f := &output.Formatter{}
	d := &dispatcher{plan: plan, format: f, out: output.NewText(f, output.Destination{Stdout: &out, Stderr: &errs}), stderr: &errs, mapOf: (&session{plan: plan, loaded: &load.Loaded{}}).mapOf}
	header := func(id uint64, size int) []byte {
		rec := make([]byte, max(size, 8))
		binary.LittleEndian.PutUint64(rec, id)
		return rec
	}
	for _, rec := range [][]byte{nil, {}, {1}, {1, 2, 3, 4, 5, 6, 7}} {
		errs.Reset()
		d.handle(rec)
		if !strings.Contains(errs.String(), "short event record") {
			t.Errorf("%v: stderr %q", rec, errs.String())
		}
	}
	for _, id := range []uint64{uint64(len(plan.Events)), 1 << 20, 1<<64 - 1} {
		errs.Reset()
		d.handle(header(id, 64))
		if !strings.Contains(errs.String(), "unknown event id") {
			t.Errorf("id %d: stderr %q", id, errs.String())
		}
	}
	rng := rand.New(rand.NewSource(1))
	for id, ev := range plan.Events {
		size := max(ev.Size, codegen.EventHeaderSize)
		for n := codegen.EventHeaderSize; n <= size+8; n++ {
			rec := header(uint64(id), n)
			rng.Read(rec[8:])
			d.exited = false
			d.handle(rec[:n])
			if n < ev.Size && !strings.Contains(errs.String(), "record has") {
				t.Errorf("event %d (kind %d), %d of %d bytes: no warning", id, ev.Kind, n, ev.Size)
			}
			errs.Reset()
		}
	}
	// Random records with valid ids.
	for i := 0; i < 20000; i++ {
		n := rng.Intn(256)
		rec := make([]byte, n)
		rng.Read(rec)
		if n >= 8 {
			binary.LittleEndian.PutUint64(rec, uint64(rng.Intn(len(plan.Events)+2)))
		}
		d.handle(rec)
	}
	d.out.Flush()
}

// A panic while handling a record is contained: handleSafe keeps the first
// one as the run's error.
func TestHandleSafeRecovers(t *testing.T) {
	d := &dispatcher{plan: nil} // handle dereferences plan: a nil plan panics
	rec := make([]byte, 16)
	d.handleSafe(rec)
	d.handleSafe(rec)
	if d.failed == nil || !strings.Contains(d.failed.Error(), "internal error while handling an event") {
		t.Fatalf("failed = %v", d.failed)
	}
}

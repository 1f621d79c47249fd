package codegen

import "testing"

func TestSmoke(t *testing.T) {
	l := runBegin(t, `BEGIN { @x = 1 + 2; printf("%d %s\n", 5, comm); exit(); }`)
	if got := i64(l.value("@x", nil)); got != 3 {
		t.Errorf("@x = %d", got)
	}
	evs := l.events()
	if len(evs) != 2 {
		t.Fatalf("%d events", len(evs))
	}
	t.Logf("printf %d %q", evs[0].int(0), evs[0].str(1))
}

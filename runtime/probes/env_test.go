package probes

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gobpftrace/gobpftrace/runtime/internal/kerneltest"
)

// fakeTracefs builds an events/ tree with the given "cat:event" entries.
func fakeTracefs(t *testing.T, events ...string) string {
	dir := t.TempDir()
	for _, e := range events {
		cat, ev, _ := strings.Cut(e, ":")
		d := filepath.Join(dir, "events", cat, ev)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "format"), openatFormat(t), 0o644); err != nil {
			t.Fatal(err)
		}
		// Files next to event directories must not count as events.
		os.WriteFile(filepath.Join(dir, "events", cat, "enable"), []byte("0\n"), 0o644)
	}
	os.WriteFile(filepath.Join(dir, "events", "header_page"), nil, 0o644)
	return dir
}

func TestMatchTracepointsFake(t *testing.T) {
	env := NewTracefsAt(fakeTracefs(t,
		"syscalls:sys_enter_openat", "syscalls:sys_enter_open", "syscalls:sys_exit_open",
		"sched:sched_switch", "sched:sched_wakeup", "net:netif_rx"))
	cases := []struct {
		cat, ev string
		want    [][2]string
	}{
		{"syscalls", "sys_enter_open*", [][2]string{{"syscalls", "sys_enter_open"}, {"syscalls", "sys_enter_openat"}}},
		{"syscalls", "sys_enter_open", [][2]string{{"syscalls", "sys_enter_open"}}},
		{"syscalls", "nope", nil},
		{"nope", "*", nil},
		{"s*", "*_open", [][2]string{{"syscalls", "sys_enter_open"}, {"syscalls", "sys_exit_open"}}},
		{"sche?", "*", [][2]string{{"sched", "sched_switch"}, {"sched", "sched_wakeup"}}},
		{"*", "enable", nil},
		{"..", "*", nil},
	}
	for _, c := range cases {
		got, err := env.MatchTracepoints(c.cat, c.ev)
		if err != nil {
			t.Fatalf("%s:%s: %v", c.cat, c.ev, err)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:%s: got %v, want %v", c.cat, c.ev, got, c.want)
		}
	}
}

func TestTracepointFake(t *testing.T) {
	env := NewTracefsAt(fakeTracefs(t, "syscalls:sys_enter_openat"))
	st, err := env.Tracepoint("syscalls", "sys_enter_openat")
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Fields) != 9 || st.Fields[6].Name != "filename" {
		t.Fatalf("got %v", st.Fields)
	}
	_, err = env.Tracepoint("syscalls", "sys_enter_nope")
	if err == nil || err.Error() != "tracepoint not found: syscalls:sys_enter_nope" {
		t.Fatalf("got %v", err)
	}
	if _, err := env.Tracepoint("..", "x"); err == nil {
		t.Fatal("no error for ..")
	}
}

// CheckTracepoint answers as Tracepoint would without reading format
// files, and a wildcard's format files are read ahead only once one of
// them is asked for.
func TestCheckTracepointFake(t *testing.T) {
	var names []string
	for i := range 10 {
		names = append(names, fmt.Sprintf("syscalls:sys_enter_%02d", i))
	}
	dir := fakeTracefs(t, append(names, "ftrace:function")...)
	env := NewTracefsAt(dir)
	pairs, err := env.MatchTracepoints("syscalls", "*")
	if err != nil || len(pairs) != 10 {
		t.Fatalf("got %v, %v", pairs, err)
	}
	for _, p := range pairs {
		if err := env.CheckTracepoint(p[0], p[1]); err != nil {
			t.Errorf("%v: %v", p, err)
		}
	}
	if err := env.CheckTracepoint("syscalls", "sys_enter_03"); err != nil {
		t.Error(err)
	}
	for _, c := range []struct{ cat, ev, want string }{
		{"syscalls", "sys_enter_nope", "tracepoint not found: syscalls:sys_enter_nope"},
		{"nope", "x", "tracepoint not found: nope:x"},
		{"..", "x", "tracepoint not found: ..:x"},
		{"ftrace", "function", "tracepoint:ftrace:function is one of ftrace's internal events"},
	} {
		if err := env.CheckTracepoint(c.cat, c.ev); err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s:%s: got %v, want %q", c.cat, c.ev, err, c.want)
		}
	}
	env.mu.Lock()
	read := len(env.formats) + len(env.reading)
	env.mu.Unlock()
	if read != 0 {
		t.Fatalf("%d format files read without being asked for", read)
	}
	if _, err := env.Tracepoint("syscalls", "sys_enter_00"); err != nil {
		t.Fatal(err)
	}
	// The other nine are read ahead, in the background.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		env.mu.Lock()
		read = len(env.formats)
		env.mu.Unlock()
		if read == 10 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of 10 format files read ahead", read)
		}
	}
}

// The real tracefs: these need root (tracefs is root-only) and run in CI.
func TestTracefsReal(t *testing.T) {
	kerneltest.RequireRoot(t)
	env, err := NewEnv()
	if err != nil {
		t.Fatal(err)
	}
	st, err := env.Tracepoint("raw_syscalls", "sys_enter")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range st.Fields {
		got = append(got, f.Name+":"+f.Type.String())
	}
	want := "common_type:uint16 common_flags:uint8 common_preempt_count:uint8 common_pid:int32 id:int64 args:uint64[6]"
	if strings.Join(got, " ") != want {
		t.Errorf("raw_syscalls:sys_enter fields:\n got %s\nwant %s", strings.Join(got, " "), want)
	}
	if st.Fields[5].Offset != 16 {
		t.Errorf("args offset %d", st.Fields[5].Offset)
	}

	st, err = env.Tracepoint("syscalls", "sys_enter_openat")
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]string{}
	for _, f := range st.Fields {
		byName[f.Name] = f.Type.String()
	}
	for name, typ := range map[string]string{"dfd": "int32", "filename": "int8 *", "flags": "int32", "__syscall_nr": "int32"} {
		if byName[name] != typ {
			t.Errorf("sys_enter_openat %s: %s, want %s", name, byName[name], typ)
		}
	}

	st, err = env.Tracepoint("sched", "sched_switch")
	if err != nil {
		t.Fatal(err)
	}
	if f := st.Fields[4]; f.Name != "prev_comm" || f.Type.String() != "string[16]" {
		t.Errorf("sched_switch field 4: %s %s", f.Name, f.Type)
	}

	if _, err := env.Tracepoint("syscalls", "sys_enter_nope"); err == nil ||
		err.Error() != "tracepoint not found: syscalls:sys_enter_nope" {
		t.Errorf("missing tracepoint: %v", err)
	}

	start := time.Now()
	all, err := env.MatchTracepoints("syscalls", "*")
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 200*time.Millisecond {
		t.Errorf("listing syscalls:* took %v", d)
	}
	if len(all) < 100 {
		t.Errorf("syscalls:* gave %d tracepoints", len(all))
	}
	opens, err := env.MatchTracepoints("syscalls", "sys_enter_open*")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range opens {
		names = append(names, o[1])
	}
	if !containsAll(names, "sys_enter_open", "sys_enter_openat", "sys_enter_openat2") ||
		!sortedPairs(opens) {
		t.Errorf("sys_enter_open*: %v", names)
	}
	raw, err := env.MatchTracepoints("raw_sys*", "sys_e?ter")
	if err != nil || !reflect.DeepEqual(raw, [][2]string{{"raw_syscalls", "sys_enter"}}) {
		t.Errorf("raw_sys*:sys_e?ter: %v %v", raw, err)
	}
}

func containsAll(list []string, want ...string) bool {
	set := map[string]bool{}
	for _, s := range list {
		set[s] = true
	}
	for _, w := range want {
		if !set[w] {
			return false
		}
	}
	return true
}

func sortedPairs(ps [][2]string) bool {
	for i := 1; i < len(ps); i++ {
		a, b := ps[i-1], ps[i]
		if a[0] > b[0] || a[0] == b[0] && a[1] >= b[1] {
			return false
		}
	}
	return true
}

// requireRoot skips a privileged test outside CI and fails it in CI, where
// every privileged test must run.

// openatFormat is tracefs' sample format file.
func openatFormat(t *testing.T) []byte {
	b, err := os.ReadFile("../tracefs/testdata/sys_enter_openat.format")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWildcardMatch(t *testing.T) {
	cases := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true},
		{"*", "sys_enter_openat", true},
		{"sys_enter_open*", "sys_enter_openat", true},
		{"sys_enter_open*", "sys_enter_open", true},
		{"sys_enter_open*", "sys_exit_open", false},
		{"*open*", "sys_enter_openat2", true},
		{"sys_?nter_read", "sys_enter_read", true},
		{"sys_?nter_read", "sys_enter_readv", false},
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "aXbY", false},
		{"exact", "exact", true},
		{"exact", "exactly", false},
		{"**", "x", true},
	}
	for _, c := range cases {
		if got := WildcardMatch(c.pattern, c.s); got != c.want {
			t.Errorf("wildcardMatch(%q, %q) = %v", c.pattern, c.s, got)
		}
	}
}

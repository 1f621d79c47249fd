package runtime

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang/check"
	"github.com/gobpftrace/gobpftrace/lang/parser"
	"github.com/gobpftrace/gobpftrace/runtime/probes"
)

// concurrentPlan compiles a script that prints, for each openat of this
// process whose path starts with prefix, the path as str() reads it (cut
// at max_strlen, with the trailer) and a kernel symbol resolved in user
// space, and counts the paths.
func concurrentPlan(t *testing.T, env *probes.Env, config, prefix, symbol string) *codegen.Plan {
	t.Helper()
	src := fmt.Sprintf(`%s tracepoint:syscalls:sys_enter_openat /pid == %d && strncmp(str(args.filename), "%s", %d) == 0/ {
	printf("%%s %%s\n", str(args.filename), ksym(kaddr("%s")));
	@paths[str(args.filename)] = count();
}`, config, os.Getpid(), prefix, len(prefix), symbol)
	prog, err := parser.Parse("stdin", src)
	if err != nil {
		t.Fatal(err)
	}
	c, err := check.Check(prog, "stdin", src, env, check.Options{})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := codegen.Compile(c)
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

// Two runs in one process at once (as two REPL entries or two library
// sessions), each with its own output format, destination, symbols and
// str() trailer: each prints exactly what it prints alone, also after the
// other one has ended. Run with -race.
func TestConcurrentSessions(t *testing.T) {
	requireRoot(t)
	env, err := probes.NewEnv()
	if err != nil {
		t.Fatal(err)
	}
	type session struct {
		format string
		plan   *codegen.Plan
		path   string
		out    syncBuffer
		errs   syncBuffer
		stop   context.CancelFunc
		done   chan error
	}
	// The paths do not exist; str() cuts them after 11 and 7 bytes.
	text := &session{format: "text", path: "/gbt-text/nonexistent",
		plan: concurrentPlan(t, env, `config = { max_strlen = 12; str_trunc_trailer = "~~" }`, "/gbt-te", "vfs_read")}
	json := &session{format: "json", path: "/gbt-json/nonexistent",
		plan: concurrentPlan(t, env, `config = { max_strlen = 8 }`, "/gbt-js", "vfs_write")}
	for _, s := range []*session{text, json} {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		attached := make(chan struct{})
		s.stop, s.done = cancel, make(chan error, 1)
		opts := Options{Stdout: &s.out, Stderr: &s.errs, Format: s.format, OnAttached: func() { close(attached) }}
		go func() { s.done <- Run(ctx, s.plan, opts) }()
		select {
		case <-attached:
		case err := <-s.done:
			t.Fatalf("%s run ended before attaching: %v", s.format, err)
		}
	}
	open := func(path string, times int) {
		for range times {
			if fd, err := unix.Open(path, unix.O_RDONLY, 0); err == nil {
				unix.Close(fd)
			}
		}
	}
	// Both runs print at once; then the text run ends and the JSON run
	// goes on alone.
	for range 50 {
		open(text.path, 1)
		open(json.path, 1)
	}
	text.stop()
	if err := <-text.done; err != nil {
		t.Fatal(err)
	}
	open(json.path, 50)
	json.stop()
	if err := <-json.done; err != nil {
		t.Fatal(err)
	}
	checkNoLeaks(t)

	wantText := strings.Repeat("/gbt-text/no~~ vfs_read\n", 50) + "\n\n@paths[/gbt-text/no~~]: 50\n"
	if got := text.out.String(); got != wantText {
		t.Errorf("text run printed\n%s\nwant\n%s", got, wantText)
	}
	if got := text.errs.String(); got != "Attached 1 probe\n" {
		t.Errorf("text run's stderr: %q", got)
	}
	wantJSON := `{"type": "attached_probes", "count": 1, "data": {"probes": 1}}` + "\n" +
		strings.Repeat(`{"type": "printf", "data": "/gbt-jso.. vfs_write\n"}`+"\n", 100) +
		`{"type": "map", "data": {"@paths": {"/gbt-jso..": 100}}}` + "\n"
	if got := json.out.String(); got != wantJSON {
		t.Errorf("JSON run printed\n%s\nwant\n%s", got, wantJSON)
	}
	if got := json.errs.String(); got != "" {
		t.Errorf("JSON run's stderr: %q", got)
	}
}

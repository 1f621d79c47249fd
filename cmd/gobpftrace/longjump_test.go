package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// Constructs whose code is longer than a 16-bit jump offset reaches
// (32,767 instructions): the program must still take the branch the
// condition says. Before branches were resolved with range checks, the
// `if` offset wrapped and its body ran although pid is never 1.
func TestLongJumps(t *testing.T) {
	requireRoot(t)
	// 4,196 map stores are about 42,000 instructions.
	big := strings.Repeat("@x = 1; ", 4196)
	sum := strings.Repeat("pid + ", 8000) + "1"
	terms := make([]string, 50000)
	for i := range terms {
		terms[i] = "pid != " + strconv.Itoa(5000000+i)
	}
	for _, tc := range []struct{ name, script, want string }{
		{"if", `BEGIN { if (pid == 1) { ` + big + `} printf("after\n"); }`, "after\n\n\n"},
		{"if_taken", `BEGIN { if (pid != 1) { ` + big + `} printf("after\n"); }`, "after\n\n\n@x: 1\n"},
		{"else", `BEGIN { if (pid != 1) { printf("then\n"); } else { ` + big + `} printf("after\n"); }`, "then\nafter\n\n\n"},
		{"then_big", `BEGIN { if (pid == 1) { ` + big + `} else { printf("else\n"); } printf("after\n"); }`, "else\nafter\n\n\n"},
		{"ternary", `BEGIN { $a = pid == 1 ? (` + sum + `) : 7; printf("%d\n", $a); }`, "7\n\n\n"},
		{"and", `BEGIN { $a = pid == 1 && (` + sum + `) > 0; printf("%d\n", $a); }`, "0\n\n\n"},
		{"or", `BEGIN { $a = pid != 1 || (` + sum + `) > 0; printf("%d\n", $a); }`, "1\n\n\n"},
		{"predicate_50000_terms", `BEGIN /` + strings.Join(terms, " && ") + `/ { printf("all differ\n"); }`, "all differ\n\n\n"},
		{"predicate_50000_terms_false", `BEGIN /` + strings.Join(terms, " && ") + ` && pid == 1/ { printf("wrong\n"); }`, "\n\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			script := filepath.Join(t.TempDir(), "big.bt")
			if err := os.WriteFile(script, []byte(tc.script), 0o644); err != nil {
				t.Fatal(err)
			}
			res := trace(t, traceRun{args: []string{script}})
			mustExit(t, res, 0)
			if res.stdout != tc.want {
				t.Errorf("stdout %q, want %q (stderr %s)", res.stdout, tc.want, res.stderr)
			}
		})
	}
}

// The example of issue 15: a tracepoint whose predicate is false for every
// event, guarding a body of more than 32,767 instructions, counts nothing.
func TestLongJumpPredicateOnTracepoint(t *testing.T) {
	requireRoot(t)
	script := filepath.Join(t.TempDir(), "p.bt")
	src := `tracepoint:syscalls:sys_enter_getppid /pid == 1/ { ` + strings.Repeat("@x = 1; ", 4196) +
		strings.Repeat("$p = 1; ", 6) + `@y = count(); }`
	if err := os.WriteFile(script, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	res := trace(t, traceRun{
		args:    []string{script},
		trigger: func(t *testing.T) { runSysloop(t, 1000, "") },
		stop:    syscall.SIGINT,
	})
	mustExit(t, res, 0)
	if strings.Contains(res.stdout, "@") {
		t.Errorf("the predicate is false for every event, but maps were written:\n%s", res.stdout)
	}
}

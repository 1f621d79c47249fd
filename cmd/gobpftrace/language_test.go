package main

import "testing"

// The language end to end: positional parameters as strings, run-time
// division by zero, truncated strings.

func TestPositionalStringAndDivideByZero(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{args: []string{"-e", `BEGIN { printf("[%s] [%s] [%s]\n", str($1), str($1, 2), $1); $z = 0; printf("%d\n", 7 / $z); }`, "abc"}})
	mustExit(t, res, 0)
	if want := "[abc] [ab] [abc]\n1\n\n\n"; res.stdout != want {
		t.Errorf("stdout %q, want %q", res.stdout, want)
	}
	want := "Attached 1 probe\n" +
		"stdin:1:85-91: WARNING: Divide or modulo by 0 detected. This can lead to unexpected results. 1 is being used as the result.\n" +
		`BEGIN { printf("[%s] [%s] [%s]\n", str($1), str($1, 2), $1); $z = 0; printf("%d\n", 7 / $z); }` + "\n" +
		"                                                                                    ~~~~~~\n"
	if res.stderr != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", res.stderr, want)
	}
}

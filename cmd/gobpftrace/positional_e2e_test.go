package main

import (
	"strings"
	"testing"
)

// Positional parameters are literals of their value (bpftrace v0.26): an
// integer one is typed as that literal and folds with other literals, a
// text one is a string literal, a missing one the literal 0 and $# an
// unsigned literal. -d types shows the types; the run shows the values.
func TestPositionalLiteralTypes(t *testing.T) {
	requireRoot(t)
	prog := `BEGIN { $a = $1 + 1; $b = $2; $c = $#; $d = $4 * 2; @e = $3; }`
	res := trace(t, traceRun{args: []string{"-d", "types", "-e", prog, "5", "hello", "0xffffffffffffffff"}, noAttach: true})
	mustExit(t, res, 0)
	want := `BEGIN
  1:9-11     $a  :: int8
  1:14-20    $1 + 1  :: int8
  1:14-16      $1  :: int8
  1:19-20      1  :: int8
  1:22-24    $b  :: string[6]
  1:27-29    $2  :: string[6]
  1:31-33    $c  :: uint8
  1:36-38    $#  :: uint8
  1:40-42    $d  :: int8
  1:45-51    $4 * 2  :: int8
  1:45-47      $4  :: int8
  1:50-51      2  :: int8
  1:53-55    @e  :: uint64
  1:58-60    $3  :: uint64
`
	if res.stdout != want {
		t.Errorf("-d types:\n%s\nwant:\n%s", res.stdout, want)
	}
	run := `BEGIN { $a = $1 + 1; $a = pid; printf("%d %s %d %d %lu\n", $1 - 7, $2, $#, $4 * 2, $3); exit(); }`
	res = trace(t, traceRun{args: []string{"-e", run, "5", "hello", "0xffffffffffffffff"}, noAttach: true})
	mustExit(t, res, 0)
	if want := "-2 hello 3 0 18446744073709551615\n"; !strings.HasPrefix(res.stdout, want) {
		t.Errorf("stdout %q, want it to start with %q", res.stdout, want)
	}
}

// A parameter given text is a string literal where a call needs one.
func TestPositionalTextLiteralArgument(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{args: []string{"-e", `BEGIN { printf("%d %s\n", kaddr($1) != 0, $1); exit(); }`, "vfs_read"}, noAttach: true})
	mustExit(t, res, 0)
	if want := "1 vfs_read\n"; !strings.HasPrefix(res.stdout, want) {
		t.Errorf("stdout %q, want it to start with %q", res.stdout, want)
	}
}

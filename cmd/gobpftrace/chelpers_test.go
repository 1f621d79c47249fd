package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// builtHelpers are the C helpers of testdata/helpers built so far, by name.
var builtHelpers struct {
	sync.Mutex
	done map[string]error
}

// buildCHelper builds testdata/helpers/NAME.c with gcc and flags into the
// directory of the binary under test (where the docs' hooked commands
// run), once per test process, and returns its path.
func buildCHelper(t *testing.T, name string, flags ...string) string {
	t.Helper()
	path := filepath.Join(filepath.Dir(binPath), name)
	builtHelpers.Lock()
	defer builtHelpers.Unlock()
	if builtHelpers.done == nil {
		builtHelpers.done = map[string]error{}
	}
	err, ok := builtHelpers.done[name]
	if !ok {
		args := append(append([]string{}, flags...), "-o", path, "../../testdata/helpers/"+name+".c")
		if out, berr := exec.Command("gcc", args...).CombinedOutput(); berr != nil {
			err = fmt.Errorf("building %s: %v: %s", name, berr, out)
		}
		builtHelpers.done[name] = err
	}
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// tcppairPath builds the TCP helper of the accept lessons: a server
// (comm "tcppair") accepting N loopback connections from its child
// (comm "tcpclient").
func tcppairPath(t *testing.T) string { return buildCHelper(t, "tcppair", "-O2") }

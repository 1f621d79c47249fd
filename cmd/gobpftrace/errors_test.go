package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestErrorCorpus runs the binary on every invalid script of
// testdata/errors. For NAME.bt the expected stderr is NAME.err, exactly;
// the exit code must be 1 and stdout empty. Optional files:
//
//	NAME.args  the arguments, one per line, instead of "NAME.bt";
//	           {file} stands for NAME.bt and {src} for its text (for -e)
//	NAME.env   KEY=VALUE lines added to the environment
//
// In NAME.err, {usage} stands for the text --help prints. The binary runs
// in testdata/errors, so messages name the script as NAME.bt.
func TestErrorCorpus(t *testing.T) {
	requireRoot(t)
	dir, err := filepath.Abs("../../testdata/errors")
	if err != nil {
		t.Fatal(err)
	}
	scripts, _ := filepath.Glob(filepath.Join(dir, "*.bt"))
	if len(scripts) < 150 {
		t.Fatalf("%d scripts in testdata/errors, want at least 150", len(scripts))
	}
	usage, err := exec.Command(binPath, "--help").Output()
	if err != nil {
		t.Fatalf("--help: %v", err)
	}
	for _, script := range scripts {
		name := strings.TrimSuffix(filepath.Base(script), ".bt")
		t.Run(name, func(t *testing.T) {
			src := readFile(t, script)
			want := strings.ReplaceAll(readFile(t, filepath.Join(dir, name+".err")), "{usage}", string(usage))
			args := []string{name + ".bt"}
			if a, err := os.ReadFile(filepath.Join(dir, name+".args")); err == nil {
				args = nil
				for _, line := range strings.Split(strings.TrimSuffix(string(a), "\n"), "\n") {
					if line == "" {
						continue
					}
					line = strings.ReplaceAll(line, "{file}", name+".bt")
					args = append(args, strings.ReplaceAll(line, "{src}", src))
				}
			}
			var env []string
			if e, err := os.ReadFile(filepath.Join(dir, name+".env")); err == nil {
				env = strings.Split(strings.TrimSuffix(string(e), "\n"), "\n")
			}
			res := trace(t, traceRun{args: args, dir: dir, env: env, noAttach: true})
			if os.Getenv("UPDATE_ERRORS") != "" {
				// Development aid: write what the binary prints now.
				got := strings.ReplaceAll(res.stderr, string(usage), "{usage}")
				if err := os.WriteFile(filepath.Join(dir, name+".err"), []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			for _, bad := range []string{"panic:", "goroutine ", "errno", "internal error"} {
				if strings.Contains(res.stderr, bad) {
					t.Errorf("stderr contains %q:\n%s", bad, res.stderr)
				}
			}
			mustExit(t, res, 1)
			if res.stdout != "" {
				t.Errorf("stdout is not empty:\n%s", res.stdout)
			}
			if res.stderr != want {
				t.Errorf("stderr differs\n--- got\n%s--- want\n%s", res.stderr, want)
			}
		})
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

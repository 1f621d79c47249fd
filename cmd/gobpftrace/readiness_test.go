package main

import (
	"net"
	"path/filepath"
	"testing"
	"time"
)

// With __BPFTRACE_NOTIFY_PROBES_ATTACHED set, the line is printed on
// stdout once the probes are attached: before any event, even BEGIN's
// (bpftrace's test runner starts its workload when it reads it).
func TestNotifyProbesAttachedLine(t *testing.T) {
	requireRoot(t)
	script := `BEGIN { printf("begin\n"); } interval:ms:50 { printf("tick\n"); exit(); }`
	res := trace(t, traceRun{args: []string{"-e", script}, env: []string{"__BPFTRACE_NOTIFY_PROBES_ATTACHED=1"}})
	mustExit(t, res, 0)
	if want := "__BPFTRACE_NOTIFY_PROBES_ATTACHED\nbegin\ntick\n\n\n"; res.stdout != want || res.stderr != "Attached 2 probes\n" {
		t.Errorf("stdout %q, want %q; stderr %q", res.stdout, want, res.stderr)
	}
	// Not with -o: the line goes to stdout, the output to the file; and
	// not without the variable.
	out := filepath.Join(t.TempDir(), "out")
	res = trace(t, traceRun{args: []string{"-q", "-o", out, "-e", script}, env: []string{"__BPFTRACE_NOTIFY_PROBES_ATTACHED="}, noAttach: true})
	mustExit(t, res, 0)
	if res.stdout != "__BPFTRACE_NOTIFY_PROBES_ATTACHED\n" {
		t.Errorf("with -o: stdout %q", res.stdout)
	}
	res = trace(t, traceRun{args: []string{"-q", "-e", script}, noAttach: true})
	if res.stdout != "begin\ntick\n\n\n" {
		t.Errorf("without the variable: stdout %q", res.stdout)
	}
	// A dry run attaches nothing for real: no line.
	res = trace(t, traceRun{args: []string{"--dry-run", "-e", script}, env: []string{"__BPFTRACE_NOTIFY_PROBES_ATTACHED=1"}, noAttach: true})
	mustExit(t, res, 0)
	if res.stdout != "" {
		t.Errorf("--dry-run: stdout %q", res.stdout)
	}
}

// With NOTIFY_SOCKET set, READY=1 reaches the socket (a path, or an
// abstract name written @name) once the probes are attached, and
// STOPPING=1 when the run ends, as systemd's sd_notify sends them.
func TestNotifySocket(t *testing.T) {
	requireRoot(t)
	path := filepath.Join(t.TempDir(), "notify")
	abstract := "@gobpftrace-test-notify-" + filepath.Base(t.TempDir())
	for _, name := range []string{path, abstract} {
		conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
		if err != nil {
			t.Fatal(err)
		}
		res := trace(t, traceRun{args: []string{"-q", "-e", `BEGIN { exit(); }`}, env: []string{"NOTIFY_SOCKET=" + name}, noAttach: true})
		mustExit(t, res, 0)
		if res.stderr != "" {
			t.Errorf("%s: stderr %q", name, res.stderr)
		}
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		var got []string
		buf := make([]byte, 256)
		for len(got) < 2 {
			n, err := conn.Read(buf)
			if err != nil {
				t.Errorf("%s: %v after %q", name, err, got)
				break
			}
			got = append(got, string(buf[:n]))
		}
		conn.Close()
		if len(got) == 2 && (got[0] != "READY=1\nSTATUS=Tracing" || got[1] != "STOPPING=1\nSTATUS=Stopping") {
			t.Errorf("%s: datagrams %q", name, got)
		}
	}
	// A socket nobody listens on is a warning, and the run goes on.
	res := trace(t, traceRun{args: []string{"-q", "-e", `BEGIN { printf("ran\n"); exit(); }`}, env: []string{"NOTIFY_SOCKET=" + path + ".none"}, noAttach: true})
	mustExit(t, res, 0)
	want := "WARNING: Failed to send readiness notification to NOTIFY_SOCKET " + path + ".none, ignoring: dial unixgram " + path + ".none: connect: no such file or directory\n"
	if res.stdout != "ran\n\n\n" || res.stderr != want+want {
		t.Errorf("stdout %q stderr %q", res.stdout, res.stderr)
	}
}

// --probe-filter keeps the attach points it matches; --no-feature for
// the kprobe features changes nothing here.
func TestProbeFilterAndFeatures(t *testing.T) {
	requireRoot(t)
	script := `BEGIN { printf("begin\n"); } interval:ms:10 { printf("tick\n"); exit(); } END { printf("end\n"); }`
	res := trace(t, traceRun{args: []string{"--probe-filter", "^(interval|END)", "--no-feature", "kprobe_multi,kprobe_session", "-e", script}})
	mustExit(t, res, 0)
	if res.stdout != "tick\nend\n\n\n" || res.stderr != "Attached 2 probes\n" {
		t.Errorf("stdout %q stderr %q", res.stdout, res.stderr)
	}
	res = trace(t, traceRun{args: []string{"--probe-filter", "kprobe", "-e", script}, noAttach: true})
	mustExit(t, res, 1)
	if res.stderr != "ERROR: no probe of the script matches --probe-filter \"kprobe\"\n" {
		t.Errorf("stderr %q", res.stderr)
	}
	// --debuginfo names directories of separate debug files (dwarf_test.go).
	res = trace(t, traceRun{args: []string{"-q", "--debuginfo", "/usr/lib/debug:/d", "-e", `BEGIN { exit(); }`}, noAttach: true})
	mustExit(t, res, 0)
	if res.stderr != "" {
		t.Errorf("stderr %q", res.stderr)
	}
}

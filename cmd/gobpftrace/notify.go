package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"strings"
)

// Readiness, for the programs that start gobpftrace and wait for its
// probes: bpftrace's runtime test runner and systemd.

// notifyAttachedVar names the environment variable that asks for
// notifyAttachedLine on stdout once every probe is attached (bpftrace's
// test runner starts its workload when it reads the line).
const notifyAttachedVar = "__BPFTRACE_NOTIFY_PROBES_ATTACHED"

const notifyAttachedLine = "__BPFTRACE_NOTIFY_PROBES_ATTACHED\n"

// readiness tells whoever asked through the environment that the probes
// are attached, and later that the run is ending.
type readiness struct {
	stdout io.Writer
	stderr io.Writer
	line   bool   // notifyAttachedVar is set
	socket string // $NOTIFY_SOCKET ("" when unset)
}

func newReadiness(stdout, stderr io.Writer) *readiness {
	_, line := os.LookupEnv(notifyAttachedVar)
	return &readiness{stdout: stdout, stderr: stderr, line: line, socket: os.Getenv("NOTIFY_SOCKET")}
}

// attached prints the readiness line and sends READY=1.
func (r *readiness) attached() {
	if r.line {
		fmt.Fprint(r.stdout, notifyAttachedLine)
		if f, ok := r.stdout.(interface{ Sync() error }); ok {
			f.Sync()
		}
	}
	r.notify("READY=1\nSTATUS=Tracing")
}

// stopping sends STOPPING=1 once the run ends.
func (r *readiness) stopping() { r.notify("STOPPING=1\nSTATUS=Stopping") }

// notify sends state to $NOTIFY_SOCKET as systemd's sd_notify does: one
// datagram on a unix datagram socket, in the abstract namespace when the
// name starts with '@' (Go maps a leading '@' to it). A failure is a
// warning: tracing goes on.
func (r *readiness) notify(state string) {
	if r.socket == "" {
		return
	}
	if !strings.HasPrefix(r.socket, "/") && !strings.HasPrefix(r.socket, "@") {
		fmt.Fprintf(r.stderr, "WARNING: NOTIFY_SOCKET=%s is neither an absolute path nor an abstract socket (@name): no readiness notification sent\n", r.socket)
		r.socket = ""
		return
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: r.socket, Net: "unixgram"})
	if err == nil {
		_, err = conn.Write([]byte(state))
		conn.Close()
	}
	if err != nil {
		fmt.Fprintf(r.stderr, "WARNING: Failed to send readiness notification to NOTIFY_SOCKET %s, ignoring: %v\n", r.socket, err)
	}
}

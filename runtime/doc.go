// Package runtime is the only part of gobpftrace that touches the kernel:
// it finds (and if needed mounts) tracefs, describes tracepoints to the
// checker (Tracefs implements lang.Env), loads a codegen.Plan, attaches its
// programs, runs BEGIN and END, reads the ring buffer, dispatches events to
// the run's printer (package runtime/output, one per run) and prints the
// maps at exit.
//
// Errors returned by this package are single lines meant for users, without
// bpftrace's "ERROR: " prefix (the command adds it).
package runtime

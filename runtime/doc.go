// Package runtime is the only part of gobpftrace that touches the kernel.
// This package is the session: Run loads a codegen.Plan (runtime/load),
// runs BEGIN, attaches its programs (runtime/attach), reads the ring buffer,
// dispatches events to the run's printer (runtime/output, one per run),
// runs END and prints the maps (runtime/maps) at exit. Its subpackages each
// do one job: runtime/probes describes the system to the checker
// (probes.Env implements lang.Env) and lists probes, runtime/tracefs finds
// tracefs and reads format files, runtime/symbols resolves kernel and user
// addresses, runtime/target runs the -c command or watches the -p process,
// runtime/host says what the machine allows and has. runtime/script is the
// public Go API built on Run (compile, start with a context, events and maps
// as Go values); the command and the REPL use it. A run's Live handle
// (Options.OnLoaded) reads its maps from other goroutines.
//
// Errors returned by this package are single lines meant for users, without
// bpftrace's "ERROR: " prefix (the command adds it).
package runtime

package stdlib

// ConfigVar is one setting of the config block / BPFTRACE_* environment.
type ConfigVar struct {
	Name    string // lower case, as in a config block: "max_strlen"
	Default string
	// Int settings must parse as non-negative integers.
	Int bool
	// Supported is true when changing it has an effect.
	Supported bool
	Doc       string
}

// DefaultMaxStrlen is bpftrace v0.26's default max_strlen.
const DefaultMaxStrlen = 1024

// DefaultStrTruncTrailer is what bpftrace prints after a truncated string.
const DefaultStrTruncTrailer = ".."

// DefaultMaxMapKeys is bpftrace's default max_map_keys.
const DefaultMaxMapKeys = 4096

// DefaultMaxProbes is bpftrace's default max_probes.
const DefaultMaxProbes = 1024

// ConfigVars lists the known settings.
var ConfigVars = []*ConfigVar{
	{Name: "max_strlen", Default: "1024", Int: true, Supported: true, Doc: "Bytes a string read by str() may hold, NUL included."},
	{Name: "max_map_keys", Default: "4096", Int: true, Supported: true, Doc: "Maximum number of keys of each map."},
	{Name: "stack_mode", Default: "bpftrace", Supported: true, Doc: "Default output format of kstack/ustack: bpftrace, perf, raw or build_id (ustack only: kstack falls back to raw)."},
	{Name: "max_probes", Default: "1024", Int: true, Supported: true, Doc: "Maximum number of attach points."},
	{Name: "max_bpf_progs", Default: "1024", Int: true, Doc: "Maximum number of generated programs."},
	{Name: "max_cat_bytes", Default: "10240", Int: true, Supported: true, Doc: "Bytes cat() prints at most."},
	{Name: "log_size", Default: "1000000", Int: true, Supported: true, Doc: "Bytes of the verifier log buffer that -d verifier starts with."},
	{Name: "perf_rb_pages", Default: "256", Int: true, Supported: true, Doc: "Size of the event ring buffer in 4 KiB pages (rounded up to a power of two; default 1 MiB)."},
	{Name: "cpp_demangle", Default: "true", Supported: true, Doc: "Demangle C++ and Rust symbols in user stacks and usym()."},
	{Name: "show_debug_info", Default: "false", Supported: true, Doc: "Show the source file and line of each user stack frame (bpftrace stack mode), from the binaries' DWARF."},
	{Name: "lazy_symbolication", Default: "false", Doc: "Resolve user symbols on demand."},
	{Name: "missing_probes", Default: "error", Supported: true, Doc: "What to do with probes that cannot attach: error, warn or ignore."},
	{Name: "print_maps_on_exit", Default: "true", Supported: true, Doc: "Print every map when tracing stops."},
	{Name: "str_trunc_trailer", Default: DefaultStrTruncTrailer, Supported: true, Doc: "Text appended to truncated strings."},
	{Name: "on_stack_limit", Default: "64", Int: true, Supported: true, Doc: "Largest value (in bytes, at least 8) kept on the BPF stack; bigger ones go to the per-CPU scratch buffer."},
	{Name: "cache_user_symbols", Default: "PER_PID", Doc: "User symbol cache: PER_PROGRAM, PER_PID or NONE."},
	{Name: "license", Default: "GPL", Supported: true, Doc: "License the programs are loaded with."},
	{Name: "unstable_addr", Default: "warn", Supported: true, Doc: "The address-of operator on variables and maps (&$x, &@m), an unstable feature of bpftrace: warn (allowed, with a warning), enable (allowed silently) or error (refused)."},
	{Name: "unstable_map_decl", Default: "warn", Supported: true, Doc: "Map declarations (let @m = hash(N) and the other kinds), an unstable feature of bpftrace: warn (allowed, with a warning), enable (allowed silently) or error (refused)."},
	{Name: "unstable_tseries", Default: "warn", Supported: true, Doc: "The tseries() aggregation, an unstable feature of bpftrace: warn (allowed, with a warning), enable (allowed silently) or error (refused)."},
	{Name: "unstable_import", Default: "warn", Doc: "Import statements, an unstable feature of bpftrace v0.26 (warn, enable or error); gobpftrace has no import statements, so only the value is checked."},
}

// DeprecatedConfig are the settings bpftrace v0.26 still accepts but
// ignores, with the warning "NAME is deprecated and has no effect":
// macros are no longer unstable (unstable_macro), uprobe symbols no longer
// come from DWARF (symbol_source), and type resolution no longer iterates
// (max_type_res_iterations).
var DeprecatedConfig = []string{"max_type_res_iterations", "symbol_source", "unstable_macro"}

// IsDeprecatedConfig reports whether name (as in a config block) is one of
// DeprecatedConfig.
func IsDeprecatedConfig(name string) bool {
	n := lower(name)
	if len(n) > 9 && n[:9] == "bpftrace_" {
		n = n[9:]
	}
	for _, d := range DeprecatedConfig {
		if d == n {
			return true
		}
	}
	return false
}

// EnvOnlyConfig are the BPFTRACE_* environment variables (lower case,
// without the prefix) that bpftrace v0.26 reads only from the
// environment: a config block may not set them.
var EnvOnlyConfig = []string{"btf", "debug_output", "kernel_build", "kernel_source", "max_ast_nodes", "verify_llvm_ir", "vmlinux"}

// IsEnvOnlyConfig reports whether name ("debug_output", "BPFTRACE_VMLINUX")
// is one of EnvOnlyConfig.
func IsEnvOnlyConfig(name string) bool {
	n := lower(name)
	if len(n) > 9 && n[:9] == "bpftrace_" {
		n = n[9:]
	}
	for _, e := range EnvOnlyConfig {
		if e == n {
			return true
		}
	}
	return false
}

// LookupConfig accepts "max_strlen", "MAX_STRLEN" and "BPFTRACE_MAX_STRLEN".
func LookupConfig(name string) *ConfigVar {
	n := lower(name)
	if len(n) > 9 && n[:9] == "bpftrace_" {
		n = n[9:]
	}
	for _, c := range ConfigVars {
		if c.Name == n {
			return c
		}
	}
	return nil
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

package check

import (
	"strings"

	"github.com/gobpftrace/gobpftrace/stdlib"
)

// EnvSettings picks the BPFTRACE_* settings the checker knows out of an
// environment list such as os.Environ(), for Options.Env.
func EnvSettings(environ []string) map[string]string {
	out := map[string]string{}
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(k, "BPFTRACE_") || stdlib.LookupConfig(k) == nil {
			continue
		}
		out[k] = v
	}
	return out
}

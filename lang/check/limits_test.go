package check

import (
	"fmt"
	"strings"
	"testing"
)

// Every numeric setting has a ceiling: the ceiling is accepted, one more
// is refused at the setting's position naming the key and the bound, from
// the config block and from the environment alike (issue 15:
// max_cat_bytes = 99999999999 read /dev/zero until memory ran out).
func TestConfigMaxima(t *testing.T) {
	for _, key := range []string{"max_strlen", "max_map_keys", "max_probes", "max_bpf_progs", "max_cat_bytes", "perf_rb_pages", "log_size"} {
		hi := ConfigMax(key)
		if hi == 0 {
			t.Fatalf("%s has no maximum", key)
		}
		if _, _, err := run(t, fmt.Sprintf("config = { %s = %d } BEGIN { }", key, hi), Options{}); err != nil {
			t.Errorf("%s = %d refused: %v", key, hi, err)
		}
		for _, v := range []uint64{hi + 1, 99999999999, 1<<64 - 1} {
			src := fmt.Sprintf("config = { %s = %d } BEGIN { }", key, v)
			_, _, err := run(t, src, Options{})
			want := fmt.Sprintf("stdin:1:12-%d: ERROR: %s must be between 1 and %d (%d given)\n", 12+len(key)+3+len(fmt.Sprint(v)), key, hi, v)
			if err == nil || !strings.HasPrefix(err.Error(), want) {
				t.Errorf("%s:\n got %v\nwant %s", src, err, want)
			}
			env := "BPFTRACE_" + strings.ToUpper(key)
			_, _, err = run(t, "BEGIN { }", Options{Env: map[string]string{env: fmt.Sprint(v)}})
			if want := fmt.Sprintf("ERROR: %s must be between 1 and %d (%d given)", env, hi, v); err == nil || err.Error() != want {
				t.Errorf("%s=%d:\n got %v\nwant %s", env, v, err, want)
			}
		}
	}
}

// A printf width or precision is at most MaxFormatWidth; a larger literal
// is refused at check time (%2000000000s once wrote 2 GB for one event).
func TestFormatWidthBounded(t *testing.T) {
	if _, _, err := run(t, `BEGIN { printf("%65536s|%-65536d|%.65536s\n", "x", 1, "y") }`, Options{}); err != nil {
		t.Errorf("width 65536 refused: %v", err)
	}
	for src, want := range map[string]string{
		`BEGIN { printf("%2000000000s", "x") }`:            "printf: the width 2000000000 of '%2000000000s' is larger than 65536, the most a conversion may have",
		`BEGIN { printf("a %-65537lld b", 1) }`:            "printf: the width 65537 of '%-65537lld' is larger than 65536, the most a conversion may have",
		`BEGIN { printf("%.99999999999999999999s", "x") }`: "printf: the precision 99999999999999999999 of '%.99999999999999999999s' is larger than 65536, the most a conversion may have",
		`BEGIN { cat("%99999999d", 1) }`:                   "cat: the width 99999999 of '%99999999d' is larger than 65536, the most a conversion may have",
	} {
		_, _, err := run(t, src, Options{})
		if err == nil || !strings.Contains(err.Error(), "ERROR: "+want+"\n") {
			t.Errorf("%s:\n got %v\nwant %s", src, err, want)
		}
	}
}

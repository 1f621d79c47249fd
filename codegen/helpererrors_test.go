package codegen

import (
	"fmt"
	"testing"

	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang/check"
	"github.com/gobpftrace/gobpftrace/lang/parser"
)

func compileOpts(t *testing.T, src string, opts Options) *Plan {
	t.Helper()
	prog, err := parser.Parse("test.bt", src)
	if err != nil {
		t.Fatal(err)
	}
	checked, err := check.Check(prog, "test.bt", src, fakeEnv{}, check.Options{})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := Compile(checked, opts)
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

// -k's checks: without the option only the delete() statement's (whose
// result is discarded: bpftrace v0.26 warns then too), one EvHelperError
// per checked call with it, and in the kernel a record with each failing
// helper's return code.
func TestHelperErrorChecks(t *testing.T) {
	src := `BEGIN { @x[1] = 1; $s = str(0); $v = @x[2]; delete(@x, 7); @c[$v] = count(); }`
	plain := compileOpts(t, src, Options{})
	var plainHelpers []string
	for _, ev := range plain.Events {
		if ev.Kind == EvHelperError {
			plainHelpers = append(plainHelpers, ev.Helper)
		}
	}
	if got := fmt.Sprint(plainHelpers); got != "[map_delete_elem]" {
		t.Errorf("helper error events without HelperErrors: %s", got)
	}
	checked := compileOpts(t, src, Options{HelperErrors: true})
	var helpers []string
	for _, ev := range checked.Events {
		if ev.Kind == EvHelperError {
			helpers = append(helpers, ev.Helper)
		}
	}
	// @x[1] = 1, str(0), @x[2] read, delete, the count's insert.
	if got := fmt.Sprint(helpers); got != "[map_update_elem probe_read_kernel_str map_lookup_elem map_delete_elem map_update_elem]" {
		t.Errorf("checked helpers %s", got)
	}
	name := plain.Programs[0].Name
	if a, b := len(plain.Spec.Programs[name].Instructions), len(checked.Spec.Programs[name].Instructions); b <= a {
		t.Errorf("%d instructions with checks, %d without", b, a)
	}

	requireRoot(t)
	l := load(t, checked)
	l.run("BEGIN")
	got := helperErrorRecords(l)
	// The update and the count's insert succeed; the kernel refuses a
	// string read at address 0 (ERANGE), the key 2 is missing (0), the
	// key 7 too (ENOENT).
	if fmt.Sprint(got) != "[probe_read_kernel_str -34 map_lookup_elem 0 map_delete_elem -2]" {
		t.Errorf("helper error records %v", got)
	}
}

func TestHelperName(t *testing.T) {
	for fn, want := range map[asm.BuiltinFunc]string{
		asm.FnProbeReadUserStr:    "probe_read_user_str",
		asm.FnProbeReadKernel:     "probe_read_kernel",
		asm.FnMapLookupElem:       "map_lookup_elem",
		asm.FnMapUpdateElem:       "map_update_elem",
		asm.FnMapDeleteElem:       "map_delete_elem",
		asm.FnGetStackid:          "get_stackid",
		asm.FnSendSignal:          "send_signal",
		asm.FnDPath:               "d_path",
		asm.FnGetNsCurrentPidTgid: "get_ns_current_pid_tgid",
	} {
		if got := helperName(fn); got != want {
			t.Errorf("helperName(%v) = %q, want %q", fn, got, want)
		}
	}
}

// -k's report of a map read that misses, with the record in the scratch
// buffer (config on_stack_limit = 8): R0 is set to NULL again after the
// report. Read back from the record, it was a number to the verifier, which
// refused the value's load ("R0 invalid mem access 'scalar'").
func TestHelperErrorLookupMissInScratch(t *testing.T) {
	src := `config = { on_stack_limit = 8 } BEGIN { @i1 = 5; @i2 = 3; delete(@i2); @i3 = @i2 + 1; @i6 = @i1; @i7 = @i6 * 2; }`
	plan := compileOpts(t, src, Options{HelperErrors: true})
	requireRoot(t)
	l := load(t, plan)
	l.run("BEGIN")
	got := helperErrorRecords(l)
	if fmt.Sprint(got) != "[map_lookup_elem 0]" {
		t.Errorf("helper error records %v", got)
	}
	for name, want := range map[string]int64{"@i3": 1, "@i6": 5, "@i7": 10} {
		if v := i64(l.value(name, nil)); v != want {
			t.Errorf("%s = %d, want %d", name, v, want)
		}
	}
}

// helperErrorRecords lists the helper error records a run sent, as
// "helper errno".
func helperErrorRecords(l *loaded) []string {
	var got []string
	for _, r := range l.events() {
		if r.ev.Kind == EvHelperError {
			got = append(got, fmt.Sprintf("%s %d", r.ev.Helper, r.int(0)))
		}
	}
	return got
}

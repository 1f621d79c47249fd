package load

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/runtime/attach"
	"github.com/gobpftrace/gobpftrace/runtime/host"
)

// VerifierLog loads every program of plan with the kernel verifier's log
// enabled (one line per instruction it walks, then its statistics), writes
// each program's log to w under a header naming its probe, and unloads
// everything: `-d verifier`. A rejected program's error names the script
// line, as in Run.
func VerifierLog(w io.Writer, plan *codegen.Plan) error {
	if plan == nil || plan.Spec == nil {
		return fmt.Errorf("internal error: no plan")
	}
	if !host.Privileged() {
		return host.PrivilegeError()
	}
	opts := Options{}
	progOpts := ebpf.ProgramOptions{LogLevel: ebpf.LogLevelInstruction | ebpf.LogLevelStats}
	if n := plan.Config.LogSize; n > 0 {
		progOpts.LogSizeStart = uint32(n)
	}
	l, err := loadWith(plan, opts, progOpts, func(p *codegen.Program, log string) {
		fmt.Fprintf(w, "; %s (%s)\n", attach.ProbeName(p), p.Name)
		io.WriteString(w, log)
		if !strings.HasSuffix(log, "\n") {
			fmt.Fprintln(w)
		}
	})
	if err != nil {
		return err
	}
	l.Close()
	return nil
}

// VerifiedInstructions loads every program of plan with only the
// verifier's statistics logged and returns, by program name, how many
// instructions the verifier walked ("processed N insns"), of the
// 1,000,000 it allows: how close a script is to its limit. Everything is
// unloaded again.
func VerifiedInstructions(plan *codegen.Plan) (map[string]int, error) {
	if plan == nil || plan.Spec == nil {
		return nil, fmt.Errorf("internal error: no plan")
	}
	out := map[string]int{}
	l, err := loadWith(plan, Options{}, ebpf.ProgramOptions{LogLevel: ebpf.LogLevelStats}, func(p *codegen.Program, log string) {
		if m := processedInsns.FindStringSubmatch(log); m != nil {
			out[p.Name], _ = strconv.Atoi(m[1])
		}
	})
	if err != nil {
		return nil, err
	}
	l.Close()
	return out, nil
}

// processedInsns finds the count of instructions in the verifier's
// statistics.
var processedInsns = regexp.MustCompile(`processed (\d+) insns`)

// insnLine matches a verifier log line about instruction N: "12: (85) call".
var insnLine = regexp.MustCompile(`^(\d+): \(`)

// atInsn finds the instruction a verifier message names.
var atInsn = regexp.MustCompile(`at insn (\d+)`)

// rejectedAt finds the instruction the verifier stopped at (the last
// instruction line of its log) and returns a diagnostic pointing at the
// script construct that instruction was generated for, with a hint; nil
// when the log names no instruction with a known source.
func rejectedAt(plan *codegen.Plan, p *codegen.Program, log []string, summary string, verbose bool) *lang.Diagnostic {
	if plan == nil || p == nil {
		return nil
	}
	off := -1
	// Some reasons name the instruction ("infinite loop detected at insn 4").
	if m := atInsn.FindStringSubmatch(summary); m != nil {
		off, _ = strconv.Atoi(m[1])
	}
	for i := len(log) - 1; i >= 0 && off < 0; i-- {
		if m := insnLine.FindStringSubmatch(strings.TrimSpace(log[i])); m != nil {
			off, _ = strconv.Atoi(m[1])
			break
		}
	}
	if off < 0 {
		return nil
	}
	span, ok := plan.SourceOf(p, off)
	if !ok {
		return nil
	}
	if strings.Contains(summary, "GPL-restricted function") {
		// bpftrace's words for a helper a non-GPL license forbids.
		return &lang.Diagnostic{
			Span:     span,
			Severity: lang.SevError,
			Msg:      fmt.Sprintf("helper %s can only be used in GPL-compatible programs", helperAt(plan, p, off)),
			Hint:     fmt.Sprintf("the programs are loaded with license %q (config license or the script's SPDX-License-Identifier); a GPL-compatible one such as \"GPL\" allows the helper", programLicense(plan, p)),
		}
	}
	hint := verifierHint(summary)
	if !verbose {
		hint += " (-v shows the end of the verifier log, -d verifier all of it)"
	}
	return &lang.Diagnostic{
		Span:     span,
		Severity: lang.SevError,
		Msg: fmt.Sprintf("the kernel's verifier rejected the program for %s at instruction %d, generated for this code: %s",
			attach.ProbeName(p), off, summary),
		Hint: hint,
	}
}

// helperAt names the helper called by the instruction at raw offset off
// of p ("bpf_probe_read_kernel_str"), or "bpf_helper" when it is not a
// helper call.
func helperAt(plan *codegen.Plan, p *codegen.Program, off int) string {
	spec := plan.Spec.Programs[p.Name]
	if spec == nil {
		return "bpf_helper"
	}
	raw := 0
	for _, ins := range spec.Instructions {
		if raw == off {
			if ins.IsBuiltinCall() {
				return "bpf_" + snake(strings.TrimPrefix(asm.BuiltinFunc(ins.Constant).String(), "Fn"))
			}
			break
		}
		raw += int(ins.Size() / asm.InstructionSize)
	}
	return "bpf_helper"
}

// programLicense is the license p is loaded with.
func programLicense(plan *codegen.Plan, p *codegen.Program) string {
	if spec := plan.Spec.Programs[p.Name]; spec != nil {
		return spec.License
	}
	return ""
}

// snake turns a Go name (ProbeReadKernelStr) into the C one
// (probe_read_kernel_str).
func snake(name string) string {
	var b strings.Builder
	for i, r := range name {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// verifierHint explains common verifier complaints in script terms.
func verifierHint(summary string) string {
	s := strings.ToLower(summary)
	switch {
	case strings.Contains(s, "too large") || strings.Contains(s, "too complex") || strings.Contains(s, "processed") && strings.Contains(s, "limit"):
		return "the probe is too big or its loops too long for the verifier: split it across probes or lower loop bounds"
	case strings.Contains(s, "stack"):
		return "the probe needs more stack than the kernel allows (512 bytes): use fewer or shorter strings (BPFTRACE_MAX_STRLEN) and tuples"
	case strings.Contains(s, "unknown func") || strings.Contains(s, "helper call is not allowed") || strings.Contains(s, "program of this type cannot use helper"):
		return "this kernel or probe type lacks a helper the code needs (gobpftrace --info lists the helpers per program type)"
	case strings.Contains(s, "back-edge") || strings.Contains(s, "infinite loop") || strings.Contains(s, "loop"):
		return "the verifier could not prove the loop ends: bound it with a constant"
	case strings.Contains(s, "invalid mem access") || strings.Contains(s, "invalid access") || strings.Contains(s, "out of bounds") || strings.Contains(s, "!read_ok"):
		return "this code reads memory the verifier cannot prove safe; this is a gobpftrace bug worth reporting with the script"
	}
	return "this is most likely a gobpftrace code generation bug; please report it with the script"
}

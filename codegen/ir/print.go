package ir

import (
	"fmt"
	"io"
	"strings"
)

// Print writes f for `-d ir`: each block under its label, each
// instruction under the script line it was built for (lines is the
// script, split at newlines), blocks that no path reaches marked as such
// (lowering drops them).
//
//	func p0_sys_enter
//	p0_sys_enter:
//	; 1: tracepoint:raw_syscalls:sys_enter { @[comm] = count(); }
//		MovReg dst: r1 src: rfp
//		LdXMemDW dst: r6 src: r1 off: 8 imm: 0	; dst v4 (home r6)
//
// A virtual register is shown after the instruction, its home in the
// operand (see Allocate).
func (f *Func) Print(w io.Writer, lines []string) {
	live := map[*Block]bool{}
	if blocks, err := reachable(f, nil); err == nil {
		for _, b := range blocks {
			live[b] = true
		}
	}
	fmt.Fprintf(w, "func %s: %d blocks, %d instructions\n", f.Name, len(f.Blocks), f.Len())
	lastLine := -1
	for _, b := range f.Blocks {
		note := ""
		switch {
		case !live[b]:
			note = " ; unreachable"
		case len(b.Instrs) == 0:
			note = " ; empty, falls through"
		}
		fmt.Fprintf(w, "%s:%s\n", b.Label, note)
		for _, in := range b.Instrs {
			if l := f.Spans.Span(in.Span).Start.Line; l != lastLine && l > 0 && l <= len(lines) {
				fmt.Fprintf(w, "; %d: %s\n", l, strings.TrimSpace(lines[l-1]))
				lastLine = l
			}
			if in.Forget != nil {
				fmt.Fprintf(w, "\t%v\n", in.Forget)
				continue
			}
			fmt.Fprintf(w, "\t%v%s\n", in.Instruction, virtuals(in))
		}
	}
}

// virtuals notes the virtual registers of in, if any.
func virtuals(in Instr) string {
	var notes []string
	if in.VDst != 0 {
		notes = append(notes, fmt.Sprintf("dst v%d (home %v)", in.VDst, in.Dst))
	}
	if in.VSrc != 0 {
		notes = append(notes, fmt.Sprintf("src v%d (home %v)", in.VSrc, in.Src))
	}
	if len(notes) == 0 {
		return ""
	}
	return "\t; " + strings.Join(notes, ", ")
}

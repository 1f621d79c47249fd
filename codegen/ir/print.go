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
func (f *Func) Print(w io.Writer, lines []string) {
	live := map[*Block]bool{}
	if blocks, err := reachable(f); err == nil {
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
			if l := in.Span.Start.Line; l != lastLine && l > 0 && l <= len(lines) {
				fmt.Fprintf(w, "; %d: %s\n", l, strings.TrimSpace(lines[l-1]))
				lastLine = l
			}
			fmt.Fprintf(w, "\t%v\n", in.Instruction)
		}
	}
}

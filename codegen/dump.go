package codegen

import (
	"github.com/gobpftrace/gobpftrace/lang"

	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/cilium/ebpf/asm"
)

// Dump prints every program's instructions for `-d asm`: grouped under the
// script line that produced them (from Program.Spans), with jump labels,
// map references (kernel name and script name) and helper names, followed
// by the event table and the maps.
//
//	p0_sys_enter (tracepoint:raw_syscalls:sys_enter, TracePoint): 12 instructions
//	; 1: tracepoint:raw_syscalls:sys_enter { @[comm] = count(); }
//		 0: MovReg dst: r1 src: rfp
func (p *Plan) Dump(w io.Writer) {
	script := map[string]string{}
	for _, m := range p.Maps {
		script[m.Name] = m.ScriptName
	}
	lines := strings.Split(p.Source, "\n")
	sharing := p.sharing()
	for _, prog := range p.Programs {
		spec := p.Spec.Programs[prog.Name]
		if spec == nil || prog.Cookie != 0 {
			continue
		}
		fmt.Fprintf(w, "%s (%s, %s): %d instructions\n", prog.Name, prog.Attach.Name, spec.Type, len(spec.Instructions))
		if sh := sharing[prog.Name]; len(sh) > 1 {
			fmt.Fprintf(w, "; one program for %d attach points, %s to %s, each attached with its index as attach cookie (probe reads its name by it)\n", len(sh), sh[0], sh[len(sh)-1])
		}
		lastLine := -1
		offset := 0
		for i, ins := range spec.Instructions {
			if i < len(prog.Spans) {
				if l := prog.Span(i).Start.Line; l != lastLine && l > 0 && l <= len(lines) {
					fmt.Fprintf(w, "; %d: %s\n", l, strings.TrimSpace(lines[l-1]))
					lastLine = l
				}
			}
			if sym := ins.Symbol(); sym != "" {
				fmt.Fprintf(w, "%s:\n", sym)
			}
			text := fmt.Sprint(ins)
			if ins.IsLoadFromMap() {
				if s := script[ins.Reference()]; s != "" {
					text += " " + s
				}
			}
			fmt.Fprintf(w, "\t%3d: %s\n", offset, text)
			offset += int(ins.Size() / asm.InstructionSize)
		}
		fmt.Fprintln(w)
	}
	for id, ev := range p.Events {
		fmt.Fprintf(w, "event %d: %s", id, eventKindNames[ev.Kind])
		if ev.Format != "" {
			fmt.Fprintf(w, " %q", ev.Format)
		}
		if ev.Map != "" {
			fmt.Fprintf(w, " %s", ev.Map)
		}
		for _, a := range ev.Args {
			fmt.Fprintf(w, " %s@%d", a.Type, a.Offset)
		}
		fmt.Fprintf(w, " (%d bytes)\n", ev.Size)
	}
	names := make([]string, 0, len(p.Spec.Maps))
	for name := range p.Spec.Maps {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		m := p.Spec.Maps[name]
		fmt.Fprintf(w, "map %s: %s key %d value %d entries %d", name, m.Type, m.KeySize, m.ValueSize, m.MaxEntries)
		if s := script[name]; s != "" {
			fmt.Fprintf(w, " (%s)", s)
		}
		fmt.Fprintln(w)
	}
}

// DumpIR prints every program's functions as code generation built them,
// for `-d ir` (see ir.Func.Print). A plan compiled without
// Options.KeepIR is compiled again, keeping them.
func (p *Plan) DumpIR(w io.Writer) {
	if !p.opts.KeepIR && p.checked != nil {
		opts := p.opts
		opts.KeepIR = true
		q, err := Compile(p.checked, opts)
		if err != nil {
			fmt.Fprintln(w, err)
			return
		}
		p = q
	}
	lines := strings.Split(p.Source, "\n")
	sharing := p.sharing()
	for _, prog := range p.Programs {
		if prog.Cookie != 0 {
			continue
		}
		fmt.Fprintf(w, "%s (%s): %d function%s\n", prog.Name, prog.Attach.Name, len(prog.Funcs), plural(len(prog.Funcs)))
		if sh := sharing[prog.Name]; len(sh) > 1 {
			fmt.Fprintf(w, "; one program for %d attach points, %s to %s (attach cookies 0 to %d)\n", len(sh), sh[0], sh[len(sh)-1], len(sh)-1)
		}
		for _, f := range prog.Funcs {
			f.Print(w, lines)
		}
		fmt.Fprintln(w)
	}
}

// Span returns the script construct instruction i of the program was
// emitted for (see Spans), the zero span when none.
func (p *Program) Span(i int) lang.Span {
	if i < 0 || i >= len(p.Spans) {
		return lang.Span{}
	}
	return p.SpanTable.Span(p.Spans[i])
}

// SourceOf returns the span of the instruction at raw offset off (in 8-byte
// units, as the verifier numbers instructions) of program prog, and whether
// there is one.
func (p *Plan) SourceOf(prog *Program, off int) (span lang.Span, ok bool) {
	spec := p.Spec.Programs[prog.Name]
	if spec == nil {
		return lang.Span{}, false
	}
	at := 0
	for i, ins := range spec.Instructions {
		if at == off {
			if s := prog.Span(i); s.Start.Line > 0 {
				return s, true
			}
			return lang.Span{}, false
		}
		at += int(ins.Size() / asm.InstructionSize)
		if at > off {
			break
		}
	}
	return lang.Span{}, false
}

var eventKindNames = map[EventKind]string{
	EvPrintf: "printf", EvPrintMap: "print_map", EvPrintValue: "print_value",
	EvExit: "exit", EvClear: "clear", EvZero: "zero", EvTime: "time",
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// sharing lists the attach points of each kernel program, by name: more
// than one for the tracepoints that share one (Program.Cookie).
func (p *Plan) sharing() map[string][]string {
	names := map[string][]string{}
	for _, prog := range p.Programs {
		names[prog.Name] = append(names[prog.Name], prog.Attach.Name)
	}
	return names
}

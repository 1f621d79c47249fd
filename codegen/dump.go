package codegen

import (
	"fmt"
	"io"
	"sort"
)

// Dump prints every program's instructions, with map references and helper
// names, followed by the maps (for `-d asm`).
func (p *Plan) Dump(w io.Writer) {
	for _, prog := range p.Programs {
		spec := p.Spec.Programs[prog.Name]
		if spec == nil {
			continue
		}
		fmt.Fprintf(w, "%s (%s, %s): %d instructions\n", prog.Name, prog.Attach.Name, spec.Type, len(spec.Instructions))
		fmt.Fprintf(w, "%v\n", spec.Instructions)
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
		fmt.Fprintf(w, "map %s: %s key %d value %d entries %d\n", name, m.Type, m.KeySize, m.ValueSize, m.MaxEntries)
	}
}

var eventKindNames = map[EventKind]string{
	EvPrintf: "printf", EvPrintMap: "print_map", EvPrintValue: "print_value",
	EvExit: "exit", EvClear: "clear", EvZero: "zero", EvTime: "time",
}

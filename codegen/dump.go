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

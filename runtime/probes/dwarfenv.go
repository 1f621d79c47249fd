package probes

import (
	"errors"
	"fmt"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/runtime/dwarfinfo"
)

// The DWARF side of lang.Env: uprobe args and source-line attach points.

var _ lang.DwarfEnv = (*Env)(nil)

// UprobeArgs implements lang.DwarfEnv.
func (t *Env) UprobeArgs(path, name string) ([]*lang.UprobeArg, error) {
	f, err := dwarfinfo.Load(path)
	if err != nil {
		return nil, err
	}
	args, err := f.Args(name)
	if errors.Is(err, dwarfinfo.ErrNoFunction) {
		return nil, fmt.Errorf("the debug information of %s does not describe function %s", path, name)
	}
	if err != nil {
		return nil, err
	}
	out := make([]*lang.UprobeArg, len(args))
	for i, a := range args {
		out[i] = &lang.UprobeArg{Name: a.Name, Type: a.Type, Regs: a.Regs, Why: a.Why, Fields: a.Fields, FieldTypes: a.FieldTypes,
			InRegs: a.Kind == dwarfinfo.CStruct, Stack: a.Kind == dwarfinfo.Stack, StackOffset: a.StackOffset}
	}
	return out, nil
}

var _ lang.DwarfTypeEnv = (*Env)(nil)

// UserType implements lang.DwarfTypeEnv. A binary without debug
// information defines no type.
func (t *Env) UserType(path, name string) (*lang.Type, bool, error) {
	f, err := dwarfinfo.Load(path)
	var nd *dwarfinfo.NoDebugInfoError
	if errors.As(err, &nd) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return f.NamedType(name)
}

// SourceLineAddress implements lang.DwarfEnv.
func (t *Env) SourceLineAddress(path, file string, line int) (uint64, error) {
	f, err := dwarfinfo.Load(path)
	if err != nil {
		return 0, err
	}
	return f.LineAddress(file, line)
}

// uprobeParams lists a function's parameters from the binary's DWARF
// under its probe (-lv), one per line as bpftrace lists them ("    int*
// n"). A binary without debug information lists none, with bpftrace's
// warning, once per binary.
func (l *lister) uprobeParams(bf binFile, name string) {
	f, err := dwarfinfo.Load(bf.path)
	var nd *dwarfinfo.NoDebugInfoError
	if errors.As(err, &nd) {
		if !l.noDWARF[bf.path] {
			if l.noDWARF == nil {
				l.noDWARF = map[string]bool{}
			}
			l.noDWARF[bf.path] = true
			fmt.Fprintf(l.warn, "WARNING: No DWARF found for \"%s\", cannot show parameter info\n", bf.shown)
		}
		return
	}
	if err != nil {
		return
	}
	args, err := f.Args(name)
	if err != nil {
		return
	}
	for _, a := range args {
		fmt.Fprintf(l.w, "    %s\n", a.Decl)
	}
}

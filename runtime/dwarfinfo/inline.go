package dwarfinfo

import "debug/dwarf"

// SourceFrame is a source location of an instruction: in a function
// inlined there (Inlined, with the function's Name) or in the function
// that holds it (Name ""; its symbol names it). File is "" when the debug
// information does not say where.
type SourceFrame struct {
	Name    string
	Inlined bool
	File    string
	Line    int
}

// SourceFrames returns the source locations of the instruction at addr as
// bpftrace (blazesym) reports them, innermost first: one per inlined
// subroutine (DW_TAG_inlined_subroutine) whose code holds addr, at the
// line addr is on in the innermost one and at the line that calls the
// next inner one in the others, then the function holding them, at the
// line that calls the outermost inlined one (or addr's own line when
// nothing is inlined there). ok is false when the line tables do not
// cover addr.
func (f *File) SourceFrames(addr uint64) (frames []SourceFrame, ok bool) {
	cu, lr := f.unitAt(addr)
	if cu == nil {
		return nil, false
	}
	row, ok := f.lineAt(cu, lr, addr)
	if !ok {
		return nil, false
	}
	direct := &SourceFrame{File: row.file, Line: row.line}
	files := lr.Files()
	// Outermost first, each inlined subroutine carries the location of
	// its call; moving every location one level out gives each frame the
	// line it is at.
	// The inlined subroutines of a split unit are in its .dwo; their call
	// files index the skeleton's line table.
	owner, scope := f, cu
	if sub := f.splitUnits[cu.Offset]; sub != nil && len(sub.cus) > 0 {
		owner, scope = sub, sub.cus[0]
	}
	var inlined []*SourceFrame
	for _, e := range owner.inlineChain(scope, addr) {
		fr := &SourceFrame{Inlined: true}
		if names := owner.names(e, 0); len(names) > 0 {
			fr.Name = names[0]
		}
		call := &SourceFrame{}
		fi, _ := e.Val(dwarf.AttrCallFile).(int64)
		if fi >= 0 && fi < int64(len(files)) && files[fi] != nil {
			call.File = sourcePath(cu, files[fi].Name)
			line, _ := e.Val(dwarf.AttrCallLine).(int64)
			call.Line = int(line)
		}
		// The caller gets this call's location; this frame takes the
		// caller's (addr's own line, for now).
		caller := direct
		if len(inlined) > 0 {
			caller = inlined[len(inlined)-1]
		}
		if call.File != "" || len(inlined) > 0 {
			fr.File, fr.Line = caller.File, caller.Line
			caller.File, caller.Line = call.File, call.Line
		}
		inlined = append(inlined, fr)
	}
	for i := len(inlined) - 1; i >= 0; i-- {
		frames = append(frames, *inlined[i])
	}
	return append(frames, *direct), true
}

// inlineChain returns the inlined subroutines of unit cu whose code holds
// addr, outermost first: the function holding addr is found among the
// unit's entries, then each scope (lexical block, inlined subroutine)
// holding addr inside it, down to the innermost.
func (f *File) inlineChain(cu *dwarf.Entry, addr uint64) []*dwarf.Entry {
	r := f.data.Reader()
	r.Seek(cu.Offset)
	if _, err := r.Next(); err != nil {
		return nil
	}
	var chain []*dwarf.Entry
	for {
		e, err := r.Next()
		if err != nil || e == nil || e.Tag == 0 {
			// The end of the entries of a scope holding addr: none
			// of them holds it, the innermost scope is found.
			return chain
		}
		switch e.Tag {
		case dwarf.TagSubprogram, dwarf.TagLexDwarfBlock, dwarf.TagInlinedSubroutine,
			dwarf.TagTryDwarfBlock, dwarf.TagCatchDwarfBlock:
			if f.holds(e, addr) {
				if e.Tag == dwarf.TagInlinedSubroutine {
					chain = append(chain, e)
				}
				if !e.Children {
					return chain
				}
				continue // look inside
			}
		}
		if e.Children {
			r.SkipChildren()
		}
	}
}

// holds reports whether the code of entry e (its low_pc/high_pc or
// ranges) includes addr.
func (f *File) holds(e *dwarf.Entry, addr uint64) bool {
	ranges, err := f.entryRanges(e)
	if err != nil {
		return false
	}
	for _, r := range ranges {
		if addr >= r[0] && addr < r[1] {
			return true
		}
	}
	return false
}

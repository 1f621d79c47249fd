package ir

import "slices"

// splitWebs renames f's virtual registers web by web. The code generator
// names a handful of virtual registers (the context, the temporaries) and
// reuses each for many unrelated values, as it would a physical register;
// a web is one of those values: the definitions that reach a common use,
// with their uses. Each web gets an id of its own (its home is the
// register's), so that the allocator places each value apart. An
// instruction that reads and writes the same operand (`r += 1`) keeps one
// web: both must be one register.
//
// It reports false, leaving f as it was, when on some path a virtual
// register is read before anything writes it: only the homes give such a
// read a meaning.
func splitWebs(f *Func, bufs *passBufs) bool {
	// vars numbers the registers in order of appearance, by id (ids are
	// small, as for the allocator's index): vars[v] is v's number + 1.
	var top Virtual
	for _, b := range f.Blocks {
		for i := range b.Instrs {
			top = max(top, b.Instrs[i].VDst, b.Instrs[i].VSrc)
		}
	}
	if top == 0 {
		return true
	}
	vars := make([]int32, top+1)
	nvars := 0
	for _, b := range f.Blocks {
		for i := range b.Instrs {
			for _, v := range [2]Virtual{b.Instrs[i].VDst, b.Instrs[i].VSrc} {
				if v != 0 && vars[v] == 0 {
					nvars++
					vars[v] = int32(nvars)
				}
			}
		}
	}
	varOf := func(v Virtual) int32 { return max(vars[v]-1, 0) } // 0 for no register, as the map gave
	// Definitions are numbered per operand: ids 0..nvars-1 stand for
	// "not written yet" of each register, at the entry.
	type site = webSite
	bufs.webBlocks = sized(bufs.webBlocks, len(f.Blocks))
	bufs.webSites = sized(bufs.webSites, f.Len())
	sites := bufs.webBlocks
	all := bufs.webSites // one array for every block's sites
	ndefs := int32(nvars)
	for i, b := range f.Blocks {
		sites[i], all = all[:len(b.Instrs):len(b.Instrs)], all[len(b.Instrs):]
		for j := range b.Instrs {
			in := &b.Instrs[j]
			s := site{roles: rolesOf(in), dst: -1, src: -1, vdst: varOf(in.VDst), vsrc: varOf(in.VSrc)}
			if s.defDst && in.VDst != 0 {
				s.dst, ndefs = ndefs, ndefs+1
			}
			if s.defSrc && in.VSrc != 0 {
				s.src, ndefs = ndefs, ndefs+1
			}
			sites[i][j] = s
		}
	}
	// one, sliced, is the one-definition list of each definition.
	bufs.one = sized(bufs.one, int(ndefs))
	one := bufs.one
	for d := range one {
		one[d] = int32(d)
	}
	single := func(d int32) []int32 { return one[d : d+1 : d+1] }

	targets, first := jumpTargets(f, bufs)
	live := liveVars(f, nvars, varOf, targets, first)
	// reach[i][x] are the definitions of register x that reach block i,
	// kept only where x is live (a definition reaching a block where x is
	// dead reaches no read through it).
	bufs.reach = sized(bufs.reach, len(f.Blocks))
	reach := bufs.reach
	bufs.webCells = sized(bufs.webCells, len(f.Blocks)*nvars)
	cells := bufs.webCells
	clear(cells)
	for i := range reach {
		reach[i] = cells[i*nvars : (i+1)*nvars : (i+1)*nvars]
	}
	for x := 0; x < nvars; x++ {
		reach[0][x] = single(int32(x))
	}
	// merge adds cur to what reaches block t, reporting growth. A list
	// grows into a new array (Clip): walk reads the lists in place.
	merge := func(t int, cur [][]int32) bool {
		grew := false
		for x, ds := range cur {
			if live != nil && live[t]&(1<<x) == 0 {
				continue
			}
			for _, d := range ds {
				if k, ok := slices.BinarySearch(reach[t][x], d); !ok {
					reach[t][x] = slices.Insert(slices.Clip(reach[t][x]), k, d)
					grew = true
				}
			}
		}
		return grew
	}
	// walk follows block i from what reaches it, calling use for every
	// read of a virtual register with the definitions reaching it, and
	// passes on what reaches its successors; it reports whether a block
	// at or before i grew (another sweep is needed).
	bufs.cur = sized(bufs.cur, nvars) // walk's, reused
	cur := bufs.cur
	walk := func(i int, use func(s *site, ds []int32, src bool)) bool {
		b := f.Blocks[i]
		copy(cur, reach[i])
		again := false
		for j := range b.Instrs {
			in := &b.Instrs[j]
			s := &sites[i][j]
			if use != nil {
				if s.useDst && in.VDst != 0 {
					use(s, cur[s.vdst], false)
				}
				if s.useSrc && in.VSrc != 0 {
					use(s, cur[s.vsrc], true)
				}
			}
			if s.dst >= 0 {
				cur[s.vdst] = single(s.dst)
			}
			if s.src >= 0 {
				cur[s.vsrc] = single(s.src)
			}
			if t := int(targets[int(first[i])+j]); t >= 0 && merge(t, cur) && t <= i {
				again = true
			}
		}
		if !b.Terminated() && i+1 < len(f.Blocks) {
			merge(i+1, cur)
		}
		return again
	}
	for again := true; again; {
		again = false
		for i := range f.Blocks {
			if walk(i, nil) {
				again = true
			}
		}
	}

	bufs.parent = sized(bufs.parent, int(ndefs))
	parent := bufs.parent
	for i := range parent {
		parent[i] = int32(i)
	}
	var find func(int32) int32
	find = func(d int32) int32 {
		for parent[d] != d {
			parent[d] = parent[parent[d]]
			d = parent[d]
		}
		return d
	}
	union := func(a, b int32) { parent[find(a)] = find(b) }
	ok := true
	for i := range f.Blocks {
		walk(i, func(s *site, ds []int32, src bool) {
			if len(ds) == 0 || ds[0] < int32(nvars) {
				ok = false // "not written yet" reaches this read
				return
			}
			for _, d := range ds[1:] {
				union(ds[0], d)
			}
			if src {
				s.usrc = ds[0]
			} else {
				s.udst = ds[0]
			}
			// A read-modify-write operand is one register before and after.
			if !src && s.dst >= 0 {
				union(s.dst, ds[0])
			}
			if src && s.src >= 0 {
				union(s.src, ds[0])
			}
		})
	}
	if !ok {
		return false
	}
	bufs.webID = sized(bufs.webID, int(ndefs)) // by root definition; 0: not numbered yet
	webID := bufs.webID
	clear(webID)
	webs := Virtual(0)
	web := func(d int32) Virtual {
		r := find(d)
		if webID[r] == 0 {
			webs++
			webID[r] = webs
		}
		return webID[r]
	}
	for i, b := range f.Blocks {
		for j := range b.Instrs {
			in := &b.Instrs[j]
			s := sites[i][j]
			dst, src := in.VDst, in.VSrc
			if dst != 0 {
				if s.dst >= 0 {
					dst = web(s.dst)
				} else {
					dst = web(s.udst)
				}
			}
			if src != 0 {
				if s.src >= 0 {
					src = web(s.src)
				} else {
					src = web(s.usrc)
				}
			}
			in.VDst, in.VSrc = dst, src
		}
	}
	return true
}

// webSite is what splitWebs notes of an instruction.
type webSite struct {
	roles
	dst, src   int32 // definition ids, -1: none
	vdst, vsrc int32 // register indexes (vars) of the operands
	// udst, usrc are one definition reaching each read operand
	udst, usrc int32
}

// liveVars returns, per block, the virtual registers (bit varOf(v)) live
// at its start: read before written on some path from there. nil when
// there are more than 64 (nvars). targets and first are jumpTargets'.
func liveVars(f *Func, nvars int, varOf func(Virtual) int32, targets, first []int32) []uint64 {
	if nvars > 64 {
		return nil
	}
	live := make([]uint64, len(f.Blocks))
	backward := false // some jump goes to its own block or an earlier one
	for changed := true; changed; {
		changed = false
		for i := len(f.Blocks) - 1; i >= 0; i-- {
			b := f.Blocks[i]
			var cur uint64
			if !b.Terminated() && i+1 < len(f.Blocks) {
				cur = live[i+1]
			}
			for j := len(b.Instrs) - 1; j >= 0; j-- {
				in := &b.Instrs[j]
				if t := int(targets[int(first[i])+j]); t >= 0 {
					cur |= live[t]
					backward = backward || t <= i
				}
				r := rolesOf(in)
				if r.defDst && in.VDst != 0 {
					cur &^= 1 << varOf(in.VDst)
				}
				if r.defSrc && in.VSrc != 0 {
					cur &^= 1 << varOf(in.VSrc)
				}
				if r.useDst && in.VDst != 0 {
					cur |= 1 << varOf(in.VDst)
				}
				if r.useSrc && in.VSrc != 0 {
					cur |= 1 << varOf(in.VSrc)
				}
			}
			if cur != live[i] {
				live[i] = cur
				changed = true
			}
		}
		if !backward {
			break // one sweep is the fixed point (see colour)
		}
	}
	return live
}

// jumpTargets returns the index of the block each instruction of f jumps
// to (-1: none, or a label not placed), the instructions numbered block
// after block, block i's from first[i]: the passes' sweeps look targets
// up there instead of a label map each time.
func jumpTargets(f *Func, bufs *passBufs) (targets, first []int32) {
	at, _ := bufs.labelIndex(f)
	bufs.first = sized(bufs.first, len(f.Blocks)+1)
	first = bufs.first
	n := int32(0)
	for i, b := range f.Blocks {
		first[i] = n
		n += int32(len(b.Instrs))
	}
	first[len(f.Blocks)] = n
	bufs.targets = sized(bufs.targets, int(n))
	targets = bufs.targets
	k := 0
	for _, b := range f.Blocks {
		for j := range b.Instrs {
			targets[k] = -1
			if ref, ok := JumpTarget(b.Instrs[j].Instruction); ok {
				if t, found := at.at(ref); found {
					targets[k] = t
				}
			}
			k++
		}
	}
	return targets, first
}

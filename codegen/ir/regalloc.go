package ir

import (
	"math/bits"
	"slices"

	"github.com/cilium/ebpf/asm"
)

// Register allocation.
//
// The code generator writes some operands as virtual registers: an
// instruction's VDst or VSrc names one (an id unique in its function), and
// its Dst or Src then holds the virtual register's home, a physical
// register that is valid for it everywhere. A value that must survive
// helper calls has a callee-saved home (R6-R9), and the generator hands
// out at most as many of them as there are such registers, spilling to
// the stack itself beyond that: the homes alone are always a correct
// program.
//
// Allocate improves on the homes. It computes which registers are live
// at every instruction, physical ones included (a helper call reads its
// arguments in R1-R5 and clobbers R0-R5), builds the interference graph,
// and colours each virtual register with R0-R9, preferring the register
// it is moved from or to: `r7 = r0` after a call becomes nothing when the
// value can stay in R0, `r6 = r1` at the entry nothing when the context
// can stay in R1. A value that a conditional jump compares does not go
// to R0: measured on this kernel, a chain of 10,000
// `call; r0 >>= 32; if r0 == K goto out` overflows the verifier's 8,192
// pending branches, where the same chain on R1 or R7 verifies. When a virtual register finds no colour, or a virtual
// register is read before any write on some path (a generator bug the
// homes tolerate), the function keeps its homes.

// Virtual is an operand's virtual register id (0: none).
type Virtual = uint32

// helperArgs is how many argument registers the helpers the code generator
// calls read; a helper not listed is taken to read all five.
var helperArgs = map[asm.BuiltinFunc]int{
	asm.FnMapLookupElem:       2,
	asm.FnMapUpdateElem:       4,
	asm.FnMapDeleteElem:       2,
	asm.FnMapLookupPercpuElem: 3,
	asm.FnProbeReadKernel:     3,
	asm.FnProbeReadUser:       3,
	asm.FnProbeReadKernelStr:  3,
	asm.FnProbeReadUserStr:    3,
	asm.FnRingbufOutput:       4,
	asm.FnGetStackid:          3,
	asm.FnSendSignal:          1,
	asm.FnOverrideReturn:      2,
	asm.FnKtimeGetNs:          0,
	asm.FnKtimeGetBootNs:      0,
	asm.FnKtimeGetTaiNs:       0,
	asm.FnKtimeGetCoarseNs:    0,
	asm.FnGetSmpProcessorId:   0,
	asm.FnGetPrandomU32:       0,
	asm.FnGetCurrentPidTgid:   0,
	asm.FnGetCurrentUidGid:    0,
	asm.FnGetCurrentComm:      2,
	asm.FnGetCurrentTask:      0,
	asm.FnGetCurrentCgroupId:  0,
	asm.FnGetAttachCookie:     1,
	asm.FnForEachMapElem:      4,
	asm.FnLoop:                4,
	asm.FnJiffies64:           0,
	asm.FnGetNumaNodeId:       0,
	asm.FnGetNsCurrentPidTgid: 4,
	asm.FnDPath:               3,
}

// helperArgCount is helperArgs by helper number (-1: not listed), read
// for every call of every pass instead of looking up the map.
var helperArgCount = func() (n [256]int8) {
	for i := range n {
		n[i] = -1
	}
	for fn, k := range helperArgs {
		n[fn] = int8(k)
	}
	return n
}()

// loadAcquire is the atomic operation of a load-acquire, which reads
// memory into dst.
var loadAcquire = asm.LoadAcquire(asm.R0, asm.R1, asm.DWord, 0).OpCode.AtomicOp()

// maxAdjMatrix is the most virtual registers whose interference the
// allocator keeps as a bit matrix (128 KiB, reused) rather than lists.
const maxAdjMatrix = 1024

// nPhys is the number of physical registers, R0-R10.
const nPhys = 11

// operands lists the registers an instruction reads and writes, as nodes:
// 0-10 physical registers, nPhys+i the virtual register of index i.
type operands struct {
	uses, defs [6]int32
	nu, nd     uint8
}

func (o *operands) use(n int32) { o.uses[o.nu] = n; o.nu++ }
func (o *operands) def(n int32) { o.defs[o.nd] = n; o.nd++ }

// allocator holds one function's allocation state.
type allocator struct {
	f     *Func
	index []int32        // virtual id -> node (0: none yet); ids are small (webs are numbered from 1)
	homes []asm.Register // by virtual index
	// forbid is, by virtual index, the physical registers it interferes
	// with; adj its virtual neighbours (node numbers), or, for up to
	// maxAdjMatrix virtuals, adjBits their matrix (row i, bit j: virtuals
	// i and j interfere), which holds each pair once where the lists
	// repeat it at every definition.
	forbid  []uint16
	adj     [][]int32
	adjBits []uint64
	words   int // of a row of adjBits
	// partners are the nodes each virtual is moved from or to.
	partners [][]int32
	// compared marks the virtuals a conditional jump reads.
	compared []bool
	bufs     *passBufs
}

func (a *allocator) node(reg asm.Register, v Virtual) int32 {
	if v != 0 {
		return a.index[v]
	}
	return int32(reg)
}

// roles says how in uses its register operands.
type roles struct{ useDst, defDst, useSrc, defSrc bool }

func rolesOf(in *Instr) roles {
	op := in.OpCode
	reg := op.Source() == asm.RegSource
	switch cls := op.Class(); {
	case cls.IsALU():
		switch op.ALUOp() {
		case asm.Mov, asm.MovSX8, asm.MovSX16, asm.MovSX32:
			return roles{useSrc: reg, defDst: true}
		case asm.Neg, asm.Swap:
			return roles{useDst: true, defDst: true}
		}
		return roles{useDst: true, defDst: true, useSrc: reg}
	case cls == asm.LdXClass:
		return roles{useSrc: true, defDst: true}
	case cls == asm.LdClass:
		return roles{defDst: true}
	case cls == asm.StClass:
		return roles{useDst: true}
	case cls == asm.StXClass && op.Mode() == asm.AtomicMode:
		switch aop := op.AtomicOp(); {
		case aop == asm.CmpXchg: // R0 too, see operandsOf
			return roles{useDst: true, useSrc: true}
		case aop&(asm.FetchAdd^asm.AddAtomic) != 0:
			// a fetching atomic (xchg too) loads the old value into src
			return roles{useDst: true, useSrc: true, defSrc: true}
		case aop == loadAcquire:
			return roles{useSrc: true, defDst: true}
		}
		return roles{useDst: true, useSrc: true}
	case cls == asm.StXClass:
		return roles{useDst: true, useSrc: true}
	case cls.IsJump():
		switch op.JumpOp() {
		case asm.Call, asm.Exit, asm.Ja:
			return roles{}
		}
		return roles{useDst: true, useSrc: reg}
	}
	return roles{}
}

// operandsOf returns what in reads and writes.
func (a *allocator) operandsOf(in *Instr) operands {
	var o operands
	dst, src := a.node(in.Dst, in.VDst), a.node(in.Src, in.VSrc)
	r := rolesOf(in)
	if r.useDst {
		o.use(dst)
	}
	if r.useSrc {
		o.use(src)
	}
	if r.defDst {
		o.def(dst)
	}
	if r.defSrc {
		o.def(src)
	}
	uses, defs := fixedOperands(in.Instruction)
	for m := uses; m != 0; m &= m - 1 {
		o.use(int32(bits.TrailingZeros16(uint16(m))))
	}
	for m := defs; m != 0; m &= m - 1 {
		o.def(int32(bits.TrailingZeros16(uint16(m))))
	}
	return o
}

// fixedOperands is what in reads and writes in registers its operands do
// not name: a compare-and-exchange's R0, a call's arguments and the
// registers it clobbers, the exit's R0.
func fixedOperands(in asm.Instruction) (uses, defs regSet) {
	op := in.OpCode
	switch {
	case op.Class() == asm.StXClass && op.Mode() == asm.AtomicMode && op.AtomicOp() == asm.CmpXchg:
		uses, defs = regBit(asm.R0), regBit(asm.R0)
	case op.Class().IsJump() && op.JumpOp() == asm.Call:
		n := 5
		if in.Src != asm.PseudoCall {
			if c := in.Constant; c >= 0 && c < int64(len(helperArgCount)) && helperArgCount[c] >= 0 {
				n = int(helperArgCount[c])
			}
		}
		for r := 1; r <= n; r++ {
			uses |= regBit(asm.Register(r))
		}
		for r := 0; r <= 5; r++ {
			defs |= regBit(asm.Register(r))
		}
	case op.Class().IsJump() && op.JumpOp() == asm.Exit:
		uses = regBit(asm.R0)
	}
	return uses, defs
}

// liveSet is a set of nodes: physical registers as bits of phys, virtual
// ones (node nPhys+i) as bit i of virt. The sets of one function share one
// width, so that no operation allocates.
type liveSet struct {
	phys uint16
	virt []uint64
}

func (s *liveSet) add(n int32) {
	if n < nPhys {
		s.phys |= 1 << n
		return
	}
	i := n - nPhys
	s.virt[i>>6] |= 1 << (i & 63)
}

func (s *liveSet) remove(n int32) {
	if n < nPhys {
		s.phys &^= 1 << n
		return
	}
	i := n - nPhys
	s.virt[i>>6] &^= 1 << (i & 63)
}

func (s *liveSet) union(t liveSet) {
	s.phys |= t.phys
	for k, w := range t.virt {
		s.virt[k] |= w
	}
}

// set makes s a copy of t, in s's own words.
func (s *liveSet) set(t liveSet) {
	s.phys = t.phys
	copy(s.virt, t.virt)
}

func (s liveSet) equal(t liveSet) bool {
	return s.phys == t.phys && slices.Equal(s.virt, t.virt)
}

// anyVirt reports whether a virtual register is in s.
func (s liveSet) anyVirt() bool {
	for _, w := range s.virt {
		if w != 0 {
			return true
		}
	}
	return false
}

// eachVirt calls fn for the virtual nodes of s in increasing order.
func (s liveSet) eachVirt(fn func(n int32)) {
	for k, w := range s.virt {
		for w != 0 {
			b := bits.TrailingZeros64(w)
			fn(int32(nPhys + k<<6 + b))
			w &= w - 1
		}
	}
}

// Allocate assigns physical registers to f's virtual registers (see the
// comment above) and drops the moves that became `rX = rX`. It reports
// whether f kept its homes.
func Allocate(f *Func) (homes bool) {
	bufs := getBufs()
	defer putBufs(bufs)
	a := &allocator{f: f, bufs: bufs}
	if !splitWebs(f, bufs) {
		a.rewrite(nil, false)
		return true
	}
	storeConstants(f)
	for _, b := range f.Blocks {
		for i := range b.Instrs {
			in := &b.Instrs[i]
			a.note(in.VDst, in.Dst)
			a.note(in.VSrc, in.Src)
		}
	}
	a.compared = make([]bool, len(a.homes))
	for _, b := range f.Blocks {
		for i := range b.Instrs {
			in := &b.Instrs[i]
			if _, ok := JumpTarget(in.Instruction); ok {
				for _, v := range []Virtual{in.VDst, in.VSrc} {
					if v != 0 {
						a.compared[a.index[v]-nPhys] = true
					}
				}
			}
		}
	}
	if len(a.homes) == 0 {
		return false
	}
	colors, ok := a.colour()
	a.rewrite(colors, ok)
	return !ok
}

// keepHomes leaves every virtual register of f in its home.
func keepHomes(f *Func) { (&allocator{f: f}).rewrite(nil, false) }

func (a *allocator) note(v Virtual, home asm.Register) {
	if v == 0 {
		return
	}
	if int(v) >= len(a.index) {
		a.index = append(a.index, make([]int32, int(v)+1-len(a.index))...)
	}
	if a.index[v] == 0 {
		a.index[v] = int32(nPhys + len(a.homes))
		a.homes = append(a.homes, home)
	}
}

// colour computes liveness and interference and colours the virtual
// registers; ok is false when the homes must stay.
func (a *allocator) colour() (colors []asm.Register, ok bool) {
	f := a.f
	blocks := f.Blocks
	targets, first := jumpTargets(f, a.bufs)
	// Each instruction's operands, found once for the sweeps below.
	a.bufs.operands = sized(a.bufs.operands, len(targets))
	ops := a.bufs.operands
	for i, b := range blocks {
		for j := range b.Instrs {
			ops[int(first[i])+j] = a.operandsOf(&b.Instrs[j])
		}
	}
	// Live-in sets to a fixed point, blocks visited last to first (code
	// jumps forward but for short plain loops).
	words := (len(a.homes) + 63) / 64
	a.bufs.sets = sized(a.bufs.sets, (len(blocks)+1)*words)
	sets := a.bufs.sets
	clear(sets)
	a.bufs.liveIn = sized(a.bufs.liveIn, len(blocks))
	liveIn := a.bufs.liveIn
	for i := range liveIn {
		liveIn[i] = liveSet{virt: sets[i*words : (i+1)*words : (i+1)*words]}
	}
	live := liveSet{virt: sets[len(blocks)*words:]} // walk's, reused
	backward := false                               // some jump goes to its own block or an earlier one
	walk := func(i int, visit func(in *Instr, o *operands, live *liveSet)) {
		b := blocks[i]
		live.phys = 0
		clear(live.virt)
		if !b.Terminated() && i+1 < len(blocks) {
			live.set(liveIn[i+1])
		}
		for j := len(b.Instrs) - 1; j >= 0; j-- {
			in := &b.Instrs[j]
			if t := int(targets[int(first[i])+j]); t >= 0 {
				live.union(liveIn[t])
				backward = backward || t <= i
			}
			o := &ops[int(first[i])+j]
			if visit != nil {
				visit(in, o, &live)
			}
			for k := range int(o.nd) {
				live.remove(o.defs[k])
			}
			for k := range int(o.nu) {
				live.add(o.uses[k])
			}
		}
	}
	for changed := true; changed; {
		changed = false
		for i := len(blocks) - 1; i >= 0; i-- {
			walk(i, nil)
			if !live.equal(liveIn[i]) {
				liveIn[i].set(live)
				changed = true
			}
		}
		if !backward {
			// Every block's successors come after it and were final when
			// it was walked: one sweep is the fixed point.
			break
		}
	}
	if len(blocks) > 0 && liveIn[0].anyVirt() {
		return nil, false // read before written on some path
	}

	n := len(a.homes)
	a.bufs.forbid = sized(a.bufs.forbid, n)
	a.forbid = a.bufs.forbid
	clear(a.forbid)
	if n <= maxAdjMatrix {
		a.words = (n + 63) / 64
		a.bufs.adjBits = sized(a.bufs.adjBits, n*a.words)
		a.adjBits = a.bufs.adjBits
		clear(a.adjBits)
	} else {
		a.adj = make([][]int32, n)
	}
	a.bufs.partners = sized(a.bufs.partners, n)
	a.partners = a.bufs.partners
	clear(a.partners)
	for i := range blocks {
		walk(i, func(in *Instr, o *operands, live *liveSet) {
			// A move's two registers may be one: they hold the same value
			// (a 32-bit or sign-extending move's do not, but the two still
			// prefer one register when the source dies there).
			move := int32(-1)
			if op := in.OpCode; op.Class().IsALU() && (extendedFrom(*in) > 0 || op.ALUOp() == asm.Mov && op.Source() == asm.RegSource) {
				a.partner(o.defs[0], o.uses[0])
				if op.Class() == asm.ALU64Class && op.ALUOp() == asm.Mov {
					move = o.uses[0]
				}
			}
			for k := range int(o.nd) {
				d := o.defs[k]
				for m := live.phys; m != 0; m &= m - 1 {
					if r := int32(bits.TrailingZeros16(m)); r != d && r != move {
						a.interfere(d, r)
					}
				}
				live.eachVirt(func(v int32) {
					if v != d && v != move {
						a.interfere(d, v)
					}
				})
			}
		})
	}

	colors = make([]asm.Register, n)
	for i := range colors {
		colors[i] = 255
	}
	colorOf := func(node int32) (asm.Register, bool) {
		if node < nPhys {
			return asm.Register(node), true
		}
		c := colors[node-nPhys]
		return c, c != 255
	}
	for i := 0; i < n; i++ {
		taken := a.forbid[i] | 1<<asm.R10
		if a.compared[i] {
			taken |= 1 << asm.R0
		}
		if a.adjBits != nil {
			for k, w := range a.adjBits[i*a.words : (i+1)*a.words] {
				for ; w != 0; w &= w - 1 {
					if c := colors[k<<6+bits.TrailingZeros64(w)]; c != 255 {
						taken |= 1 << c
					}
				}
			}
		} else {
			for _, nb := range a.adj[i] {
				if c, ok := colorOf(nb); ok {
					taken |= 1 << c
				}
			}
		}
		free := func(r asm.Register) bool { return r < asm.R10 && taken&(1<<r) == 0 }
		pick := asm.Register(255)
		for _, p := range a.partners[i] {
			if c, ok := colorOf(p); ok && free(c) {
				pick = c
				break
			}
		}
		if pick == 255 && free(a.homes[i]) {
			pick = a.homes[i]
		}
		for r := asm.R0; pick == 255 && r < asm.R10; r++ {
			if free(r) {
				pick = r
			}
		}
		if pick == 255 {
			return nil, false
		}
		colors[i] = pick
	}
	return colors, true
}

func (a *allocator) interfere(x, y int32) {
	switch {
	case x < nPhys && y < nPhys:
	case x < nPhys:
		a.forbid[y-nPhys] |= 1 << x
	case y < nPhys:
		a.forbid[x-nPhys] |= 1 << y
	default:
		x, y := int(x-nPhys), int(y-nPhys)
		if a.adjBits != nil {
			a.adjBits[x*a.words+y>>6] |= 1 << (y & 63)
			a.adjBits[y*a.words+x>>6] |= 1 << (x & 63)
			return
		}
		a.adj[x] = append(a.adj[x], int32(y+nPhys))
		a.adj[y] = append(a.adj[y], int32(x+nPhys))
	}
}

func (a *allocator) partner(x, y int32) {
	if x >= nPhys {
		a.partners[x-nPhys] = append(a.partners[x-nPhys], y)
	}
	if y >= nPhys {
		a.partners[y-nPhys] = append(a.partners[y-nPhys], x)
	}
}

// rewrite puts the colours (or, when !ok, the homes) in the instructions
// and drops moves of a register to itself.
func (a *allocator) rewrite(colors []asm.Register, ok bool) {
	for _, b := range a.f.Blocks {
		out := b.Instrs[:0]
		for _, in := range b.Instrs {
			if ok && in.VDst != 0 {
				in.Dst = colors[a.index[in.VDst]-nPhys]
			}
			if ok && in.VSrc != 0 {
				in.Src = colors[a.index[in.VSrc]-nPhys]
			}
			in.VDst, in.VSrc = 0, 0
			if op := in.OpCode; op.Class() == asm.ALU64Class && op.ALUOp() == asm.Mov && op.Source() == asm.RegSource && in.Dst == in.Src && in.Symbol() == "" {
				continue
			}
			out = append(out, in)
		}
		b.Instrs = out
	}
}

// storeConstants turns `v = K; *(p + off) = v`, where the store is the one
// read of the web v and the set its one write, into the store of the
// immediate K: a register set only to be stored costs a move. Likewise a
// 32-bit copy or a sign extension read only by a store no wider than the
// bytes it keeps is stored from its source. f's
// virtual registers are webs (splitWebs).
func storeConstants(f *Func) {
	// Counts by web id (numbered from 1, so slices do).
	var top Virtual
	for _, b := range f.Blocks {
		for i := range b.Instrs {
			top = max(top, b.Instrs[i].VDst, b.Instrs[i].VSrc)
		}
	}
	counts := make([]int32, 2*(int(top)+1))
	defs, uses := counts[:top+1], counts[top+1:]
	for _, b := range f.Blocks {
		for i := range b.Instrs {
			in := &b.Instrs[i]
			r := rolesOf(in)
			if in.VDst != 0 {
				if r.useDst {
					uses[in.VDst]++
				}
				if r.defDst {
					defs[in.VDst]++
				}
			}
			if in.VSrc != 0 {
				if r.useSrc {
					uses[in.VSrc]++
				}
				if r.defSrc {
					defs[in.VSrc]++
				}
			}
		}
	}
	for _, b := range f.Blocks {
		out := b.Instrs[:0]
		for _, in := range b.Instrs {
			if n := len(out); n > 0 {
				set := out[n-1]
				so, io := set.OpCode, in.OpCode
				if v := set.VDst; v != 0 && so.Class() == asm.ALU64Class && so.ALUOp() == asm.Mov &&
					so.Source() == asm.ImmSource && set.Offset == 0 &&
					io.Class() == asm.StXClass && io.Mode() == asm.MemMode && in.VSrc == v && in.VDst != v &&
					defs[v] == 1 && uses[v] == 1 {
					st := in
					st.OpCode = asm.StoreImmOp(io.Size())
					st.Constant, st.Src, st.VSrc = set.Constant, 0, 0
					if io.Size() != asm.DWord {
						// the narrow store takes the immediate's low bytes
						st.Constant = truncate(set.Constant, io.Size())
					}
					out[n-1] = st
					continue
				}
				// `w = w_src; *(u32 *)(p + off) = w`, or `v = (s32)x` then such
				// a store: a store no wider than what the move extends takes
				// the low bytes anyway, so it stores from the source and the
				// move goes.
				if v := set.VDst; v != 0 && io.Class() == asm.StXClass && io.Mode() == asm.MemMode &&
					io.Size().Sizeof() <= extendedFrom(set) &&
					in.VSrc == v && in.VDst != v && defs[v] == 1 && uses[v] == 1 &&
					!(set.VSrc == in.VDst && set.VSrc != 0) && !(set.VSrc == 0 && in.VDst == 0 && set.Src == in.Dst) {
					st := in
					st.Src, st.VSrc = set.Src, set.VSrc
					out[n-1] = st
					continue
				}
			}
			out = append(out, in)
		}
		b.Instrs = out
	}
}

// extendedFrom returns the width in bytes of the low part of its source
// that in, a register move, keeps (0 when in is no such move): `w = w_src`
// keeps 4 bytes, a sign-extending move 1, 2 or 4.
func extendedFrom(in Instr) int {
	op := in.OpCode
	if op.Source() != asm.RegSource || (op.Class() != asm.ALUClass && op.Class() != asm.ALU64Class) || in.Offset != 0 {
		return 0
	}
	switch op.ALUOp() {
	case asm.Mov:
		if op.Class() == asm.ALUClass {
			return 4
		}
	case asm.MovSX8:
		return 1
	case asm.MovSX16:
		return 2
	case asm.MovSX32:
		return 4
	}
	return 0
}

func truncate(v int64, size asm.Size) int64 {
	switch size {
	case asm.Byte:
		return int64(int8(v))
	case asm.Half:
		return int64(int16(v))
	case asm.Word:
		return int64(int32(v))
	}
	return v
}

package codegen

import (
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/codegen/ir"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// Names of the helper maps in Plan.Spec.Maps.
const (
	ringBufName = "events"
	globalsName = "globals"
	scratchName = "scratch"
)

// ringBufSize is the ring buffer's size in bytes (a power of two pages).
const ringBufSize = 1 << 20

// defaultMaxMapKeys is used when the checked config leaves MaxMapKeys 0.
const defaultMaxMapKeys = 4096

// compiler holds what is shared by all programs of one script.
type compiler struct {
	checked *lang.Checked
	plan    *Plan
	maps    map[string]*Map // by script name
	// eventIDs finds an event already in the table (see addEvent).
	eventIDs map[string]int
	scratch  int // largest scratch buffer any program needs
	opts     Options
	// dropSlotsUsed counts the Drops slots allocated after the fixed ones.
	dropSlotsUsed int
	// strClassable are the maps split by string length (strkeys.go).
	strClassable map[*lang.MapSym]bool
	arena        instrArena // the emitters' instructions
	// spans holds the source spans of every function's instructions
	// (Program.SpanTable).
	spans *ir.SpanTable
	// bounded gives, by script name, the number of keys of each map whose
	// updates cannot fail (keydomain.go).
	bounded map[string]uint64
	// progScratch records, for each program built, what it did with the
	// scratch buffer (nest.go). attachByClass counts the script's attach
	// points by nestClass. pending are the programs built whose lowering
	// waits for every program to be built: whether they take a level of
	// the scratch buffer depends on the others. busyOff is where a level's
	// busy word is, after every program's scratch bytes.
	progScratch   []progScratch
	attachByClass [nestPreemptible + 1]int
	pending       []pendingProgram
	busyOff       int
}

// pendingProgram is a program built and not yet lowered, and the
// Programs it serves: prog, and the shared tracepoints' others.
type pendingProgram struct {
	g      *gen
	spec   *ebpf.ProgramSpec
	prog   *Program
	shared []*Program
}

// Compile lowers a checked program to eBPF and describes it in a Plan.
// Errors the script can cause are *lang.Diagnostics. At most one Options
// may be given (see helpererrors.go).
func Compile(c *lang.Checked, opts ...Options) (plan *Plan, err error) {
	defer func() {
		if r := recover(); r != nil {
			d, ok := r.(compileError)
			if !ok {
				d = compileError{&lang.Diagnostic{Msg: fmt.Sprintf("internal error in code generation: %v\n%s", r, debug.Stack())}}
			}
			plan, err = nil, &lang.Diagnostics{File: c.File, Source: c.Source, List: []*lang.Diagnostic{d.d}}
		}
	}()
	return buildScript(c, firstOptions(opts)).plan, nil
}

// buildScript builds every program of c.
func buildScript(c *lang.Checked, opts Options) *compiler {
	cc := &compiler{
		checked:  c,
		maps:     map[string]*Map{},
		eventIDs: map[string]int{},
		opts:     opts,
		spans:    &ir.SpanTable{},
		plan: &Plan{
			Spec:    &ebpf.CollectionSpec{Maps: map[string]*ebpf.MapSpec{}, Programs: map[string]*ebpf.ProgramSpec{}},
			Config:  c.Config,
			File:    c.File,
			Source:  c.Source,
			checked: c,
		},
	}
	cc.plan.opts = cc.opts
	cc.strClassable = strClassable(c)
	cc.bounded = map[string]uint64{}
	for sym, n := range boundedMaps(c, cc.maxMapKeys()) {
		if !cc.strClassable[sym] {
			cc.bounded[sym.Name] = n
		}
	}
	cc.assignResources(c)
	for _, cp := range c.Probes {
		for _, res := range cp.Attach {
			cc.attachByClass[nestClassOf(res.Provider)]++
		}
	}
	for i, cp := range c.Probes {
		for j := 0; j < len(cp.Attach); {
			if group := multiGroup(cp.Attach[j:]); len(group) > 1 && !cc.opts.NoUprobeMulti {
				p := cc.compileProgram(cp.Probe, group[0], i, group)
				p.Group = group
				cc.plan.Spec.Programs[p.Name].AttachType = ebpf.AttachTraceUprobeMulti
				j += len(group)
				continue
			}
			if group := sharedTracepoints(cp.Attach[j:]); len(group) > 1 {
				cc.shareProgram(cc.compileProgram(cp.Probe, group[0], i, group), group)
				j += len(group)
				continue
			}
			cc.compileProgram(cp.Probe, cp.Attach[j], i, nil)
			j++
		}
	}
	// Every program is built: those that can run at once on a CPU and
	// use the scratch buffer take a level of it (nest.go).
	claim := planNesting(cc.progScratch)
	if claim != nil {
		cc.busyOff = alignUp(cc.scratch, 8)
	}
	for _, p := range cc.pending {
		mode := levelNone
		switch {
		case claim == nil || !claim[p.g.built]:
		case p.g.scratchMax > 0:
			mode = levelEager
		default:
			mode = levelLazy
		}
		cc.finishProgram(p, mode)
	}
	cc.pending = nil
	if cc.scratch > 0 {
		levels := uint32(1)
		if claim != nil {
			levels, cc.scratch = scratchLevels, cc.busyOff+8
		}
		cc.plan.Spec.Maps[scratchName] = &ebpf.MapSpec{
			Name: scratchName, Type: ebpf.PerCPUArray, KeySize: 4,
			ValueSize: uint32(cc.scratch), MaxEntries: levels,
		}
	}
	return cc
}

func (cc *compiler) maxMapKeys() uint32 {
	if n := cc.checked.Config.MaxMapKeys; n > 0 {
		return uint32(n)
	}
	return defaultMaxMapKeys
}

// useRingBuf declares the event ring buffer.
func (cc *compiler) useRingBuf() {
	if cc.plan.RingBuf != "" {
		return
	}
	cc.plan.RingBuf = ringBufName
	size := uint32(ringBufSize)
	if pages := cc.checked.Config.PerfRbPages; pages > 0 {
		// A ring buffer's size is a power of two pages.
		size = 4096
		for size < uint32(pages)*4096 {
			size <<= 1
		}
	}
	cc.plan.Spec.Maps[ringBufName] = &ebpf.MapSpec{Name: ringBufName, Type: ebpf.RingBuf, MaxEntries: size}
}

// useGlobals declares the globals array.
func (cc *compiler) useGlobals() {
	if cc.plan.Globals != "" {
		return
	}
	cc.plan.Globals = globalsName
	cc.plan.Spec.Maps[globalsName] = &ebpf.MapSpec{
		Name: globalsName, Type: ebpf.Array, KeySize: 4, ValueSize: GlobalsSize, MaxEntries: 1,
	}
}

// addEvent returns the id of ev in the event table, adding it unless an
// identical event is there. An event is all that user space needs to
// decode and print a record, so identical ones are interchangeable: code
// emitted more than once (unroll, a loop built twice) shares its events,
// and nothing has to be taken back from the table.
func (cc *compiler) addEvent(ev *Event) int {
	cc.useRingBuf()
	key := ev.identity()
	if id, ok := cc.eventIDs[key]; ok {
		return id
	}
	cc.plan.Events = append(cc.plan.Events, ev)
	id := len(cc.plan.Events) - 1
	cc.eventIDs[key] = id
	return id
}

// kernelName makes a valid, unique kernel object name (<= 15 bytes of
// [A-Za-z0-9_.]) from a prefix, an index and a readable hint.
func kernelName(prefix string, i int, hint string) string {
	var b strings.Builder
	b.Grow(16)
	b.WriteString(prefix)
	b.WriteString(strconv.Itoa(i))
	b.WriteByte('_')
	for _, r := range hint {
		if b.Len() >= 15 {
			break
		}
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '.':
			b.WriteRune(r)
		}
	}
	return strings.TrimSuffix(b.String(), "_")
}

func programType(res *lang.Resolved) (ebpf.ProgramType, bool) {
	switch res.Provider {
	case probetype.Begin, probetype.End, probetype.Self, probetype.Bench, probetype.Test:
		// Run by the runtime with BPF_PROG_TEST_RUN, never attached.
		return ebpf.RawTracepoint, true
	case probetype.Tracepoint:
		return ebpf.TracePoint, true
	case probetype.Interval, probetype.Profile, probetype.Software, probetype.Hardware:
		return ebpf.PerfEvent, true
	case probetype.Kprobe, probetype.Kretprobe:
		return ebpf.Kprobe, true
	case probetype.Fentry, probetype.Fexit, probetype.Iter:
		return ebpf.Tracing, true
	case probetype.RawTracepoint:
		return ebpf.RawTracepoint, true
	case probetype.Uprobe, probetype.Uretprobe, probetype.USDT:
		return ebpf.Kprobe, true
	}
	return ebpf.UnspecifiedProgram, false
}

// compileProgram compiles probe for res; a group (uprobe_multi, shared
// tracepoints) is every attach point the program will serve, whose names
// `probe` and `func` then look up by attach cookie.
func (cc *compiler) compileProgram(probe *lang.Probe, res *lang.Resolved, probeIndex int, group []*lang.Resolved) *Program {
	typ, ok := programType(res)
	if !ok {
		failf(res.Point.Span, "%s probes are not supported yet", res.Provider)
	}
	hint := res.Event
	if hint == "" && res.Symbol != "" {
		hint = res.Symbol
	}
	if hint == "" && res.USDTName != "" {
		hint = res.USDTName
	}
	if hint == "" {
		hint = res.Func
	}
	if hint == "" {
		hint = strings.ToLower(string(res.Provider))
	}
	name := kernelName("p", len(cc.plan.Programs), hint)
	g := newGen(cc, probe, res, name)
	g.group, g.progIndex = group, len(cc.plan.Programs)
	g.built = len(cc.progScratch)
	g.program()
	spec := &ebpf.ProgramSpec{
		Name:    name,
		Type:    typ,
		License: cc.license(),
	}
	switch res.Provider {
	case probetype.Tracepoint:
		spec.AttachTo = res.Category + "/" + res.Event
	case probetype.RawTracepoint:
		spec.AttachTo = res.Event
	case probetype.Kprobe, probetype.Kretprobe:
		spec.AttachTo = res.Func
	case probetype.Fentry:
		spec.AttachType, spec.AttachTo = ebpf.AttachTraceFEntry, res.Func
	case probetype.Fexit:
		spec.AttachType, spec.AttachTo = ebpf.AttachTraceFExit, res.Func
	case probetype.Iter:
		// The loader finds the target as bpf_iter_<name> in kernel BTF.
		spec.AttachType, spec.AttachTo = ebpf.AttachTraceIter, res.Func
	}
	cc.plan.Spec.Programs[name] = spec
	p := &Program{Name: name, Attach: res, Probe: probe, SpanTable: cc.spans}
	cc.plan.Programs = append(cc.plan.Programs, p)
	cc.scratch = max(cc.scratch, g.scratchMax, g.localScratch)
	uses := g.scratchMax > 0 || g.localScratch > 0
	cc.progScratch = append(cc.progScratch, progScratch{provider: res.Provider, uses: uses})
	built := pendingProgram{g: g, spec: spec, prog: p}
	n := 1
	if group != nil {
		n = len(group)
	}
	if uses && cc.mayNest(res.Provider, n) {
		// Whether it takes a level depends on the programs still to
		// build, and where the busy word is on their scratch bytes: it
		// is lowered once they are built. Its blocks keep their memory.
		cc.pending = append(cc.pending, built)
		cc.arena.keep()
	} else {
		cc.finishProgram(built, levelNone)
	}
	return p
}

// finishProgram places p's use of the scratch buffer as mode says, lowers
// it and fills in its instructions.
func (cc *compiler) finishProgram(p pendingProgram, mode levelMode) {
	g := p.g
	g.placeScratch(mode)
	insns, spans := g.lower(g.fn)
	insns, spans = g.withCallbacks(insns, spans, p.spec.Name)
	insns, spans = ir.ResolveBranches(insns, spans)
	checkProgramLimits(g.probe, insns)
	if !cc.opts.KeepIR {
		// The functions were lowered in place: their instructions are
		// dead, and the next program's may reuse their memory (not a
		// pending program's: see instrArena.keep).
		cc.arena.recycle()
	}
	p.spec.Instructions = insns
	var funcs []*ir.Func
	if cc.opts.KeepIR {
		funcs = []*ir.Func{g.fn}
		for _, cb := range g.callbacks {
			funcs = append(funcs, cb.fn)
		}
	}
	p.prog.Spans, p.prog.Funcs = spans, funcs
	for _, q := range p.shared {
		q.Spans, q.Funcs = spans, funcs
	}
}

// sharedTracepoints returns the attach points at the start of list that
// can share one program: tracepoints of one probe that does not use args
// (the checker leaves their Args nil). Their programs would differ only in
// the `probe` string, which the shared one reads by attach cookie. Fewer
// than two means none.
func sharedTracepoints(list []*lang.Resolved) []*lang.Resolved {
	n := 0
	for n < len(list) && list[n].Provider == probetype.Tracepoint && list[n].Args == nil {
		n++
	}
	return list[:n]
}

// shareProgram gives the attach points of group after the first, which p
// was compiled for, a Program each naming p's kernel program, with the
// attach cookie that indexes their names.
func (cc *compiler) shareProgram(p *Program, group []*lang.Resolved) {
	var pending *pendingProgram
	if n := len(cc.pending); n > 0 && cc.pending[n-1].prog == p {
		pending = &cc.pending[n-1] // its instructions come later
	}
	for k, res := range group[1:] {
		q := *p
		q.Attach, q.Cookie = res, uint64(k+1)
		cc.plan.Programs = append(cc.plan.Programs, &q)
		if pending != nil {
			pending.shared = append(pending.shared, &q)
		}
	}
}

// gen generates one program.
type gen struct {
	*emitter
	cc    *compiler
	probe *lang.Probe
	res   *lang.Resolved
	// group is Program.Group (uprobe_multi), progIndex the program's index.
	group     []*lang.Resolved
	progIndex int
	vars      map[*lang.VarSym]loc
	// set holds the variables that statements of the blocks being emitted
	// (not of a branch or loop already left) have stored: their slots hold
	// a value on every path to the code being emitted.
	set map[*lang.VarSym]bool
	// done is the label of the program's `return 0`.
	done    string
	usesCtx bool
	// noPad is set while evaluating event arguments: user space stops at
	// the NUL, so strings need no padding there.
	noPad bool
	// loops are the enclosing loops' continue and break labels.
	loops []loopLabels
	// callbacks are the functions appended after the program.
	callbacks []callback
	// inCallback is 1 while a callback body is emitted (R8 is taken).
	inCallback int
	// spareAfter is a string buffer followed by a byte that may be
	// overwritten (see buildKey), nil when there is none.
	spareAfter *loc
	// needs memoizes needOf.
	needs map[lang.Node]stackNeed
	// localScratch is the scratch space used by code that looks the
	// buffer up itself, on a path of its own (aggregateLongStr): it sizes
	// the buffer without the program's lookup that scratchMax asks for.
	localScratch int
	// built is the program's index in compiler.progScratch.
	built int
	// What program leaves for placeScratch (nest.go): the block the
	// program's lookup of the scratch buffer goes in front of (nil when
	// it needs none) and that lookup's key, label count and span; the
	// program's way out (the block labelled g.done, its last); the
	// lookups of code that looked the buffer up itself.
	lookupAt     *ir.Block
	keyOff       int
	lookupLabels int       // the labels numbered before the lookup's place
	lookupSpan   lang.Span // what a claim there is built for
	predScratch  bool      // the predicate uses the scratch buffer: the lookup comes first
	exit         *ir.Block
	localLookups []localLookup
}

func newGen(cc *compiler, probe *lang.Probe, res *lang.Resolved, name string) *gen {
	g := &gen{emitter: newEmitter(&cc.arena, cc.spans), cc: cc, probe: probe, res: res, vars: map[*lang.VarSym]loc{}, set: map[*lang.VarSym]bool{}, needs: map[lang.Node]stackNeed{}}
	g.startFunc(name)
	g.onStackLimit = cc.checked.Config.OnStackLimit
	g.done = "exit"
	return g
}

// program builds the probe's function (g.fn): the body, and what the
// prologue will need (saving ctx, finding the scratch buffer), which
// placeScratch adds once the script's programs are built.
func (g *gen) program() {
	g.span = g.probe.Span
	// Room for the callbacks the probe runs, kept before anything is
	// placed (stackneed.go).
	need := g.needOf(g.probe.Predicate, false).or(g.needOf(g.probe.Body, false))
	g.chain[0].reserve, g.sharedReserve = need.chain, need.shared
	g.allocVars(g.probe.Body)
	// The scratch buffer is looked up after the predicate when the
	// predicate itself needs none, so that events it rejects skip the
	// lookup. body is the block the body starts with when a filter or a
	// predicate comes first.
	var body *ir.Block
	startLabels, startSpan := g.nlabels, g.span
	filtered := g.pidFilter()
	if g.iterEnd() {
		filtered = true
	}
	if g.probe.Predicate != nil {
		g.span = g.probe.Predicate.Pos()
		m := g.mark()
		g.condJump(g.probe.Predicate, g.done, false)
		g.release(m)
	}
	predScratch := g.probe.Predicate != nil && g.scratchMax > 0
	g.predScratch = predScratch
	if filtered || g.probe.Predicate != nil {
		g.label("body")
		body = g.cur
	}
	bodyLabels := g.nlabels
	g.block(g.probe.Body)
	g.label(g.done)
	g.exit = g.cur
	g.emit(asm.Mov.Imm(asm.R0, 0), asm.Return())

	if g.scratchMax > 0 {
		g.span = g.probe.Span
		g.keyReserve = 0
		key := g.alloc(8)
		if !key.onStack() {
			failf(g.probe.Span, "the probe needs more than %d bytes of stack", maxStack)
		}
		g.keyOff = key.off
		g.lookupAt, g.lookupLabels, g.lookupSpan = body, bodyLabels, g.probe.Span
		if predScratch || body == nil {
			g.lookupAt = g.fn.Entry()
		}
		if predScratch {
			g.lookupLabels, g.lookupSpan = startLabels, startSpan
		}
	}
}

// lower lays out fn as instructions (see ir.Lower).
func (g *gen) lower(fn *ir.Func) (asm.Instructions, []ir.SpanID) {
	lower := ir.Lower
	switch {
	case g.cc.opts.NoIRPasses:
		lower = ir.LowerWithoutPasses
	case !g.cc.opts.KeepIR:
		lower = ir.LowerInPlace
	}
	insns, spans, err := lower(fn)
	if err != nil {
		failf(g.probe.Span, "internal error: %v", err)
	}
	return insns, spans
}

// license is what the programs are loaded with: config license, else the
// script's SPDX-License-Identifier comment, else GPL (which the helpers
// bpftrace uses require).
func (cc *compiler) license() string {
	if l := cc.checked.Config.License; l != "" {
		return l
	}
	if l := spdxLicense(cc.checked.Source); l != "" {
		return l
	}
	return "GPL"
}

// iterEnd emits the return of an iter probe's last call: after the last
// object the kernel runs the program once more with none (ctx.task, the
// first field after meta, is NULL), which prints nothing. It reports
// whether it emitted anything.
func (g *gen) iterEnd() bool {
	if g.res == nil || g.res.Provider != probetype.Iter {
		return false
	}
	g.usesCtx = true
	r := g.allocReg()
	g.emit(asm.LoadMem(r, regCtx, 8, asm.DWord), asm.JEq.Imm(r, 0, g.done))
	g.freeReg(r)
	return true
}

// spdxLicense is the license a "// SPDX-License-Identifier: X" line of
// the script's leading comments gives, as the kernel names it: an
// identifier of the GPL family (GPL-2.0-or-later, LGPL-2.1, ...) is
// "GPL"; any other is passed on as written, and the kernel then refuses
// the GPL-only helpers. "" when there is no such line.
func spdxLicense(src string) string {
	// Line by line, not strings.Split: only the leading comments are read,
	// and every program of the script asks.
	for line := range strings.Lines(src) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#!") {
			continue
		}
		rest, ok := strings.CutPrefix(line, "//")
		if !ok {
			return "" // the comments at the top are over
		}
		if id, ok := strings.CutPrefix(strings.TrimSpace(rest), "SPDX-License-Identifier:"); ok {
			id = strings.TrimSpace(id)
			if strings.Contains(id, "GPL") {
				return "GPL"
			}
			return id
		}
	}
	return ""
}

// pidFilter emits bpftrace's filter for -p PID in the probes that are not
// attached per process: `if (pid != PID) return`. It reports whether it
// emitted anything.
func (g *gen) pidFilter() bool {
	pid := g.cc.checked.PIDFilter
	if pid == 0 || g.res == nil {
		return false
	}
	switch g.res.Provider {
	case probetype.Tracepoint, probetype.RawTracepoint, probetype.Kprobe, probetype.Kretprobe, probetype.Fentry, probetype.Fexit:
	default:
		return false
	}
	g.call(asm.FnGetCurrentPidTgid)
	g.emit(asm.RSh.Imm(asm.R0, 32), asm.JNE.Imm(asm.R0, int32(pid), g.done))
	return true
}

package check

import (
	"errors"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/stdlib/ptregs"

	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// moreCall types the functions beyond the core set. They are checked as
// soon as stdlib marks them Supported, so codegen can take them on by
// flipping that flag.
func (c *checker) moreCall(call *lang.Call) *lang.Type {
	args := call.Args
	switch call.Name {
	case "ksym", "usym":
		if !known(c.wantInt(call, args[0], call.Name+"()")) {
			return tNone
		}
		return &lang.Type{Kind: lang.KSym, Size: 8, UserSpace: call.Name == "usym"}
	case "percpu_kaddr":
		if !c.wantLiteral(call, args[0]) {
			return tNone
		}
		if len(args) == 2 && !known(c.wantInt(call, args[1], "percpu_kaddr()")) {
			return tNone
		}
		c.percpuVar(call, args[0].(*lang.StrLit).Value)
		return &lang.Type{Kind: lang.KPtr, Size: 8, Elem: lang.TUint64}
	case "kaddr", "cgroupid", "reg", "uaddr":
		if !c.wantLiteral(call, args[0]) {
			return tNone
		}
		switch call.Name {
		case "kaddr":
			c.kaddr(call, args[0].(*lang.StrLit).Value)
		case "uaddr":
			return c.uaddr(call, args[0].(*lang.StrLit).Value)
		case "cgroupid":
			c.cgroupid(call, args[0].(*lang.StrLit).Value)
		case "reg":
			c.regName(args[0].(*lang.StrLit))
		}
		return lang.TUint64
	case "strftime":
		if !c.wantLiteral(call, args[0]) || !known(c.wantInt(call, args[1], "strftime()")) {
			return tNone
		}
		// The format travels with the type: user space formats the value.
		return &lang.Type{Kind: lang.KTimestamp, Size: 8, Name: args[0].(*lang.StrLit).Value}
	case "cgroup_path":
		if !known(c.wantInt(call, args[0], "cgroup_path()")) || (len(args) == 2 && !c.wantLiteral(call, args[1])) {
			return tNone
		}
		filter := "*"
		if len(args) == 2 {
			filter = args[1].(*lang.StrLit).Value
		}
		return &lang.Type{Kind: lang.KCgroupPath, Size: 8, Name: filter}
	case "pton":
		return c.pton(call)
	case "strlen":
		t := c.expr(args[0])
		if known(t) && t.Kind != lang.KString && t.Kind != lang.KPtr && !(t.Kind == lang.KArray && t.Elem.Size == 1) {
			c.errorf(call.Span, "strlen() expects a string, a char array or a pointer (%s provided)", t)
			return tNone
		}
		return lang.TUint64
	case "kptr", "uptr":
		t := c.expr(args[0])
		if !known(t) {
			return tNone
		}
		if t.Kind != lang.KPtr && !t.IsInt() {
			c.errorf(call.Span, "%s() only supports integer or pointer arguments (%s provided)", call.Name, kindName(t))
			return tNone
		}
		marked := *t
		marked.UserSpace = call.Name == "uptr"
		return &marked
	case "join":
		t := c.expr(args[0])
		if len(args) == 2 {
			c.wantLiteral(call, args[1])
		}
		if known(t) && t.Kind != lang.KPtr && !t.IsInt() {
			c.errorf(call.Span, "join() only supports int or pointer arguments (%s provided)", kindName(t))
		}
		return lang.TVoid
	case "getopt":
		return c.getopt(call)
	case "ntop":
		return c.ntop(call)
	case "macaddr":
		t := c.expr(args[0])
		if !known(t) {
			return tNone
		}
		if _, lit := args[0].(*lang.StrLit); lit {
			c.errorf(call.Span, "macaddr() does not support literal string arguments")
			return tNone
		}
		if t.Kind != lang.KArray && t.Kind != lang.KPtr && !t.IsInt() && t.Kind != lang.KString {
			c.errorf(call.Span, "macaddr() only supports array or pointer arguments (%s provided)", kindName(t))
			return tNone
		}
		// A char array (char mac[6]) is typed as a string.
		if (t.Kind == lang.KArray || t.Kind == lang.KString) && lang.SizeOf(t) < 6 {
			c.errorf(call.Span, "macaddr() argument must be at least 6 bytes in size")
			return tNone
		}
		return &lang.Type{Kind: lang.KMacaddr, Size: 6}
	case "kstack", "ustack":
		return c.stackCall(call)
	case "nsecs":
		// nsecs() and nsecs(monotonic) became the nsecs variable.
		id, ok := args[0].(*lang.Ident)
		if !ok || !clockModes[id.Name] {
			if !ok {
				c.exprs(args)
			}
			c.errorf(args[0].Pos(), "nsecs() clock must be one of monotonic, boot, tai or sw_tai")
			return tNone
		}
		id.SetType(lang.TVoid)
		return lang.TUint64
	case "buf":
		return c.buf(call)
	case "strncmp":
		a, b := c.expr(args[0]), c.expr(args[1])
		if _, ok := c.wantConst(call, args[2], "length"); !ok || !known(a) || !known(b) {
			return tNone
		}
		if a.Kind != lang.KString || b.Kind != lang.KString {
			c.errorf(call.Span, "strncmp() expects two strings (%s and %s provided)", a, b)
			return tNone
		}
		return lang.TInt64
	case "memcmp":
		a, b := c.expr(args[0]), c.expr(args[1])
		n, ok := c.wantConst(call, args[2], "count")
		if !ok || !known(a) || !known(b) {
			return tNone
		}
		for _, t := range []*lang.Type{a, b} {
			if !isMemoryValue(t) {
				c.errorf(call.Span, "memcmp() compares values in memory: strings, arrays, structs or tuples (%s provided)", t)
				return tNone
			}
		}
		if size := min(lang.SizeOf(a), lang.SizeOf(b)); n < 0 || n > int64(size) {
			c.errorf(args[2].Pos(), "memcmp() count must be between 0 and the smaller size, %d (%d provided)", size, n)
			return tNone
		}
		return lang.TInt64
	case "str_concat":
		a, b := c.expr(args[0]), c.expr(args[1])
		if !known(a) || !known(b) {
			return tNone
		}
		if a.Kind != lang.KString || b.Kind != lang.KString {
			c.errorf(call.Span, "str_concat() expects two strings (%s and %s provided)", a, b)
			return tNone
		}
		return lang.StringType(a.Size + b.Size - 1)
	case "strcontains", "strstr":
		a, b := c.expr(args[0]), c.expr(args[1])
		if !known(a) || !known(b) {
			return tNone
		}
		if a.Kind != lang.KString || b.Kind != lang.KString {
			c.errorf(call.Span, "%s() expects two strings (%s and %s provided)", call.Name, a, b)
			return tNone
		}
		if call.Name == "strstr" {
			return lang.TInt64
		}
		return lang.TBool
	case "strerror":
		if !known(c.wantInt(call, args[0], "strerror()")) {
			return tNone
		}
		return &lang.Type{Kind: lang.KStrerror, Size: 8}
	case "syscall_name":
		if !known(c.wantInt(call, args[0], "syscall_name()")) {
			return tNone
		}
		return &lang.Type{Kind: lang.KSyscallName, Size: 8}
	case "signal_name":
		if !known(c.wantInt(call, args[0], "signal_name()")) {
			return tNone
		}
		return &lang.Type{Kind: lang.KSignalName, Size: 8}
	case "has_key":
		sym := c.mapArg(call, args[0])
		if sym == nil {
			c.expr(args[1])
			return tNone
		}
		kt := c.expr(args[1])
		if !known(kt) {
			return tNone
		}
		if sym.Key == nil {
			c.errorf(args[0].Pos(), "call to has_key() expects a map with explicit keys (non-scalar map)")
			return tNone
		}
		c.mergeKey(args[1], sym, storedType(args[1], kt))
		return lang.TBool
	case "find":
		return c.find(call)
	case "write_user":
		dt, st := c.expr(args[0]), c.expr(args[1])
		lt := c.wantInt(call, args[2], "write_user() length")
		if !known(dt) || !known(st) || !known(lt) {
			return tNone
		}
		if dt.Kind != lang.KPtr && !dt.IsInt() {
			c.errorf(args[0].Pos(), "write_user() writes to an address: a pointer or an integer (%s provided)", dt)
			return tNone
		}
		if !isMemoryValue(st) {
			c.errorf(args[1].Pos(), "write_user() writes the bytes of a string, array, struct or tuple (%s provided)", st)
			return tNone
		}
		if n, ok := c.constInt(args[2]); ok && (n < 1 || n > int64(lang.SizeOf(st))) {
			c.errorf(args[2].Pos(), "write_user() length must be between 1 and the value's size, %d (%d provided)", lang.SizeOf(st), n)
			return tNone
		}
		return lang.TBool
	case "socket_cookie":
		if t := c.expr(args[0]); known(t) && t.Kind != lang.KPtr {
			c.errorf(args[0].Pos(), "socket_cookie() expects a struct sock pointer (%s provided)", t)
			return tNone
		}
		return lang.TUint64
	case "path":
		t := c.expr(args[0])
		size := c.out.Config.MaxStrlen
		if len(args) == 2 {
			n, ok := c.wantConst(call, args[1], "size")
			if !ok {
				return tNone
			}
			if n < 1 || n > int64(size) {
				c.errorf(args[1].Pos(), "path() size must be between 1 and max_strlen, %d (%d provided)", size, n)
				return tNone
			}
			size = int(n)
		}
		if known(t) && t.Kind != lang.KPtr {
			c.errorf(args[0].Pos(), "path() expects a struct path pointer (%s provided)", t)
			return tNone
		}
		return lang.StringType(size)
	case "is_err":
		t := c.expr(args[0])
		if known(t) && !t.IsInt() && t.Kind != lang.KPtr {
			c.errorf(args[0].Pos(), "is_err() expects a pointer or an integer (%s provided)", t)
			return tNone
		}
		return lang.TBool
	case "bswap":
		t := c.wantInt(call, args[0], "bswap()")
		if !known(t) {
			return tNone
		}
		return &lang.Type{Kind: lang.KInt, Size: t.Size}
	case "len":
		sym := c.mapArg(call, args[0])
		if sym == nil {
			return tNone
		}
		c.lenCalls = append(c.lenCalls, mapPrint{call: call, sym: sym})
		return lang.TInt64
	case "signal":
		c.signal(call)
		return lang.TVoid
	case "override":
		c.wantInt(call, args[0], "override()")
		return lang.TVoid
	case "cat", "system", "errorf", "warnf":
		c.printf(call)
		return lang.TVoid
	}
	c.exprs(args)
	c.errorf(call.Span, "%s() is not supported yet", call.Name)
	return tNone
}

// wantLiteral checks that e is a string literal.
func (c *checker) wantLiteral(call *lang.Call, e lang.Expr) bool {
	c.expr(e)
	if _, ok := e.(*lang.StrLit); !ok {
		c.errorf(e.Pos(), "%s() expects a string literal", call.Name)
		return false
	}
	return true
}

func (c *checker) ntop(call *lang.Call) *lang.Type {
	addr := call.Args[len(call.Args)-1]
	if len(call.Args) == 2 {
		c.wantInt(call, call.Args[0], "ntop() address family")
	}
	t := c.expr(addr)
	if !known(t) {
		return tNone
	}
	if !t.IsInt() && t.Kind != lang.KArray {
		c.errorf(call.Span, "ntop() expects an integer or array argument, got %s", kindName(t))
		return tNone
	}
	if t.Kind == lang.KArray && lang.SizeOf(t) != 4 && lang.SizeOf(t) != 16 {
		c.errorf(call.Span, "ntop() argument must be 4 or 16 bytes in size")
		return tNone
	}
	return &lang.Type{Kind: lang.KInet, Size: 24}
}

var stackModes = map[string]bool{"bpftrace": true, "perf": true, "raw": true}

// stackLimit is the default (and largest) number of frames.
const stackLimit = 127

// kernelBuildIDMsg says why a kernel stack cannot be taken in build_id
// mode: the kernel records build ids of user frames only.
const kernelBuildIDMsg = "'build_id' stack mode can only be used for ustack"

func (c *checker) stackType(name, mode string, limit int) *lang.Type {
	if mode == "" {
		mode = c.out.Config.StackMode
	}
	if mode == "" {
		mode = "bpftrace"
	}
	if limit == 0 {
		limit = stackLimit
	}
	return &lang.Type{Kind: lang.KStack, Name: name, StackMode: mode, StackLimit: limit, Size: 8, UserSpace: name == "ustack"}
}

// bareStack types kstack and ustack written without parentheses: in the
// config's stack_mode, but for a kstack in build_id mode, which falls
// back to raw with bpftrace's warning.
func (c *checker) bareStack(id *lang.Ident) *lang.Type {
	if id.Name == "kstack" && c.out.Config.StackMode == "build_id" {
		c.warnf(id.Span, "%s. Falling back to 'raw' mode.", kernelBuildIDMsg)
		return c.stackType(id.Name, "raw", 0)
	}
	return c.stackType(id.Name, "", 0)
}

// stackCall types kstack([mode][, limit]) and ustack(...).
// clockModes are the clocks nsecs() reads besides monotonic.
var clockModes = map[string]bool{"boot": true, "tai": true, "sw_tai": true}

func (c *checker) stackCall(call *lang.Call) *lang.Type {
	mode, limit := "", 0
	for i, a := range call.Args {
		if id, ok := a.(*lang.Ident); ok && i == 0 {
			mode = id.Name
			if mode != "build_id" && !stackModes[mode] {
				c.errorf(a.Pos(), "%s() mode must be one of bpftrace, perf, raw or build_id (not %s)", call.Name, mode)
				return tNone
			}
			id.SetType(lang.TVoid)
			continue
		}
		n, ok := c.wantConst(call, a, "limit")
		if !ok {
			return tNone
		}
		if n < 1 || n > stackLimit {
			c.errorf(a.Pos(), "%s() limit must be between 1 and %d (%d provided)", call.Name, stackLimit, n)
			return tNone
		}
		limit = int(n)
	}
	if mode == "" {
		mode = c.out.Config.StackMode
	}
	if mode == "build_id" && call.Name == "kstack" {
		// As bpftrace v0.26: a call is refused, where a bare kstack
		// (bareStack) falls back to raw.
		c.errorf(call.Span, "%s", kernelBuildIDMsg)
		c.hintf("the kernel records build ids of user frames only: use ustack(build_id), or kstack(raw) for kernel addresses")
		return tNone
	}
	return c.stackType(call.Name, mode, limit)
}

func (c *checker) buf(call *lang.Call) *lang.Type {
	t := c.expr(call.Args[0])
	if known(t) && !(t.Kind == lang.KPtr || t.IsInt() || t.Kind == lang.KArray || t.Kind == lang.KString) {
		c.errorf(call.Span, "buf() expects an integer, string, or array argument but saw %s", kindName(t))
		return tNone
	}
	limit := c.out.Config.MaxStrlen
	size, fixed := limit, false
	if len(call.Args) == 2 {
		if !known(c.wantInt(call, call.Args[1], "buf() length")) {
			return tNone
		}
		if n, ok := c.constInt(call.Args[1]); ok {
			if n < 1 {
				c.errorf(call.Args[1].Pos(), "buf() length must be positive (%d provided)", n)
				return tNone
			}
			size, fixed = int(min(n, int64(limit)+1)), true
		}
	} else if t.Kind == lang.KArray {
		size, fixed = lang.SizeOf(t), true
	} else if known(t) {
		c.errorf(call.Span, "buf() expects a length argument for non-array type %s", kindName(t))
		return tNone
	}
	if fixed && size > limit {
		c.warnf(call.Span, "buf() length is too long and will be shortened to %d bytes (see BPFTRACE_MAX_STRLEN)", limit)
		size = limit
	}
	return &lang.Type{Kind: lang.KBuffer, Size: size, UserSpace: t.UserSpace}
}

// kaddr finds the address of a kernel symbol for kaddr("name").
func (c *checker) kaddr(call *lang.Call, name string) {
	if c.env == nil {
		return
	}
	se, ok := c.env.(lang.SymbolEnv)
	if !ok {
		return
	}
	addr, err := se.KernelSymbol(name)
	if errors.Is(err, errNoSystemInfo) {
		return
	}
	if err != nil {
		c.errorf(call.Span, "Failed to resolve kernel symbol: %s", name)
		return
	}
	if c.out.KAddrs == nil {
		c.out.KAddrs = map[string]uint64{}
	}
	c.out.KAddrs[name] = addr
}

// percpuVar finds the BTF id of percpu_kaddr()'s per-CPU variable in
// kernel BTF; the program loads its address with it (a ksym load).
func (c *checker) percpuVar(call *lang.Call, name string) {
	env := c.env
	if ce, ok := env.(*cachedEnv); ok {
		env = ce.env
	}
	pe, ok := env.(lang.PercpuVarEnv)
	if !ok {
		return
	}
	id, err := pe.KernelPercpuVar(name)
	if errors.Is(err, errNoSystemInfo) {
		return
	}
	if err != nil {
		c.errorf(call.Span, "percpu_kaddr(\"%s\"): %v", name, err)
		var he *lang.HintedError
		if errors.As(err, &he) {
			c.hintf("%s", he.Hint)
		}
		return
	}
	if c.out.PercpuVars == nil {
		c.out.PercpuVars = map[string]uint32{}
	}
	c.out.PercpuVars[name] = id
}

// regName checks reg()'s register against the x86-64 pt_regs table.
func (c *checker) regName(name *lang.StrLit) {
	if _, ok := ptregs.Lookup(name.Value); ok {
		return
	}
	c.errorf(name.Span, "unknown register %q", name.Value)
	if s := suggest(name.Value, ptregs.Names()); s != "" {
		c.hintf("did you mean %q? reg() takes an x86-64 pt_regs member: %s", s, ptregs.List())
	} else {
		c.hintf("reg() takes an x86-64 pt_regs member: %s", ptregs.List())
	}
}

// uaddr finds the address of a symbol of the probed binary for
// uaddr("name"); its type is a user pointer to an unsigned integer of the
// symbol's size (uint64 when the size is not 1, 2, 4 or 8).
func (c *checker) uaddr(call *lang.Call, name string) *lang.Type {
	var binary string
	for _, r := range c.attach {
		switch r.Provider {
		case probetype.Uprobe, probetype.Uretprobe, probetype.USDT:
		default:
			c.errorf(call.Span, "uaddr() can only be used with uprobe, uretprobe and usdt probes (%s used here)", r.Provider)
			return tNone
		}
		if binary != "" && r.Binary != binary {
			c.errorf(call.Span, "uaddr() needs the probe's attach points to be in one binary")
			return tNone
		}
		binary = r.Binary
	}
	ptr := func(size uint64) *lang.Type {
		if size != 1 && size != 2 && size != 4 && size != 8 {
			size = 8
		}
		return &lang.Type{Kind: lang.KPtr, Size: 8, Elem: lang.IntType(int(size), false), UserSpace: true}
	}
	if c.env == nil || binary == "" {
		return ptr(8)
	}
	ue, ok := c.env.(lang.UserSymbolEnv)
	if !ok {
		return ptr(8)
	}
	addr, size, err := ue.UserSymbol(binary, name)
	if errors.Is(err, errNoSystemInfo) {
		return ptr(8)
	}
	if err != nil {
		c.errorf(call.Span, "%v", err)
		return tNone
	}
	if c.out.UAddrs == nil {
		c.out.UAddrs = map[string]uint64{}
	}
	c.out.UAddrs[lang.UAddrKey(binary, name)] = addr
	return ptr(size)
}

// isMemoryValue reports whether values of t are bytes in memory rather than
// a number in a register.
func isMemoryValue(t *lang.Type) bool {
	switch t.Kind {
	case lang.KString, lang.KArray, lang.KStruct, lang.KTuple:
		return true
	}
	return false
}

// find(@m, key, $v) is has_key() that also copies the value into $v when
// the key is there: $v, declared without a type (let $v;), takes the map's
// value type; one that has a type must be able to hold the value.
func (c *checker) find(call *lang.Call) *lang.Type {
	args := call.Args
	sym := c.mapArg(call, args[0])
	if sym == nil {
		c.exprs(args[1:])
		return tNone
	}
	kt := c.expr(args[1])
	if !known(kt) {
		return tNone
	}
	if sym.Key == nil {
		c.errorf(args[0].Pos(), "call to find() expects a map with explicit keys (non-scalar map)")
		return tNone
	}
	c.mergeKey(args[1], sym, storedType(args[1], kt))
	v, ok := args[2].(*lang.Var)
	if !ok {
		c.expr(args[2])
		c.errorf(args[2].Pos(), "find() expects a scratch variable ($name) to store the value in")
		return tNone
	}
	vt := sym.Value
	if vt.IsAggregation() {
		c.errorf(args[0].Pos(), "find() reads maps of plain values; %s holds %s values", args[0].(*lang.MapExpr).Name, vt)
		return tNone
	}
	vs := c.lookupVar(v.Name)
	if vs == nil {
		c.errorf(v.Span, "find() stores the value in a variable declared before: %s is not", v.Name)
		c.hintf("declare it first: let %s;", v.Name)
		return tNone
	}
	v.Sym = vs
	c.varUses = append(c.varUses, v)
	merged, ok := assignable(vs.Type, vt)
	if !ok && vs.Literal && vs.Type.Kind == lang.KInt && vt.Kind == lang.KInt && !vt.Signed {
		// `$x = 0` then an unsigned value: the literal's sign was a default.
		merged, ok = lang.TUint64, true
	}
	if !ok || c.declared[vs] && !vs.Type.Equal(merged) {
		c.errorf(v.Span, "find() stores a value of type '%s' in %s, which holds '%s'", vt, v.Name, vs.Type)
		return tNone
	}
	vs.Type = merged
	return lang.TBool
}

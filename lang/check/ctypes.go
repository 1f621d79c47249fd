package check

import (
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/stdlib"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// C types: structs, unions, enums and typedefs come from the script's own
// definitions first, then from kernel BTF through the Env's lang.TypeEnv.

// typeEnv returns the environment's kernel type side, when it has one.
func (c *checker) typeEnv() lang.TypeEnv {
	te, _ := c.env.(lang.TypeEnv)
	if ce, ok := c.env.(*cachedEnv); ok {
		te, _ = ce.env.(lang.TypeEnv)
	}
	return te
}

// cTypes holds the script's C definitions, shared by both passes.
type cTypes struct {
	types map[string]*lang.Type // "struct foo", "enum bar", typedef names
	enums map[string]enumConst  // enumerator name -> value
	deep  map[string]*lang.Type // structs resolved for printing, by name
}

type enumConst struct {
	value int64
	t     *lang.Type
}

// lookupCType resolves a C type name (script definitions, then BTF). ok is
// false when neither knows it; a BTF error is reported at span.
func (c *checker) lookupCType(span lang.Span, name string) (*lang.Type, bool) {
	name = strings.Join(strings.Fields(name), " ")
	if c.ctypes != nil {
		if t, ok := c.ctypes.types[name]; ok {
			return t, true
		}
	}
	if t, ok := c.userType(span, name); ok {
		return t, true
	}
	te := c.typeEnv()
	if te == nil {
		return nil, false
	}
	t, found, err := te.KernelType(name)
	if err != nil {
		c.errorf(span, "%v", err)
		return nil, false
	}
	return t, found
}

// userType resolves a C type name from the DWARF of the binaries the
// current uprobe or uretprobe attaches to (the first that defines it), as
// bpftrace does: after the script's own definitions, before kernel BTF.
func (c *checker) userType(span lang.Span, name string) (*lang.Type, bool) {
	dte, _ := c.dwarfEnv().(lang.DwarfTypeEnv)
	if dte == nil {
		return nil, false
	}
	seen := map[string]bool{}
	for _, r := range c.attach {
		if r.Provider != probetype.Uprobe && r.Provider != probetype.Uretprobe || r.Binary == "" || seen[r.Binary] {
			continue
		}
		seen[r.Binary] = true
		t, found, err := dte.UserType(r.Binary, name)
		if err != nil {
			c.errorf(span, "%v", err)
			return nil, false
		}
		if found {
			return t, true
		}
	}
	return nil, false
}

// fullStruct returns struct type t with its members, resolving a struct
// known only by name. It returns nil (after reporting at span) when the
// struct's members are unknown.
func (c *checker) fullStruct(span lang.Span, t *lang.Type) *lang.Type {
	if t.Fields != nil || t.Name == "struct" || t.Name == "union" {
		return t
	}
	ft, ok := c.lookupCType(span, t.Name)
	if !ok || ft.Kind != lang.KStruct {
		c.errorf(span, "Cannot resolve unknown type \"%s\"", t.Name)
		return nil
	}
	return ft
}

// structSuggestion proposes a known struct name close to name.
func (c *checker) structSuggestion(name string) string {
	var names []string
	if c.ctypes != nil {
		for n := range c.ctypes.types {
			names = append(names, n)
		}
	}
	if te := c.typeEnv(); te != nil {
		if kn, err := te.KernelStructNames(); err == nil {
			// Only names of the same kind and similar length can be close.
			for _, n := range kn {
				if len(n) >= len(name)-2 && len(n) <= len(name)+2 {
					names = append(names, n)
				}
			}
		}
	}
	return suggest(name, names)
}

// namedType resolves a written type name without pointers or array.
func (c *checker) namedType(ts *lang.TypeSpec) *lang.Type {
	if t := namedInts[ts.Name]; t != nil {
		return t
	}
	switch ts.Name {
	case "bool":
		return lang.TBool
	case "string":
		return lang.StringType(c.out.Config.MaxStrlen)
	case "void":
		if ts.Pointers > 0 {
			return lang.TVoid
		}
	}
	before := len(c.errs)
	if t, ok := c.lookupCType(ts.Span, ts.Name); ok {
		return t
	}
	if len(c.errs) > before {
		// BTF could not be read: that error says it all.
		return tNone
	}
	if c.typeEnv() == nil && (strings.HasPrefix(ts.Name, "struct ") || strings.HasPrefix(ts.Name, "union ") || strings.HasPrefix(ts.Name, "enum ")) {
		c.errorf(ts.Span, "Cannot resolve unknown type \"%s\"", ts.Name)
		c.hintf("kernel types need kernel BTF (/sys/kernel/btf/vmlinux)")
		return tNone
	}
	c.errorf(ts.Span, "Cannot resolve unknown type \"%s\"", ts.Name)
	if strings.Contains(ts.Name, " ") {
		if s := c.structSuggestion(ts.Name); s != "" {
			c.hintf("did you mean %s?", s)
		}
	}
	return tNone
}

// ptrTo returns a pointer to elem.
func ptrTo(elem *lang.Type, user bool) *lang.Type {
	return &lang.Type{Kind: lang.KPtr, Size: 8, Elem: elem, UserSpace: user}
}

// inSpace marks a value read from user memory: its pointers point there
// too.
func inSpace(t *lang.Type, user bool) *lang.Type {
	if !user || t == nil || t.UserSpace {
		return t
	}
	switch t.Kind {
	case lang.KPtr, lang.KStruct, lang.KArray, lang.KString:
		u := *t
		u.UserSpace = true
		return &u
	}
	return t
}

// userProbe reports whether every attach point of the probe runs in a
// user-space context, where integers cast to pointers address user
// memory (as bpftrace decides a pointer's address space).
func (c *checker) userProbe() bool {
	if len(c.attach) == 0 {
		return false
	}
	for _, r := range c.attach {
		switch r.Provider {
		case probetype.Uprobe, probetype.Uretprobe, probetype.USDT:
		default:
			return false
		}
	}
	return true
}

// member types s.f / p->f on a C struct or union (p a pointer to one; as
// in bpftrace, . and -> both work on both).
func (c *checker) member(f *lang.FieldAccess, xt *lang.Type) *lang.Type {
	st := xt
	user := xt.UserSpace
	if xt.Kind == lang.KPtr {
		st = xt.Elem
	}
	full := c.fullStruct(f.Span, st)
	if full == nil {
		return tNone
	}
	fl := findField(full, f.Field)
	if fl == nil {
		c.errorf(f.Span, "Struct/union of type '%s' does not contain a field named '%s'", st.Name, f.Field)
		var names []string
		for _, x := range full.Fields {
			names = append(names, x.Name)
		}
		if s := suggest(f.Field, names); s != "" {
			c.hintf("did you mean %s?", s)
		}
		return tNone
	}
	f.Member = fl
	ft := fl.Type
	if c.floatRead(f.Span, f.Field, ft, st.Name, fl.Offset) {
		return tNone
	}
	if ft.Kind == lang.KStruct || ft.Kind == lang.KArray {
		// A struct, or an array of them (curtask->sighand->action),
		// prints with every member.
		ft = c.deepValue(f.Span, ft, 0)
	}
	return inSpace(ft, user)
}

// maxStructDepth bounds the nesting of struct values resolved for printing.
const maxStructDepth = 12

// deepStruct resolves a struct value's members and, recursively, those of
// the structs it embeds (not those it points to), so that a whole struct
// prints with every member. Results are cached by name.
func (c *checker) deepStruct(span lang.Span, t *lang.Type, depth int) *lang.Type {
	if t.Kind != lang.KStruct || depth > maxStructDepth {
		return t
	}
	named := t.Name != "struct" && t.Name != "union"
	if named {
		if c.ctypes != nil {
			if d, ok := c.ctypes.deep[t.Name]; ok {
				return d
			}
		}
	}
	full := t
	if t.Fields == nil {
		full = c.fullStruct(span, t)
		if full == nil {
			return t
		}
	}
	out := *full
	out.Fields = make([]*lang.Field, len(full.Fields))
	for i, f := range full.Fields {
		nf := *f
		nf.Type = c.deepValue(span, f.Type, depth+1)
		out.Fields[i] = &nf
	}
	if named && c.ctypes != nil {
		c.ctypes.deep[t.Name] = &out
	}
	return &out
}

// deepValue resolves the structs inside a member type (arrays of structs
// included).
func (c *checker) deepValue(span lang.Span, t *lang.Type, depth int) *lang.Type {
	switch t.Kind {
	case lang.KStruct:
		return c.deepStruct(span, t, depth)
	case lang.KArray:
		if t.Elem != nil && (t.Elem.Kind == lang.KStruct || t.Elem.Kind == lang.KArray) {
			a := *t
			a.Elem = c.deepValue(span, t.Elem, depth)
			return &a
		}
	}
	return t
}

// deref types *p. An integer dereferences as the address of a uint64, as
// in bpftrace (*kaddr("avenrun")).
func (c *checker) deref(u *lang.Unary, xt *lang.Type) *lang.Type {
	if xt.Kind == lang.KInt {
		return lang.TUint64
	}
	if xt.Kind != lang.KPtr {
		c.errorf(u.Span, "Can not dereference type '%s'", xt)
		return tNone
	}
	el := xt.Elem
	if el == nil || el.Kind == lang.KVoid {
		c.errorf(u.Span, "Can not dereference type '%s'", xt)
		c.hintf("cast the pointer to a pointer of a known type first")
		return tNone
	}
	if c.floatRead(u.Span, "", el, "", -1) {
		return tNone
	}
	if el.Kind == lang.KStruct {
		full := c.fullStruct(u.Span, el)
		if full == nil {
			return tNone
		}
		el = c.deepStruct(u.Span, full, 0)
	}
	return inSpace(el, xt.UserSpace)
}

// floatRead reports (true) the read of a floating-point value, which
// bpftrace has no type for: "NAME has unsupported type", as bpftrace says
// of a floating-point parameter. A struct member (in, at offset off) is
// still printed, as null, with its whole struct.
func (c *checker) floatRead(span lang.Span, name string, t *lang.Type, in string, off int) bool {
	if !t.IsFloat() {
		return false
	}
	if name == "" {
		// A dereference or an element.
		c.errorf(span, "values of type '%s' are not supported", t.Name)
		c.hintf("there are no floating-point values; read its bits through a pointer to an integer of its size (%d bytes)", t.Size)
		return true
	}
	c.errorf(span, "%s has unsupported type", name)
	c.hintf("%s is a %s: there are no floating-point values; printing the whole %s shows it as null, and its %d bytes are at offset %d", name, t.Name, in, t.Size, off)
	return true
}

// addrOf types &x: x must live in kernel or user memory (a struct member
// or array element reached through a pointer), or be a scratch variable
// or a whole map (addr.go).
func (c *checker) addrOf(u *lang.Unary) *lang.Type {
	switch x := u.X.(type) {
	case *lang.Var:
		return c.varAddr(u, x)
	case *lang.MapExpr:
		return c.mapAddr(u, x)
	}
	xt := c.expr(u.X)
	if !known(xt) {
		return tNone
	}
	if !c.inMemory(u.X) {
		c.errorf(u.Span, "The & operator can only take the address of a variable, a map, or a struct member or array element read through a pointer")
		return tNone
	}
	return ptrTo(xt, xt.UserSpace || userMemory(u.X))
}

// userMemory reports whether e, a place inMemory, is read through a
// pointer to user memory: &$r->arr[0] of a uprobe's struct points there
// too, though an int32 element carries no address space of its own.
func userMemory(e lang.Expr) bool {
	for {
		var x lang.Expr
		switch n := e.(type) {
		case *lang.FieldAccess:
			x = n.X
		case *lang.Index:
			x = n.X
		case *lang.Unary:
			x = n.X
		default:
			return false
		}
		if t := x.Type(); t != nil && (t.Kind == lang.KPtr || t.UserSpace) {
			return t.UserSpace
		}
		e = x
	}
}

// inMemory reports whether e names a place in kernel or user memory.
func (c *checker) inMemory(e lang.Expr) bool {
	switch x := e.(type) {
	case *lang.FieldAccess:
		if x.Member == nil {
			return false
		}
		if t := x.X.Type(); t != nil && t.Kind == lang.KPtr {
			return true
		}
		return c.inMemory(x.X)
	case *lang.Index:
		if t := x.X.Type(); t != nil && t.Kind == lang.KPtr {
			return true
		}
		return c.inMemory(x.X)
	case *lang.Unary:
		return x.Op == "*"
	}
	return false
}

// typeNameArg recognizes a type written as a bare identifier where an
// expression may stand (sizeof(foo_t), offsetof(pid_t...)): a name that is
// no builtin or enum constant but a script typedef or a kernel type.
func (c *checker) typeNameArg(e lang.Expr) *lang.TypeSpec {
	id, ok := e.(*lang.Ident)
	if !ok || stdlib.LookupVar(id.Name) != nil {
		return nil
	}
	if namedInts[id.Name] != nil {
		// A C integer name alone: sizeof(uint64_t), sizeof(u32).
		return &lang.TypeSpec{Span: id.Span, Name: id.Name}
	}
	if c.ctypes != nil {
		if _, ok := c.ctypes.enums[id.Name]; ok {
			return nil
		}
		if _, ok := c.ctypes.types[id.Name]; ok {
			return &lang.TypeSpec{Span: id.Span, Name: id.Name}
		}
	}
	if te := c.typeEnv(); te != nil {
		if _, _, found, _ := te.KernelEnumerator(id.Name); found {
			return nil
		}
		if _, found, _ := te.KernelType(id.Name); found {
			return &lang.TypeSpec{Span: id.Span, Name: id.Name}
		}
	}
	return nil
}

// offsetof types offsetof(struct X, a.b) and offsetof(expr, a.b).
func (c *checker) offsetof(o *lang.Offsetof) *lang.Type {
	if ts := c.typeNameArg(o.X); ts != nil {
		o.TypeArg, o.X = ts, nil
	}
	if te, ok := o.X.(*lang.TypeExpr); ok {
		// offsetof(T, f) with a macro's type argument.
		o.TypeArg, o.X = te.Spec, nil
	}
	var st *lang.Type
	if o.TypeArg != nil {
		st = c.typeSpec(o.TypeArg)
	} else {
		st = c.expr(o.X)
		if known(st) && st.Kind == lang.KPtr {
			st = st.Elem
		}
	}
	if !known(st) {
		return tNone
	}
	off := 0
	for _, name := range o.Fields {
		if st.Kind != lang.KStruct {
			c.errorf(o.Span, "offsetof() needs a struct or union, found '%s'", st)
			return tNone
		}
		full := c.fullStruct(o.Span, st)
		if full == nil {
			return tNone
		}
		fl := findField(full, name)
		if fl == nil {
			c.errorf(o.Span, "Struct/union of type '%s' does not contain a field named '%s'", st.Name, name)
			return tNone
		}
		off += fl.Offset
		st = fl.Type
	}
	o.Value = off
	// offsetof is a literal of its value (bpftrace v0.26).
	return litType(uint64(off))
}

// enumIdent types an identifier that is a C enum constant.
func (c *checker) enumIdent(id *lang.Ident) (*lang.Type, bool) {
	if c.ctypes != nil {
		if e, ok := c.ctypes.enums[id.Name]; ok {
			id.Enum, id.Value = true, e.value
			return e.t, true
		}
	}
	te := c.typeEnv()
	if te == nil {
		return nil, false
	}
	v, t, found, err := te.KernelEnumerator(id.Name)
	if err != nil || !found {
		return nil, false
	}
	id.Enum, id.Value = true, v
	return t, true
}

// curtaskType is struct task_struct * when kernel types are known, and
// the task's address (uint64) on a kernel without BTF.
func (c *checker) curtaskType(id *lang.Ident) *lang.Type {
	if c.ctypes != nil {
		// A struct task_struct of the script's own replaces the
		// kernel's, as bpftrace's script definitions do.
		if t, ok := c.ctypes.types["struct task_struct"]; ok {
			return ptrTo(t, false)
		}
	}
	te := c.typeEnv()
	if te == nil {
		return lang.TUint64
	}
	t, found, err := te.KernelType("struct task_struct")
	if err != nil || !found {
		return lang.TUint64
	}
	return ptrTo(t, false)
}

// taskBuiltin types pcomm and ppid, which read the current task_struct:
// the identifier expands to the member chain it stands for.
func (c *checker) taskBuiltin(id *lang.Ident) *lang.Type {
	if c.typeEnv() == nil {
		c.errorf(id.Span, "The %s builtin needs kernel BTF (struct task_struct)", id.Name)
		return tNone
	}
	at := func(x lang.Expr, field string) *lang.FieldAccess {
		return &lang.FieldAccess{Span: id.Span, X: x, Field: field, Arrow: true}
	}
	task := &lang.Ident{Span: id.Span, Name: "curtask"}
	var e lang.Expr
	switch id.Name {
	case "ppid":
		e = &lang.Cast{Span: id.Span, To: &lang.TypeSpec{Span: id.Span, Name: "uint32"}, X: at(at(task, "real_parent"), "tgid")}
	case "leader_tid":
		e = &lang.Cast{Span: id.Span, To: &lang.TypeSpec{Span: id.Span, Name: "uint32"}, X: at(at(task, "group_leader"), "pid")}
	default: // pcomm, leader_comm
		e = at(at(task, "group_leader"), "comm")
	}
	t := c.expr(e)
	if !known(t) {
		return tNone
	}
	id.Expand = e
	return t
}

// enumValues completes an enum type known only by name (a tracepoint
// field declared `enum skb_drop_reason reason`) with its enumerators from
// the script or kernel BTF; without them %s prints the number.
func (c *checker) enumValues(span lang.Span, t *lang.Type) *lang.Type {
	if t == nil || t.Enum == nil || t.Enum.Values != nil {
		return t
	}
	full, ok := c.lookupCType(span, t.Enum.Name)
	if !ok || full.Enum == nil {
		return t
	}
	out := *t
	out.Enum = full.Enum
	return &out
}

// enumNamer is implemented by a TypeEnv that can list its enum constants.
type enumNamer interface {
	KernelEnumeratorNames() ([]string, error)
}

// enumSuggestion proposes an enum constant close to name, for identifiers
// written like one (capitals and underscores).
func (c *checker) enumSuggestion(name string) string {
	if strings.ToUpper(name) != name || !strings.Contains(name, "_") {
		return ""
	}
	var names []string
	if c.ctypes != nil {
		for n := range c.ctypes.enums {
			names = append(names, n)
		}
	}
	if en, ok := c.typeEnv().(enumNamer); ok {
		if kn, err := en.KernelEnumeratorNames(); err == nil {
			for _, n := range kn {
				if len(n) >= len(name)-2 && len(n) <= len(name)+2 {
					names = append(names, n)
				}
			}
		}
	}
	return suggest(name, names)
}

package check

import (
	"strconv"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
	"github.com/gobpftrace/gobpftrace/stdlib/ptregs"
)

// uprobe args: a uprobe's `args` are the function's parameters, typed from
// the binary's DWARF debug information. An integer or pointer parameter is
// a field of args at the pt_regs place of the register that holds it at
// the function's entry (codegen reads it from the context as it reads a
// tracepoint's field); a Go string or slice, held in two or three
// registers, is an expression over hidden fields of args ("name.ptr",
// "name.len"), which no script can name.

// dwarfEnv returns the Env's lang.DwarfEnv (nil without one).
func (c *checker) dwarfEnv() lang.DwarfEnv {
	if ce, ok := c.env.(*cachedEnv); ok {
		de, _ := ce.env.(lang.DwarfEnv)
		return de
	}
	de, _ := c.env.(lang.DwarfEnv)
	return de
}

// uprobeArgTypes types the args of a uprobe attach point from DWARF the
// first time the probe uses args. It reports false after an error.
func (c *checker) uprobeArgTypes(span lang.Span, r *lang.Resolved) bool {
	if r.Args != nil || r.Provider != probetype.Uprobe && r.Provider != probetype.Uretprobe || r.Binary == "" {
		return true
	}
	de := c.dwarfEnv()
	if de == nil {
		return true
	}
	if r.Provider == probetype.Uretprobe {
		c.errorf(span, "The args builtin can only be used with tracepoint/fentry/uprobe probes (uretprobe used here)")
		c.hintf("a function's arguments are gone when it returns: save them in a map keyed by tid in a uprobe on %s", r.FuncName())
		return false
	}
	if r.Symbol == "" {
		c.errorf(span, "args of %s needs a function: the probe is at an address", r.Name)
		c.hintf("attach to the function by name (uprobe:%s:FUNCTION) to read its parameters", r.Binary)
		return false
	}
	args, err := de.UprobeArgs(r.Binary, r.Symbol)
	if err != nil {
		c.errorf(span, "%v", err)
		switch fn := c.goFunction(); {
		case !strings.Contains(err.Error(), "no DWARF debug information"):
		case fn != "":
			c.hintf("%s is Go code, which passes integer arguments in registers %s (a string as two, a slice as three): read them with %s; arg0, arg1, ... read C's registers (see docs/userspace.md)", fn, strings.Join(ptregs.GoArgNames, ", "), goRegCalls(3))
		default:
			c.hintf("build %s with -g, or give the directory of its separate debug file with --debuginfo DIR; arg0, arg1, ... read the integer arguments without it", r.Binary)
		}
		return false
	}
	st := &lang.Type{Kind: lang.KStruct, Name: "args", Size: ptregs.Size}
	add := func(name, reg string, t *lang.Type) {
		rg, _ := ptregs.Lookup(reg)
		st.Fields = append(st.Fields, &lang.Field{Name: name, Offset: int(rg.Offset), Type: t})
	}
	for _, a := range args {
		switch {
		case a.Type == nil || a.Name == "":
		case a.Stack:
			// Read from the stack (uprobeArgField).
		case a.InRegs:
			// A C struct by value: its words, hidden ("p.0", "p.1").
			for i, reg := range a.Regs {
				add(a.Name+"."+strconv.Itoa(i), reg, lang.TUint64)
			}
		case len(a.Regs) == 1:
			add(a.Name, a.Regs[0], a.Type)
		case a.Fields != nil && len(a.Fields) == len(a.Regs) && len(a.FieldTypes) == len(a.Regs):
			// A record of words: a Go slice, struct or interface.
			add(a.Name, a.Regs[0], a.Type)
			for i, f := range a.Fields {
				add(a.Name+"."+f, a.Regs[i], a.FieldTypes[i])
			}
		case len(a.Regs) == 2: // Go string
			add(a.Name, a.Regs[0], a.Type)
			add(a.Name+".ptr", a.Regs[0], &lang.Type{Kind: lang.KPtr, Size: 8, Elem: lang.TUint8, UserSpace: true})
			add(a.Name+".len", a.Regs[1], lang.TInt64)
		}
	}
	r.Args, r.UprobeArgs = st, args
	return true
}

// uprobeArgField checks args.NAME in a uprobe typed from DWARF: NAME must
// be a parameter the probe can read in every attach point, in the same
// registers; a Go string or slice expands to the expression that reads
// it. handled is false for other probes.
func (c *checker) uprobeArgField(f *lang.FieldAccess) (t *lang.Type, handled bool) {
	var first *lang.Resolved
	var arg *lang.UprobeArg
	for _, r := range c.attach {
		if r.UprobeArgs == nil {
			continue
		}
		if strings.Contains(f.Field, ".") {
			return nil, false // a hidden field of an expansion
		}
		a := findUprobeArg(r.UprobeArgs, f.Field)
		if a == nil {
			c.errorf(f.Span, "Can't find function parameter %s", f.Field)
			var names []string
			for _, a := range r.UprobeArgs {
				if a.Name != "" {
					names = append(names, a.Name)
				}
			}
			switch s := suggest(f.Field, names); {
			case len(names) == 0:
				c.hintf("%s has no named parameters", r.FuncName())
			case s != "":
				c.hintf("did you mean args.%s? the parameters of %s: %s", s, r.FuncName(), strings.Join(names, ", "))
			default:
				c.hintf("the parameters of %s: %s", r.FuncName(), strings.Join(names, ", "))
			}
			return tNone, true
		}
		if a.Type == nil {
			c.errorf(f.Span, "args.%s of %s cannot be read: %s", f.Field, r.FuncName(), a.Why)
			switch {
			case len(a.Regs) > 0:
				var calls []string
				for _, r := range a.Regs {
					calls = append(calls, `reg("`+r+`")`)
				}
				c.hintf("read its words with %s", strings.Join(calls, ", "))
			case strings.Contains(a.Why, "stack"):
				c.hintf(`stack arguments start at reg("sp") + 8, above the return address (see docs/userspace.md)`)
			}
			return tNone, true
		}
		if a.Stack && r.Offset != 0 {
			c.errorf(f.Span, "args.%s of %s cannot be read at %s: it is passed on the stack, whose pointer the function moves once it has started", f.Field, r.FuncName(), r.Name)
			c.hintf("attach at the function's entry (uprobe:%s:%s) to read it", r.Binary, r.Symbol)
			return tNone, true
		}
		if first == nil {
			first, arg = r, a
			continue
		}
		if argPlace(a) != argPlace(arg) {
			c.errorf(f.Span, "args.%s is in different registers in the probes this block attaches to: %s in %s, %s in %s", f.Field, argPlace(arg), first.Name, argPlace(a), r.Name)
			return tNone, true
		}
	}
	switch {
	case arg == nil:
		return nil, false
	case arg.Stack && arg.Fields != nil:
		// A Go string or slice on the stack: its words there.
		var words []lang.Expr
		for i, ft := range arg.FieldTypes {
			words = append(words, stackWord(f.Span, ft, arg.StackOffset+8*i))
		}
		if arg.Type.Kind == lang.KString {
			return c.expandArg(f, &lang.Call{Span: f.Span, Name: "str", Args: words})
		}
		return c.expandArg(f, &lang.Tuple{Span: f.Span, Names: append([]string(nil), arg.Fields...), Elems: words})
	case arg.Stack:
		return c.expandArg(f, stackArg(f.Span, arg))
	case arg.InRegs:
		e, bad := regStruct(f.Span, arg.Type, 0, func(word int) lang.Expr {
			return &lang.FieldAccess{Span: f.Span, X: &lang.Ident{Span: f.Span, Name: "args"}, Field: f.Field + "." + strconv.Itoa(word)}
		})
		if e == nil {
			c.errorf(f.Span, "args.%s of %s cannot be read: it is a %s passed by value in %s, and its member %s cannot be taken from a register", f.Field, first.FuncName(), arg.Type.Name, strings.Join(arg.Regs, " and "), bad)
			var calls []string
			for _, r := range arg.Regs {
				calls = append(calls, `reg("`+r+`")`)
			}
			c.hintf("read its words with %s", strings.Join(calls, ", "))
			return tNone, true
		}
		return c.expandArg(f, e)
	case len(arg.Regs) < 2:
		return nil, false
	}
	hidden := func(suffix string) lang.Expr {
		return &lang.FieldAccess{Span: f.Span, X: &lang.Ident{Span: f.Span, Name: "args"}, Field: f.Field + suffix}
	}
	var e lang.Expr
	if arg.Fields == nil {
		// A Go string: its bytes, up to its length.
		e = &lang.Call{Span: f.Span, Name: "str", Args: []lang.Expr{hidden(".ptr"), hidden(".len")}}
	} else {
		// A Go slice (its element pointer, length and capacity), struct
		// or interface: a record of its words.
		tu := &lang.Tuple{Span: f.Span, Names: append([]string(nil), arg.Fields...)}
		for _, name := range arg.Fields {
			tu.Elems = append(tu.Elems, hidden("."+name))
		}
		e = tu
	}
	return c.expandArg(f, e)
}

// expandArg types e, what args.NAME stands for, and records it.
func (c *checker) expandArg(f *lang.FieldAccess, e lang.Expr) (*lang.Type, bool) {
	t := c.expr(e)
	if !known(t) {
		return tNone, true
	}
	f.Expand = e
	return t, true
}

// argPlace names where a parameter is: its registers or its stack offset.
func argPlace(a *lang.UprobeArg) string {
	if a.Stack {
		return "the stack at sp+" + strconv.Itoa(8+a.StackOffset)
	}
	return strings.Join(a.Regs, ",")
}

// stackArg is what a parameter passed on the stack stands for:
// *(T *)(reg("sp") + 8 + offset), read from the process's memory (the
// stack pointer at the function's entry points at the return address).
func stackArg(span lang.Span, a *lang.UprobeArg) lang.Expr {
	return stackWord(span, a.Type, a.StackOffset)
}

// stackWord reads a value of type t at offset bytes above the first
// stack argument.
func stackWord(span lang.Span, t *lang.Type, offset int) lang.Expr {
	pt := &lang.Type{Kind: lang.KPtr, Size: 8, Elem: t, UserSpace: true}
	sp := &lang.Call{Span: span, Name: "reg", Args: []lang.Expr{&lang.StrLit{Span: span, Value: "sp"}}}
	addr := &lang.Binary{Span: span, Op: "+", X: sp, Y: &lang.IntLit{Span: span, Value: uint64(8 + offset)}}
	return &lang.Unary{Span: span, Op: "*", X: &lang.Cast{Span: span, To: &lang.TypeSpec{Span: span, T: pt}, X: addr}}
}

// regStruct is what a C struct or union of type t at byte off of a value
// passed in integer registers stands for: a record of its members, each
// cut from the register word that holds it (word(i) reads the i-th) by a
// shift and a cast to its type; a struct member is a record, an array of
// integers within one word a cast of its bytes. It returns nil and the
// name of a member it cannot cut (a bitfield, a string, a float, an
// array across two words).
func regStruct(span lang.Span, t *lang.Type, off int, word func(int) lang.Expr) (lang.Expr, string) {
	rec := &lang.Tuple{Span: span}
	for _, f := range t.Fields {
		if f.BitSize != 0 {
			return nil, f.Name
		}
		e := regValue(span, f.Type, off+f.Offset, word)
		if e == nil {
			if f.Type.Kind == lang.KStruct {
				if _, bad := regStruct(span, f.Type, off+f.Offset, word); bad != "" {
					return nil, f.Name + "." + bad
				}
			}
			return nil, f.Name
		}
		rec.Names = append(rec.Names, f.Name)
		rec.Elems = append(rec.Elems, e)
	}
	if len(rec.Elems) == 0 {
		return nil, "(none)"
	}
	return rec, ""
}

func regValue(span lang.Span, t *lang.Type, off int, word func(int) lang.Expr) lang.Expr {
	if t.Kind == lang.KStruct {
		e, _ := regStruct(span, t, off, word)
		return e
	}
	size := lang.SizeOf(t)
	if size == 0 || off/8 != (off+size-1)/8 {
		return nil // across two words
	}
	var x lang.Expr = word(off / 8)
	if sh := 8 * (off % 8); sh > 0 {
		x = &lang.Binary{Span: span, Op: ">>", X: x, Y: &lang.IntLit{Span: span, Value: uint64(sh)}}
	}
	cast := func(to *lang.Type, x lang.Expr) lang.Expr {
		return &lang.Cast{Span: span, To: &lang.TypeSpec{Span: span, T: to}, X: x}
	}
	switch t.Kind {
	case lang.KInt:
		if t.Size == 8 && !t.Signed && t.Enum == nil && off%8 == 0 {
			return x // the word itself
		}
		return cast(t, x)
	case lang.KBool, lang.KPtr:
		return cast(t, x)
	case lang.KArray:
		if t.Elem == nil || !t.Elem.IsInt() || size != 1 && size != 2 && size != 4 && size != 8 {
			return nil
		}
		// The array's bytes as an integer of its size, then as the array.
		if size < 8 {
			x = cast(lang.IntType(size, false), x)
		}
		return cast(t, x)
	}
	return nil
}

func findUprobeArg(args []*lang.UprobeArg, name string) *lang.UprobeArg {
	for _, a := range args {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// uprobeArgsRecord types `args` used as a value in a uprobe (print(args),
// $a = args): a record of the parameters it can read, by name, as bpftrace
// prints a uprobe's args. ok is false elsewhere, in args.field, and when
// the attach points of the probe have different parameters.
func (c *checker) uprobeArgsRecord(id *lang.Ident) (*lang.Type, bool) {
	if c.argsFieldDepth > 0 || len(c.attach) == 0 {
		return nil, false
	}
	var names []string
	for i, r := range c.attach {
		if r.UprobeArgs == nil {
			return nil, false
		}
		var these []string
		for _, a := range r.UprobeArgs {
			if a.Type != nil && a.Name != "" {
				these = append(these, a.Name)
			}
		}
		if i == 0 {
			names = these
		} else if strings.Join(these, ",") != strings.Join(names, ",") {
			return nil, false
		}
	}
	if len(names) == 0 {
		return nil, false
	}
	tu := &lang.Tuple{Span: id.Span, Names: names}
	for _, n := range names {
		tu.Elems = append(tu.Elems, &lang.FieldAccess{Span: id.Span, X: &lang.Ident{Span: id.Span, Name: "args"}, Field: n})
	}
	t := c.expr(tu)
	if !known(t) {
		return tNone, true
	}
	id.Expand = tu
	return t, true
}

package check

import (
	"slices"
	"strings"

	"strconv"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// isArgs reports whether e is the `args` builtin, or `ctx` in an iter
// probe, which holds its arguments the same way (elsewhere ctx is an
// address).
func (c *checker) isArgs(e lang.Expr) bool {
	id, ok := e.(*lang.Ident)
	if ok && id.Name == "ctx" {
		return c.iterProbe()
	}
	return ok && id.Name == "args"
}

// iterProbe reports whether the probe is an iter probe, even one whose
// attach point was refused (its ctx is still the iterator's).
func (c *checker) iterProbe() bool {
	if slices.Contains(c.providers(), probetype.Iter) {
		return true
	}
	if c.probe != nil {
		for _, ap := range c.probe.AttachPoints {
			if ap != nil {
				if info := probetype.Lookup(ap.Provider); info != nil && info.Name == probetype.Iter {
					return true
				}
			}
		}
	}
	return false
}

func (c *checker) field(f *lang.FieldAccess) *lang.Type {
	if t, ok := c.configField(f); ok {
		return t
	}
	if c.isArgs(f.X) {
		c.argsFieldDepth++
	}
	xt := c.expr(f.X)
	if c.isArgs(f.X) {
		c.argsFieldDepth--
	}
	if !known(xt) {
		return tNone
	}
	if c.isArgs(f.X) {
		return c.argsField(f)
	}
	st := xt
	if st.IsStructPtr() {
		return c.member(f, xt)
	}
	switch st.Kind {
	case lang.KTuple:
		if st.Names != nil {
			for i, n := range st.Names {
				if n == f.Field {
					return st.Elems[i]
				}
			}
			c.errorf(f.Span, "Record %s does not contain a field named '%s'", st, f.Field)
			return tNone
		}
		i, err := strconv.Atoi(f.Field)
		if err != nil || i < 0 || i >= len(st.Elems) {
			c.errorf(f.Span, "Invalid tuple index: %s. Found %d elements in tuple.", f.Field, len(st.Elems))
			return tNone
		}
		return st.Elems[i]
	case lang.KStruct:
		return c.member(f, xt)
	}
	c.errorf(f.Span, "Can not access field '%s' on expression of type '%s'", f.Field, xt)
	if xt.Kind == lang.KInt && xt.Size == 8 {
		c.hintf("cast the address to a struct pointer first: ((struct name *)expr)->%s", f.Field)
	}
	return tNone
}

func findField(st *lang.Type, name string) *lang.Field {
	for _, fl := range st.Fields {
		if fl.Name == name {
			return fl
		}
	}
	return nil
}

// argsField types args.field, requiring the same type in every match of a
// wildcard probe.
func (c *checker) argsField(f *lang.FieldAccess) *lang.Type {
	if t, ok := c.uprobeArgField(f); ok {
		return t
	}
	var t *lang.Type
	var first *lang.Resolved
	for _, r := range c.attach {
		if r.Args == nil {
			continue
		}
		fl := findField(r.Args, f.Field)
		if fl == nil {
			c.errorf(f.Span, "Struct/union of type '%s' does not contain a field named '%s'", r.Args.Name, f.Field)
			names := argsFieldNames(r.Args)
			switch s := suggest(f.Field, names); {
			case s != "":
				c.hintf("did you mean args.%s?", s)
			case len(c.attach) > 1:
				c.hintf("%s has no field %s; its fields: %s", r.Name, f.Field, strings.Join(names, ", "))
			default:
				c.hintf("the fields of %s: %s", r.Name, strings.Join(names, ", "))
			}
			return tNone
		}
		if t == nil {
			t, first = c.enumValues(f.Span, fl.Type), r
			continue
		}
		if !fl.Type.Equal(t) {
			c.errorf(f.Span, "args.%s has different types in the probes this block attaches to: '%s' in %s, '%s' in %s", f.Field, t, first.Name, fl.Type, r.Name)
			return tNone
		}
	}
	if t == nil {
		return tNone
	}
	return t
}

func (c *checker) index(ix *lang.Index) *lang.Type {
	xt := c.expr(ix.X)
	it := c.expr(ix.Index)
	if !known(xt) || !known(it) {
		return tNone
	}
	if !it.IsInt() {
		c.errorf(ix.Index.Pos(), "The array index operator [] requires an integer index, found %s", it)
		return tNone
	}
	switch xt.Kind {
	case lang.KString:
		// A string's bytes read as chars (`$path[0] == "/"[0]`), and a char
		// array read through a pointer indexes like an array.
		if n, ok := c.constInt(ix.Index); ok && (n < 0 || n >= int64(xt.Size)) {
			c.errorf(ix.Index.Pos(), "the index %d is out of bounds for array of size %d", n, xt.Size)
			return tNone
		}
		return lang.TInt8
	case lang.KArray:
		// A flexible array member (length 0) has no bound to check.
		if n, ok := c.constInt(ix.Index); ok && (n < 0 || xt.Len > 0 && n >= int64(xt.Len)) {
			c.errorf(ix.Index.Pos(), "the index %d is out of bounds for array of size %d", n, xt.Len)
			return tNone
		}
		if c.floatRead(ix.Span, "", xt.Elem, "", -1) {
			return tNone
		}
		return inSpace(xt.Elem, xt.UserSpace)
	case lang.KPtr:
		if xt.Elem == nil || xt.Elem.Kind == lang.KVoid {
			c.errorf(ix.Span, "Can not index a pointer of type '%s'", xt)
			c.hintf("cast the pointer to a pointer of a known type first")
			return tNone
		}
		return c.deref(&lang.Unary{Span: ix.Span, Op: "*"}, xt)
	}
	c.errorf(ix.X.Pos(), "The array index operator [] can only be used on arrays and pointers, found %s", xt)
	return tNone
}

// argsFieldNames lists a probe's args fields a script may use (the
// tracepoint's own, without the common_ header fields).
func argsFieldNames(args *lang.Type) []string {
	var out []string
	for _, f := range args.Fields {
		if f.Name != "" && !strings.HasPrefix(f.Name, "common_") && !strings.Contains(f.Name, ".") {
			out = append(out, f.Name)
		}
	}
	return out
}

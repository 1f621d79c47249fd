package check

import (
	"fmt"

	"github.com/gobpftrace/gobpftrace/lang"
)

// newMap creates the symbol of a map at its first appearance. Types learnt
// by the first pass are taken over so that reads before writes type well.
func (c *checker) newMap(name string, span lang.Span) *lang.MapSym {
	m := &lang.MapSym{Name: name, First: span, Index: len(c.out.Maps), Value: tNone}
	if k := c.known[name]; k != nil {
		m.Key, m.Value = k.Key, k.Value
		if m.Value == nil {
			m.Value = tNone
		}
	}
	if c.knownKeyed[name] {
		c.scalarKnown[m] = true
	}
	c.maps[name] = m
	c.out.Maps = append(c.out.Maps, m)
	return m
}

// mapSym returns the map used by m, creating it, and checks and records
// the key type of m's keys.
func (c *checker) mapSym(m *lang.MapExpr) *lang.MapSym {
	sym := c.maps[m.Name]
	if sym == nil {
		sym = c.newMap(m.Name, m.Span)
	}
	if sym.First == (lang.Span{}) {
		sym.First = m.Span
	}
	m.Sym = sym
	c.mapUses = append(c.mapUses, m)
	c.mapKeys(m, sym)
	return sym
}

// bindMap binds a whole-map use (print(@m), for ($kv : @m), ...) to its
// symbol without touching its key type.
func (c *checker) bindMap(m *lang.MapExpr) *lang.MapSym {
	sym := c.maps[m.Name]
	if sym == nil {
		sym = c.newMap(m.Name, m.Span)
	}
	m.Sym = sym
	c.mapUses = append(c.mapUses, m)
	return sym
}

// keyTypeOf types m's keys: nil without keys, one key's type, or a tuple.
func (c *checker) keyTypeOf(m *lang.MapExpr) (*lang.Type, bool) {
	if len(m.Keys) == 0 {
		return nil, true
	}
	ok := true
	types := make([]*lang.Type, len(m.Keys))
	for i, k := range m.Keys {
		t := c.expr(k)
		if !known(t) {
			ok = false
			continue
		}
		if !c.checkStorable(k, t) {
			ok = false
		}
		types[i] = storedType(k, t)
	}
	if !ok {
		return nil, false
	}
	if len(types) == 1 {
		return types[0], true
	}
	return tupleType(types, nil), true
}

func (c *checker) mapKeys(m *lang.MapExpr, sym *lang.MapSym) {
	kt, ok := c.keyTypeOf(m)
	if !ok {
		return
	}
	c.mergeKey(m, sym, kt)
	// An integer key is converted to the map's final key type, with a
	// warning when it may not fit (castWarnings).
	for i, k := range m.Keys {
		i, n := i, len(m.Keys)
		c.noteStore(k, k.Type(), func() *lang.Type {
			if n == 1 {
				return sym.Key
			}
			if sym.Key != nil && sym.Key.Kind == lang.KTuple && i < len(sym.Key.Elems) {
				return sym.Key.Elems[i]
			}
			return nil
		})
	}
}

// mergeKey records key type kt (nil for a scalar use) for sym.
func (c *checker) mergeKey(at lang.Node, sym *lang.MapSym, kt *lang.Type) {
	switch {
	case !c.scalarKnown[sym]:
		sym.Key = kt
	case kt == nil && sym.Key != nil:
		c.errorf(at.Pos(), "%s used as a map without an explicit key (scalar map), previously used with an explicit key (non-scalar map)", sym.Name)
	case kt != nil && sym.Key == nil:
		c.errorf(at.Pos(), "%s used as a map with an explicit key (non-scalar map), previously used without an explicit key (scalar map)", sym.Name)
	case kt != nil:
		merged, ok := mergeStored(sym.Key, kt)
		if !ok {
			c.errorf(at.Pos(), "Argument mismatch for %s: trying to access with arguments: '%s' when map expects arguments: '%s'", sym.Name, keyText(kt), keyText(sym.Key))
			return
		}
		sym.Key = merged
	}
	c.scalarKnown[sym] = true
}

// keyText names a map's key type in messages as bpftrace v0.26 does: one
// key's type, or a tuple of several (`(int8,string[2])`).
func keyText(t *lang.Type) string { return t.String() }

// mergeValue records value type vt for sym, reporting a conflict at at.
func (c *checker) mergeValue(at lang.Node, sym *lang.MapSym, vt *lang.Type) {
	merged, ok := mergeStored(sym.Value, vt)
	if !ok {
		have, want := vt.String(), sym.Value.String()
		if have == want {
			have, want = aggDetail(vt), aggDetail(sym.Value)
		}
		c.errorf(at.Pos(), "Type mismatch for %s: trying to assign value of type '%s' when map already has a type '%s'", sym.Name, have, want)
		return
	}
	sym.Value = merged
}

// maxStoredStruct bounds the structs and arrays kept in a variable or map:
// they are copied on every use.
const maxStoredStruct = 4096

// checkStorable reports values that cannot be kept in a map or variable.
func (c *checker) checkStorable(e lang.Expr, t *lang.Type) bool {
	switch t.Kind {
	case lang.KVoid:
		c.errorf(e.Pos(), "Value of type void cannot be stored")
		return false
	case lang.KArray, lang.KStruct:
		if lang.SizeOf(t) > maxStoredStruct {
			c.errorf(e.Pos(), "Value of type '%s' is too large to be stored (%d bytes, at most %d)", t, lang.SizeOf(t), maxStoredStruct)
			c.hintf("store the members you need, or the pointer")
			return false
		}
	case lang.KTuple:
		if t.Names != nil && !supportedFeatures[featRecords] {
			c.unsupported(e.Pos(), featRecords)
			return false
		}
		// Structs and arrays inside tuples are kept like the others, so
		// they have the same bound.
		for _, el := range t.Elems {
			if !c.checkStorable(e, el) {
				return false
			}
		}
	}
	if t.IsAggregation() {
		c.unsupported(e.Pos(), featAggRead)
		return false
	}
	return true
}

// aggDetail names a histogram with its parameters, for messages where the
// plain names are the same.
func aggDetail(t *lang.Type) string {
	switch t.Kind {
	case lang.KHist:
		return fmt.Sprintf("hist_t(bits %d)", t.Bits)
	case lang.KLhist:
		return fmt.Sprintf("lhist_t(min %d, max %d, step %d)", t.LhistMin, t.LhistMax, t.LhistStep)
	case lang.KTseries:
		agg := t.TseriesAgg
		if agg == "" {
			agg = "last"
		}
		return fmt.Sprintf("tseries_t(interval %d, %d intervals, %s)", t.TseriesInterval, t.TseriesIntervals, agg)
	}
	return t.String()
}

package check

import "github.com/gobpftrace/gobpftrace/lang"

// loopVar declares a loop's variable in a scope of its own around the body.
func (c *checker) loopVar(v *lang.Var, t *lang.Type, body *lang.Block) {
	c.pushScope()
	if v != nil {
		if c.lookupVar(v.Name) != nil {
			c.errorf(v.Span, "Loop declaration shadows existing variable: %s", v.Name)
		}
		v.Sym = c.declare(c.scope, v.Name, t)
		if t.Kind == lang.KNone && len(c.errs) > 0 {
			c.poisonedVars[v.Sym] = true
		}
		v.SetType(t)
		c.varUses = append(c.varUses, v)
	}
	c.loop(body)
	c.popScope()
}

// forRange types `for ($i : start..end)`: $i holds both bounds' type.
func (c *checker) forRange(s *lang.ForRangeStmt) {
	st, et := c.expr(s.Start), c.expr(s.End)
	t := tNone
	switch {
	case !known(st) || !known(et):
	case st.Kind != lang.KInt || et.Kind != lang.KInt:
		c.errorf(s.Span, "Loop range requires integer bounds (%s..%s given)", st, et)
	default:
		st, et = adaptSigns(s.Start, st, s.End, et)
		m, ok := mergeInts(st, et)
		if !ok {
			m = lang.TInt64
		}
		t = m
	}
	c.loopVar(s.Var, t, s.Body)
}

// forMap types `for ($kv : @m)`: $kv is (key, value).
func (c *checker) forMap(s *lang.ForMapStmt) {
	t := tNone
	if s.Map != nil {
		sym := c.bindMap(s.Map)
		s.Map.SetType(tNone)
		if !c.wildcardKeysMatch(s, sym) {
			return
		}
		switch {
		case sym.Value.Kind == lang.KNone:
			c.undefinedMap(s.Map)
		case sym.Key == nil:
			c.errorf(s.Map.Span, "Loop expression does not support scalar map: %s", sym.Name)
		case sym.Value.IsAggregation():
			vt, ok := sym.Value.FoldedRead()
			if !ok {
				// As bpftrace: a count, sum, min, max or avg map is
				// iterated with its folded value; a histogram, stats or
				// time series has no single value.
				c.errorf(s.Map.Span, "Loop expression does not support type: %s", sym.Value)
				c.hintf("count(), sum(), min(), max() and avg() maps can be iterated; print(%s) prints this one", sym.Name)
				break
			}
			s.Map.SetType(sym.Value)
			t = tupleType([]*lang.Type{sym.Key, vt}, nil)
		default:
			s.Map.SetType(sym.Value)
			t = tupleType([]*lang.Type{sym.Key, sym.Value}, nil)
		}
	}
	c.loopVar(s.Var, t, s.Body)
}

// maxUnroll is the largest unroll count, as in bpftrace.
const maxUnroll = 100

// unrollHead is where a bad unroll count is reported: `unroll (N)`, or
// the count when the statement was built without its head.
func unrollHead(s *lang.UnrollStmt) lang.Span {
	if s.Head == (lang.Span{}) {
		return s.Count.Pos()
	}
	return s.Head
}

func (c *checker) unroll(s *lang.UnrollStmt) {
	t := c.expr(s.Count)
	if known(t) {
		n, ok := c.constInt(s.Count)
		switch {
		case !ok || !t.IsInt():
			c.errorf(s.Count.Pos(), "invalid unroll value")
			c.hintf("unroll takes a constant between 1 and %d", maxUnroll)
		case n < 1:
			c.errorf(unrollHead(s), "unroll minimum value is 1")
			c.hintf("unroll repeats its block 1 to %d times", maxUnroll)
		case n > maxUnroll:
			c.errorf(unrollHead(s), "unroll maximum value is %d", maxUnroll)
			c.hintf("for more iterations, use a while or for loop")
		default:
			s.N = n
		}
	}
	c.block(s.Body)
}

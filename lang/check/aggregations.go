package check

import (
	"slices"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/stdlib"
)

// valueAggregations are the kinds of the aggregations of one integer.
var valueAggregations = map[string]lang.Kind{"sum": lang.KSum, "min": lang.KMin, "max": lang.KMax, "avg": lang.KAvg, "stats": lang.KStats}

// aggregation types a call assigned to a map: count(), sum(x), hist(x), ...
func (c *checker) aggregation(call *lang.Call) *lang.Type {
	f := stdlib.LookupFunc(call.Name)
	defer func() {
		if call.Type() == nil {
			call.SetType(tNone)
		}
	}()
	if !c.arity(call, f) {
		return tNone
	}
	var t *lang.Type
	switch call.Name {
	case "count":
		t = &lang.Type{Kind: lang.KCount}
	case "sum", "min", "max", "avg", "stats":
		at := c.wantInt(call, call.Args[0], call.Name+"()")
		if !known(at) {
			return tNone
		}
		// A non-negative literal has no sign of its own: sum(1500) is
		// unsigned, so that it meets count() and unsigned values without
		// a sign warning.
		at = unsignedLiteral(call.Args[0], at)
		t = &lang.Type{Kind: valueAggregations[call.Name], Signed: isSigned(at)}
	case "hist":
		at := c.wantInt(call, call.Args[0], "hist()")
		bits := int64(0)
		if len(call.Args) == 2 {
			b, ok := c.wantConst(call, call.Args[1], "bits")
			if !ok {
				return tNone
			}
			if b < 0 || b > 5 {
				c.errorf(call.Span, "hist() bits must be between 0 and 5 (%d provided)", b)
				return tNone
			}
			bits = b
		}
		if !known(at) {
			return tNone
		}
		t = &lang.Type{Kind: lang.KHist, Bits: int(bits)}
	case "lhist":
		t = c.lhist(call)
	case "tseries":
		if !c.unstable(unstableTseries, call.Span) {
			return tNone
		}
		t = c.tseries(call)
	}
	if t == nil {
		return tNone
	}
	call.SetType(t)
	return t
}

func (c *checker) lhist(call *lang.Call) *lang.Type {
	at := c.wantInt(call, call.Args[0], "lhist()")
	lo, ok1 := c.wantConst(call, call.Args[1], "min")
	hi, ok2 := c.wantConst(call, call.Args[2], "max")
	step, ok3 := c.wantConst(call, call.Args[3], "step")
	if !known(at) || !ok1 || !ok2 || !ok3 {
		return nil
	}
	switch {
	case lo < 0:
		c.errorf(call.Span, "lhist() min must be non-negative (provided min %d)", lo)
	case hi <= lo:
		c.errorf(call.Span, "lhist() max must be greater than min (provided min %d, max %d)", lo, hi)
	case step < 1:
		c.errorf(call.Span, "lhist() step must be >= 1 (%d provided)", step)
	case (hi-lo)/step > 1000:
		c.errorf(call.Span, "lhist() too many buckets, must be <= 1000 (provided %d)", (hi-lo)/step)
	default:
		return &lang.Type{Kind: lang.KLhist, LhistMin: lo, LhistMax: hi, LhistStep: step}
	}
	return nil
}

// tseriesAggs are the aggregations tseries() accepts as its fourth
// argument, in the order bpftrace lists them.
var tseriesAggs = []string{"avg", "max", "min", "sum"}

// tseries checks tseries(value, interval_ns, num_intervals[, agg]) with
// bpftrace's messages.
func (c *checker) tseries(call *lang.Call) *lang.Type {
	at := c.wantInt(call, call.Args[0], "tseries()")
	for _, a := range call.Args[1:] {
		c.expr(a)
	}
	interval, ok1 := c.constInt(call.Args[1])
	if !ok1 || interval < 0 {
		c.errorf(call.Span, "tseries: invalid interval_ns value (must be non-negative literal)")
		return nil
	}
	n, ok2 := c.constInt(call.Args[2])
	if !ok2 || n < 0 {
		c.errorf(call.Span, "tseries: invalid num_intervals value (must be non-negative literal)")
		return nil
	}
	switch {
	case interval == 0:
		c.errorf(call.Span, "tseries() interval_ns must be >= 1 (0 provided)")
		return nil
	case n == 0:
		c.errorf(call.Span, "tseries() num_intervals must be >= 1 (0 provided)")
		return nil
	case n > 1000000:
		c.errorf(call.Span, "tseries() num_intervals must be < 1000000 (%d provided)", n)
		return nil
	}
	agg := ""
	if len(call.Args) == 4 {
		lit, ok := call.Args[3].(*lang.StrLit)
		if !ok {
			c.errorf(call.Args[3].Pos(), "tseries() expects a string literal as its aggregation function")
			return nil
		}
		agg = lit.Value
		if !slices.Contains(tseriesAggs, agg) {
			c.errorf(call.Span, "tseries() expects one of the following aggregation functions: %s (%q provided)", strings.Join(tseriesAggs, ", "), agg)
			return nil
		}
	}
	if !known(at) {
		return nil
	}
	return &lang.Type{Kind: lang.KTseries, Signed: isSigned(at), TseriesInterval: interval, TseriesIntervals: n, TseriesAgg: agg}
}

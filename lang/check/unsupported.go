package check

import "github.com/gobpftrace/gobpftrace/lang"

// Language features the later stages do not handle yet. This is the one
// list to shrink as codegen grows (providers, variables and functions have
// their own Supported flags in package stdlib).
const (
	featCDefs    = "C type definitions"
	featAddrOf   = "the address-of operator (&)"
	featDeref    = "pointer dereference"
	featPtrCast  = "casts to pointer, struct and array types"
	featOffsetof = "offsetof"
	featAggRead  = "reading an aggregation's value"
	featRecords  = "named tuples"
)

var supportedFeatures = map[string]bool{
	featRecords: true, featCDefs: true, featAddrOf: true, featDeref: true, featPtrCast: true, featOffsetof: true,
}

// unsupported reports feat at span unless it has become supported.
func (c *checker) unsupported(span lang.Span, feat string) {
	if supportedFeatures[feat] {
		return
	}
	c.errorf(span, "%s %s not supported yet", feat, isAre(feat))
}

func isAre(s string) string {
	if len(s) > 0 && s[len(s)-1] == 's' && s != "offsetof" {
		return "are"
	}
	return "is"
}

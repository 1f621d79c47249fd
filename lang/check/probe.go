package check

import (
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

func (c *checker) checkProbe(p *lang.Probe) {
	cp := &lang.CheckedProbe{Probe: p}
	c.out.Probes = append(c.out.Probes, cp)
	for _, ap := range p.AttachPoints {
		if ap != nil {
			cp.Attach = append(cp.Attach, c.resolveAttach(ap)...)
		}
	}
	c.checkMissingProbes(cp)
	c.probe, c.attach = p, cp.Attach
	c.scope, c.varUses, c.loops = nil, nil, 0
	c.probeStr = nil
	c.pushScope()
	if p.Predicate != nil {
		t := c.expr(p.Predicate)
		if !known(t) {
		} else if !isCondition(t) {
			c.errorf(p.Predicate.Pos(), "Invalid type for predicate: %s", kindName(t))
		}
	}
	if p.Body != nil {
		c.stmts(p.Body.Stmts)
	}
	c.popScope()
	// A variable may have widened after some uses were typed.
	for _, v := range c.varUses {
		if v.Sym != nil && v.Sym.Type != nil {
			v.SetType(v.Sym.Type)
		}
	}
	c.fixVarAddrs()
}

// isCondition reports whether t can be tested for truth.
func isCondition(t *lang.Type) bool {
	return t.IsInt() || t.Kind == lang.KPtr
}

// known reports whether t is a real type (not the marker of an earlier error).
func known(t *lang.Type) bool { return t != nil && t.Kind != lang.KNone && t.Kind != lang.KInvalid }

// providers returns the canonical providers of the current probe.
func (c *checker) providers() []probetype.Type {
	var out []probetype.Type
	seen := map[probetype.Type]bool{}
	for _, r := range c.attach {
		if !seen[r.Provider] {
			seen[r.Provider] = true
			out = append(out, r.Provider)
		}
	}
	return out
}

package check

import (
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

func (c *checker) checkProbe(p *lang.Probe) {
	cp := &lang.CheckedProbe{Probe: p}
	errs, warns := len(c.errs), len(c.out.Warnings)
	for _, ap := range p.AttachPoints {
		if ap != nil {
			cp.Attach = append(cp.Attach, c.resolveAttach(ap)...)
		}
	}
	if len(p.AttachPoints) > 0 && len(cp.Attach) == 0 && len(c.missingAttach) == 0 &&
		len(c.errs) == errs && len(c.out.Warnings) == warns {
		// Every attach point was a wildcard that matched nothing: the
		// probe is dropped without a word, as bpftrace v0.26 prunes it
		// (a script left without probes stops with "No probes to
		// attach"). Its body is still read for the maps it defines
		// (another probe may print them), but what it says about a
		// body that never runs (`args` of no tracepoint) is dropped.
		c.checkBody(p, cp)
		c.errs, c.out.Warnings = c.errs[:errs], c.out.Warnings[:warns]
		return
	}
	c.out.Probes = append(c.out.Probes, cp)
	c.checkMissingProbes(cp)
	c.checkBody(p, cp)
}

// checkBody checks the predicate and statements of probe p, attached as cp.
func (c *checker) checkBody(p *lang.Probe, cp *lang.CheckedProbe) {
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

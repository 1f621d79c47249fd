package codegen

import "github.com/gobpftrace/gobpftrace/lang"

// assignResources decides, before any program is built, the parts of the
// plan that the script alone determines, in the order the script names
// them:
//
//   - the maps (lang.Checked.Maps);
//   - the event of every call that sends one (printf, print, exit, time,
//     clear, zero, cat, system, errorf, warnf, join), laid out for its
//     arguments: the event table is complete, and code generation's
//     addEvent finds each one;
//   - the loss counter of every map the script writes, counting the
//     updates refused because the map is full.
//
// What code generation decides itself is added behind, as it builds the
// code that needs it: the run-time warnings it emits (a division by zero,
// assert()'s error and exit,
// a loop stopped at bpf_loop's limit, -k's helper errors), stack maps,
// and the scratch buffer, whose size depends on where each value is kept.
// Nothing is ever taken back: an event is identified by its content (see
// Event.identity), so code built more than once (unroll) shares it.
func (cc *compiler) assignResources(c *lang.Checked) {
	for _, m := range c.Maps {
		if m.Decl != nil && (m.Value == nil || m.Value.Kind == lang.KNone) {
			continue // declared but never used (the checker warned)
		}
		cc.addMap(m)
	}
	for _, cp := range c.Probes {
		lang.Inspect(cp.Probe, func(n lang.Node) bool {
			switch x := n.(type) {
			case *lang.Call:
				if ev, args := scriptEvent(x); ev != nil {
					if ev.Kind != EvJoin {
						layoutEvent(ev, args)
					}
					cc.addEvent(ev)
				}
			case *lang.AssignStmt:
				cc.mapWritten(x.Target, x.Span)
			case *lang.Unary:
				if x.Op == "++" || x.Op == "--" {
					cc.mapWritten(x.X, x.Span)
				}
			}
			return true
		})
	}
}

// mapWritten gives the map that e names, if any, its loss counter; span is
// the write, which the warning for a full map points at.
func (cc *compiler) mapWritten(e lang.Expr, span lang.Span) {
	me, ok := e.(*lang.MapExpr)
	if !ok || me.Sym == nil {
		return
	}
	m := cc.maps[me.Sym.Name]
	if m == nil {
		return
	}
	slot := cc.mapDropSlot(m)
	if slot == noDropSlot {
		return
	}
	cc.useDropSlot(slot)
	if _, ok := cc.plan.MapDropSpans[m.Name]; !ok {
		if cc.plan.MapDropSpans == nil {
			cc.plan.MapDropSpans = map[string]lang.Span{}
		}
		cc.plan.MapDropSpans[m.Name] = span
	}
}

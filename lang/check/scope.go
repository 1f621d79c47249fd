package check

import "github.com/gobpftrace/gobpftrace/lang"

// scope is a block's scratch variables. The probe's outermost scope holds
// variables first assigned without `let`; `let` declares in the current
// block.
type scope struct {
	parent *scope
	vars   map[string]*lang.VarSym
}

func (c *checker) pushScope() { c.scope = &scope{parent: c.scope, vars: map[string]*lang.VarSym{}} }
func (c *checker) popScope()  { c.scope = c.scope.parent }

func (c *checker) lookupVar(name string) *lang.VarSym {
	for s := c.scope; s != nil; s = s.parent {
		if v := s.vars[name]; v != nil {
			return v
		}
	}
	return nil
}

// declare creates a variable in s.
func (c *checker) declare(s *scope, name string, t *lang.Type) *lang.VarSym {
	v := &lang.VarSym{Name: name, Type: t, ID: c.nextVar}
	c.nextVar++
	s.vars[name] = v
	return v
}

// probeScope is the outermost scope of the current probe.
func (c *checker) probeScope() *scope {
	s := c.scope
	for s.parent != nil {
		s = s.parent
	}
	return s
}

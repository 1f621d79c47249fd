package check

import (
	"errors"

	"github.com/gobpftrace/gobpftrace/lang"
)

// cachedEnv remembers the environment's answers, so that the two passes
// (and probes naming the same tracepoints) read each format file once.
type cachedEnv struct {
	env     lang.Env
	structs map[[2]string]cachedStruct
	matches map[[2]string]cachedMatch
	funcs   map[[2]string]cachedFunc
	// checked are the answers of the Env's CheckTracepoint.
	checked map[[2]string]error
}

type cachedStruct struct {
	t   *lang.Type
	err error
}

type cachedMatch struct {
	pairs [][2]string
	err   error
}

func newCachedEnv(env lang.Env) lang.Env {
	if env == nil {
		return nil
	}
	return &cachedEnv{env: env, structs: map[[2]string]cachedStruct{}, matches: map[[2]string]cachedMatch{}}
}

func (e *cachedEnv) Tracepoint(cat, ev string) (*lang.Type, error) {
	k := [2]string{cat, ev}
	r, ok := e.structs[k]
	if !ok {
		r.t, r.err = e.env.Tracepoint(cat, ev)
		e.structs[k] = r
	}
	return r.t, r.err
}

// CheckTracepoint answers lang.TracepointCheckEnv through the Env's own
// check when it has one, else through its Tracepoint (whose struct is then
// kept for a later use of args).
func (e *cachedEnv) CheckTracepoint(cat, ev string) error {
	k := [2]string{cat, ev}
	if r, ok := e.structs[k]; ok {
		return tracepointFound(cat, ev, r.t, r.err)
	}
	if ce, ok := e.env.(lang.TracepointCheckEnv); ok {
		if err, ok := e.checked[k]; ok {
			return err
		}
		err := ce.CheckTracepoint(cat, ev)
		if e.checked == nil {
			e.checked = map[[2]string]error{}
		}
		e.checked[k] = err
		return err
	}
	t, err := e.Tracepoint(cat, ev)
	return tracepointFound(cat, ev, t, err)
}

// tracepointFound turns Env.Tracepoint's answer into CheckTracepoint's.
func tracepointFound(cat, ev string, t *lang.Type, err error) error {
	if err == nil && t == nil {
		return lang.TracepointNotFound(cat, ev)
	}
	return err
}

func (e *cachedEnv) MatchTracepoints(cat, ev string) ([][2]string, error) {
	k := [2]string{cat, ev}
	r, ok := e.matches[k]
	if !ok {
		r.pairs, r.err = e.env.MatchTracepoints(cat, ev)
		e.matches[k] = r
	}
	return r.pairs, r.err
}

// errNoSystemInfo is returned by the optional Env methods when the Env
// does not implement them.
var errNoSystemInfo = errors.New("no system information")

type cachedFunc struct {
	args, ret *lang.Type
	err       error
}

// KernelFunc forwards to the Env's lang.FuncEnv, once per function.
func (e *cachedEnv) KernelFunc(module, name string) (*lang.Type, *lang.Type, error) {
	k := [2]string{module, name}
	if r, ok := e.funcs[k]; ok {
		return r.args, r.ret, r.err
	}
	var r cachedFunc
	if fe, ok := e.env.(lang.FuncEnv); ok {
		r.args, r.ret, r.err = fe.KernelFunc(module, name)
	} else {
		r.err = errNoSystemInfo
	}
	if e.funcs == nil {
		e.funcs = map[[2]string]cachedFunc{}
	}
	e.funcs[k] = r
	return r.args, r.ret, r.err
}

// KernelSymbol forwards to the Env's lang.SymbolEnv.
func (e *cachedEnv) KernelSymbol(name string) (uint64, error) {
	if se, ok := e.env.(lang.SymbolEnv); ok {
		return se.KernelSymbol(name)
	}
	return 0, errNoSystemInfo
}

// userEnv returns the environment's user-space side, when it has one.
func (c *checker) userEnv() lang.UserEnv {
	if ce, ok := c.env.(*cachedEnv); ok {
		ue, _ := ce.env.(lang.UserEnv)
		return ue
	}
	ue, _ := c.env.(lang.UserEnv)
	return ue
}

// RawTracepointArgs forwards to the Env's lang.RawTracepointEnv, once per
// event.
func (e *cachedEnv) RawTracepointArgs(module, event string) (*lang.Type, error) {
	k := [2]string{"raw:" + module, event}
	if r, ok := e.funcs[k]; ok {
		return r.args, r.err
	}
	var r cachedFunc
	if re, ok := e.env.(lang.RawTracepointEnv); ok {
		r.args, r.err = re.RawTracepointArgs(module, event)
	} else {
		r.err = errNoSystemInfo
	}
	if e.funcs == nil {
		e.funcs = map[[2]string]cachedFunc{}
	}
	e.funcs[k] = r
	return r.args, r.err
}

// MatchKernel forwards to the Env's lang.KernelMatchEnv.
func (e *cachedEnv) MatchKernel(kind lang.KernelSymbolKind, module, pattern string) ([]string, error) {
	if me, ok := e.env.(lang.KernelMatchEnv); ok {
		return me.MatchKernel(kind, module, pattern)
	}
	return nil, errNoSystemInfo
}

// MatchKernelModules forwards to the Env's lang.KernelModuleEnv.
func (e *cachedEnv) MatchKernelModules(pattern string) ([]string, error) {
	if me, ok := e.env.(lang.KernelModuleEnv); ok {
		return me.MatchKernelModules(pattern)
	}
	return nil, errNoSystemInfo
}

// UserSymbol forwards to the Env's lang.UserSymbolEnv.
func (e *cachedEnv) UserSymbol(path, name string) (uint64, uint64, error) {
	if ue, ok := e.env.(lang.UserSymbolEnv); ok {
		return ue.UserSymbol(path, name)
	}
	return 0, 0, errNoSystemInfo
}

func (e *cachedEnv) CgroupID(path string) (uint64, error) {
	if ce, ok := e.env.(lang.CgroupEnv); ok {
		return ce.CgroupID(path)
	}
	return 0, errNoSystemInfo
}

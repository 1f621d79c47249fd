package check

import "github.com/gobpftrace/gobpftrace/lang"

// cachedEnv remembers the environment's answers, so that the two passes
// (and probes naming the same tracepoints) read each format file once.
type cachedEnv struct {
	env     lang.Env
	structs map[[2]string]cachedStruct
	matches map[[2]string]cachedMatch
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

func (e *cachedEnv) MatchTracepoints(cat, ev string) ([][2]string, error) {
	k := [2]string{cat, ev}
	r, ok := e.matches[k]
	if !ok {
		r.pairs, r.err = e.env.MatchTracepoints(cat, ev)
		e.matches[k] = r
	}
	return r.pairs, r.err
}
